-- One-time enrolment codes for participants and guardians, stored only as
-- SHA-256; single use, with an expiry.

CREATE TABLE enrollment_codes (
    code_hash       TEXT PRIMARY KEY,
    kind            TEXT NOT NULL CHECK (kind IN ('participant', 'guardian')),
    participant_id  UUID NOT NULL REFERENCES participants (id),
    created_by      UUID NOT NULL REFERENCES users (id),
    created_at      TIMESTAMPTZ NOT NULL,
    expires_at_ms   BIGINT NOT NULL,
    used_at         TIMESTAMPTZ,
    used_by         UUID REFERENCES users (id)
);

CREATE INDEX enrollment_codes_participant ON enrollment_codes (participant_id);
