-- How the study's outcome figures are worked out where clinical.md leaves
-- a choice: the days of insulin before an HbA1c draw that its IDAA1C
-- averages ("commonly the last 3 days to 1 week; make the window
-- configurable"). Admins change it through the API, audited.
CREATE TABLE outcome_settings (
    singleton         BOOLEAN NOT NULL DEFAULT TRUE UNIQUE CHECK (singleton),
    idaa1c_dose_days  BIGINT NOT NULL CHECK (idaa1c_dose_days BETWEEN 1 AND 28),
    updated_at        TIMESTAMPTZ NOT NULL
);

INSERT INTO outcome_settings (idaa1c_dose_days, updated_at)
VALUES (7, '2026-12-02T00:00:00+00:00');
