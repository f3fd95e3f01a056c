-- After `ediary user reset-mfa`, setting up a second factor again needs the
-- one-time code the command printed (handed over in person), besides the
-- password: someone who only knows the password cannot enrol their own
-- authenticator. Stored hashed (HMAC keyed with the account); NULL when no
-- code is needed (a first set-up, or one done after the reset).
ALTER TABLE staff_mfa ADD COLUMN setup_code_hash TEXT;
