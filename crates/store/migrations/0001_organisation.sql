-- Organisation, accounts, sessions and the audit trail.
-- Written once for both databases: {id}, {key}, {ts}, {date} and {code} are
-- replaced by each backend's types (see src/migrate.rs). Timestamps are UTC.

CREATE TABLE settings (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

-- 单位 (行政执法主体): province → city → county, and partner agencies (ORG-8).
CREATE TABLE units (
    id {id},
    parent_id BIGINT REFERENCES units(id),
    name TEXT NOT NULL,
    short_name TEXT NOT NULL,
    level TEXT NOT NULL CHECK (level IN ('province', 'city', 'county')),
    sector TEXT NOT NULL CHECK (sector IN ('ecology', 'market_regulation', 'emergency_management', 'other')),
    region_code TEXT NOT NULL,
    -- Prefix of the unit's secretary accounts (ORG-3), fixed at creation.
    account_prefix TEXT NOT NULL,
    created_at {ts} NOT NULL
);
CREATE UNIQUE INDEX units_name ON units (name);
CREATE INDEX units_parent ON units (parent_id);

-- 处室/科室/股室 and 直属事业单位.
CREATE TABLE departments (
    id {id},
    unit_id BIGINT NOT NULL REFERENCES units(id),
    name TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('office', 'institution')),
    business_line TEXT NOT NULL,
    created_at {ts} NOT NULL
);
CREATE UNIQUE INDEX departments_unit_name ON departments (unit_id, name);

-- 人员 (ORG-5). The mobile number is the login: unique in the whole system.
CREATE TABLE people (
    id {id},
    department_id BIGINT NOT NULL REFERENCES departments(id),
    name TEXT NOT NULL,
    gender TEXT NOT NULL CHECK (gender IN ('male', 'female')),
    is_officer BOOLEAN NOT NULL,
    certificate_no TEXT,
    mobile TEXT NOT NULL,
    office_phone TEXT,
    status TEXT NOT NULL CHECK (status IN ('enabled', 'disabled')),
    is_admin BOOLEAN NOT NULL DEFAULT FALSE,
    created_at {ts} NOT NULL,
    updated_at {ts} NOT NULL,
    CHECK (NOT is_officer OR certificate_no IS NOT NULL)
);
CREATE UNIQUE INDEX people_mobile ON people (mobile);
-- At most one administrator per department (ORG-6), whatever the application does.
CREATE UNIQUE INDEX people_one_admin ON people (department_id) WHERE is_admin;
CREATE INDEX people_department ON people (department_id);

CREATE TABLE accounts (
    id {id},
    login TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('secretary', 'person', 'system', 'enterprise')),
    person_id BIGINT REFERENCES people(id),
    department_id BIGINT REFERENCES departments(id),
    unit_id BIGINT REFERENCES units(id),
    password_hash TEXT NOT NULL,
    must_change_password BOOLEAN NOT NULL,
    locked_until {ts},
    password_changed_at {ts},
    created_at {ts} NOT NULL
);
CREATE UNIQUE INDEX accounts_login ON accounts (login);
CREATE UNIQUE INDEX accounts_person ON accounts (person_id);
CREATE INDEX accounts_department ON accounts (department_id);

-- Roles granted explicitly; the others follow from the account and person.
CREATE TABLE role_grants (
    account_id BIGINT NOT NULL REFERENCES accounts(id),
    role TEXT NOT NULL,
    created_at {ts} NOT NULL,
    PRIMARY KEY (account_id, role)
);

-- Earlier password hashes, so that a new password can't reuse a recent one.
CREATE TABLE password_history (
    id {id},
    account_id BIGINT NOT NULL REFERENCES accounts(id),
    password_hash TEXT NOT NULL,
    created_at {ts} NOT NULL
);
CREATE INDEX password_history_account ON password_history (account_id, created_at);

CREATE TABLE login_attempts (
    id {id},
    login TEXT NOT NULL,
    ip TEXT NOT NULL,
    success BOOLEAN NOT NULL,
    at {ts} NOT NULL
);
CREATE INDEX login_attempts_login ON login_attempts (login, at);
CREATE INDEX login_attempts_ip ON login_attempts (ip, at);

-- Sessions live here, not in process memory: any instance serves any request.
-- Only a hash of the token is stored.
CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    account_id BIGINT NOT NULL REFERENCES accounts(id),
    kind TEXT NOT NULL CHECK (kind IN ('web', 'api')),
    csrf_token TEXT NOT NULL,
    ip TEXT NOT NULL,
    created_at {ts} NOT NULL,
    last_seen_at {ts} NOT NULL,
    expires_at {ts} NOT NULL
);
CREATE INDEX sessions_account ON sessions (account_id);

-- The hash-chained audit log (AUDIT-1). Append-only: no foreign keys, so that
-- nothing a record's deletion does can reach it.
CREATE TABLE audit_log (
    seq {key},
    at {ts} NOT NULL,
    actor_id BIGINT,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    entity TEXT NOT NULL,
    entity_id TEXT NOT NULL,
    before_json TEXT NOT NULL,
    after_json TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL
);
-- No secondary index: every index on the log slows every write, and a
-- record's history is rarely read (a scan of the log answers it).

-- The chain's head: one row, locked by every append, so entries are numbered
-- without gaps and a truncated tail is detected.
CREATE TABLE audit_head (
    id BIGINT PRIMARY KEY CHECK (id = 1),
    seq BIGINT NOT NULL,
    hash TEXT NOT NULL
);
INSERT INTO audit_head (id, seq, hash)
VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');
