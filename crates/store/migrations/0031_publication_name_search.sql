-- The public search by a name keyword over a whole year (RES-2, issue 21:
-- p99 ≤ 60 ms at 200,000 published results). Such a search tests the
-- keyword on every current entry of the year until it has found a page's
-- worth of matches — for a rare keyword, on all of them. In the wide
-- covering indexes of migration 0023 the name is the tenth column, after
-- variable-width ones, and reaching it in each entry cost more than the
-- test itself (PostgreSQL p99 162 ms). This index holds only what such a
-- search reads, the name right after fixed-width columns, in page order.
-- PostgreSQL only: SQLite's planner took it for every year-wide search
-- (a USCC prefix, an outcome and month) since it is the smallest index in
-- page order, then read the table for each entry to test the other filters
-- (p99 500 ms); SQLite's name search is within the target on the wide
-- index once the search walks it once.
{pg}CREATE INDEX published_results_by_name ON published_results
{pg}    (year, inspected_on, task_id, enterprise_name)
{pg}    WHERE valid_to IS NULL;
