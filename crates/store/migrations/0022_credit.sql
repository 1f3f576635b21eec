-- Environmental credit (RES-3, DRAW-10): every change of an enterprise's
-- credit grade or 正面清单 with its reason, and the grade changes proposed
-- from results. `enterprises.credit_grade` and `positive_list` stay the
-- current values that searches and draws read.

-- One row per change, whatever made it: a person setting it by hand with a
-- reason, a confirmed proposal, or a registry import. Grades are A–E, NULL
-- for 未评价.
CREATE TABLE credit_grade_history (
    id {id},
    enterprise_id BIGINT NOT NULL REFERENCES enterprises(id),
    grade_from TEXT CHECK (grade_from IN ('A', 'B', 'C', 'D', 'E')),
    grade_to TEXT CHECK (grade_to IN ('A', 'B', 'C', 'D', 'E')),
    positive_list_from BOOLEAN NOT NULL,
    positive_list_to BOOLEAN NOT NULL,
    reason TEXT NOT NULL,
    source TEXT NOT NULL CHECK (source IN ('manual', 'proposal', 'import')),
    proposal_id BIGINT,
    by_account_id BIGINT,
    by_person_id BIGINT REFERENCES people(id),
    by_name TEXT NOT NULL,
    at {ts} NOT NULL
);
CREATE INDEX credit_grade_history_of ON credit_grade_history (enterprise_id, at);

-- A grade change computed from results, until someone decides on it.
-- `reasons` is a JSON array of Chinese lines.
CREATE TABLE credit_proposals (
    id {id},
    enterprise_id BIGINT NOT NULL REFERENCES enterprises(id),
    grade_from TEXT CHECK (grade_from IN ('A', 'B', 'C', 'D', 'E')),
    grade_to TEXT NOT NULL CHECK (grade_to IN ('A', 'B', 'C', 'D', 'E')),
    score BIGINT NOT NULL,
    reasons TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('proposed', 'confirmed', 'rejected', 'withdrawn')),
    created_at {ts} NOT NULL,
    updated_at {ts} NOT NULL,
    decided_by_person_id BIGINT REFERENCES people(id),
    decided_by_name TEXT,
    decided_at {ts},
    decision_note TEXT
);
-- At most one open proposal per enterprise.
CREATE UNIQUE INDEX credit_proposals_open ON credit_proposals (enterprise_id) WHERE status = 'proposed';
CREATE INDEX credit_proposals_of ON credit_proposals (enterprise_id, id);

-- Rectifications seen past their deadline. Overdue is a state read from the
-- deadline; credit needs it as a fact that stays once the enterprise reports
-- late or the rectification is closed. Written by the overdue job and by any
-- reassessment that finds one.
CREATE TABLE credit_overdue (
    rectification_id BIGINT PRIMARY KEY REFERENCES rectifications(id),
    enterprise_id BIGINT NOT NULL REFERENCES enterprises(id),
    seen_at {ts} NOT NULL
);
