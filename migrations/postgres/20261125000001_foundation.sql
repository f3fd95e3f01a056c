-- Foundation: the study, its sites, accounts and participants.

CREATE TABLE study (
    id          UUID PRIMARY KEY,
    -- One study per server: the constraint keeps a second row out.
    singleton   BOOLEAN NOT NULL DEFAULT TRUE UNIQUE CHECK (singleton),
    name        TEXT NOT NULL CHECK (length(trim(name)) > 0),
    is_demo     BOOLEAN NOT NULL DEFAULT FALSE,
    created_at  TIMESTAMPTZ NOT NULL
);

CREATE TABLE sites (
    id               UUID PRIMARY KEY,
    code             TEXT NOT NULL UNIQUE CHECK (length(trim(code)) > 0),
    name             TEXT NOT NULL,
    timezone         TEXT NOT NULL,
    emergency_phone  TEXT NOT NULL,
    created_at       TIMESTAMPTZ NOT NULL
);

CREATE TABLE users (
    id             UUID PRIMARY KEY,
    -- Stored normalised (trimmed, lower case), so uniqueness ignores case.
    username       TEXT NOT NULL UNIQUE,
    display_name   TEXT NOT NULL,
    role           TEXT NOT NULL CHECK (role IN ('admin', 'investigator', 'participant', 'guardian')),
    password_hash  TEXT NOT NULL,
    disabled_at    TIMESTAMPTZ,
    created_at     TIMESTAMPTZ NOT NULL
);

CREATE TABLE investigator_sites (
    user_id  UUID NOT NULL REFERENCES users (id),
    site_id  UUID NOT NULL REFERENCES sites (id),
    PRIMARY KEY (user_id, site_id)
);

CREATE TABLE participants (
    id              UUID PRIMARY KEY,
    site_id         UUID NOT NULL REFERENCES sites (id),
    study_id        TEXT NOT NULL UNIQUE,
    birth_year      INTEGER NOT NULL,
    diagnosis_date  DATE NOT NULL,
    weight_kg       DOUBLE PRECISION,
    -- The participant's own account, once enrolled (a young child may have none).
    user_id         UUID UNIQUE REFERENCES users (id),
    enrolled_at     TIMESTAMPTZ NOT NULL
);

CREATE INDEX participants_site ON participants (site_id);

CREATE TABLE guardian_links (
    guardian_id     UUID NOT NULL REFERENCES users (id),
    participant_id  UUID NOT NULL REFERENCES participants (id),
    created_at      TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (guardian_id, participant_id)
);

CREATE INDEX guardian_links_participant ON guardian_links (participant_id);
