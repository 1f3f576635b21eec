-- The second factor (SEC-2): an account's TOTP secret and its recovery codes.
--
-- The secret is kept as typed into the app (Base32): the server must compute
-- the same codes, so it cannot be hashed. It stays unconfirmed until the
-- account types a first correct code; only a confirmed one is asked for at
-- login. last_step is the TOTP step last accepted: a code is good once, and
-- no earlier step after a later one (RFC 6238 §5.2).
CREATE TABLE second_factors (
    account_id BIGINT PRIMARY KEY REFERENCES accounts(id),
    secret TEXT NOT NULL,
    created_at {ts} NOT NULL,
    confirmed_at {ts},
    last_step BIGINT
);

-- Ten single-use codes per account for a lost phone; only SHA-256 of the
-- account id and the code is kept, and a used code keeps its row (used_at) so
-- the account page can say how many are left.
CREATE TABLE recovery_codes (
    id {id},
    account_id BIGINT NOT NULL REFERENCES accounts(id),
    code_hash TEXT NOT NULL,
    created_at {ts} NOT NULL,
    used_at {ts}
);
CREATE UNIQUE INDEX recovery_codes_hash ON recovery_codes (account_id, code_hash);

-- The page login's second step: after a correct password, a short-lived
-- token (only its SHA-256 here, the token itself in an HttpOnly cookie)
-- stands for "password checked" until the code is typed. A row, not process
-- memory, so the second step may reach another instance.
CREATE TABLE pending_logins (
    token_hash TEXT PRIMARY KEY,
    account_id BIGINT NOT NULL REFERENCES accounts(id),
    ip TEXT NOT NULL,
    created_at {ts} NOT NULL,
    expires_at {ts} NOT NULL
);
CREATE INDEX pending_logins_account ON pending_logins (account_id);
