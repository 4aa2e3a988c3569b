DROP TRIGGER audit_events_no_update;
CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events
BEGIN
    SELECT RAISE(ABORT, 'audit_events is append-only');
END;
DROP TABLE audit_redaction_permits;
DROP INDEX email_outbox_org;
DROP INDEX audit_events_actor;
DROP INDEX audit_events_target;
DROP INDEX invitations_invited_by;
DROP INDEX access_requests_decider;
DROP INDEX memberships_end_date;
DROP TABLE compliance_cases;
ALTER TABLE memberships DROP COLUMN ended_at;
ALTER TABLE organizations DROP COLUMN auto_anonymize_days;
