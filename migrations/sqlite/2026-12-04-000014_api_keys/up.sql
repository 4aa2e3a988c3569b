-- Technical users: programs that call the JSON API and the decision point with an API key.
-- Each has a membership of its own (active, kind external, role_holder_only: never listed or
-- counted as a member, no identity, its name as the membership's pseudonym so every screen that
-- names members names it), so roles are assigned to it and the engine decides for it exactly as
-- for a person.
CREATE TABLE technical_users (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    org_id BIGINT NOT NULL REFERENCES organizations (id),
    membership_id BIGINT NOT NULL UNIQUE REFERENCES memberships (id),
    name TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    removed_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    version INTEGER NOT NULL DEFAULT 1,
    updated_by_kind TEXT NOT NULL,
    updated_by_id BIGINT
);
-- One name per organization among the technical users still there.
CREATE UNIQUE INDEX technical_users_org_name ON technical_users (org_id, name) WHERE removed_at IS NULL;

-- An API key: `ghk_<public_id>_<secret>`. The public part finds the row; only a SHA-256 of the
-- secret is kept (a random 256-bit secret needs no slow hash). Scopes: a JSON array of admin
-- permissions; a call needs the scope and the technical user's grant. Every key ends.
CREATE TABLE api_keys (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    org_id BIGINT NOT NULL REFERENCES organizations (id),
    technical_user_id BIGINT NOT NULL REFERENCES technical_users (id),
    name TEXT NOT NULL,
    public_id TEXT NOT NULL UNIQUE,
    secret_hash TEXT NOT NULL,
    scopes TEXT NOT NULL,
    expires_at TIMESTAMP NOT NULL,
    revoked_at TIMESTAMP,
    last_used_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL,
    created_by_kind TEXT NOT NULL,
    created_by_id BIGINT
);
CREATE INDEX api_keys_technical_user ON api_keys (technical_user_id);

-- The API reads the audit log newest first by id, a page at a time.
CREATE INDEX audit_events_org_id ON audit_events (org_id, id);
