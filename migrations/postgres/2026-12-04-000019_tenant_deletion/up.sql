-- Deleting a whole organization after a grace period (the sysadmin schedules it; the owners are
-- mailed; it can be cancelled until it is due). When it is due, everything of the organization
-- goes in one transaction — its audit events too, which is the one DELETE the append-only rule
-- permits, and only while a permit row for that organization exists inside that transaction. A
-- platform-level audit event (no organization) keeps that it happened.
ALTER TABLE organizations ADD COLUMN deletion_due_at TIMESTAMP;
ALTER TABLE organizations ADD COLUMN deletion_reason TEXT;
ALTER TABLE organizations ADD COLUMN deletion_requested_by BIGINT REFERENCES platform_staff (id);

CREATE TABLE audit_deletion_permits (
    id BIGSERIAL PRIMARY KEY,
    org_id BIGINT NOT NULL
);

CREATE OR REPLACE FUNCTION audit_events_append_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'UPDATE'
        AND EXISTS (SELECT 1 FROM audit_redaction_permits p WHERE p.org_id IS NOT DISTINCT FROM OLD.org_id)
        AND (NEW.id, NEW.org_id, NEW.occurred_at, NEW.actor_kind, NEW.actor_id, NEW.actor_staff_id, NEW.action,
             NEW.target_kind, NEW.target_id, NEW.unit_id, NEW.request_id)
            IS NOT DISTINCT FROM
            (OLD.id, OLD.org_id, OLD.occurred_at, OLD.actor_kind, OLD.actor_id, OLD.actor_staff_id, OLD.action,
             OLD.target_kind, OLD.target_id, OLD.unit_id, OLD.request_id)
    THEN
        RETURN NEW;
    END IF;
    IF TG_OP = 'DELETE' AND EXISTS (SELECT 1 FROM audit_deletion_permits p WHERE p.org_id = OLD.org_id) THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION 'audit_events is append-only';
END;
$$ LANGUAGE plpgsql;
