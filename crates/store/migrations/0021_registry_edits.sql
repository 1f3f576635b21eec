-- The edit history of each enterprise (ENT-1, 变更记录 on its profile):
-- written in the transaction of every change to the registry — the form,
-- the API, imports (only rows that changed something), outlets and
-- facilities. Who is kept as a snapshot (the editor's name and unit at the
-- time), so the history reads the same after people move or leave.
-- `changes` is a JSON array of {field, before, after}; `subject` names the
-- outlet or facility an installation change was about.
CREATE TABLE registry_edits (
    id {id},
    enterprise_id BIGINT NOT NULL REFERENCES enterprises(id),
    at {ts} NOT NULL,
    account_id BIGINT,
    person_id BIGINT,
    editor_name TEXT NOT NULL,
    via TEXT NOT NULL CHECK (via IN ('form', 'api', 'import', 'system')),
    action TEXT NOT NULL,
    subject TEXT,
    changes TEXT NOT NULL
);

-- The profile's tab pages newest first through this index alone; `id` breaks
-- ties between edits of the same instant (one import batch).
CREATE INDEX registry_edits_enterprise ON registry_edits (enterprise_id, at, id);
