DROP TRIGGER audit_events_no_delete;
CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events
BEGIN
    SELECT RAISE(ABORT, 'audit_events is append-only');
END;
DROP TABLE audit_deletion_permits;
ALTER TABLE organizations DROP COLUMN deletion_requested_by;
ALTER TABLE organizations DROP COLUMN deletion_reason;
ALTER TABLE organizations DROP COLUMN deletion_due_at;
