-- Signed-in devices (one refresh-token family each), their refresh tokens
-- (stored only as SHA-256), and failed sign-ins for throttling.

CREATE TABLE sessions (
    id              TEXT PRIMARY KEY NOT NULL,
    user_id         TEXT NOT NULL REFERENCES users (id),
    created_at      TEXT NOT NULL,
    last_used_at    TEXT NOT NULL,
    user_agent      TEXT,
    client_addr     TEXT,
    device_id       TEXT,
    revoked_at      TEXT,
    revoked_reason  TEXT
);

CREATE INDEX sessions_user ON sessions (user_id);

CREATE TABLE refresh_tokens (
    token_hash  TEXT PRIMARY KEY NOT NULL,
    session_id  TEXT NOT NULL REFERENCES sessions (id),
    issued_at   TEXT NOT NULL,
    rotated_at  TEXT
);

CREATE INDEX refresh_tokens_session ON refresh_tokens (session_id);

-- Milliseconds since the epoch: compared in SQL, so a number on both backends.
CREATE TABLE login_failures (
    throttle_key  TEXT NOT NULL,
    failed_at_ms  INTEGER NOT NULL
);

CREATE INDEX login_failures_key ON login_failures (throttle_key, failed_at_ms);
