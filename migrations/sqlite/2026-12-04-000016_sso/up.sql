-- Single sign-on with OpenID Connect, per organization. The client secret is sealed
-- (XChaCha20-Poly1305) with a key kept outside the database; the row holds nonce and ciphertext.
-- allowed_domains: the e-mail domains this provider may sign in, space-separated, lower case.
CREATE TABLE sso_providers (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    org_id BIGINT NOT NULL REFERENCES organizations (id),
    public_id TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    issuer TEXT NOT NULL,
    client_id TEXT NOT NULL,
    client_secret_sealed TEXT NOT NULL,
    allowed_domains TEXT NOT NULL,
    groups_claim TEXT NOT NULL DEFAULT 'groups',
    just_in_time BOOLEAN NOT NULL DEFAULT FALSE,
    enabled BOOLEAN NOT NULL DEFAULT TRUE,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    version INTEGER NOT NULL DEFAULT 1,
    updated_by_kind TEXT NOT NULL,
    updated_by_id BIGINT
);
CREATE INDEX sso_providers_org ON sso_providers (org_id);

-- "Members of the provider's group G hold role R at unit U (or the whole organization)".
CREATE TABLE sso_group_mappings (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    provider_id BIGINT NOT NULL REFERENCES sso_providers (id) ON DELETE CASCADE,
    group_name TEXT NOT NULL,
    role_id BIGINT NOT NULL REFERENCES roles (id),
    unit_id BIGINT REFERENCES units (id),
    created_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX sso_group_mappings_unique ON sso_group_mappings (provider_id, group_name, role_id, COALESCE(unit_id, 0));

-- A provider's subject linked to a Gatehouse identity (at its first sign-in, by verified e-mail).
CREATE TABLE sso_identities (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    provider_id BIGINT NOT NULL REFERENCES sso_providers (id) ON DELETE CASCADE,
    subject TEXT NOT NULL,
    user_id BIGINT NOT NULL REFERENCES users (id),
    created_at TIMESTAMP NOT NULL,
    last_sign_in_at TIMESTAMP NOT NULL,
    UNIQUE (provider_id, subject)
);
CREATE INDEX sso_identities_user ON sso_identities (user_id);

-- A sign-in on its way to the provider and back: found by a hash of its state (which the
-- browser also holds in a cookie), taken once, ten minutes at most.
CREATE TABLE sso_logins (
    state_hash TEXT PRIMARY KEY,
    provider_id BIGINT NOT NULL REFERENCES sso_providers (id) ON DELETE CASCADE,
    nonce TEXT NOT NULL,
    pkce_verifier TEXT NOT NULL,
    next_path TEXT,
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL
);

-- Which role assignments a provider's group mapping made: only these are taken away again when
-- the groups change (assignments made by hand are never touched).
CREATE TABLE sso_assignments (
    assignment_id BIGINT PRIMARY KEY REFERENCES role_assignments (id) ON DELETE CASCADE,
    provider_id BIGINT NOT NULL REFERENCES sso_providers (id) ON DELETE CASCADE
);
CREATE INDEX sso_assignments_provider ON sso_assignments (provider_id);

ALTER TABLE organizations ADD COLUMN require_sso BOOLEAN NOT NULL DEFAULT FALSE;
