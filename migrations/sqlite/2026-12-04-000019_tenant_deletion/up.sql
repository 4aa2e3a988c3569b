-- Deleting a whole organization after a grace period (the sysadmin schedules it; the owners are
-- mailed; it can be cancelled until it is due). When it is due, everything of the organization
-- goes in one transaction — its audit events too, which is the one DELETE the append-only rule
-- permits, and only while a permit row for that organization exists inside that transaction. A
-- platform-level audit event (no organization) keeps that it happened.
ALTER TABLE organizations ADD COLUMN deletion_due_at TIMESTAMP;
ALTER TABLE organizations ADD COLUMN deletion_reason TEXT;
ALTER TABLE organizations ADD COLUMN deletion_requested_by BIGINT REFERENCES platform_staff (id);

CREATE TABLE audit_deletion_permits (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    org_id BIGINT NOT NULL
);

DROP TRIGGER audit_events_no_delete;
CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events
WHEN NOT EXISTS (SELECT 1 FROM audit_deletion_permits p WHERE p.org_id = OLD.org_id)
BEGIN
    SELECT RAISE(ABORT, 'audit_events is append-only');
END;
