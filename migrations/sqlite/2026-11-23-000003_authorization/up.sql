-- Authorization storage (issue 4): content modules and their actions, role grants, per-member
-- adjustments, items; the organization's authorization version (bumped in the same transaction
-- as every change that can alter a decision, so every server instance reloads at its next
-- request).
ALTER TABLE organizations ADD COLUMN authz_version BIGINT NOT NULL DEFAULT 1;
ALTER TABLE organizations ADD COLUMN template_key TEXT;
ALTER TABLE roles ADD COLUMN template_role_key TEXT;
ALTER TABLE roles ADD COLUMN requestable BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE roles ADD COLUMN anchor_kind TEXT;

CREATE TABLE content_modules (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    org_id BIGINT NOT NULL REFERENCES organizations (id),
    key TEXT NOT NULL,
    name_en TEXT NOT NULL,
    name_de TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    version INTEGER NOT NULL DEFAULT 1,
    updated_by_kind TEXT NOT NULL,
    updated_by_id BIGINT,
    UNIQUE (org_id, key)
);

CREATE TABLE content_actions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    module_id BIGINT NOT NULL REFERENCES content_modules (id),
    key TEXT NOT NULL,
    name_en TEXT NOT NULL,
    name_de TEXT NOT NULL,
    about_people BOOLEAN NOT NULL DEFAULT FALSE,
    UNIQUE (module_id, key)
);

CREATE TABLE role_grants (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    role_id BIGINT NOT NULL REFERENCES roles (id),
    permission TEXT NOT NULL,
    scope TEXT NOT NULL CHECK (scope IN ('own', 'unit', 'organization')),
    visibility TEXT NOT NULL CHECK (visibility IN ('aggregate', 'individual')),
    UNIQUE (role_id, permission, scope)
);

CREATE TABLE member_adjustments (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    org_id BIGINT NOT NULL REFERENCES organizations (id),
    membership_id BIGINT NOT NULL REFERENCES memberships (id),
    permission TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('add', 'withdraw')),
    scope TEXT CHECK (scope IN ('own', 'unit', 'organization')),
    unit_id BIGINT REFERENCES units (id),
    visibility TEXT CHECK (visibility IN ('aggregate', 'individual')),
    note TEXT NOT NULL DEFAULT '',
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    version INTEGER NOT NULL DEFAULT 1,
    updated_by_kind TEXT NOT NULL,
    updated_by_id BIGINT,
    CHECK ((kind = 'withdraw' AND scope IS NULL AND unit_id IS NULL AND visibility IS NULL)
        OR (kind = 'add' AND scope IS NOT NULL AND visibility IS NOT NULL AND ((scope = 'unit') = (unit_id IS NOT NULL))))
);
CREATE INDEX member_adjustments_member ON member_adjustments (membership_id);
CREATE INDEX member_adjustments_org ON member_adjustments (org_id);

CREATE TABLE items (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    org_id BIGINT NOT NULL REFERENCES organizations (id),
    module_key TEXT NOT NULL,
    title TEXT NOT NULL,
    creator_id BIGINT REFERENCES memberships (id),
    owner_id BIGINT REFERENCES memberships (id),
    unit_id BIGINT REFERENCES units (id),
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    version INTEGER NOT NULL DEFAULT 1,
    updated_by_kind TEXT NOT NULL,
    updated_by_id BIGINT
);
CREATE INDEX items_org_module ON items (org_id, module_key, id);
CREATE INDEX items_creator ON items (creator_id);
CREATE INDEX items_owner ON items (owner_id);

CREATE TABLE item_assignees (
    item_id BIGINT NOT NULL REFERENCES items (id),
    membership_id BIGINT NOT NULL REFERENCES memberships (id),
    PRIMARY KEY (item_id, membership_id)
);
CREATE INDEX item_assignees_member ON item_assignees (membership_id);
CREATE INDEX role_assignments_org ON role_assignments (org_id, membership_id);
CREATE INDEX org_role_holders_org ON org_role_holders (org_id);
