CREATE TABLE access_tokens_old (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
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
INSERT INTO access_tokens_old (id, purpose, token_hash, user_id, org_id, membership_id, data, expires_at, used_at, created_at)
    SELECT id, purpose, token_hash, user_id, org_id, membership_id, data, expires_at, used_at, created_at FROM access_tokens WHERE purpose <> 'sign_in_link';
DROP TABLE access_tokens;
ALTER TABLE access_tokens_old RENAME TO access_tokens;
CREATE INDEX access_tokens_user ON access_tokens (user_id, purpose);
CREATE INDEX access_tokens_membership ON access_tokens (membership_id, purpose);
