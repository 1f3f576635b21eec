-- A draw keeps its whole ordered candidate list (DRAW-3): for a county of
-- 80,000 enterprises a megabyte of text per draw. PostgreSQL compresses it
-- with pglz by default, which took 24 ms of a 100 ms draw; lz4 does the same
-- job in a few. Builds without lz4 keep pglz (the statement is skipped).
{pg}DO $$ BEGIN ALTER TABLE draws ALTER COLUMN candidates SET COMPRESSION lz4; EXCEPTION WHEN OTHERS THEN RAISE NOTICE 'lz4 unavailable, draws keep pglz'; END $$;
