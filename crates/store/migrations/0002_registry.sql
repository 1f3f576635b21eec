-- The enterprise registry (一企一档, ENT-1/ENT-2). Lines starting with {pg} run
-- on PostgreSQL only, {sqlite} on SQLite only (see src/migrate.rs).

CREATE TABLE enterprises (
    id {id},
    name TEXT NOT NULL,
    source_name TEXT NOT NULL,
    -- Codes compare byte by byte ({code}), so a prefix is a range of the
    -- unique index on both databases.
    uscc {code} NOT NULL,
    -- FALSE when the code fails its check character and was accepted with a reason.
    uscc_check_ok BOOLEAN NOT NULL,
    uscc_exception_reason TEXT,
    permit_code {code},
    address TEXT NOT NULL,
    industry_code TEXT NOT NULL,
    industry_name TEXT NOT NULL,
    -- Section letter and division of the class, kept for filtering by any level.
    industry_section TEXT NOT NULL,
    industry_division TEXT NOT NULL,
    postal_code TEXT,
    longitude DOUBLE PRECISION,
    latitude DOUBLE PRECISION,
    -- County-level GB/T 2260 code, and the codes above it for scoping by unit.
    region_code TEXT NOT NULL,
    province_code TEXT NOT NULL,
    city_code TEXT NOT NULL,
    city_name TEXT NOT NULL,
    county_name TEXT NOT NULL,
    industrial_park TEXT,
    contact_name TEXT,
    contact_phone TEXT,
    status TEXT NOT NULL CHECK (status IN ('normal', 'suspended', 'closed')),
    category TEXT NOT NULL CHECK (category IN ('key', 'general', 'special')),
    credit_grade TEXT CHECK (credit_grade IN ('A', 'B', 'C', 'D', 'E')),
    positive_list BOOLEAN NOT NULL DEFAULT FALSE,
    created_at {ts} NOT NULL,
    updated_at {ts} NOT NULL
);
CREATE UNIQUE INDEX enterprises_uscc ON enterprises (uscc);
-- The search index: region prefix first (every scope and region filter is a
-- prefix of it), then name and id (the default order, so a page is read in
-- index order without sorting), then every filter column, so
-- that counting a filtered result never reads the table (a covering scan).
CREATE INDEX enterprises_search ON enterprises (province_code, city_code, region_code, name, id,
    category, industry_division, industry_code, credit_grade, status, positive_list, uscc, permit_code);
-- No other index on purpose: each one cost an import about a fifth of its
-- speed. Code prefixes are ranges of the unique USCC index (a permit code
-- begins with its enterprise's USCC); name order and newest-first sort the
-- rows of the user's region.
-- Substring search on names runs over the covering search index inside the
-- user's region. A pg_trgm GIN index was tried: it made imports 25 % slower,
-- cannot serve the common two-character Chinese keywords, and raised p99.

-- 排口: DA001 (废气), DW001 (废水) …; pollutants and limits as JSON text.
CREATE TABLE outlets (
    id {id},
    enterprise_id BIGINT NOT NULL REFERENCES enterprises(id),
    code TEXT NOT NULL,
    kind TEXT NOT NULL,
    name TEXT NOT NULL,
    pollutants TEXT NOT NULL,
    UNIQUE (enterprise_id, code)
);

-- 治理设施 (kind 'treatment', codes TA001 …) and 生产设施 (kind 'production').
CREATE TABLE facilities (
    id {id},
    enterprise_id BIGINT NOT NULL REFERENCES enterprises(id),
    kind TEXT NOT NULL CHECK (kind IN ('treatment', 'production')),
    code TEXT NOT NULL,
    name TEXT NOT NULL,
    process TEXT NOT NULL,
    UNIQUE (enterprise_id, kind, code)
);
