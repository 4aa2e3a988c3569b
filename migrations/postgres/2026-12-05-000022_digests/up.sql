-- Digests (issue 15; seed permission-matrix): the organization's default frequency, each
-- person's own choice per scope (the organization, or a unit and everything below it), and one
-- row per digest sent — its uniqueness is what makes "once per period" hold across instances.
ALTER TABLE organizations ADD COLUMN digest_default TEXT NOT NULL DEFAULT 'monthly';
-- When the default last changed (NULL: since the organization was created).
ALTER TABLE organizations ADD COLUMN digest_default_since TIMESTAMP;
-- The periods (their keys) that had ended when the organization's digests were last sent: the
-- sweep runs again only once another period ends.
ALTER TABLE organizations ADD COLUMN digests_swept TEXT;

CREATE TABLE digest_subscriptions (
    id BIGSERIAL PRIMARY KEY,
    org_id BIGINT NOT NULL REFERENCES organizations (id),
    membership_id BIGINT NOT NULL REFERENCES memberships (id),
    -- NULL: the whole organization; else this unit and everything below it.
    unit_id BIGINT REFERENCES units (id),
    -- 0 for the organization, else the unit's id (NULLs are never equal in a unique index).
    scope_key BIGINT NOT NULL,
    -- off, weekly, monthly, quarterly
    frequency TEXT NOT NULL,
    -- When this choice took effect: only periods that end after it are sent.
    since TIMESTAMP NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    UNIQUE (membership_id, scope_key)
);
CREATE INDEX digest_subscriptions_org ON digest_subscriptions (org_id);

CREATE TABLE digest_sends (
    id BIGSERIAL PRIMARY KEY,
    org_id BIGINT NOT NULL REFERENCES organizations (id),
    membership_id BIGINT NOT NULL REFERENCES memberships (id),
    scope_key BIGINT NOT NULL,
    -- The period's key: 2026-W49, 2026-11, 2026-Q4.
    period TEXT NOT NULL,
    sent_at TIMESTAMP NOT NULL,
    UNIQUE (membership_id, scope_key, period)
);
CREATE INDEX digest_sends_org ON digest_sends (org_id);
