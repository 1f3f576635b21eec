-- Official documents (DOC-2…DOC-7): one row per document with its contents as
-- JSON (yici_domain::documents::Form), the workflow's history, the unit's
-- number patterns and the gapless counters.

-- 文书编号格式 per unit and kind (DOC-3), e.g. 唐环行检批〔{year}〕11-{n}号.
-- A unit without a row uses its short name (NumberPattern::default_for).
CREATE TABLE document_patterns (
    unit_id BIGINT NOT NULL REFERENCES units(id),
    kind TEXT NOT NULL,
    pattern TEXT NOT NULL,
    updated_at {ts} NOT NULL,
    PRIMARY KEY (unit_id, kind)
);

-- The last number given per unit, kind and year. Moved by one conditional
-- UPDATE … RETURNING in the transaction that numbers the document, as its
-- last step: the row lock orders concurrent numberings, and a rollback takes
-- the number back with it. (A sequence would leave gaps: never use one.)
CREATE TABLE document_counters (
    unit_id BIGINT NOT NULL REFERENCES units(id),
    kind TEXT NOT NULL,
    year BIGINT NOT NULL,
    last_number BIGINT NOT NULL CHECK (last_number >= 0),
    PRIMARY KEY (unit_id, kind, year)
);

CREATE TABLE documents (
    id {id},
    task_id BIGINT NOT NULL REFERENCES tasks(id),
    -- The issuing unit (the task's) and the handling department (承办处室).
    unit_id BIGINT NOT NULL REFERENCES units(id),
    department_id BIGINT NOT NULL REFERENCES departments(id),
    kind TEXT NOT NULL CHECK (kind IN ('approval_form', 'inspection_notice', 'sampling_notice',
        'onsite_record', 'inquiry_record', 'inspection_record_sheet')),
    status TEXT NOT NULL CHECK (status IN ('draft', 'pending_department_head', 'pending_unit_head',
        'approved', 'issued', 'served', 'completed', 'void')),
    form TEXT NOT NULL,
    -- The number: year, ordinal and its text, frozen when the office numbers it.
    year BIGINT,
    number BIGINT,
    number_text TEXT,
    numbered_at {ts},
    numbered_by_name TEXT,
    -- Who signed as 承办机构负责人: the unit head's approval must be someone else.
    department_head_id BIGINT REFERENCES people(id),
    voided_at {ts},
    voided_by_name TEXT,
    void_reason TEXT,
    created_by_name TEXT NOT NULL,
    created_at {ts} NOT NULL,
    updated_at {ts} NOT NULL,
    CHECK ((number IS NULL) = (number_text IS NULL)),
    CHECK ((number IS NULL) = (year IS NULL)),
    CHECK ((status = 'void') = (voided_at IS NOT NULL))
);
-- No duplicate number: the register's proof rests on it as well as on the counter.
CREATE UNIQUE INDEX documents_number ON documents (unit_id, kind, year, number) WHERE number IS NOT NULL;
CREATE INDEX documents_task ON documents (task_id);
CREATE INDEX documents_unit_status ON documents (unit_id, status);
-- One live 审批表 and one live 通知书 per task (a voided one may be replaced).
CREATE UNIQUE INDEX documents_one_live ON documents (task_id, kind)
    WHERE status <> 'void' AND kind IN ('approval_form', 'inspection_notice');

-- The workflow's history: every step with who took it and the opinion given.
CREATE TABLE document_events (
    id {id},
    document_id BIGINT NOT NULL REFERENCES documents(id),
    action TEXT NOT NULL,
    status_after TEXT NOT NULL,
    person_id BIGINT REFERENCES people(id),
    actor_name TEXT NOT NULL,
    opinion TEXT,
    at {ts} NOT NULL
);
CREATE INDEX document_events_document ON document_events (document_id, id);

-- How the visit is made (非现场检查 needs no 审批表, DOC-4) and the urgent
-- path (口头通知, reported to the unit head, 补办手续 afterwards, DOC-5).
ALTER TABLE tasks ADD COLUMN remote BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE tasks ADD COLUMN oral_notice_at {ts};
ALTER TABLE tasks ADD COLUMN oral_notice_by_name TEXT;
ALTER TABLE tasks ADD COLUMN oral_notice_reported_to TEXT;
ALTER TABLE tasks ADD COLUMN oral_notice_reason TEXT;
