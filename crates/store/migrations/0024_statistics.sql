-- 统计分析 (STAT-1): the dashboard aggregates a unit's (or a province's)
-- tasks of a year. These indexes cover its statements, so a province's
-- 100,000 tasks are read from the indexes without visiting the tables.

-- Tasks of a year by unit, with what every figure groups or filters on.
CREATE INDEX tasks_statistics ON tasks (unit_id, year, status, department_id, enterprise_id, capped, id);
-- A task's group (initiator and the departments that joined) and answers.
CREATE INDEX task_participants_statistics ON task_participants (task_id, kind, decision, department_id, decide_by, notified_at);
-- Results of a task: visit day and lateness of the original submissions.
CREATE INDEX task_results_statistics ON task_results (task_id, department_id, corrects_id, due_on, late);
