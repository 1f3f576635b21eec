-- Lockout by login name, whether or not an account has that name (SEC-2):
-- a lock on the account row alone told which logins exist, since unknown
-- names never locked. Failures themselves are counted from login_attempts,
-- which has always recorded unknown names too. accounts.locked_until stays
-- (the previous release reads it) but is no longer used; its live locks move
-- here.
CREATE TABLE login_locks (
    login TEXT PRIMARY KEY,
    locked_until {ts} NOT NULL,
    failures BIGINT NOT NULL
);

INSERT INTO login_locks (login, locked_until, failures)
SELECT login, locked_until, 0 FROM accounts WHERE locked_until IS NOT NULL;
