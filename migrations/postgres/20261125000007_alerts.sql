-- Alerts to investigators, their change events (the live stream) and the
-- outbox their email and webhook deliveries go through. Alerts change
-- status but are never deleted; events and deliveries are written once.

-- Who hears of a site's alerts: level 0 first, higher levels on escalation.
CREATE TABLE site_contacts (
    id          UUID PRIMARY KEY,
    site_id     UUID NOT NULL REFERENCES sites (id),
    level       BIGINT NOT NULL CHECK (level >= 0),
    channel     TEXT NOT NULL CHECK (channel IN ('email', 'webhook')),
    target      TEXT NOT NULL,
    created_at  TIMESTAMPTZ NOT NULL,
    retired_at  TIMESTAMPTZ
);

CREATE INDEX site_contacts_site ON site_contacts (site_id, level);

CREATE TABLE alerts (
    id                UUID PRIMARY KEY,
    participant_id    UUID NOT NULL REFERENCES participants (id),
    site_id           UUID NOT NULL REFERENCES sites (id),
    rule              TEXT NOT NULL,
    severity          TEXT NOT NULL CHECK (severity IN ('critical', 'high', 'info')),
    entry_id          UUID REFERENCES entries (id),
    created_at        TIMESTAMPTZ NOT NULL,
    status            TEXT NOT NULL CHECK (status IN ('open', 'acknowledged', 'resolved')),
    acknowledged_by   UUID REFERENCES users (id),
    acknowledged_at   TIMESTAMPTZ,
    note              TEXT,
    report_due_at     TIMESTAMPTZ,
    reported_at       TIMESTAMPTZ,
    reported_by       UUID REFERENCES users (id),
    reported_note     TEXT,
    resolved_at       TIMESTAMPTZ,
    resolution_note   TEXT,
    readings          BIGINT NOT NULL DEFAULT 1,
    escalation_level  BIGINT NOT NULL DEFAULT 0,
    escalate_at_us    BIGINT             -- when an unacknowledged critical alert escalates next
);

CREATE INDEX alerts_site ON alerts (site_id, created_at DESC);
CREATE INDEX alerts_participant ON alerts (participant_id, rule);
CREATE INDEX alerts_entry ON alerts (entry_id);

CREATE FUNCTION alerts_keep() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% rows are never deleted or changed here', TG_TABLE_NAME;
END
$$;

CREATE TRIGGER alerts_no_delete BEFORE DELETE ON alerts
    FOR EACH ROW EXECUTE FUNCTION alerts_keep();

-- One number per change, taken under the write lock: the stream's event ids.
CREATE TABLE alert_head (
    singleton  BOOLEAN NOT NULL DEFAULT TRUE UNIQUE CHECK (singleton),
    seq        BIGINT NOT NULL
);

INSERT INTO alert_head (seq) VALUES (0);

CREATE TABLE alert_events (
    seq         BIGINT PRIMARY KEY,
    alert_id    UUID NOT NULL REFERENCES alerts (id),
    site_id     UUID NOT NULL REFERENCES sites (id),
    created_at  TIMESTAMPTZ NOT NULL,
    body        TEXT NOT NULL          -- the alert's JSON after this change
);

CREATE INDEX alert_events_site ON alert_events (site_id, seq);

CREATE TRIGGER alert_events_no_change BEFORE UPDATE OR DELETE ON alert_events
    FOR EACH ROW EXECUTE FUNCTION alerts_keep();

-- Email and webhook deliveries, written with their cause; the dispatcher
-- leases due rows, delivers, and records the outcome.
CREATE TABLE alert_outbox (
    id                  UUID PRIMARY KEY,
    alert_id            UUID NOT NULL REFERENCES alerts (id),
    event_seq           BIGINT NOT NULL,
    channel             TEXT NOT NULL CHECK (channel IN ('email', 'webhook')),
    target              TEXT NOT NULL,
    body                TEXT NOT NULL,
    created_at          TIMESTAMPTZ NOT NULL,
    attempts            BIGINT NOT NULL DEFAULT 0,
    next_attempt_at_us  BIGINT NOT NULL,
    lease_until_us      BIGINT NOT NULL DEFAULT 0,
    delivered_at        TIMESTAMPTZ,
    failed_at           TIMESTAMPTZ,
    last_error          TEXT
);

CREATE INDEX alert_outbox_due ON alert_outbox (next_attempt_at_us)
    WHERE delivered_at IS NULL AND failed_at IS NULL;

CREATE TRIGGER alert_outbox_no_delete BEFORE DELETE ON alert_outbox
    FOR EACH ROW EXECUTE FUNCTION alerts_keep();
