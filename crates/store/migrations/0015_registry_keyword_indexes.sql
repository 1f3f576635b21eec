-- PostgreSQL only: two indexes for a keyword anywhere in a name, which no
-- btree order can answer, so that a keyword search tests every name of its
-- region. (SQLite's scans of the search index were fast enough, and it
-- builds indexes one at a time after a large load.)
--
-- The characters of every name, for keywords that a rare character
-- narrows (registry::name_chars decides when): 钢铁 in 玉田县 counted 90,000
-- index entries (35 ms), 焦化 in 唐山市 read the whole table (50–70 ms);
-- with this index the names holding both characters are read instead
-- (12 ms, 4 ms). Built in: no extension (pg_trgm skips CJK characters under
-- the C locale).
{pg}CREATE INDEX enterprises_name_chars ON enterprises USING gin (string_to_array(name, NULL));
-- The names of a region with their status, for keywords of common
-- characters (玉田县 in 玉田县): an index-only scan reads each entry whole,
-- and three columns cost half of the search index's eleven (玉田县's normal
-- enterprises named 玉田县…: 23 ms against 42).
{pg}CREATE INDEX enterprises_names ON enterprises (region_code, name, status);
--
-- Both are set aside with the search index during a large first load.
