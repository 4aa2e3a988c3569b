-- Tokens behind the links that establish access without a session (DECISIONS.md "Email links"):
-- single use, expiring, stored only as a hash. Issuing a new one of the same purpose for the
-- same person ends the old ones.
CREATE TABLE access_tokens (
    id BIGSERIAL PRIMARY KEY,
    purpose TEXT NOT NULL CHECK (purpose IN ('password_reset', 'invitation', 'email_change_new', 'email_change_old')),
    token_hash TEXT NOT NULL UNIQUE,
    user_id BIGINT REFERENCES users (id),
    org_id BIGINT REFERENCES organizations (id),
    membership_id BIGINT REFERENCES memberships (id),
    data TEXT,
    expires_at TIMESTAMP NOT NULL,
    used_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX access_tokens_user ON access_tokens (user_id, purpose);
