-- Enterprise accounts only with proof of control (SEC-5).

-- 企业注册验证码: a code sent to the contact mobile the registry holds.
-- Only its salted SHA-256 is kept. It is good for 10 minutes and 5 tries
-- (`attempts` counts them, right or wrong); a newer code for the same USCC
-- voids it, and opening the account uses it.
CREATE TABLE sign_up_codes (
    id {id},
    uscc {code} NOT NULL,
    enterprise_id BIGINT NOT NULL REFERENCES enterprises(id),
    -- The registry's contact mobile when the code was sent: the account's.
    mobile TEXT NOT NULL,
    salt TEXT NOT NULL,
    code_hash TEXT NOT NULL,
    attempts BIGINT NOT NULL,
    created_at {ts} NOT NULL,
    expires_at {ts} NOT NULL,
    used_at {ts},
    voided_at {ts}
);
-- The live code of a USCC (at most one).
CREATE INDEX sign_up_codes_live ON sign_up_codes (uscc) WHERE used_at IS NULL AND voided_at IS NULL;

-- 申请开通: an enterprise that cannot receive a code asks its ecology unit.
-- Kept whatever the registry holds (the caller is answered alike); routed by
-- the region of the registered enterprise, else by the USCC's registering
-- authority, to the registry editors whose scope holds it.
CREATE TABLE activation_requests (
    id {id},
    uscc {code} NOT NULL,
    enterprise_name TEXT NOT NULL,
    applicant_name TEXT NOT NULL,
    mobile TEXT NOT NULL,
    note TEXT NOT NULL,
    province_code {code} NOT NULL,
    city_code {code} NOT NULL,
    region_code {code} NOT NULL,
    client_address TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('pending', 'activated', 'rejected')),
    created_at {ts} NOT NULL,
    decided_at {ts},
    decided_by_account_id BIGINT REFERENCES accounts(id),
    decided_by_name TEXT,
    reject_reason TEXT,
    account_id BIGINT REFERENCES accounts(id),
    CHECK ((status = 'pending') = (decided_at IS NULL))
);
CREATE INDEX activation_requests_status ON activation_requests (status, created_at);

-- Anonymous requests per bucket and key (an address, a USCC) in a fixed
-- window: one row moved by an atomic upsert, so instances share the count.
CREATE TABLE rate_limits (
    bucket TEXT NOT NULL,
    subject TEXT NOT NULL,
    window_start {ts} NOT NULL,
    hits BIGINT NOT NULL,
    PRIMARY KEY (bucket, subject)
);
