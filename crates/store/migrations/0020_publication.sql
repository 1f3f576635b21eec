-- 一公开 (RES-2). One row per completed task: when its result must be public
-- at the latest (`due_on`, working days by the configured calendar), whether
-- the unit's office released it earlier, and when it was published.
-- `due_on` is NULL for tasks completed before this migration: the
-- publication job computes it with the calendar of the configuration.
CREATE TABLE publications (
    task_id {key} REFERENCES tasks(id),
    unit_id BIGINT NOT NULL REFERENCES units(id),
    due_on {date},
    released_at {ts},
    released_by BIGINT REFERENCES people(id),
    released_by_name TEXT,
    published_at {ts}
);
CREATE INDEX publications_waiting ON publications (unit_id, due_on) WHERE published_at IS NULL;
CREATE INDEX publications_due ON publications (due_on) WHERE published_at IS NULL;

-- 整改复查 visits are part of their rectification, not results of their own.
INSERT INTO publications (task_id, unit_id)
SELECT t.id, t.unit_id FROM tasks t
 WHERE t.status = 'completed'
   AND NOT EXISTS (SELECT 1 FROM rectifications x WHERE x.revisit_task_id = t.id);

-- The public records, versioned so that a past state can be reproduced: a
-- record is never updated but closed (`valid_to`) and followed by the next
-- version when what it says changes (a rectification closed, a result
-- corrected). The open dataset of a date is the versions valid at its end.
-- Everything is copied from the live tables at publication, masked: no
-- person, no telephone.
CREATE TABLE published_results (
    id {id},
    task_id BIGINT NOT NULL REFERENCES tasks(id),
    version BIGINT NOT NULL,
    -- When the task was first published; `valid_from` is this version's start.
    published_at {ts} NOT NULL,
    valid_from {ts} NOT NULL,
    valid_to {ts},
    year BIGINT NOT NULL,
    unit_id BIGINT NOT NULL REFERENCES units(id),
    unit_name TEXT NOT NULL,
    county_code {code} NOT NULL,
    county_name TEXT NOT NULL,
    enterprise_id BIGINT NOT NULL REFERENCES enterprises(id),
    enterprise_name TEXT NOT NULL,
    uscc {code} NOT NULL,
    -- `,3,8,`: the departments that inspected, for the department filter.
    department_ids TEXT NOT NULL,
    departments TEXT NOT NULL,
    items TEXT NOT NULL,
    inspected_on {date} NOT NULL,
    -- `2026-12`, for the month filter.
    month TEXT NOT NULL,
    source TEXT NOT NULL,
    outcome TEXT NOT NULL,
    problem_count BIGINT NOT NULL,
    problems TEXT NOT NULL,
    rectification TEXT NOT NULL,
    draw_id BIGINT REFERENCES draws(id),
    UNIQUE (task_id, version)
);
CREATE UNIQUE INDEX published_results_current ON published_results (task_id) WHERE valid_to IS NULL;
CREATE INDEX published_results_year ON published_results (year, inspected_on, id) WHERE valid_to IS NULL;
CREATE INDEX published_results_unit ON published_results (unit_id, year, inspected_on, id) WHERE valid_to IS NULL;
CREATE INDEX published_results_uscc ON published_results (uscc) WHERE valid_to IS NULL;
-- Snapshots of a date read the versions by their start.
CREATE INDEX published_results_from ON published_results (valid_from);

-- What the publication job looks at to bring records up to date: results
-- and rectifications changed since its last pass, and rectifications whose
-- deadline passed (逾期 needs no write to happen).
CREATE INDEX rectifications_updated ON rectifications (updated_at);
CREATE INDEX rectifications_deadline ON rectifications (status, deadline);
CREATE INDEX task_results_submitted ON task_results (submitted_at);
