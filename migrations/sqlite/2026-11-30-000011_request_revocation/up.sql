-- An approved request's grant can be taken back before its end (issue 6: expired, denied and
-- revoked stay distinct in the history): by an approver from the request, or by the grant being
-- removed elsewhere. Who took it back, when, why and where from are kept with the request. SQLite cannot
-- change a CHECK constraint: the table is rebuilt with every row and index (nothing refers to it).
CREATE TABLE access_requests_new (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    org_id BIGINT NOT NULL REFERENCES organizations (id),
    requester_id BIGINT NOT NULL REFERENCES memberships (id),
    kind TEXT NOT NULL CHECK (kind IN ('role', 'permission', 'unit')),
    role_id BIGINT REFERENCES roles (id),
    permission TEXT,
    unit_id BIGINT REFERENCES units (id),
    justification TEXT NOT NULL,
    ends_at TIMESTAMP,
    status TEXT NOT NULL CHECK (status IN ('pending', 'approved', 'denied', 'expired', 'withdrawn', 'revoked')),
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
    updated_by_id BIGINT,
    revoked_by BIGINT REFERENCES memberships (id),
    revoked_at TIMESTAMP,
    revoke_comment TEXT,
    revoked_from TEXT CHECK (revoked_from IN ('request', 'member_page', 'role_retired', 'membership_ended'))
);
INSERT INTO access_requests_new (id, org_id, requester_id, kind, role_id, permission, unit_id, justification, ends_at, status, decided_by, decided_at, decision_comment, granted_id, reminded_at, closed_at, created_at, updated_at, version, updated_by_kind, updated_by_id) SELECT id, org_id, requester_id, kind, role_id, permission, unit_id, justification, ends_at, status, decided_by, decided_at, decision_comment, granted_id, reminded_at, closed_at, created_at, updated_at, version, updated_by_kind, updated_by_id FROM access_requests;
DROP TABLE access_requests;
ALTER TABLE access_requests_new RENAME TO access_requests;
CREATE INDEX access_requests_org_status ON access_requests (org_id, status, created_at);
CREATE INDEX access_requests_requester ON access_requests (requester_id, status);
CREATE UNIQUE INDEX access_requests_one_pending ON access_requests (org_id, requester_id, kind, COALESCE(role_id, 0), COALESCE(unit_id, 0), COALESCE(permission, '')) WHERE status = 'pending';
CREATE INDEX access_requests_decider ON access_requests (decided_by);
CREATE INDEX access_requests_revoker ON access_requests (revoked_by);
-- The request that granted an assignment or a personal addition is found by its grant.
CREATE INDEX access_requests_granted ON access_requests (org_id, kind, granted_id) WHERE status = 'approved';
