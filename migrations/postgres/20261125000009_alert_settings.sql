-- The study's alert thresholds (clinical.md defaults); admins change them
-- through the API, every change audited.
CREATE TABLE alert_settings (
    singleton              BOOLEAN NOT NULL DEFAULT TRUE UNIQUE CHECK (singleton),
    repeat_window_hours    BIGINT NOT NULL CHECK (repeat_window_hours BETWEEN 1 AND 168),
    report_within_hours    BIGINT NOT NULL CHECK (report_within_hours BETWEEN 1 AND 72),
    escalate_after_minutes BIGINT NOT NULL CHECK (escalate_after_minutes BETWEEN 1 AND 1440),
    missed_days            BIGINT NOT NULL CHECK (missed_days BETWEEN 1 AND 30),
    updated_at             TIMESTAMPTZ NOT NULL
);

INSERT INTO alert_settings (repeat_window_hours, report_within_hours, escalate_after_minutes,
    missed_days, updated_at)
VALUES (24, 24, 15, 3, '2026-11-25T00:00:00+00:00');
