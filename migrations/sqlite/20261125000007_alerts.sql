-- Alerts to investigators, their change events (the live stream) and the
-- outbox their email and webhook deliveries go through. Alerts change
-- status but are never deleted; events and deliveries are written once.

-- Who hears of a site's alerts: level 0 first, higher levels on escalation.
CREATE TABLE site_contacts (
    id          TEXT PRIMARY KEY,
    site_id     TEXT NOT NULL REFERENCES sites (id),
    level       INTEGER NOT NULL CHECK (level >= 0),
    channel     TEXT NOT NULL CHECK (channel IN ('email', 'webhook')),
    target      TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    retired_at  TEXT
);

CREATE INDEX site_contacts_site ON site_contacts (site_id, level);

CREATE TABLE alerts (
    id                TEXT PRIMARY KEY,
    participant_id    TEXT NOT NULL REFERENCES participants (id),
    site_id           TEXT NOT NULL REFERENCES sites (id),
    rule              TEXT NOT NULL,
    severity          TEXT NOT NULL CHECK (severity IN ('critical', 'high', 'info')),
    entry_id          TEXT REFERENCES entries (id),
    created_at        TEXT NOT NULL,
    status            TEXT NOT NULL CHECK (status IN ('open', 'acknowledged', 'resolved')),
    acknowledged_by   TEXT REFERENCES users (id),
    acknowledged_at   TEXT,
    note              TEXT,
    report_due_at     TEXT,
    reported_at       TEXT,
    reported_by       TEXT REFERENCES users (id),
    reported_note     TEXT,
    resolved_at       TEXT,
    resolution_note   TEXT,
    readings          INTEGER NOT NULL DEFAULT 1,
    escalation_level  INTEGER NOT NULL DEFAULT 0,
    escalate_at_us    INTEGER             -- when an unacknowledged critical alert escalates next
);

CREATE INDEX alerts_site ON alerts (site_id, created_at DESC);
CREATE INDEX alerts_participant ON alerts (participant_id, rule);
CREATE INDEX alerts_entry ON alerts (entry_id);

CREATE TRIGGER alerts_no_delete BEFORE DELETE ON alerts
BEGIN
    SELECT RAISE(ABORT, 'alerts are never deleted');
END;

-- One number per change, taken under the write lock: the stream's event ids.
CREATE TABLE alert_head (
    singleton  INTEGER NOT NULL DEFAULT 1 UNIQUE CHECK (singleton = 1),
    seq        INTEGER NOT NULL
);

INSERT INTO alert_head (seq) VALUES (0);

CREATE TABLE alert_events (
    seq         INTEGER PRIMARY KEY,
    alert_id    TEXT NOT NULL REFERENCES alerts (id),
    site_id     TEXT NOT NULL REFERENCES sites (id),
    created_at  TEXT NOT NULL,
    body        TEXT NOT NULL          -- the alert's JSON after this change
);

CREATE INDEX alert_events_site ON alert_events (site_id, seq);

CREATE TRIGGER alert_events_no_update BEFORE UPDATE ON alert_events
BEGIN
    SELECT RAISE(ABORT, 'alert_events is append-only');
END;

CREATE TRIGGER alert_events_no_delete BEFORE DELETE ON alert_events
BEGIN
    SELECT RAISE(ABORT, 'alert_events is append-only');
END;

-- Email and webhook deliveries, written with their cause; the dispatcher
-- leases due rows, delivers, and records the outcome.
CREATE TABLE alert_outbox (
    id                  TEXT PRIMARY KEY,
    alert_id            TEXT NOT NULL REFERENCES alerts (id),
    event_seq           INTEGER NOT NULL,
    channel             TEXT NOT NULL CHECK (channel IN ('email', 'webhook')),
    target              TEXT NOT NULL,
    body                TEXT NOT NULL,
    created_at          TEXT NOT NULL,
    attempts            INTEGER NOT NULL DEFAULT 0,
    next_attempt_at_us  INTEGER NOT NULL,
    lease_until_us      INTEGER NOT NULL DEFAULT 0,
    delivered_at        TEXT,
    failed_at           TEXT,
    last_error          TEXT
);

CREATE INDEX alert_outbox_due ON alert_outbox (next_attempt_at_us)
    WHERE delivered_at IS NULL AND failed_at IS NULL;

CREATE TRIGGER alert_outbox_no_delete BEFORE DELETE ON alert_outbox
BEGIN
    SELECT RAISE(ABORT, 'deliveries are never deleted');
END;
