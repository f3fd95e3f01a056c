-- An attempt is counted before it is checked (issue 13): the row carries the
-- attempt's id so a success can take it back (NULL for rows made before),
-- and stays pending until the check fails.
ALTER TABLE login_failures ADD COLUMN attempt_id TEXT;
ALTER TABLE login_failures ADD COLUMN pending BOOLEAN NOT NULL DEFAULT FALSE;

CREATE INDEX login_failures_attempt ON login_failures (attempt_id);

-- Attempts refused while a key waits: one counter per key and window, not
-- one row (or audit entry) each, so a refused flood writes nothing new.
CREATE TABLE throttle_windows (
    throttle_key     TEXT NOT NULL,
    window_start_ms  BIGINT NOT NULL,
    refused          BIGINT NOT NULL,
    PRIMARY KEY (throttle_key, window_start_ms)
);
