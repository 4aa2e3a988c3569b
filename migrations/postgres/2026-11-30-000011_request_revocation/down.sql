DROP INDEX access_requests_granted;
DROP INDEX access_requests_revoker;
UPDATE access_requests SET status = 'approved' WHERE status = 'revoked';
ALTER TABLE access_requests DROP COLUMN revoked_from;
ALTER TABLE access_requests DROP COLUMN revoke_comment;
ALTER TABLE access_requests DROP COLUMN revoked_at;
ALTER TABLE access_requests DROP COLUMN revoked_by;
ALTER TABLE access_requests DROP CONSTRAINT access_requests_status_check;
ALTER TABLE access_requests ADD CONSTRAINT access_requests_status_check
    CHECK (status IN ('pending', 'approved', 'denied', 'expired', 'withdrawn'));
