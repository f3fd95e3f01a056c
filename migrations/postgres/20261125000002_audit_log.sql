-- The audit trail: append-only, each row chained to the one before by
-- SHA-256 (see server/src/audit.rs for what the hash covers).

CREATE TABLE audit_log (
    seq           BIGINT PRIMARY KEY,    -- 1, 2, 3, ... without gaps
    id            UUID NOT NULL UNIQUE,
    occurred_at   TIMESTAMPTZ NOT NULL,
    actor_id      UUID,                  -- null: the command line or the server itself
    actor_role    TEXT NOT NULL,
    on_behalf_of  UUID,                  -- the participant concerned, if any
    action        TEXT NOT NULL,
    entity_type   TEXT NOT NULL,
    entity_id     TEXT,
    before_value  TEXT,                  -- JSON text, not JSONB: kept byte for byte as hashed
    after_value   TEXT,
    reason        TEXT,
    client_addr   TEXT,
    user_agent    TEXT,
    device_id     TEXT,
    prev_hash     TEXT NOT NULL,
    hash          TEXT NOT NULL
);

CREATE INDEX audit_log_entity ON audit_log (entity_id);
CREATE INDEX audit_log_on_behalf_of ON audit_log (on_behalf_of);

CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_log is append-only';
END
$$;

CREATE TRIGGER audit_log_no_change BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();

CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only();

-- The end of the chain; appending locks it (SELECT ... FOR UPDATE), so
-- appends from several server instances are serialised.
CREATE TABLE audit_head (
    singleton  BOOLEAN NOT NULL DEFAULT TRUE UNIQUE CHECK (singleton),
    seq        BIGINT NOT NULL,
    hash       TEXT NOT NULL
);

INSERT INTO audit_head (seq, hash)
VALUES (0, '0000000000000000000000000000000000000000000000000000000000000000');
