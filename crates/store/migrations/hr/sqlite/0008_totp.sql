-- Two-factor sign-in (TOTP, RFC 6238) for people: the secret (base32) once enrolment is
-- confirmed, the one being enrolled meanwhile, and single-use recovery codes kept as SHA-256
-- hashes (each is 80 random bits, so a fast hash is enough).
ALTER TABLE users ADD COLUMN totp_secret TEXT;
ALTER TABLE users ADD COLUMN totp_pending TEXT;

CREATE TABLE recovery_codes (
    username TEXT NOT NULL,
    code_hash TEXT NOT NULL,
    used_at DATETIME,
    PRIMARY KEY (username, code_hash)
);
