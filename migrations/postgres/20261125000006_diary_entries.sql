-- Diary entries: every saved version kept for ever, plus the idempotency
-- record of every sync mutation. Neither table can be changed once written.

-- One number per committed write batch; bumping it locks the row until
-- commit, so batch numbers follow commit order and a sync cursor never
-- skips one, however many server instances write.
CREATE TABLE sync_head (
    singleton  BOOLEAN NOT NULL DEFAULT TRUE UNIQUE CHECK (singleton),
    seq        BIGINT NOT NULL
);

INSERT INTO sync_head (seq) VALUES (0);

-- The current version of each entry, for lists and the sync pull. It is an
-- index over entry_versions; the versions themselves are the record.
CREATE TABLE entries (
    id               UUID PRIMARY KEY,
    participant_id   UUID NOT NULL REFERENCES participants (id),
    kind             TEXT NOT NULL CHECK (kind IN ('glucose', 'insulin', 'hypo')),
    current_version  BIGINT NOT NULL,
    event_at_us      BIGINT NOT NULL,    -- event time of the current version, UTC microseconds
    change_seq       BIGINT NOT NULL     -- sync_head.seq of the last change
);

CREATE INDEX entries_by_time ON entries (participant_id, event_at_us DESC, id DESC);
CREATE INDEX entries_by_change ON entries (participant_id, change_seq, id);

CREATE TABLE entry_versions (
    entry_id         UUID NOT NULL REFERENCES entries (id),
    version          BIGINT NOT NULL CHECK (version >= 1),
    participant_id   UUID NOT NULL REFERENCES participants (id),
    kind             TEXT NOT NULL CHECK (kind IN ('glucose', 'insulin', 'hypo')),
    op               TEXT NOT NULL CHECK (op IN ('create', 'amend', 'void')),
    status           TEXT NOT NULL CHECK (status IN ('active', 'voided')),
    data             TEXT NOT NULL,      -- JSON, as entered (keys sorted)
    classification   TEXT,               -- JSON; null for insulin
    event_at_us      BIGINT NOT NULL,
    entered_by       UUID NOT NULL REFERENCES users (id),
    entered_by_role  TEXT NOT NULL,
    device_id        TEXT NOT NULL,
    recorded_at      TEXT NOT NULL,      -- device time of saving, RFC 3339 with the device's offset
    received_at      TIMESTAMPTZ NOT NULL,
    late             BOOLEAN NOT NULL,
    reason           TEXT,
    mutation_id      UUID NOT NULL UNIQUE,
    change_seq       BIGINT NOT NULL,
    PRIMARY KEY (entry_id, version),
    CHECK (op = 'create' OR reason IS NOT NULL)
);

CREATE FUNCTION diary_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% is append-only', TG_TABLE_NAME;
END
$$;

CREATE TRIGGER entry_versions_no_change BEFORE UPDATE OR DELETE ON entry_versions
    FOR EACH ROW EXECUTE FUNCTION diary_append_only();
CREATE TRIGGER entry_versions_no_truncate BEFORE TRUNCATE ON entry_versions
    FOR EACH STATEMENT EXECUTE FUNCTION diary_append_only();
-- Entries are never removed (a removal is a voided version).
CREATE TRIGGER entries_no_delete BEFORE DELETE ON entries
    FOR EACH ROW EXECUTE FUNCTION diary_append_only();
CREATE TRIGGER entries_no_truncate BEFORE TRUNCATE ON entries
    FOR EACH STATEMENT EXECUTE FUNCTION diary_append_only();

-- What became of every mutation a device sent: a resend is answered from here.
CREATE TABLE sync_mutations (
    id            UUID PRIMARY KEY,
    user_id       UUID NOT NULL REFERENCES users (id),
    device_id     TEXT NOT NULL,
    content_hash  TEXT NOT NULL,         -- SHA-256 of the mutation's canonical JSON
    status        TEXT NOT NULL CHECK (status IN ('applied', 'conflict', 'rejected')),
    entry_id      UUID,
    version       BIGINT,
    error         TEXT,                  -- JSON error object for conflict and rejected
    received_at   TIMESTAMPTZ NOT NULL
);

CREATE TRIGGER sync_mutations_no_change BEFORE UPDATE OR DELETE ON sync_mutations
    FOR EACH ROW EXECUTE FUNCTION diary_append_only();
CREATE TRIGGER sync_mutations_no_truncate BEFORE TRUNCATE ON sync_mutations
    FOR EACH STATEMENT EXECUTE FUNCTION diary_append_only();
