-- Two-factor sign-in (RFC 6238). The raw secret is kept (hex) with the last time step a code was
-- accepted for, so no code works twice; an enrolment waits in totp_pending_secret until a first
-- code confirms it. An organization may require a second factor of its members.
ALTER TABLE users ADD COLUMN totp_secret TEXT;
ALTER TABLE users ADD COLUMN totp_pending_secret TEXT;
ALTER TABLE users ADD COLUMN totp_last_step BIGINT;
ALTER TABLE users ADD COLUMN totp_enabled_at TIMESTAMP;
ALTER TABLE organizations ADD COLUMN require_two_factor BOOLEAN NOT NULL DEFAULT FALSE;

-- Ten single-use recovery codes per person, shown once, kept as a SHA-256.
CREATE TABLE recovery_codes (
    id BIGSERIAL PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users (id),
    code_hash TEXT NOT NULL,
    used_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX recovery_codes_user ON recovery_codes (user_id);

-- A sign-in whose password (or mailed link) was right and whose second factor is still to come:
-- the browser holds the token (a cookie) for five minutes; only its hash is here.
CREATE TABLE pending_sign_ins (
    token_hash TEXT PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users (id),
    method TEXT NOT NULL,
    next_path TEXT,
    expires_at TIMESTAMP NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX pending_sign_ins_user ON pending_sign_ins (user_id);
