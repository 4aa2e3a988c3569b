-- Access review campaigns (issue 15). A plan says what is reviewed, by whom, when and what an
-- unanswered item becomes; each run of it is a campaign whose population is frozen when it
-- starts (one item per role assignment, with the names as they were), reviewed item by item,
-- and kept as evidence once closed.
CREATE TABLE review_plans (
    id BIGSERIAL PRIMARY KEY,
    org_id BIGINT NOT NULL REFERENCES organizations (id),
    name TEXT NOT NULL,
    -- JSON: gatehouse_domain::reviews::Population and ::ReviewerPlan
    population TEXT NOT NULL,
    reviewers TEXT NOT NULL,
    -- once, monthly, quarterly, half_yearly, yearly
    schedule TEXT NOT NULL,
    duration_days INTEGER NOT NULL,
    keep_needs_comment BOOLEAN NOT NULL DEFAULT FALSE,
    -- keep, revoke, escalate_keep, escalate_revoke
    no_response TEXT NOT NULL,
    escalation_days INTEGER NOT NULL DEFAULT 7,
    inactive_days INTEGER NOT NULL DEFAULT 30,
    next_start_at TIMESTAMP,
    active BOOLEAN NOT NULL DEFAULT TRUE,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    version INTEGER NOT NULL DEFAULT 1,
    updated_by_kind TEXT NOT NULL,
    updated_by_id BIGINT
);
CREATE INDEX review_plans_due ON review_plans (next_start_at) WHERE active;
CREATE UNIQUE INDEX review_plans_name ON review_plans (org_id, name);

CREATE TABLE review_campaigns (
    id BIGSERIAL PRIMARY KEY,
    org_id BIGINT NOT NULL REFERENCES organizations (id),
    plan_id BIGINT NOT NULL REFERENCES review_plans (id),
    -- running, closed
    state TEXT NOT NULL,
    started_at TIMESTAMP NOT NULL,
    deadline_at TIMESTAMP NOT NULL,
    escalation_until TIMESTAMP,
    closed_at TIMESTAMP,
    -- When the reviewers with open items were reminded (two days before the deadline).
    reminded_at TIMESTAMP,
    -- The plan as it was when the campaign started (JSON), so the evidence says what was asked.
    plan_snapshot TEXT NOT NULL,
    UNIQUE (plan_id, started_at)
);
CREATE INDEX review_campaigns_org ON review_campaigns (org_id, id);
CREATE INDEX review_campaigns_open ON review_campaigns (deadline_at) WHERE state = 'running';

CREATE TABLE review_items (
    id BIGSERIAL PRIMARY KEY,
    org_id BIGINT NOT NULL REFERENCES organizations (id),
    campaign_id BIGINT NOT NULL REFERENCES review_campaigns (id),
    -- The assignment reviewed; NULL once it is gone (revoked here or elsewhere).
    assignment_id BIGINT,
    membership_id BIGINT NOT NULL REFERENCES memberships (id),
    role_id BIGINT NOT NULL REFERENCES roles (id),
    unit_id BIGINT,
    -- Names when frozen (the evidence keeps them; anonymization redacts member_name).
    member_name TEXT NOT NULL,
    role_name TEXT NOT NULL,
    unit_name TEXT,
    -- JSON: gatehouse_domain::reviews::Helpers
    helpers TEXT NOT NULL,
    -- pending, escalated, proposed, final
    state TEXT NOT NULL,
    decision TEXT,
    comment TEXT,
    decided_by BIGINT,
    decided_by_kind TEXT,
    decided_at TIMESTAMP,
    proposed TEXT,
    proposed_by BIGINT,
    proposed_at TIMESTAMP,
    proposed_comment TEXT,
    applied_at TIMESTAMP
);
CREATE INDEX review_items_campaign ON review_items (campaign_id, id);

CREATE TABLE review_item_reviewers (
    item_id BIGINT NOT NULL REFERENCES review_items (id),
    membership_id BIGINT NOT NULL REFERENCES memberships (id),
    PRIMARY KEY (item_id, membership_id)
);
CREATE INDEX review_item_reviewers_member ON review_item_reviewers (membership_id, item_id);
