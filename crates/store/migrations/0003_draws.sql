-- Double-random extraction (DRAW-1…DRAW-10): draws, tasks, the cap ledger,
-- inspectors on tasks and declared conflicts of interest (回避).

-- Certificates expire: an officer whose certificate has lapsed is never drawn.
ALTER TABLE people ADD COLUMN certificate_valid_until {date};

-- One draw (random extraction of enterprises, or of a task's inspectors): all a
-- person needs to re-run it. Never updated: a re-draw is a new row.
CREATE TABLE draws (
    id {id},
    kind TEXT NOT NULL CHECK (kind IN ('enterprises', 'inspectors')),
    unit_id BIGINT NOT NULL REFERENCES units(id),
    department_id BIGINT NOT NULL REFERENCES departments(id),
    -- Inspector draws: the task they were drawn for.
    task_id BIGINT,
    year BIGINT NOT NULL,
    drawn_by BIGINT REFERENCES accounts(id),
    drawn_by_name TEXT NOT NULL,
    drawn_at {ts} NOT NULL,
    algorithm TEXT NOT NULL,
    seed TEXT NOT NULL,
    -- The conditions as the user gave them (JSON), for people to read.
    filter_json TEXT NOT NULL,
    candidate_count BIGINT NOT NULL,
    -- `id:weight` lines sorted by id (see yici_domain::draw::record).
    candidates TEXT NOT NULL,
    candidates_hash TEXT NOT NULL,
    commitment TEXT NOT NULL,
    -- Ids drawn, in order, comma-separated.
    result TEXT NOT NULL
);
CREATE INDEX draws_department ON draws (department_id, drawn_at);

CREATE TABLE tasks (
    id {id},
    year BIGINT NOT NULL,
    enterprise_id BIGINT NOT NULL REFERENCES enterprises(id),
    -- The initiating unit and department: the task counts once, for them.
    unit_id BIGINT NOT NULL REFERENCES units(id),
    department_id BIGINT NOT NULL REFERENCES departments(id),
    source TEXT NOT NULL CHECK (source IN ('routine', 'special_campaign', 'complaint', 'referral',
        'data_monitoring', 'on_request', 'media_report', 'other')),
    -- Whether the task holds a slot of the cap ledger (routine and special).
    capped BOOLEAN NOT NULL,
    method TEXT NOT NULL CHECK (method IN ('directed', 'random')),
    draw_id BIGINT REFERENCES draws(id),
    status TEXT NOT NULL CHECK (status IN ('drawn', 'scheduled', 'in_progress', 'completed', 'cancelled')),
    emergency TEXT CHECK (emergency IN ('environmental_emergency', 'urgent_complaint', 'public_opinion')),
    inspected_on {date},
    -- The acknowledged reason when an uncapped source passed the reasonable frequency.
    frequency_note TEXT,
    planned_on {date},
    created_by BIGINT REFERENCES accounts(id),
    created_by_name TEXT NOT NULL,
    created_at {ts} NOT NULL,
    cancelled_at {ts},
    cancelled_by_name TEXT,
    cancel_reason TEXT,
    CHECK ((status = 'cancelled') = (cancelled_at IS NOT NULL)),
    CHECK (emergency IS NULL OR inspected_on IS NOT NULL)
);
CREATE INDEX tasks_unit_year ON tasks (unit_id, year, id);
CREATE INDEX tasks_enterprise_year ON tasks (enterprise_id, year);
CREATE INDEX tasks_draw ON tasks (draw_id);

-- The cap ledger (DRAW-5): one counter per scope — 'all', 'unit:<id>',
-- 'department:<id>' — enterprise and year, moved by a conditional UPDATE in the
-- transaction that creates or cancels the task. The CHECK is the last guard.
CREATE TABLE cap_counters (
    scope TEXT NOT NULL,
    year BIGINT NOT NULL,
    enterprise_id BIGINT NOT NULL REFERENCES enterprises(id),
    used BIGINT NOT NULL,
    cap BIGINT NOT NULL,
    CHECK (used >= 0 AND used <= cap),
    PRIMARY KEY (scope, year, enterprise_id)
);
-- The full counters only: what a random draw leaves out.
CREATE INDEX cap_counters_full ON cap_counters (scope, year, enterprise_id) WHERE used >= cap;

CREATE TABLE task_inspectors (
    task_id BIGINT NOT NULL REFERENCES tasks(id),
    person_id BIGINT NOT NULL REFERENCES people(id),
    -- The inspector draw that chose them.
    draw_id BIGINT REFERENCES draws(id),
    added_at {ts} NOT NULL,
    PRIMARY KEY (task_id, person_id)
);
CREATE INDEX task_inspectors_person ON task_inspectors (person_id);

-- 回避: a person declared not to inspect an enterprise.
CREATE TABLE recusals (
    id {id},
    person_id BIGINT NOT NULL REFERENCES people(id),
    enterprise_id BIGINT NOT NULL REFERENCES enterprises(id),
    reason TEXT NOT NULL,
    declared_by_name TEXT NOT NULL,
    declared_at {ts} NOT NULL,
    UNIQUE (person_id, enterprise_id)
);
