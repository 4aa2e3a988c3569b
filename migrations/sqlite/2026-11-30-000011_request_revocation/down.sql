CREATE TABLE access_requests_old (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
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
INSERT INTO access_requests_old (id, org_id, requester_id, kind, role_id, permission, unit_id, justification, ends_at, status, decided_by, decided_at, decision_comment, granted_id, reminded_at, closed_at, created_at, updated_at, version, updated_by_kind, updated_by_id) SELECT id, org_id, requester_id, kind, role_id, permission, unit_id, justification, ends_at, CASE status WHEN 'revoked' THEN 'approved' ELSE status END, decided_by, decided_at, decision_comment, granted_id, reminded_at, closed_at, created_at, updated_at, version, updated_by_kind, updated_by_id FROM access_requests;
DROP TABLE access_requests;
ALTER TABLE access_requests_old RENAME TO access_requests;
CREATE INDEX access_requests_org_status ON access_requests (org_id, status, created_at);
CREATE INDEX access_requests_requester ON access_requests (requester_id, status);
CREATE UNIQUE INDEX access_requests_one_pending ON access_requests (org_id, requester_id, kind, COALESCE(role_id, 0), COALESCE(unit_id, 0), COALESCE(permission, '')) WHERE status = 'pending';
CREATE INDEX access_requests_decider ON access_requests (decided_by);
