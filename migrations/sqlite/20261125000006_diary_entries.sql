-- Diary entries: every saved version kept for ever, plus the idempotency
-- record of every sync mutation. Neither table can be changed once written.

-- One number per committed write batch; bumping it takes the write lock,
-- so batch numbers follow commit order and a sync cursor never skips one.
CREATE TABLE sync_head (
    singleton  INTEGER NOT NULL DEFAULT 1 UNIQUE CHECK (singleton = 1),
    seq        INTEGER NOT NULL
);

INSERT INTO sync_head (seq) VALUES (0);

-- The current version of each entry, for lists and the sync pull. It is an
-- index over entry_versions; the versions themselves are the record.
CREATE TABLE entries (
    id               TEXT PRIMARY KEY,
    participant_id   TEXT NOT NULL REFERENCES participants (id),
    kind             TEXT NOT NULL CHECK (kind IN ('glucose', 'insulin', 'hypo')),
    current_version  INTEGER NOT NULL,
    event_at_us      INTEGER NOT NULL,   -- event time of the current version, UTC microseconds
    change_seq       INTEGER NOT NULL    -- sync_head.seq of the last change
);

CREATE INDEX entries_by_time ON entries (participant_id, event_at_us DESC, id DESC);
CREATE INDEX entries_by_change ON entries (participant_id, change_seq, id);

CREATE TABLE entry_versions (
    entry_id         TEXT NOT NULL REFERENCES entries (id),
    version          INTEGER NOT NULL CHECK (version >= 1),
    participant_id   TEXT NOT NULL REFERENCES participants (id),
    kind             TEXT NOT NULL CHECK (kind IN ('glucose', 'insulin', 'hypo')),
    op               TEXT NOT NULL CHECK (op IN ('create', 'amend', 'void')),
    status           TEXT NOT NULL CHECK (status IN ('active', 'voided')),
    data             TEXT NOT NULL,      -- JSON, as entered (keys sorted)
    classification   TEXT,               -- JSON; null for insulin
    event_at_us      INTEGER NOT NULL,
    entered_by       TEXT NOT NULL REFERENCES users (id),
    entered_by_role  TEXT NOT NULL,
    device_id        TEXT NOT NULL,
    recorded_at      TEXT NOT NULL,      -- device time of saving, RFC 3339 with the device's offset
    received_at      TEXT NOT NULL,      -- server time, UTC
    late             INTEGER NOT NULL CHECK (late IN (0, 1)),
    reason           TEXT,
    mutation_id      TEXT NOT NULL UNIQUE,
    change_seq       INTEGER NOT NULL,
    PRIMARY KEY (entry_id, version),
    CHECK (op = 'create' OR reason IS NOT NULL)
);

CREATE TRIGGER entry_versions_no_update BEFORE UPDATE ON entry_versions
BEGIN
    SELECT RAISE(ABORT, 'entry_versions is append-only');
END;

CREATE TRIGGER entry_versions_no_delete BEFORE DELETE ON entry_versions
BEGIN
    SELECT RAISE(ABORT, 'entry_versions is append-only');
END;

-- Entries are never removed (a removal is a voided version).
CREATE TRIGGER entries_no_delete BEFORE DELETE ON entries
BEGIN
    SELECT RAISE(ABORT, 'entries are never deleted');
END;

-- What became of every mutation a device sent: a resend is answered from here.
CREATE TABLE sync_mutations (
    id            TEXT PRIMARY KEY,
    user_id       TEXT NOT NULL REFERENCES users (id),
    device_id     TEXT NOT NULL,
    content_hash  TEXT NOT NULL,         -- SHA-256 of the mutation's canonical JSON
    status        TEXT NOT NULL CHECK (status IN ('applied', 'conflict', 'rejected')),
    entry_id      TEXT,
    version       INTEGER,
    error         TEXT,                  -- JSON error object for conflict and rejected
    received_at   TEXT NOT NULL
);

CREATE TRIGGER sync_mutations_no_update BEFORE UPDATE ON sync_mutations
BEGIN
    SELECT RAISE(ABORT, 'sync_mutations is append-only');
END;

CREATE TRIGGER sync_mutations_no_delete BEFORE DELETE ON sync_mutations
BEGIN
    SELECT RAISE(ABORT, 'sync_mutations is append-only');
END;
