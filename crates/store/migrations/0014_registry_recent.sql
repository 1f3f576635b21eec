-- Newest first within a county (`sort=updated`): read backwards from the
-- top of the county's range instead of sorting all its matches. 玉田县's
-- special-category enterprises, newest first: 28 ms on PostgreSQL (4,549
-- rows fetched and sorted) and 48 ms on SQLite, 0.2 and 1 ms with it.
-- Set aside with the search index during a large first load.
CREATE INDEX enterprises_recent ON enterprises (region_code, updated_at, id);
