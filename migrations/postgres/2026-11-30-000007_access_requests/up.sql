-- Access requests (issue 6): a member asks for a role (at a unit), a single permission or
-- membership of a unit, with a justification and an optional end date. Approvers are whoever
-- may decide it at that scope; approving creates the grant in the same transaction. Undecided
-- requests are reminded and then expire (organization settings), claimed per row by the
-- background user. Expired, denied and withdrawn stay distinct in the history. Which roles may
-- be asked for is roles.requestable (per role, since the authorization migration).
ALTER TABLE organizations ADD COLUMN request_reminder_days INTEGER NOT NULL DEFAULT 3;
ALTER TABLE organizations ADD COLUMN request_expiry_days INTEGER NOT NULL DEFAULT 14;

CREATE TABLE access_requests (
    id BIGSERIAL PRIMARY KEY,
    org_id BIGINT NOT NULL REFERENCES organizations (id),
    requester_id BIGINT NOT NULL REFERENCES memberships (id),
    kind TEXT NOT NULL CHECK (kind IN ('role', 'permission', 'unit')),
    role_id BIGINT REFERENCES roles (id),
    permission TEXT,
    unit_id BIGINT REFERENCES units (id),
    justification TEXT NOT NULL,
    ends_at TIMESTAMP,
    status TEXT NOT NULL CHECK (status IN ('pending', 'approved', 'denied', 'expired', 'withdrawn')),
    decided_by BIGINT REFERENCES memberships (id),
    decided_at TIMESTAMP,
    decision_comment TEXT,
    granted_id BIGINT,
    reminded_at TIMESTAMP,
    closed_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    version INTEGER NOT NULL DEFAULT 1,
    updated_by_kind TEXT NOT NULL,
    updated_by_id BIGINT
);
CREATE INDEX access_requests_org_status ON access_requests (org_id, status, created_at);
CREATE INDEX access_requests_requester ON access_requests (requester_id, status);
-- One waiting request per person and thing asked: two identical asks at once let one in.
CREATE UNIQUE INDEX access_requests_one_pending ON access_requests (org_id, requester_id, kind, COALESCE(role_id, 0), COALESCE(unit_id, 0), COALESCE(permission, '')) WHERE status = 'pending';
