-- Acknowledgments and training (issue 15; seeds user-levels and roles-responsibilities-isms):
-- policies to accept and trainings to complete, asked of everyone or of a unit and everything
-- below it, once or again every so many months; each time someone does one; and the reminders
-- sent, one per person, due date and stage (claimed by the unique key across instances).
CREATE TABLE policies (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    org_id BIGINT NOT NULL REFERENCES organizations (id),
    -- policy, training
    kind TEXT NOT NULL,
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    url TEXT,
    -- NULL: once; else again this many months after it was last done.
    recurrence_months INTEGER,
    due_days INTEGER NOT NULL,
    -- NULL: everyone; else this unit and everything below it.
    unit_id BIGINT REFERENCES units (id),
    published_at TIMESTAMP NOT NULL,
    retired_at TIMESTAMP,
    -- When the reminder sweep last looked at it (one instance an hour).
    checked_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    version INTEGER NOT NULL DEFAULT 1,
    updated_by_kind TEXT NOT NULL,
    updated_by_id BIGINT
);
CREATE INDEX policies_org ON policies (org_id, id);

CREATE TABLE policy_acceptances (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    org_id BIGINT NOT NULL REFERENCES organizations (id),
    policy_id BIGINT NOT NULL REFERENCES policies (id),
    membership_id BIGINT NOT NULL REFERENCES memberships (id),
    done_at TIMESTAMP NOT NULL,
    -- user, or staff_as_user when support did it for them
    actor_kind TEXT NOT NULL
);
CREATE INDEX policy_acceptances_policy ON policy_acceptances (policy_id, membership_id, done_at);

CREATE TABLE policy_reminders (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    org_id BIGINT NOT NULL REFERENCES organizations (id),
    policy_id BIGINT NOT NULL REFERENCES policies (id),
    membership_id BIGINT NOT NULL REFERENCES memberships (id),
    due_at TIMESTAMP NOT NULL,
    -- due (a week before), overdue (after)
    stage TEXT NOT NULL,
    sent_at TIMESTAMP NOT NULL,
    UNIQUE (policy_id, membership_id, due_at, stage)
);
