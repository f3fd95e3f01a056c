-- The study's visit schedule (days after enrolment, with windows), as
-- JSON checked by app::domain::visits; admins change it through the API,
-- every change audited. Starts with the trial's usual visits.
CREATE TABLE visit_schedule (
    singleton  BOOLEAN NOT NULL DEFAULT TRUE UNIQUE CHECK (singleton),
    visits     TEXT NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL
);

INSERT INTO visit_schedule (visits, updated_at) VALUES (
    '[{"code":"baseline","name":"Baseline","day":0,"before":0,"after":14},{"code":"month_1","name":"Month 1","day":30,"before":7,"after":7},{"code":"month_3","name":"Month 3","day":90,"before":14,"after":14},{"code":"month_6","name":"Month 6","day":180,"before":14,"after":14},{"code":"month_9","name":"Month 9","day":270,"before":14,"after":14},{"code":"month_12","name":"Month 12","day":365,"before":30,"after":30}]',
    '2026-11-25T00:00:00+00:00'
);
