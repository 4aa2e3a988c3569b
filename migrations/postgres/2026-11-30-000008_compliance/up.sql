-- Leaving and anonymization (issue 6). Ending a membership opens a compliance case and mails
-- the compliance managers; a case stays open until the person is anonymized. A reminder date
-- (the organization's calendar) brings the mail again; an optional organization setting
-- anonymizes automatically N days after leaving (off by default).
ALTER TABLE organizations ADD COLUMN auto_anonymize_days INTEGER;
ALTER TABLE memberships ADD COLUMN ended_at TIMESTAMP;

CREATE TABLE compliance_cases (
    id BIGSERIAL PRIMARY KEY,
    org_id BIGINT NOT NULL REFERENCES organizations (id),
    membership_id BIGINT NOT NULL REFERENCES memberships (id) UNIQUE,
    status TEXT NOT NULL CHECK (status IN ('open', 'anonymized')),
    ended_at TIMESTAMP NOT NULL,
    remind_on DATE,
    reminded_at TIMESTAMP,
    pseudonym TEXT,
    anonymized_at TIMESTAMP,
    anonymized_by_kind TEXT,
    anonymized_by_id BIGINT,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    version INTEGER NOT NULL DEFAULT 1,
    updated_by_kind TEXT NOT NULL,
    updated_by_id BIGINT
);
CREATE INDEX compliance_cases_org ON compliance_cases (org_id, status);
CREATE INDEX compliance_cases_remind ON compliance_cases (remind_on);
CREATE INDEX memberships_end_date ON memberships (end_date);

-- Indexes the "linked to this person" page and the anonymization read by.
CREATE INDEX access_requests_decider ON access_requests (decided_by);
CREATE INDEX invitations_invited_by ON invitations (invited_by);
CREATE INDEX audit_events_target ON audit_events (target_kind, target_id);
CREATE INDEX audit_events_actor ON audit_events (actor_kind, actor_id);
CREATE INDEX email_outbox_org ON email_outbox (org_id);

-- The one permitted change to audit rows: redacting personal values in before/after data
-- while an anonymization holds a permit for that organization. The permit row is written and
-- removed inside the anonymization's own transaction, so no other transaction ever sees it;
-- every other column must stay as it was, and DELETE stays refused.
CREATE TABLE audit_redaction_permits (
    id BIGSERIAL PRIMARY KEY,
    org_id BIGINT
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
    RAISE EXCEPTION 'audit_events is append-only';
END;
$$ LANGUAGE plpgsql;
