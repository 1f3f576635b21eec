-- 监督预警 (STAT-2): a rule of `yici_domain::warnings` that held for a task,
-- raised by the transaction that changed the task's facts or by the job,
-- and closed by the unit head or the office with a note.
CREATE TABLE warnings (
    id {id},
    unit_id BIGINT NOT NULL REFERENCES units(id),
    task_id BIGINT NOT NULL REFERENCES tasks(id),
    kind TEXT NOT NULL CHECK (kind IN ('repeat_visit', 'missing_approval', 'notice_not_served',
        'no_check_in_code', 'participation_overdue', 'result_overdue', 'rectification_overdue')),
    -- Why, in Chinese, as the rule saw it when raising.
    detail TEXT NOT NULL,
    raised_at {ts} NOT NULL,
    closed_at {ts},
    closed_by_account_id BIGINT REFERENCES accounts(id),
    closed_by_name TEXT,
    close_note TEXT,
    CHECK ((closed_at IS NULL) = (close_note IS NULL))
);
-- One open warning per task and kind: evaluating twice, or on two instances
-- at once, raises it once (the insert does nothing on conflict).
CREATE UNIQUE INDEX warnings_open ON warnings (task_id, kind) WHERE closed_at IS NULL;
-- Whether a task was ever warned of a kind (a closed one settles it).
CREATE INDEX warnings_task ON warnings (task_id, kind);
-- The unit's list, open ones first, newest first; and its yearly counts.
CREATE INDEX warnings_unit_open ON warnings (unit_id, raised_at) WHERE closed_at IS NULL;
CREATE INDEX warnings_unit ON warnings (unit_id, raised_at);
