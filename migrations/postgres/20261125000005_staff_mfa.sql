-- TOTP second factor for staff (RFC 6238), and one-time recovery codes
-- (stored only as SHA-256). A new set-up retires, never deletes, old codes.

CREATE TABLE staff_mfa (
    user_id       UUID PRIMARY KEY REFERENCES users (id),
    secret_hex    TEXT NOT NULL,
    created_at    TIMESTAMPTZ NOT NULL,
    confirmed_at  TIMESTAMPTZ,
    -- The last 30-second step a code was accepted for: a code works once.
    last_step     BIGINT NOT NULL DEFAULT 0
);

CREATE TABLE recovery_codes (
    code_hash   TEXT PRIMARY KEY,
    user_id     UUID NOT NULL REFERENCES users (id),
    created_at  TIMESTAMPTZ NOT NULL,
    used_at     TIMESTAMPTZ,
    retired_at  TIMESTAMPTZ
);

CREATE INDEX recovery_codes_user ON recovery_codes (user_id);
