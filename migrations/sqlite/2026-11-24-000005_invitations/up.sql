-- Invitations and bulk imports (issue 5). An invitation belongs to a membership in status
-- 'invited'; its link is an access token (purpose 'invitation', stored as a hash). Resending
-- issues a new token and ends the old one. Reminders and expiries are claimed per row by the
-- background user (an UPDATE that only one server instance can win).
ALTER TABLE organizations ADD COLUMN phone_region TEXT;
ALTER TABLE organizations ADD COLUMN invitation_valid_days INTEGER NOT NULL DEFAULT 7;
ALTER TABLE organizations ADD COLUMN invitation_reminder_days INTEGER NOT NULL DEFAULT 3;

CREATE TABLE invitations (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    org_id BIGINT NOT NULL REFERENCES organizations (id),
    membership_id BIGINT NOT NULL REFERENCES memberships (id),
    email TEXT NOT NULL,
    new_identity BOOLEAN NOT NULL,
    invited_by BIGINT REFERENCES memberships (id),
    import_id BIGINT,
    sent_at TIMESTAMP NOT NULL,
    sends INTEGER NOT NULL DEFAULT 1,
    expires_at TIMESTAMP NOT NULL,
    reminded_at TIMESTAMP,
    expired_at TIMESTAMP,
    accepted_at TIMESTAMP,
    revoked_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    version INTEGER NOT NULL DEFAULT 1,
    updated_by_kind TEXT NOT NULL,
    updated_by_id BIGINT,
    UNIQUE (membership_id)
);
CREATE INDEX invitations_org_open ON invitations (org_id, accepted_at, revoked_at, sent_at);
CREATE INDEX invitations_due ON invitations (expires_at);

CREATE TABLE member_imports (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    org_id BIGINT NOT NULL REFERENCES organizations (id),
    created_by BIGINT NOT NULL REFERENCES memberships (id),
    file_name TEXT NOT NULL,
    csv_text TEXT,
    status TEXT NOT NULL CHECK (status IN ('preview', 'running', 'done', 'discarded')),
    rows_total INTEGER NOT NULL,
    rows_invalid INTEGER NOT NULL,
    next_row INTEGER NOT NULL DEFAULT 0,
    invited INTEGER NOT NULL DEFAULT 0,
    skipped INTEGER NOT NULL DEFAULT 0,
    failed INTEGER NOT NULL DEFAULT 0,
    report TEXT,
    lease_until TIMESTAMP,
    finished_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    version INTEGER NOT NULL DEFAULT 1,
    updated_by_kind TEXT NOT NULL,
    updated_by_id BIGINT
);
CREATE INDEX member_imports_org ON member_imports (org_id, created_at);
