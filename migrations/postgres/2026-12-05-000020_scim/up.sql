-- SCIM 2.0 provisioning: each User or Group an identity provider keeps here, with the document
-- as the provider last sent it (returned as sent) and what it is in Gatehouse: a User is a
-- membership (invited until the person joins; none while it carries no address), a Group a unit.
-- name_key: userName / displayName folded, unique per organization and kind.
CREATE TABLE scim_resources (
    id BIGSERIAL PRIMARY KEY,
    org_id BIGINT NOT NULL REFERENCES organizations (id),
    kind TEXT NOT NULL CHECK (kind IN ('User', 'Group')),
    public_id TEXT NOT NULL UNIQUE,
    name_key TEXT NOT NULL,
    external_id TEXT,
    membership_id BIGINT REFERENCES memberships (id),
    unit_id BIGINT REFERENCES units (id),
    document TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    version INTEGER NOT NULL DEFAULT 1,
    updated_by_kind TEXT NOT NULL,
    updated_by_id BIGINT
);
CREATE UNIQUE INDEX scim_resources_name ON scim_resources (org_id, kind, name_key);
CREATE INDEX scim_resources_list ON scim_resources (org_id, kind, id);
CREATE INDEX scim_resources_external ON scim_resources (org_id, kind, external_id);
CREATE UNIQUE INDEX scim_resources_membership ON scim_resources (membership_id) WHERE membership_id IS NOT NULL;
CREATE UNIQUE INDEX scim_resources_unit ON scim_resources (unit_id) WHERE unit_id IS NOT NULL;
