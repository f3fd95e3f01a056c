-- Visit labs entered by site staff. Every version is kept for ever: a
-- correction is a new version with a reason, a removal a voided version.
-- The current one is the highest version of a lab.
CREATE TABLE lab_versions (
    lab_id           UUID NOT NULL,
    version          BIGINT NOT NULL CHECK (version >= 1),
    participant_id   UUID NOT NULL REFERENCES participants (id),
    status           TEXT NOT NULL CHECK (status IN ('active', 'voided')),
    visit            TEXT NOT NULL,
    taken_at         TEXT NOT NULL,      -- as entered: a date or RFC 3339 with offset
    taken_on         DATE NOT NULL,
    kind             TEXT NOT NULL CHECK (kind IN ('weight', 'hba1c', 'c_peptide_fasting', 'c_peptide_stimulated', 'other')),
    name             TEXT,
    value            DOUBLE PRECISION NOT NULL,
    unit             TEXT NOT NULL,
    entered_by       UUID NOT NULL REFERENCES users (id),
    entered_by_role  TEXT NOT NULL,
    received_at      TIMESTAMPTZ NOT NULL,
    reason           TEXT,
    PRIMARY KEY (lab_id, version),
    CHECK (version = 1 OR reason IS NOT NULL)
);

CREATE INDEX lab_versions_by_participant ON lab_versions (participant_id, lab_id, version);

CREATE TRIGGER lab_versions_no_change BEFORE UPDATE OR DELETE ON lab_versions
    FOR EACH ROW EXECUTE FUNCTION diary_append_only();
CREATE TRIGGER lab_versions_no_truncate BEFORE TRUNCATE ON lab_versions
    FOR EACH STATEMENT EXECUTE FUNCTION diary_append_only();
