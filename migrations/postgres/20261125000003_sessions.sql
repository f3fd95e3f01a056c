-- Signed-in devices (one refresh-token family each), their refresh tokens
-- (stored only as SHA-256), and failed sign-ins for throttling.

CREATE TABLE sessions (
    id              UUID PRIMARY KEY,
    user_id         UUID NOT NULL REFERENCES users (id),
    created_at      TIMESTAMPTZ NOT NULL,
    last_used_at    TIMESTAMPTZ NOT NULL,
    user_agent      TEXT,
    client_addr     TEXT,
    device_id       TEXT,
    revoked_at      TIMESTAMPTZ,
    revoked_reason  TEXT
);

CREATE INDEX sessions_user ON sessions (user_id);

CREATE TABLE refresh_tokens (
    token_hash  TEXT PRIMARY KEY,
    session_id  UUID NOT NULL REFERENCES sessions (id),
    issued_at   TIMESTAMPTZ NOT NULL,
    rotated_at  TIMESTAMPTZ
);

CREATE INDEX refresh_tokens_session ON refresh_tokens (session_id);

-- Milliseconds since the epoch: compared in SQL, so a number on both backends.
CREATE TABLE login_failures (
    throttle_key  TEXT NOT NULL,
    failed_at_ms  BIGINT NOT NULL
);

CREATE INDEX login_failures_key ON login_failures (throttle_key, failed_at_ms);
