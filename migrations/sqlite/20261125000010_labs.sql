-- Visit labs entered by site staff. Every version is kept for ever: a
-- correction is a new version with a reason, a removal a voided version.
-- The current one is the highest version of a lab.
CREATE TABLE lab_versions (
    lab_id           TEXT NOT NULL,
    version          INTEGER NOT NULL CHECK (version >= 1),
    participant_id   TEXT NOT NULL REFERENCES participants (id),
    status           TEXT NOT NULL CHECK (status IN ('active', 'voided')),
    visit            TEXT NOT NULL,
    taken_at         TEXT NOT NULL,      -- as entered: a date or RFC 3339 with offset
    taken_on         TEXT NOT NULL,      -- its calendar day, YYYY-MM-DD
    kind             TEXT NOT NULL CHECK (kind IN ('weight', 'hba1c', 'c_peptide_fasting', 'c_peptide_stimulated', 'other')),
    name             TEXT,
    value            REAL NOT NULL,
    unit             TEXT NOT NULL,
    entered_by       TEXT NOT NULL REFERENCES users (id),
    entered_by_role  TEXT NOT NULL,
    received_at      TEXT NOT NULL,      -- server time, UTC
    reason           TEXT,
    PRIMARY KEY (lab_id, version),
    CHECK (version = 1 OR reason IS NOT NULL)
);

CREATE INDEX lab_versions_by_participant ON lab_versions (participant_id, lab_id, version);

CREATE TRIGGER lab_versions_no_update BEFORE UPDATE ON lab_versions
BEGIN
    SELECT RAISE(ABORT, 'lab_versions is append-only');
END;

CREATE TRIGGER lab_versions_no_delete BEFORE DELETE ON lab_versions
BEGIN
    SELECT RAISE(ABORT, 'lab_versions is append-only');
END;
