-- The joint inspection (JOINT-1…JOINT-6): who takes part in a task and by
-- when they decide, in-app notices, and the SMS outbox.

-- Departments on a task: the initiator, the other departments of its unit
-- (notified on extraction) and invited partner-agency departments. A decision
-- is due at `decide_by`; a missing decision past it reads as 不参与 (lapsed),
-- and a job writes it down.
CREATE TABLE task_participants (
    task_id BIGINT NOT NULL REFERENCES tasks(id),
    department_id BIGINT NOT NULL REFERENCES departments(id),
    kind TEXT NOT NULL CHECK (kind IN ('initiator', 'department', 'partner')),
    notified_at {ts} NOT NULL,
    decide_by {ts},
    decision TEXT CHECK (decision IN ('join', 'decline', 'lapsed')),
    decided_at {ts},
    decided_by_name TEXT,
    PRIMARY KEY (task_id, department_id),
    CHECK ((kind = 'initiator') = (decide_by IS NULL))
);
CREATE INDEX task_participants_department ON task_participants (department_id, decision);
CREATE INDEX task_participants_due ON task_participants (decide_by) WHERE decision IS NULL;

-- Which participating department an inspector is on the task for.
ALTER TABLE task_inspectors ADD COLUMN for_department_id BIGINT REFERENCES departments(id);

-- In-app notices to a department (its secretary and administrator see them).
CREATE TABLE notices (
    id {id},
    department_id BIGINT NOT NULL REFERENCES departments(id),
    task_id BIGINT REFERENCES tasks(id),
    body TEXT NOT NULL,
    created_at {ts} NOT NULL,
    read_at {ts}
);
CREATE INDEX notices_department ON notices (department_id, id);

-- SMS to send. Rows are written in the transaction of the change they report,
-- so a message exists exactly when its change does; a worker claims due rows
-- with a lease (FOR UPDATE SKIP LOCKED on PostgreSQL, a conditional UPDATE on
-- SQLite), sends, and marks them; failures back off and retry.
CREATE TABLE sms_outbox (
    id {id},
    -- One message per purpose and recipient, whatever retries the caller makes.
    dedupe_key TEXT NOT NULL,
    mobile TEXT NOT NULL,
    template TEXT NOT NULL,
    params_json TEXT NOT NULL,
    -- The message as the recipient reads it, for the outbox page.
    body TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('pending', 'sending', 'sent', 'failed')),
    attempts BIGINT NOT NULL DEFAULT 0,
    next_attempt_at {ts} NOT NULL,
    lease_owner TEXT,
    lease_until {ts},
    created_at {ts} NOT NULL,
    sent_at {ts},
    provider TEXT,
    provider_message_id TEXT,
    last_error TEXT
);
CREATE UNIQUE INDEX sms_outbox_dedupe ON sms_outbox (dedupe_key);
CREATE INDEX sms_outbox_due ON sms_outbox (status, next_attempt_at);
-- The outbox page of a department: messages to its people, by number.
CREATE INDEX sms_outbox_mobile ON sms_outbox (mobile, id);

-- Tasks made before this migration: their initiator on record, their
-- inspectors the initiator's (so settings replace them).
INSERT INTO task_participants (task_id, department_id, kind, notified_at)
SELECT id, department_id, 'initiator', created_at FROM tasks
 WHERE id NOT IN (SELECT task_id FROM task_participants);
UPDATE task_inspectors
   SET for_department_id = (SELECT t.department_id FROM tasks t WHERE t.id = task_inspectors.task_id)
 WHERE for_department_id IS NULL;
