-- An approved request's grant can be taken back before its end (issue 6: expired, denied and
-- revoked stay distinct in the history): by an approver from the request, or by the grant being
-- removed elsewhere. Who took it back, when, why and where from are kept with the request.
ALTER TABLE access_requests DROP CONSTRAINT access_requests_status_check;
ALTER TABLE access_requests ADD CONSTRAINT access_requests_status_check
    CHECK (status IN ('pending', 'approved', 'denied', 'expired', 'withdrawn', 'revoked'));
ALTER TABLE access_requests ADD COLUMN revoked_by BIGINT REFERENCES memberships (id);
ALTER TABLE access_requests ADD COLUMN revoked_at TIMESTAMP;
ALTER TABLE access_requests ADD COLUMN revoke_comment TEXT;
ALTER TABLE access_requests ADD COLUMN revoked_from TEXT
    CHECK (revoked_from IN ('request', 'member_page', 'role_retired', 'membership_ended'));
CREATE INDEX access_requests_revoker ON access_requests (revoked_by);
-- The request that granted an assignment or a personal addition is found by its grant.
CREATE INDEX access_requests_granted ON access_requests (org_id, kind, granted_id) WHERE status = 'approved';
