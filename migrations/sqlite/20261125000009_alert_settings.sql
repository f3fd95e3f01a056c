-- The study's alert thresholds (clinical.md defaults); admins change them
-- through the API, every change audited.
CREATE TABLE alert_settings (
    singleton              INTEGER NOT NULL DEFAULT 1 UNIQUE CHECK (singleton = 1),
    repeat_window_hours    INTEGER NOT NULL CHECK (repeat_window_hours BETWEEN 1 AND 168),
    report_within_hours    INTEGER NOT NULL CHECK (report_within_hours BETWEEN 1 AND 72),
    escalate_after_minutes INTEGER NOT NULL CHECK (escalate_after_minutes BETWEEN 1 AND 1440),
    missed_days            INTEGER NOT NULL CHECK (missed_days BETWEEN 1 AND 30),
    updated_at             TEXT NOT NULL
);

INSERT INTO alert_settings (repeat_window_hours, report_within_hours, escalate_after_minutes,
    missed_days, updated_at)
VALUES (24, 24, 15, 3, '2026-11-25T00:00:00+00:00');
