-- Gatehouse core schema (PostgreSQL). Times are UTC (TIMESTAMP without zone, by convention).
-- Every mutable table carries created_at, updated_at, version (optimistic locking) and
-- "last changed by" as an actor reference (updated_by_kind + updated_by_id).

CREATE TABLE platform_staff (
    id BIGSERIAL PRIMARY KEY,
    email TEXT NOT NULL UNIQUE,
    display_name TEXT NOT NULL,
    password_hash TEXT,
    staff_role TEXT NOT NULL CHECK (staff_role IN ('sysadmin', 'developer', 'management', 'customer_success')),
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    version INTEGER NOT NULL DEFAULT 1,
    updated_by_kind TEXT NOT NULL,
    updated_by_id BIGINT
);

CREATE TABLE users (
    id BIGSERIAL PRIMARY KEY,
    email TEXT NOT NULL UNIQUE,
    display_name TEXT NOT NULL,
    locale TEXT NOT NULL DEFAULT 'en',
    password_hash TEXT,
    is_system BOOLEAN NOT NULL DEFAULT FALSE,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    version INTEGER NOT NULL DEFAULT 1,
    updated_by_kind TEXT NOT NULL,
    updated_by_id BIGINT
);

CREATE TABLE organizations (
    id BIGSERIAL PRIMARY KEY,
    slug TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    time_zone TEXT NOT NULL,
    background_user_id BIGINT NOT NULL REFERENCES users (id),
    require_mobile_phone BOOLEAN NOT NULL DEFAULT FALSE,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    version INTEGER NOT NULL DEFAULT 1,
    updated_by_kind TEXT NOT NULL,
    updated_by_id BIGINT
);

CREATE TABLE units (
    id BIGSERIAL PRIMARY KEY,
    org_id BIGINT NOT NULL REFERENCES organizations (id),
    parent_id BIGINT REFERENCES units (id),
    name TEXT NOT NULL,
    kind TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    version INTEGER NOT NULL DEFAULT 1,
    updated_by_kind TEXT NOT NULL,
    updated_by_id BIGINT
);
CREATE INDEX units_org_parent ON units (org_id, parent_id);

CREATE TABLE memberships (
    id BIGSERIAL PRIMARY KEY,
    org_id BIGINT NOT NULL REFERENCES organizations (id),
    user_id BIGINT REFERENCES users (id),
    status TEXT NOT NULL CHECK (status IN ('invited', 'active', 'terminated', 'anonymized')),
    member_kind TEXT NOT NULL CHECK (member_kind IN ('employee', 'partner', 'auditor', 'external')),
    mobile_phone TEXT,
    job_title TEXT,
    end_date DATE,
    role_holder_only BOOLEAN NOT NULL DEFAULT FALSE,
    pseudonym TEXT,
    joined_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    version INTEGER NOT NULL DEFAULT 1,
    updated_by_kind TEXT NOT NULL,
    updated_by_id BIGINT,
    UNIQUE (org_id, user_id)
);
CREATE INDEX memberships_org_status ON memberships (org_id, status);
CREATE INDEX memberships_org_kind ON memberships (org_id, member_kind);
CREATE INDEX memberships_user ON memberships (user_id);

CREATE TABLE membership_units (
    membership_id BIGINT NOT NULL REFERENCES memberships (id),
    unit_id BIGINT NOT NULL REFERENCES units (id),
    PRIMARY KEY (membership_id, unit_id)
);
CREATE INDEX membership_units_unit ON membership_units (unit_id);

CREATE TABLE tags (
    id BIGSERIAL PRIMARY KEY,
    org_id BIGINT NOT NULL REFERENCES organizations (id),
    name TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    version INTEGER NOT NULL DEFAULT 1,
    updated_by_kind TEXT NOT NULL,
    updated_by_id BIGINT,
    UNIQUE (org_id, name)
);

CREATE TABLE membership_tags (
    membership_id BIGINT NOT NULL REFERENCES memberships (id),
    tag_id BIGINT NOT NULL REFERENCES tags (id),
    PRIMARY KEY (membership_id, tag_id)
);
CREATE INDEX membership_tags_tag ON membership_tags (tag_id);

CREATE TABLE org_role_holders (
    id BIGSERIAL PRIMARY KEY,
    org_id BIGINT NOT NULL REFERENCES organizations (id),
    membership_id BIGINT NOT NULL REFERENCES memberships (id),
    role TEXT NOT NULL CHECK (role IN ('owner', 'co_owner', 'main_owner', 'payment_user', 'authorized_buyer',
        'compliance_manager', 'administrator', 'main_administrator', 'support_team')),
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    version INTEGER NOT NULL DEFAULT 1,
    updated_by_kind TEXT NOT NULL,
    updated_by_id BIGINT,
    UNIQUE (org_id, membership_id, role)
);

CREATE TABLE roles (
    id BIGSERIAL PRIMARY KEY,
    org_id BIGINT NOT NULL REFERENCES organizations (id),
    key TEXT NOT NULL,
    name TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    template_key TEXT,
    retired_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    version INTEGER NOT NULL DEFAULT 1,
    updated_by_kind TEXT NOT NULL,
    updated_by_id BIGINT,
    UNIQUE (org_id, key)
);

CREATE TABLE role_assignments (
    id BIGSERIAL PRIMARY KEY,
    org_id BIGINT NOT NULL REFERENCES organizations (id),
    membership_id BIGINT NOT NULL REFERENCES memberships (id),
    role_id BIGINT NOT NULL REFERENCES roles (id),
    unit_id BIGINT REFERENCES units (id),
    ends_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    version INTEGER NOT NULL DEFAULT 1,
    updated_by_kind TEXT NOT NULL,
    updated_by_id BIGINT
);
CREATE INDEX role_assignments_member ON role_assignments (membership_id);
CREATE INDEX role_assignments_org_role ON role_assignments (org_id, role_id);

CREATE TABLE audit_events (
    id BIGSERIAL PRIMARY KEY,
    org_id BIGINT REFERENCES organizations (id),
    occurred_at TIMESTAMP NOT NULL,
    actor_kind TEXT NOT NULL,
    actor_id BIGINT,
    actor_staff_id BIGINT,
    action TEXT NOT NULL,
    target_kind TEXT NOT NULL,
    target_id BIGINT,
    unit_id BIGINT,
    before_data TEXT,
    after_data TEXT,
    request_id TEXT
);
CREATE INDEX audit_events_org_time ON audit_events (org_id, occurred_at DESC);

-- Append-only: no UPDATE or DELETE, whatever the code does. (The compliance workflow's
-- redaction will be the one exception, by a session setting it turns on for itself.)
CREATE FUNCTION audit_events_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'audit_events is append-only';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events
    FOR EACH ROW EXECUTE FUNCTION audit_events_append_only();
CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events
    FOR EACH ROW EXECUTE FUNCTION audit_events_append_only();

CREATE TABLE email_outbox (
    id BIGSERIAL PRIMARY KEY,
    org_id BIGINT REFERENCES organizations (id),
    message_id TEXT NOT NULL UNIQUE,
    to_address TEXT NOT NULL,
    locale TEXT NOT NULL,
    template TEXT NOT NULL,
    subject TEXT NOT NULL,
    body_text TEXT,
    body_html TEXT,
    status TEXT NOT NULL CHECK (status IN ('queued', 'sending', 'sent', 'failed')),
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TIMESTAMP NOT NULL,
    sent_at TIMESTAMP,
    last_error TEXT,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    version INTEGER NOT NULL DEFAULT 1,
    updated_by_kind TEXT NOT NULL,
    updated_by_id BIGINT
);
CREATE INDEX email_outbox_due ON email_outbox (status, next_attempt_at);

CREATE TABLE sessions (
    id_hash TEXT PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users (id),
    csrf_token TEXT NOT NULL,
    last_org_id BIGINT REFERENCES organizations (id),
    created_at TIMESTAMP NOT NULL,
    last_seen_at TIMESTAMP NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id);

CREATE TABLE sign_in_throttle (
    key TEXT PRIMARY KEY,
    failures INTEGER NOT NULL,
    window_started_at TIMESTAMP NOT NULL,
    locked_until TIMESTAMP
);
