-- Access reviews of platform staff (issue 15; seed isms: "the permissions of internal users are
-- reviewed every three months"). One plan for the platform (a single row; until it is written
-- the defaults apply: quarterly, two weeks, unanswered kept); each run is a campaign whose
-- population — every staff member whose role may act in organizations — is frozen when it
-- starts, decided item by item by staff who may assign staff roles (never their own), settled
-- at the deadline by the plan's rule and kept as evidence once closed.
CREATE TABLE staff_review_plan (
    id INTEGER PRIMARY KEY,
    -- monthly, quarterly, half_yearly, yearly
    schedule TEXT NOT NULL,
    duration_days INTEGER NOT NULL,
    -- keep, reduce
    no_response TEXT NOT NULL,
    inactive_days INTEGER NOT NULL DEFAULT 30,
    next_start_at TIMESTAMP,
    updated_at TIMESTAMP NOT NULL,
    updated_by_kind TEXT NOT NULL,
    updated_by_id BIGINT
);

CREATE TABLE staff_review_campaigns (
    id BIGSERIAL PRIMARY KEY,
    -- running, closed
    state TEXT NOT NULL,
    -- One campaign per start: two instances starting the same one collide here.
    started_at TIMESTAMP NOT NULL UNIQUE,
    deadline_at TIMESTAMP NOT NULL,
    closed_at TIMESTAMP,
    reminded_at TIMESTAMP,
    -- The plan as it was when the campaign started (JSON: gatehouse_domain::staff::StaffReviewPlan).
    plan_snapshot TEXT NOT NULL,
    started_by_kind TEXT NOT NULL,
    started_by_id BIGINT
);
-- At most one campaign runs at a time.
CREATE UNIQUE INDEX staff_review_campaigns_running ON staff_review_campaigns (state) WHERE state = 'running';

CREATE TABLE staff_review_items (
    id BIGSERIAL PRIMARY KEY,
    campaign_id BIGINT NOT NULL REFERENCES staff_review_campaigns (id),
    staff_id BIGINT NOT NULL REFERENCES platform_staff (id),
    -- As frozen: the evidence keeps them.
    staff_name TEXT NOT NULL,
    staff_email TEXT NOT NULL,
    staff_role TEXT NOT NULL,
    -- JSON: gatehouse_domain::staff::StaffHelpers, and the reviewers' staff ids
    helpers TEXT NOT NULL,
    reviewers TEXT NOT NULL,
    -- keep, reduce; NULL while open
    decision TEXT,
    comment TEXT,
    -- staff (a reviewer) or system (the plan's rule at the deadline)
    decided_by_kind TEXT,
    decided_by BIGINT,
    decided_by_name TEXT,
    decided_at TIMESTAMP,
    UNIQUE (campaign_id, staff_id)
);
