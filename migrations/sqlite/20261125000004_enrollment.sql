-- One-time enrolment codes for participants and guardians, stored only as
-- SHA-256; single use, with an expiry.

CREATE TABLE enrollment_codes (
    code_hash       TEXT PRIMARY KEY NOT NULL,
    kind            TEXT NOT NULL CHECK (kind IN ('participant', 'guardian')),
    participant_id  TEXT NOT NULL REFERENCES participants (id),
    created_by      TEXT NOT NULL REFERENCES users (id),
    created_at      TEXT NOT NULL,
    expires_at_ms   INTEGER NOT NULL,
    used_at         TEXT,
    used_by         TEXT REFERENCES users (id)
);

CREATE INDEX enrollment_codes_participant ON enrollment_codes (participant_id);
