-- Support sign-in: platform staff (customer success, management, sysadmin) act as an
-- administrator of one organization, for a stated reason and a bounded time. Each support session
-- has a membership of its own (no identity, never listed, the staff member's name as its
-- pseudonym) holding the administrator organization role while it lasts — never more. The browser
-- session that started it points to it; it ends at its limit, on sign-out, by the staff member,
-- or when the organization ends it or switches support access off.
ALTER TABLE organizations ADD COLUMN support_access BOOLEAN NOT NULL DEFAULT TRUE;
CREATE TABLE support_sessions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    org_id BIGINT NOT NULL REFERENCES organizations (id),
    staff_id BIGINT NOT NULL REFERENCES platform_staff (id),
    membership_id BIGINT NOT NULL UNIQUE REFERENCES memberships (id),
    reason TEXT NOT NULL,
    started_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL,
    ended_at TIMESTAMP,
    end_reason TEXT
);
CREATE INDEX support_sessions_org ON support_sessions (org_id, ended_at);
ALTER TABLE sessions ADD COLUMN support_session_id BIGINT REFERENCES support_sessions (id);
