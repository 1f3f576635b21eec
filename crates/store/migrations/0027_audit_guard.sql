-- AUDIT-2: the audit log resists someone with database access.
--
-- 1. Entries and seals cannot be updated or deleted: a trigger refuses it for
--    every role, the table's owner included (who would first have to drop or
--    disable the trigger: DDL, which the application never runs once
--    migrated, and which an installation can deny its serving role by running
--    `yici migrate` as the owner and `yici serve` as a role with only
--    SELECT/INSERT on these tables).
-- 2. Seals: the chain head, HMAC-SM3'd at intervals under a key kept outside
--    the database, so a rewritten or truncated chain no longer matches a
--    seal that whoever changed it cannot forge.
CREATE TABLE audit_seals (
    no BIGINT PRIMARY KEY,
    sealed_at {ts} NOT NULL,
    head_seq BIGINT NOT NULL,
    head_hash TEXT NOT NULL,
    key_id TEXT NOT NULL,
    prev_mac TEXT NOT NULL,
    mac TEXT NOT NULL
);

{pg}CREATE FUNCTION audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
{pg}BEGIN
{pg}    RAISE EXCEPTION 'audit records are append-only: % on % refused', TG_OP, TG_TABLE_NAME
{pg}        USING ERRCODE = 'insufficient_privilege';
{pg}END
{pg}$$;
{pg}CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
{pg}    FOR EACH ROW EXECUTE FUNCTION audit_append_only();
{pg}CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
{pg}    FOR EACH STATEMENT EXECUTE FUNCTION audit_append_only();
{pg}CREATE TRIGGER audit_seals_append_only BEFORE UPDATE OR DELETE ON audit_seals
{pg}    FOR EACH ROW EXECUTE FUNCTION audit_append_only();
{pg}CREATE TRIGGER audit_seals_no_truncate BEFORE TRUNCATE ON audit_seals
{pg}    FOR EACH STATEMENT EXECUTE FUNCTION audit_append_only();
{pg}REVOKE UPDATE, DELETE, TRUNCATE ON audit_log, audit_seals FROM PUBLIC;

{sqlite}CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
{sqlite}BEGIN SELECT RAISE(ABORT, 'audit records are append-only: UPDATE on audit_log refused'); END;
{sqlite}CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
{sqlite}BEGIN SELECT RAISE(ABORT, 'audit records are append-only: DELETE on audit_log refused'); END;
{sqlite}CREATE TRIGGER audit_seals_no_update BEFORE UPDATE ON audit_seals
{sqlite}BEGIN SELECT RAISE(ABORT, 'audit records are append-only: UPDATE on audit_seals refused'); END;
{sqlite}CREATE TRIGGER audit_seals_no_delete BEFORE DELETE ON audit_seals
{sqlite}BEGIN SELECT RAISE(ABORT, 'audit records are append-only: DELETE on audit_seals refused'); END;
