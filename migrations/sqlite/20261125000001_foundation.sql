-- Foundation: the study, its sites, accounts and participants.
-- Ids are UUIDs as hyphenated text; times are RFC 3339 text in UTC.

CREATE TABLE study (
    id          TEXT PRIMARY KEY NOT NULL,
    -- One study per server: the constraint keeps a second row out.
    singleton   INTEGER NOT NULL DEFAULT 1 UNIQUE CHECK (singleton = 1),
    name        TEXT NOT NULL CHECK (length(trim(name)) > 0),
    is_demo     INTEGER NOT NULL DEFAULT 0 CHECK (is_demo IN (0, 1)),
    created_at  TEXT NOT NULL
);

CREATE TABLE sites (
    id               TEXT PRIMARY KEY NOT NULL,
    code             TEXT NOT NULL UNIQUE CHECK (length(trim(code)) > 0),
    name             TEXT NOT NULL,
    timezone         TEXT NOT NULL,
    emergency_phone  TEXT NOT NULL,
    created_at       TEXT NOT NULL
);

CREATE TABLE users (
    id             TEXT PRIMARY KEY NOT NULL,
    -- Stored normalised (trimmed, lower case), so uniqueness ignores case.
    username       TEXT NOT NULL UNIQUE,
    display_name   TEXT NOT NULL,
    role           TEXT NOT NULL CHECK (role IN ('admin', 'investigator', 'participant', 'guardian')),
    password_hash  TEXT NOT NULL,
    disabled_at    TEXT,
    created_at     TEXT NOT NULL
);

CREATE TABLE investigator_sites (
    user_id  TEXT NOT NULL REFERENCES users (id),
    site_id  TEXT NOT NULL REFERENCES sites (id),
    PRIMARY KEY (user_id, site_id)
);

CREATE TABLE participants (
    id              TEXT PRIMARY KEY NOT NULL,
    site_id         TEXT NOT NULL REFERENCES sites (id),
    study_id        TEXT NOT NULL UNIQUE,
    birth_year      INTEGER NOT NULL,
    diagnosis_date  TEXT NOT NULL,
    weight_kg       REAL,
    -- The participant's own account, once enrolled (a young child may have none).
    user_id         TEXT UNIQUE REFERENCES users (id),
    enrolled_at     TEXT NOT NULL
);

CREATE INDEX participants_site ON participants (site_id);

CREATE TABLE guardian_links (
    guardian_id     TEXT NOT NULL REFERENCES users (id),
    participant_id  TEXT NOT NULL REFERENCES participants (id),
    created_at      TEXT NOT NULL,
    PRIMARY KEY (guardian_id, participant_id)
);

CREATE INDEX guardian_links_participant ON guardian_links (participant_id);
