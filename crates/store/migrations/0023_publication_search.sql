-- The public search (RES-2) at 200,000 published results. Every filter of
-- the search is a column of these indexes, so a search walks one index in
-- the page's order (newest visit first) and tests each entry there, reading
-- the table only for the 20 rows shown; the year's or the unit's entries
-- are the most it reads. The separate USCC index made the planners read a
-- whole county for an 8-character prefix and sort it: it goes, as do the
-- two narrower indexes these replace.
DROP INDEX published_results_year;
DROP INDEX published_results_unit;
DROP INDEX published_results_uscc;
CREATE INDEX published_results_by_year ON published_results
    (year, inspected_on, task_id, unit_id, month, outcome, department_ids, county_code, uscc, enterprise_name)
    WHERE valid_to IS NULL;
CREATE INDEX published_results_by_unit ON published_results
    (unit_id, year, inspected_on, task_id, month, outcome, department_ids, county_code, uscc, enterprise_name)
    WHERE valid_to IS NULL;

-- Where the publication job's last pass left off, so that a restarted
-- instance looks at what changed since then instead of every record.
CREATE TABLE publication_progress (
    id BIGINT PRIMARY KEY,
    refreshed_until {ts} NOT NULL
);
