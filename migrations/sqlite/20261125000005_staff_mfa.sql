-- TOTP second factor for staff (RFC 6238), and one-time recovery codes
-- (stored only as SHA-256). A new set-up retires, never deletes, old codes.

CREATE TABLE staff_mfa (
    user_id       TEXT PRIMARY KEY NOT NULL REFERENCES users (id),
    secret_hex    TEXT NOT NULL,
    created_at    TEXT NOT NULL,
    confirmed_at  TEXT,
    -- The last 30-second step a code was accepted for: a code works once.
    last_step     INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE recovery_codes (
    code_hash   TEXT PRIMARY KEY NOT NULL,
    user_id     TEXT NOT NULL REFERENCES users (id),
    created_at  TEXT NOT NULL,
    used_at     TEXT,
    retired_at  TEXT
);

CREATE INDEX recovery_codes_user ON recovery_codes (user_id);
