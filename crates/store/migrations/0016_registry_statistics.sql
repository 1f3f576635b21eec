-- PostgreSQL only: no planner statistics for the columns no search filters,
-- sorts or groups on (shown and exported only). ANALYZE after a large
-- load sampled and summarised every column: 1.15 s for 200,000
-- enterprises, 0.60–0.65 s without these. Statistics of a column come back
-- with SET STATISTICS -1 should a query ever filter on it.
{pg}ALTER TABLE enterprises ALTER COLUMN source_name SET STATISTICS 0;
{pg}ALTER TABLE enterprises ALTER COLUMN uscc_check_ok SET STATISTICS 0;
{pg}ALTER TABLE enterprises ALTER COLUMN uscc_exception_reason SET STATISTICS 0;
{pg}ALTER TABLE enterprises ALTER COLUMN address SET STATISTICS 0;
{pg}ALTER TABLE enterprises ALTER COLUMN industry_name SET STATISTICS 0;
{pg}ALTER TABLE enterprises ALTER COLUMN industry_section SET STATISTICS 0;
{pg}ALTER TABLE enterprises ALTER COLUMN postal_code SET STATISTICS 0;
{pg}ALTER TABLE enterprises ALTER COLUMN longitude SET STATISTICS 0;
{pg}ALTER TABLE enterprises ALTER COLUMN latitude SET STATISTICS 0;
{pg}ALTER TABLE enterprises ALTER COLUMN city_name SET STATISTICS 0;
{pg}ALTER TABLE enterprises ALTER COLUMN county_name SET STATISTICS 0;
{pg}ALTER TABLE enterprises ALTER COLUMN industrial_park SET STATISTICS 0;
{pg}ALTER TABLE enterprises ALTER COLUMN contact_name SET STATISTICS 0;
{pg}ALTER TABLE enterprises ALTER COLUMN contact_phone SET STATISTICS 0;
