-- PostgreSQL compared the registry's text columns with the database's
-- collation (C.UTF-8 or a language locale: strcoll on every comparison),
-- SQLite byte by byte. Byte order on PostgreSQL too: names and codes sort
-- the same on both databases, and every insert into the search index and
-- every search over it compares with memcmp (UTF-8 byte order is code-point
-- order, which is what C.UTF-8 gave for Chinese names).
{pg}ALTER TABLE enterprises
{pg}    ALTER COLUMN name TYPE TEXT COLLATE "C",
{pg}    ALTER COLUMN province_code TYPE TEXT COLLATE "C",
{pg}    ALTER COLUMN city_code TYPE TEXT COLLATE "C",
{pg}    ALTER COLUMN region_code TYPE TEXT COLLATE "C",
{pg}    ALTER COLUMN category TYPE TEXT COLLATE "C",
{pg}    ALTER COLUMN industry_division TYPE TEXT COLLATE "C",
{pg}    ALTER COLUMN industry_code TYPE TEXT COLLATE "C",
{pg}    ALTER COLUMN credit_grade TYPE TEXT COLLATE "C",
{pg}    ALTER COLUMN status TYPE TEXT COLLATE "C";
