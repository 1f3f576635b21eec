-- How many enterprises there are of each county and filter value, so that a
-- search without a keyword is counted from a few hundred rows instead of
-- every index entry of its region (the store's registry::tallies module).
-- The columns are named as in `enterprises`: a search's WHERE clause runs
-- unchanged on either table.
--
-- Rows are deltas, written by triggers in the same transaction as the change
-- they count and never updated: a group's count is the sum of its rows.
-- Writers therefore never wait for each other on a shared counter (an
-- import into 玉田县 and an officer's edit there would otherwise queue on
-- the same rows and could deadlock). `tallies::compact`, run by each
-- server's tally job and after the demo load, folds the deltas into one row
-- per group; counts are exact either way. A large batch of new enterprises
-- (a first import) writes its own grouped rows, with the insert trigger off
-- inside its transaction (`tallies::CountedByWriter`).
CREATE TABLE enterprise_tallies (
    region_code {code} NOT NULL,
    city_code {code} NOT NULL,
    category {code} NOT NULL,
    industry_division {code} NOT NULL,
    industry_code {code} NOT NULL,
    credit_grade {code},
    status {code} NOT NULL,
    positive_list BOOLEAN NOT NULL,
    n BIGINT NOT NULL
);
CREATE INDEX enterprise_tallies_region ON enterprise_tallies (region_code);

INSERT INTO enterprise_tallies
SELECT region_code, city_code, category, industry_division, industry_code, credit_grade,
    status, positive_list, COUNT(*)
FROM enterprises
GROUP BY region_code, city_code, category, industry_division, industry_code, credit_grade,
    status, positive_list;

-- PostgreSQL: one delta row per group a statement changed (statement-level
-- triggers over transition tables). An upsert fires both the insert and the
-- update trigger, each with its own rows.
{pg}CREATE FUNCTION enterprise_tallies_count() RETURNS trigger LANGUAGE plpgsql AS $$
{pg}BEGIN
{pg}    IF TG_OP = 'INSERT' THEN
{pg}        INSERT INTO enterprise_tallies
{pg}        SELECT region_code, city_code, category, industry_division, industry_code,
{pg}            credit_grade, status, positive_list, COUNT(*)
{pg}        FROM added
{pg}        GROUP BY 1, 2, 3, 4, 5, 6, 7, 8;
{pg}    ELSIF TG_OP = 'DELETE' THEN
{pg}        INSERT INTO enterprise_tallies
{pg}        SELECT region_code, city_code, category, industry_division, industry_code,
{pg}            credit_grade, status, positive_list, -COUNT(*)
{pg}        FROM removed
{pg}        GROUP BY 1, 2, 3, 4, 5, 6, 7, 8;
{pg}    ELSE
{pg}        -- Most updates change no counted column: their +1 and -1 cancel.
{pg}        INSERT INTO enterprise_tallies
{pg}        SELECT region_code, city_code, category, industry_division, industry_code,
{pg}            credit_grade, status, positive_list, SUM(n)
{pg}        FROM (SELECT region_code, city_code, category, industry_division, industry_code,
{pg}                     credit_grade, status, positive_list, 1 AS n FROM added
{pg}              UNION ALL
{pg}              SELECT region_code, city_code, category, industry_division, industry_code,
{pg}                     credit_grade, status, positive_list, -1 FROM removed) AS changed
{pg}        GROUP BY 1, 2, 3, 4, 5, 6, 7, 8
{pg}        HAVING SUM(n) <> 0;
{pg}    END IF;
{pg}    RETURN NULL;
{pg}END
{pg}$$;
{pg}CREATE TRIGGER enterprises_tally_insert AFTER INSERT ON enterprises
{pg}    REFERENCING NEW TABLE AS added
{pg}    FOR EACH STATEMENT EXECUTE FUNCTION enterprise_tallies_count();
{pg}CREATE TRIGGER enterprises_tally_update AFTER UPDATE ON enterprises
{pg}    REFERENCING NEW TABLE AS added OLD TABLE AS removed
{pg}    FOR EACH STATEMENT EXECUTE FUNCTION enterprise_tallies_count();
{pg}CREATE TRIGGER enterprises_tally_delete AFTER DELETE ON enterprises
{pg}    REFERENCING OLD TABLE AS removed
{pg}    FOR EACH STATEMENT EXECUTE FUNCTION enterprise_tallies_count();
-- TRUNCATE would bypass the row counts: keep the tallies with it.
{pg}CREATE FUNCTION enterprise_tallies_clear() RETURNS trigger LANGUAGE plpgsql AS $$
{pg}BEGIN
{pg}    DELETE FROM enterprise_tallies;
{pg}    RETURN NULL;
{pg}END
{pg}$$;
{pg}CREATE TRIGGER enterprises_tally_truncate AFTER TRUNCATE ON enterprises
{pg}    FOR EACH STATEMENT EXECUTE FUNCTION enterprise_tallies_clear();

-- SQLite has row triggers only: a delta row per enterprise written.
{sqlite}CREATE TRIGGER enterprises_tally_insert AFTER INSERT ON enterprises BEGIN
{sqlite}    INSERT INTO enterprise_tallies VALUES (NEW.region_code, NEW.city_code, NEW.category,
{sqlite}        NEW.industry_division, NEW.industry_code, NEW.credit_grade, NEW.status,
{sqlite}        NEW.positive_list, 1);
{sqlite}END;
{sqlite}CREATE TRIGGER enterprises_tally_delete AFTER DELETE ON enterprises BEGIN
{sqlite}    INSERT INTO enterprise_tallies VALUES (OLD.region_code, OLD.city_code, OLD.category,
{sqlite}        OLD.industry_division, OLD.industry_code, OLD.credit_grade, OLD.status,
{sqlite}        OLD.positive_list, -1);
{sqlite}END;
{sqlite}CREATE TRIGGER enterprises_tally_update AFTER UPDATE ON enterprises
{sqlite}WHEN OLD.region_code IS NOT NEW.region_code OR OLD.city_code IS NOT NEW.city_code
{sqlite}    OR OLD.category IS NOT NEW.category OR OLD.industry_division IS NOT NEW.industry_division
{sqlite}    OR OLD.industry_code IS NOT NEW.industry_code OR OLD.credit_grade IS NOT NEW.credit_grade
{sqlite}    OR OLD.status IS NOT NEW.status OR OLD.positive_list IS NOT NEW.positive_list
{sqlite}BEGIN
{sqlite}    INSERT INTO enterprise_tallies VALUES (OLD.region_code, OLD.city_code, OLD.category,
{sqlite}        OLD.industry_division, OLD.industry_code, OLD.credit_grade, OLD.status,
{sqlite}        OLD.positive_list, -1);
{sqlite}    INSERT INTO enterprise_tallies VALUES (NEW.region_code, NEW.city_code, NEW.category,
{sqlite}        NEW.industry_division, NEW.industry_code, NEW.credit_grade, NEW.status,
{sqlite}        NEW.positive_list, 1);
{sqlite}END;
