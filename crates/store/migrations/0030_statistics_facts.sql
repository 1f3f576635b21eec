-- 统计分析 (STAT-1) at a province's scale: the dashboard of 100,000 tasks a
-- year no longer recounts every task, participation answer and result on
-- each request (issue 22: p99 ≤ 200 ms). It reads facts kept per task,
-- folded by `statistics::facts::drain` (store crate) from the base tables:
--
-- * statistics_visits — one row per completed task that has its
--   initiator's original result: the visit's month, enterprise and group
--   size (the visits figures, distinct enterprises included, come from this
--   narrow table);
-- * statistics_task_counts — a task's share of the additive counts
--   (participation notices and answers, results and late results), per
--   department and month; and statistics_tallies, their sums per unit,
--   department, year and month, which the dashboard reads.
--
-- Triggers only mark the task whose rows changed (statistics_dirty, insert-
-- only: writers never wait for each other on a shared row); the drain,
-- run by the dashboard before it reads and by the server's job, recomputes
-- the marked tasks' facts from the base tables with the same statements that
-- build them from nothing, so the facts are a recount done per task. One
-- drain at a time (PostgreSQL: an advisory lock; SQLite: the write lock).
-- Time-dependent figures (answers past their deadline, overdue
-- rectifications) are still evaluated on read.
CREATE TABLE statistics_dirty (
    task_id BIGINT NOT NULL
);

-- The tasks a drain is folding: written and read only under the drain's lock.
CREATE TABLE statistics_batch (
    task_id BIGINT PRIMARY KEY
);

CREATE TABLE statistics_visits (
    task_id BIGINT PRIMARY KEY,
    unit_id BIGINT NOT NULL,
    department_id BIGINT NOT NULL,
    year BIGINT NOT NULL,
    month BIGINT NOT NULL,
    enterprise_id BIGINT NOT NULL,
    group_size BIGINT NOT NULL
);
CREATE INDEX statistics_visits_scope ON statistics_visits
    (year, unit_id, department_id, month, enterprise_id, group_size);

CREATE TABLE statistics_task_counts (
    task_id BIGINT NOT NULL,
    unit_id BIGINT NOT NULL,
    department_id BIGINT NOT NULL,
    year BIGINT NOT NULL,
    month BIGINT NOT NULL,
    notices BIGINT NOT NULL,
    joined BIGINT NOT NULL,
    declined BIGINT NOT NULL,
    lapsed BIGINT NOT NULL,
    results BIGINT NOT NULL,
    results_late BIGINT NOT NULL,
    PRIMARY KEY (task_id, department_id, month)
);

CREATE TABLE statistics_tallies (
    year BIGINT NOT NULL,
    unit_id BIGINT NOT NULL,
    department_id BIGINT NOT NULL,
    month BIGINT NOT NULL,
    notices BIGINT NOT NULL,
    joined BIGINT NOT NULL,
    declined BIGINT NOT NULL,
    lapsed BIGINT NOT NULL,
    results BIGINT NOT NULL,
    results_late BIGINT NOT NULL,
    PRIMARY KEY (year, unit_id, department_id, month)
);

-- Every existing task is folded by the first drain.
INSERT INTO statistics_dirty SELECT id FROM tasks;

-- PostgreSQL: one statement-level trigger per table and operation, marking
-- the tasks of the rows a statement changed.
{pg}CREATE FUNCTION statistics_mark_tasks() RETURNS trigger LANGUAGE plpgsql AS $$
{pg}BEGIN
{pg}    IF TG_OP = 'DELETE' THEN
{pg}        INSERT INTO statistics_dirty SELECT id FROM removed;
{pg}    ELSE
{pg}        INSERT INTO statistics_dirty SELECT id FROM added;
{pg}    END IF;
{pg}    RETURN NULL;
{pg}END
{pg}$$;
{pg}CREATE FUNCTION statistics_mark_task_rows() RETURNS trigger LANGUAGE plpgsql AS $$
{pg}BEGIN
{pg}    IF TG_OP = 'DELETE' THEN
{pg}        INSERT INTO statistics_dirty SELECT DISTINCT task_id FROM removed;
{pg}    ELSE
{pg}        INSERT INTO statistics_dirty SELECT DISTINCT task_id FROM added;
{pg}    END IF;
{pg}    RETURN NULL;
{pg}END
{pg}$$;
{pg}CREATE TRIGGER tasks_statistics_insert AFTER INSERT ON tasks
{pg}    REFERENCING NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION statistics_mark_tasks();
{pg}CREATE TRIGGER tasks_statistics_update AFTER UPDATE ON tasks
{pg}    REFERENCING NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION statistics_mark_tasks();
{pg}CREATE TRIGGER tasks_statistics_delete AFTER DELETE ON tasks
{pg}    REFERENCING OLD TABLE AS removed FOR EACH STATEMENT EXECUTE FUNCTION statistics_mark_tasks();
{pg}CREATE TRIGGER task_participants_statistics_insert AFTER INSERT ON task_participants
{pg}    REFERENCING NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION statistics_mark_task_rows();
{pg}CREATE TRIGGER task_participants_statistics_update AFTER UPDATE ON task_participants
{pg}    REFERENCING NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION statistics_mark_task_rows();
{pg}CREATE TRIGGER task_participants_statistics_delete AFTER DELETE ON task_participants
{pg}    REFERENCING OLD TABLE AS removed FOR EACH STATEMENT EXECUTE FUNCTION statistics_mark_task_rows();
{pg}CREATE TRIGGER task_results_statistics_insert AFTER INSERT ON task_results
{pg}    REFERENCING NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION statistics_mark_task_rows();
{pg}CREATE TRIGGER task_results_statistics_update AFTER UPDATE ON task_results
{pg}    REFERENCING NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION statistics_mark_task_rows();
{pg}CREATE TRIGGER task_results_statistics_delete AFTER DELETE ON task_results
{pg}    REFERENCING OLD TABLE AS removed FOR EACH STATEMENT EXECUTE FUNCTION statistics_mark_task_rows();
-- TRUNCATE would leave facts behind without marks: clear them with it.
{pg}CREATE FUNCTION statistics_clear() RETURNS trigger LANGUAGE plpgsql AS $$
{pg}BEGIN
{pg}    DELETE FROM statistics_visits;
{pg}    DELETE FROM statistics_task_counts;
{pg}    DELETE FROM statistics_tallies;
{pg}    INSERT INTO statistics_dirty SELECT id FROM tasks;
{pg}    RETURN NULL;
{pg}END
{pg}$$;
{pg}CREATE TRIGGER task_participants_statistics_truncate AFTER TRUNCATE ON task_participants
{pg}    FOR EACH STATEMENT EXECUTE FUNCTION statistics_clear();
{pg}CREATE TRIGGER task_results_statistics_truncate AFTER TRUNCATE ON task_results
{pg}    FOR EACH STATEMENT EXECUTE FUNCTION statistics_clear();

-- SQLite has row triggers only: a mark per row written. A task's update
-- marks it only when a column the facts read changed.
{sqlite}CREATE TRIGGER tasks_statistics_insert AFTER INSERT ON tasks BEGIN
{sqlite}    INSERT INTO statistics_dirty VALUES (NEW.id);
{sqlite}END;
{sqlite}CREATE TRIGGER tasks_statistics_update AFTER UPDATE ON tasks
{sqlite}WHEN OLD.status IS NOT NEW.status OR OLD.unit_id IS NOT NEW.unit_id
{sqlite}    OR OLD.department_id IS NOT NEW.department_id OR OLD.year IS NOT NEW.year
{sqlite}    OR OLD.enterprise_id IS NOT NEW.enterprise_id OR OLD.id IS NOT NEW.id
{sqlite}BEGIN
{sqlite}    INSERT INTO statistics_dirty VALUES (OLD.id);
{sqlite}    INSERT INTO statistics_dirty VALUES (NEW.id);
{sqlite}END;
{sqlite}CREATE TRIGGER tasks_statistics_delete AFTER DELETE ON tasks BEGIN
{sqlite}    INSERT INTO statistics_dirty VALUES (OLD.id);
{sqlite}END;
{sqlite}CREATE TRIGGER task_participants_statistics_insert AFTER INSERT ON task_participants BEGIN
{sqlite}    INSERT INTO statistics_dirty VALUES (NEW.task_id);
{sqlite}END;
{sqlite}CREATE TRIGGER task_participants_statistics_update AFTER UPDATE ON task_participants BEGIN
{sqlite}    INSERT INTO statistics_dirty VALUES (OLD.task_id);
{sqlite}    INSERT INTO statistics_dirty VALUES (NEW.task_id);
{sqlite}END;
{sqlite}CREATE TRIGGER task_participants_statistics_delete AFTER DELETE ON task_participants BEGIN
{sqlite}    INSERT INTO statistics_dirty VALUES (OLD.task_id);
{sqlite}END;
{sqlite}CREATE TRIGGER task_results_statistics_insert AFTER INSERT ON task_results BEGIN
{sqlite}    INSERT INTO statistics_dirty VALUES (NEW.task_id);
{sqlite}END;
{sqlite}CREATE TRIGGER task_results_statistics_update AFTER UPDATE ON task_results BEGIN
{sqlite}    INSERT INTO statistics_dirty VALUES (OLD.task_id);
{sqlite}    INSERT INTO statistics_dirty VALUES (NEW.task_id);
{sqlite}END;
{sqlite}CREATE TRIGGER task_results_statistics_delete AFTER DELETE ON task_results BEGIN
{sqlite}    INSERT INTO statistics_dirty VALUES (OLD.task_id);
{sqlite}END;
