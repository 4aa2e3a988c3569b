-- Leaving and anonymization (issue 6). Ending a membership opens a compliance case and mails
-- the compliance managers; a case stays open until the person is anonymized. A reminder date
-- (the organization's calendar) brings the mail again; an optional organization setting
-- anonymizes automatically N days after leaving (off by default).
ALTER TABLE organizations ADD COLUMN auto_anonymize_days INTEGER;
ALTER TABLE memberships ADD COLUMN ended_at TIMESTAMP;

CREATE TABLE compliance_cases (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
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
-- removed inside the anonymization's own transaction, so no other connection ever sees it;
-- every other column must stay as it was, and DELETE stays refused.
CREATE TABLE audit_redaction_permits (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    org_id BIGINT
);

DROP TRIGGER audit_events_no_update;
CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events
WHEN NOT (
    EXISTS (SELECT 1 FROM audit_redaction_permits p WHERE p.org_id IS OLD.org_id)
    AND NEW.id = OLD.id AND NEW.org_id IS OLD.org_id AND NEW.occurred_at = OLD.occurred_at
    AND NEW.actor_kind = OLD.actor_kind AND NEW.actor_id IS OLD.actor_id AND NEW.actor_staff_id IS OLD.actor_staff_id
    AND NEW.action = OLD.action AND NEW.target_kind = OLD.target_kind AND NEW.target_id IS OLD.target_id
    AND NEW.unit_id IS OLD.unit_id AND NEW.request_id IS OLD.request_id
)
BEGIN
    SELECT RAISE(ABORT, 'audit_events is append-only');
END;
