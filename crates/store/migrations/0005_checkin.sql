-- The visit (APP-2, APP-7): check-in by QR code or skipped with a reason, and
-- enterprise accounts tied to their registry entry.

ALTER TABLE tasks ADD COLUMN checked_in_at {ts};
-- 'qr' (the enterprise scanned the inspector's code) or 'skipped' (跳过, with a reason).
ALTER TABLE tasks ADD COLUMN check_in_method TEXT;
ALTER TABLE tasks ADD COLUMN check_in_skip_reason TEXT;
ALTER TABLE tasks ADD COLUMN checked_in_by_name TEXT;
ALTER TABLE tasks ADD COLUMN completed_at {ts};

-- An enterprise user's account belongs to one enterprise of the registry.
ALTER TABLE accounts ADD COLUMN enterprise_id BIGINT REFERENCES enterprises(id);
CREATE INDEX accounts_enterprise ON accounts (enterprise_id);
-- The inspector whose code the enterprise confirmed (none when skipped: the
-- skipping inspector is in the audit trail).
ALTER TABLE tasks ADD COLUMN check_in_code_person_id BIGINT REFERENCES people(id);
-- The contact mobile an enterprise gave at sign-up.
ALTER TABLE accounts ADD COLUMN contact_mobile TEXT;
