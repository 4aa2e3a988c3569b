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
    RAISE EXCEPTION 'audit_events is append-only';
END;
$$ LANGUAGE plpgsql;
DROP TABLE audit_deletion_permits;
ALTER TABLE organizations DROP COLUMN deletion_requested_by;
ALTER TABLE organizations DROP COLUMN deletion_reason;
ALTER TABLE organizations DROP COLUMN deletion_due_at;
