-- Long imports and exports run as jobs (issue 26 item 8): the page that
-- started one can be left and the job's progress and report found again, on
-- any instance. The instance running a job writes its counters here about
-- once a second (heartbeat_at); a job still 'running' whose heartbeat is
-- old lost its instance (a restart) and reads as interrupted.
--
-- report holds the finished import's row-by-row report as JSON; output the
-- name of an export's file in the jobs folder, removed with output_expired_at
-- set once the file is deleted (a day later). Rows are kept: they are the
-- owner's history of imports and small.
CREATE TABLE file_jobs (
    id {id},
    kind TEXT NOT NULL CHECK (kind IN ('registry_import', 'registry_export')),
    account_id BIGINT NOT NULL REFERENCES accounts(id),
    status TEXT NOT NULL CHECK (status IN ('running', 'done', 'failed')),
    phase TEXT NOT NULL CHECK (phase IN ('reading', 'checking', 'writing', 'done')),
    file_name TEXT NOT NULL,
    rows_total BIGINT,
    rows_checked BIGINT NOT NULL DEFAULT 0,
    rows_written BIGINT NOT NULL DEFAULT 0,
    report TEXT,
    error TEXT,
    output TEXT,
    output_expired_at {ts},
    created_at {ts} NOT NULL,
    heartbeat_at {ts} NOT NULL,
    finished_at {ts}
);
CREATE INDEX file_jobs_by_account ON file_jobs (account_id, id);
