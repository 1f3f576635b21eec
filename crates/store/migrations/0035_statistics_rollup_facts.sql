-- 统计分析 (STAT-1), second step (issue 22: a province's year page at p99 ≤
-- 200 ms). After migration 30 the dashboard still counted distinct
-- enterprises over the year's visit rows and recounted the caps over the
-- year's tasks on every request. The same drain (`statistics::facts`) now
-- also keeps, from the marked tasks:
--
-- * statistics_task_caps — per task not cancelled: its year, enterprise,
--   unit, department and whether it is capped (the task's old share, taken
--   out when it is folded again);
-- * statistics_cap_counts — tasks per year and enterprise and department,
--   unit or all levels (capped), and per unit (exempt sources): the cap
--   excess is the rows over a cap, read through an index on the count;
-- * statistics_node_enterprises — per year, node and month (0: the whole
--   year) the visits (fact 'visit') or capped tasks ('capped') of each
--   enterprise; a node is a department of a unit, a unit alone, or a unit
--   with every unit under it ('subtree', what a roll-up counts);
-- * statistics_node_counts — per year, node and month: visits, Σ group
--   sizes, joint visits and the number of enterprises with a row above, so
--   "enterprises inspected" is read, not counted.
--
-- * statistics_rectifications — per rectification not withdrawn: the year
--   and unit of its task, its department, the month of the visit whose
--   result raised it, its status and deadline (overdue depends on the day of
--   the read, so these narrow rows are counted at read, not summed ahead);
--   changes of `rectifications` now mark the task too.
--
-- The counts are changed by deltas (old share out, new share in); all equal
-- a rebuild from nothing (store test statistics_facts_equal_a_recount).
CREATE TABLE statistics_task_caps (
    task_id BIGINT PRIMARY KEY,
    year BIGINT NOT NULL,
    enterprise_id BIGINT NOT NULL,
    unit_id BIGINT NOT NULL,
    department_id BIGINT NOT NULL,
    -- 1: a capped source (日常、专项); 0: an exempt one (DRAW-7).
    capped BIGINT NOT NULL
);

CREATE TABLE statistics_cap_counts (
    year BIGINT NOT NULL,
    -- 'department', 'unit', 'all' (capped tasks) or 'exempt' (per unit).
    kind TEXT NOT NULL,
    unit_id BIGINT NOT NULL,
    department_id BIGINT NOT NULL,
    enterprise_id BIGINT NOT NULL,
    tasks BIGINT NOT NULL,
    PRIMARY KEY (year, kind, unit_id, department_id, enterprise_id)
);
-- The rows over a cap: a range of this index.
CREATE INDEX statistics_cap_counts_over ON statistics_cap_counts
    (year, kind, tasks, unit_id, department_id, enterprise_id);
-- Rows whose count fell to zero, deleted at the end of the drain.
CREATE INDEX statistics_cap_counts_zero ON statistics_cap_counts (tasks) WHERE tasks = 0;

CREATE TABLE statistics_node_enterprises (
    year BIGINT NOT NULL,
    fact TEXT NOT NULL,
    kind TEXT NOT NULL,
    unit_id BIGINT NOT NULL,
    department_id BIGINT NOT NULL,
    month BIGINT NOT NULL,
    enterprise_id BIGINT NOT NULL,
    n BIGINT NOT NULL,
    PRIMARY KEY (year, fact, kind, unit_id, department_id, month, enterprise_id)
);
CREATE INDEX statistics_node_enterprises_zero ON statistics_node_enterprises (n) WHERE n = 0;

CREATE TABLE statistics_node_counts (
    year BIGINT NOT NULL,
    fact TEXT NOT NULL,
    kind TEXT NOT NULL,
    unit_id BIGINT NOT NULL,
    department_id BIGINT NOT NULL,
    month BIGINT NOT NULL,
    n BIGINT NOT NULL,
    group_sum BIGINT NOT NULL,
    joint BIGINT NOT NULL,
    enterprises BIGINT NOT NULL,
    PRIMARY KEY (year, fact, kind, unit_id, department_id, month)
);

CREATE TABLE statistics_rectifications (
    rectification_id BIGINT PRIMARY KEY,
    task_id BIGINT NOT NULL,
    year BIGINT NOT NULL,
    unit_id BIGINT NOT NULL,
    department_id BIGINT NOT NULL,
    month BIGINT NOT NULL,
    status TEXT NOT NULL,
    deadline {date} NOT NULL
);
CREATE INDEX statistics_rectifications_task ON statistics_rectifications (task_id);
CREATE INDEX statistics_rectifications_scope ON statistics_rectifications
    (year, unit_id, department_id, month, status, deadline);

-- The drain's work: the batch's changes per node and enterprise, written and
-- read only under the drain's lock and emptied before it commits (on
-- PostgreSQL unlogged: nothing in it outlives a drain).
{pg}CREATE UNLOGGED TABLE statistics_node_delta (
{sqlite}CREATE TABLE statistics_node_delta (
    year BIGINT NOT NULL,
    fact TEXT NOT NULL,
    kind TEXT NOT NULL,
    unit_id BIGINT NOT NULL,
    department_id BIGINT NOT NULL,
    month BIGINT NOT NULL,
    enterprise_id BIGINT NOT NULL,
    n BIGINT NOT NULL,
    group_sum BIGINT NOT NULL,
    joint BIGINT NOT NULL
);
{pg}CREATE UNLOGGED TABLE statistics_cap_delta (
{sqlite}CREATE TABLE statistics_cap_delta (
    year BIGINT NOT NULL,
    kind TEXT NOT NULL,
    unit_id BIGINT NOT NULL,
    department_id BIGINT NOT NULL,
    enterprise_id BIGINT NOT NULL,
    tasks BIGINT NOT NULL
);

-- The new facts start from nothing: every fact is dropped and every task
-- marked, so the first drain builds them all with the old ones (a delta
-- against facts never kept would go negative).
DELETE FROM statistics_visits;
DELETE FROM statistics_task_counts;
DELETE FROM statistics_tallies;
INSERT INTO statistics_dirty SELECT id FROM tasks;

-- An update of a rectification marks the task before and after (it may
-- have moved); one statement's rows, once each.
{pg}CREATE FUNCTION statistics_mark_rectifications() RETURNS trigger LANGUAGE plpgsql AS $$
{pg}BEGIN
{pg}    INSERT INTO statistics_dirty
{pg}    SELECT task_id FROM removed UNION SELECT task_id FROM added;
{pg}    RETURN NULL;
{pg}END
{pg}$$;

-- TRUNCATE clears the new facts too.
{pg}CREATE OR REPLACE FUNCTION statistics_clear() RETURNS trigger LANGUAGE plpgsql AS $$
{pg}BEGIN
{pg}    DELETE FROM statistics_visits;
{pg}    DELETE FROM statistics_task_counts;
{pg}    DELETE FROM statistics_tallies;
{pg}    DELETE FROM statistics_task_caps;
{pg}    DELETE FROM statistics_cap_counts;
{pg}    DELETE FROM statistics_node_enterprises;
{pg}    DELETE FROM statistics_node_counts;
{pg}    DELETE FROM statistics_rectifications;
{pg}    INSERT INTO statistics_dirty SELECT id FROM tasks;
{pg}    RETURN NULL;
{pg}END
{pg}$$;
-- A unit moved under another parent (the application never does; a script
-- might) changes the subtrees every task above it counts in: the facts are
-- dropped and rebuilt by the next drain, as after a TRUNCATE. (A delta
-- cannot do it: a task's old share is computed with today's tree.)
{pg}CREATE TRIGGER units_statistics_reparent AFTER UPDATE OF parent_id ON units
{pg}    FOR EACH ROW WHEN (OLD.parent_id IS DISTINCT FROM NEW.parent_id)
{pg}    EXECUTE FUNCTION statistics_clear();
{sqlite}CREATE TRIGGER units_statistics_reparent AFTER UPDATE OF parent_id ON units
{sqlite}WHEN OLD.parent_id IS NOT NEW.parent_id
{sqlite}BEGIN
{sqlite}    DELETE FROM statistics_visits;
{sqlite}    DELETE FROM statistics_task_counts;
{sqlite}    DELETE FROM statistics_tallies;
{sqlite}    DELETE FROM statistics_task_caps;
{sqlite}    DELETE FROM statistics_cap_counts;
{sqlite}    DELETE FROM statistics_node_enterprises;
{sqlite}    DELETE FROM statistics_node_counts;
{sqlite}    DELETE FROM statistics_rectifications;
{sqlite}    INSERT INTO statistics_dirty SELECT id FROM tasks;
{sqlite}END;

-- SQLite marks a task's update only when a column the facts read changed:
-- whether it is capped is one now.
{sqlite}DROP TRIGGER tasks_statistics_update;
{sqlite}CREATE TRIGGER tasks_statistics_update AFTER UPDATE ON tasks
{sqlite}WHEN OLD.status IS NOT NEW.status OR OLD.unit_id IS NOT NEW.unit_id
{sqlite}    OR OLD.department_id IS NOT NEW.department_id OR OLD.year IS NOT NEW.year
{sqlite}    OR OLD.enterprise_id IS NOT NEW.enterprise_id OR OLD.id IS NOT NEW.id
{sqlite}    OR OLD.capped IS NOT NEW.capped
{sqlite}BEGIN
{sqlite}    INSERT INTO statistics_dirty VALUES (OLD.id);
{sqlite}    INSERT INTO statistics_dirty VALUES (NEW.id);
{sqlite}END;

-- A rectification written marks its task (and, moved, the task it left).
{pg}CREATE TRIGGER rectifications_statistics_insert AFTER INSERT ON rectifications
{pg}    REFERENCING NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION statistics_mark_task_rows();
{pg}CREATE TRIGGER rectifications_statistics_update AFTER UPDATE ON rectifications
{pg}    REFERENCING OLD TABLE AS removed NEW TABLE AS added
{pg}    FOR EACH STATEMENT EXECUTE FUNCTION statistics_mark_rectifications();
{pg}CREATE TRIGGER rectifications_statistics_delete AFTER DELETE ON rectifications
{pg}    REFERENCING OLD TABLE AS removed FOR EACH STATEMENT EXECUTE FUNCTION statistics_mark_task_rows();
{pg}CREATE TRIGGER rectifications_statistics_truncate AFTER TRUNCATE ON rectifications
{pg}    FOR EACH STATEMENT EXECUTE FUNCTION statistics_clear();
{sqlite}CREATE TRIGGER rectifications_statistics_insert AFTER INSERT ON rectifications BEGIN
{sqlite}    INSERT INTO statistics_dirty VALUES (NEW.task_id);
{sqlite}END;
{sqlite}CREATE TRIGGER rectifications_statistics_update AFTER UPDATE ON rectifications
{sqlite}WHEN OLD.status IS NOT NEW.status OR OLD.deadline IS NOT NEW.deadline
{sqlite}    OR OLD.department_id IS NOT NEW.department_id OR OLD.task_id IS NOT NEW.task_id
{sqlite}    OR OLD.result_id IS NOT NEW.result_id OR OLD.id IS NOT NEW.id
{sqlite}BEGIN
{sqlite}    INSERT INTO statistics_dirty VALUES (OLD.task_id);
{sqlite}    INSERT INTO statistics_dirty VALUES (NEW.task_id);
{sqlite}END;
{sqlite}CREATE TRIGGER rectifications_statistics_delete AFTER DELETE ON rectifications BEGIN
{sqlite}    INSERT INTO statistics_dirty VALUES (OLD.task_id);
{sqlite}END;
