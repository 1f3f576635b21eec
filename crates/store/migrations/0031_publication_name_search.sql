-- The public search by a name keyword over a whole year (RES-2, issue 21:
-- p99 ≤ 60 ms at 200,000 published results). Such a search tests the
-- keyword on every current entry of the year until it has found a page's
-- worth of matches — for a rare keyword, on all of them. In the wide
-- covering indexes of migration 0023 the name is the tenth column, after
-- variable-width ones, and reaching it in each entry cost more than the
-- test itself (PostgreSQL p99 162 ms). This index holds only what such a
-- search reads, the name right after fixed-width columns, in page order.
CREATE INDEX published_results_by_name ON published_results
    (year, inspected_on, task_id, enterprise_name)
    WHERE valid_to IS NULL;
