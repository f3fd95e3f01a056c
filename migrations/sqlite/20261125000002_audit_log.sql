-- The audit trail: append-only, each row chained to the one before by
-- SHA-256 (see server/src/audit.rs for what the hash covers).

CREATE TABLE audit_log (
    seq           INTEGER PRIMARY KEY,   -- 1, 2, 3, ... without gaps
    id            TEXT NOT NULL UNIQUE,
    occurred_at   TEXT NOT NULL,         -- UTC, microseconds
    actor_id      TEXT,                  -- null: the command line or the server itself
    actor_role    TEXT NOT NULL,
    on_behalf_of  TEXT,                  -- the participant concerned, if any
    action        TEXT NOT NULL,
    entity_type   TEXT NOT NULL,
    entity_id     TEXT,
    before_value  TEXT,                  -- JSON, as hashed
    after_value   TEXT,                  -- JSON, as hashed
    reason        TEXT,
    client_addr   TEXT,
    user_agent    TEXT,
    device_id     TEXT,
    prev_hash     TEXT NOT NULL,
    hash          TEXT NOT NULL
);

CREATE INDEX audit_log_entity ON audit_log (entity_id);
CREATE INDEX audit_log_on_behalf_of ON audit_log (on_behalf_of);

CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;

CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;

-- The end of the chain; appending locks it, so appends are serialised.
CREATE TABLE audit_head (
    singleton  INTEGER NOT NULL DEFAULT 1 UNIQUE CHECK (singleton = 1),
    seq        INTEGER NOT NULL,
    hash       TEXT NOT NULL
);

INSERT INTO audit_head (seq, hash)
VALUES (0, '0000000000000000000000000000000000000000000000000000000000000000');
