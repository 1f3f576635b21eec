-- A notice or 情况记录表 is submitted by the handling department before the
-- office numbers it (issue 26 item 5): the status 'submitted' (已提交，待编号)
-- joins the allowed ones. Only the CHECK widens; rows and ids are unchanged.
--
-- PostgreSQL replaces the constraint. SQLite cannot alter a CHECK, so the
-- table is rebuilt under its own name: copied aside, dropped, created with
-- the wider check and filled again. document_events refers to documents by
-- name; with foreign keys deferred until commit, the drop's implicit delete
-- and the refill's inserts balance out and the events keep their documents.
{pg}ALTER TABLE documents DROP CONSTRAINT documents_status_check;
{pg}ALTER TABLE documents ADD CONSTRAINT documents_status_check CHECK (status IN ('draft', 'submitted',
{pg}    'pending_department_head', 'pending_unit_head', 'approved', 'issued', 'served', 'completed', 'void'));
{sqlite}PRAGMA defer_foreign_keys = ON;
{sqlite}CREATE TEMP TABLE documents_before_0030 AS SELECT * FROM documents;
{sqlite}DROP TABLE documents;
{sqlite}CREATE TABLE documents (
{sqlite}    id {id},
{sqlite}    task_id BIGINT NOT NULL REFERENCES tasks(id),
{sqlite}    unit_id BIGINT NOT NULL REFERENCES units(id),
{sqlite}    department_id BIGINT NOT NULL REFERENCES departments(id),
{sqlite}    kind TEXT NOT NULL CHECK (kind IN ('approval_form', 'inspection_notice', 'sampling_notice',
{sqlite}        'onsite_record', 'inquiry_record', 'inspection_record_sheet')),
{sqlite}    status TEXT NOT NULL CHECK (status IN ('draft', 'submitted', 'pending_department_head',
{sqlite}        'pending_unit_head', 'approved', 'issued', 'served', 'completed', 'void')),
{sqlite}    form TEXT NOT NULL,
{sqlite}    year BIGINT,
{sqlite}    number BIGINT,
{sqlite}    number_text TEXT,
{sqlite}    numbered_at {ts},
{sqlite}    numbered_by_name TEXT,
{sqlite}    department_head_id BIGINT REFERENCES people(id),
{sqlite}    voided_at {ts},
{sqlite}    voided_by_name TEXT,
{sqlite}    void_reason TEXT,
{sqlite}    created_by_name TEXT NOT NULL,
{sqlite}    created_at {ts} NOT NULL,
{sqlite}    updated_at {ts} NOT NULL,
{sqlite}    CHECK ((number IS NULL) = (number_text IS NULL)),
{sqlite}    CHECK ((number IS NULL) = (year IS NULL)),
{sqlite}    CHECK ((status = 'void') = (voided_at IS NOT NULL))
{sqlite});
{sqlite}INSERT INTO documents SELECT * FROM documents_before_0030;
{sqlite}DROP TABLE documents_before_0030;
{sqlite}CREATE UNIQUE INDEX documents_number ON documents (unit_id, kind, year, number) WHERE number IS NOT NULL;
{sqlite}CREATE INDEX documents_task ON documents (task_id);
{sqlite}CREATE INDEX documents_unit_status ON documents (unit_id, status);
{sqlite}CREATE UNIQUE INDEX documents_one_live ON documents (task_id, kind)
{sqlite}    WHERE status <> 'void' AND kind IN ('approval_form', 'inspection_notice');
