DELETE FROM review_item_reviewers WHERE item_id IN (SELECT id FROM review_items WHERE role_id IS NULL);
DELETE FROM review_items WHERE role_id IS NULL;
ALTER TABLE review_item_reviewers RENAME TO review_item_reviewers_old;
ALTER TABLE review_items RENAME TO review_items_old;
CREATE TABLE review_items (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    org_id BIGINT NOT NULL REFERENCES organizations (id),
    campaign_id BIGINT NOT NULL REFERENCES review_campaigns (id),
    assignment_id BIGINT,
    membership_id BIGINT NOT NULL REFERENCES memberships (id),
    role_id BIGINT NOT NULL REFERENCES roles (id),
    unit_id BIGINT,
    member_name TEXT NOT NULL,
    role_name TEXT NOT NULL,
    unit_name TEXT,
    helpers TEXT NOT NULL,
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
INSERT INTO review_items SELECT id, org_id, campaign_id, assignment_id, membership_id, role_id, unit_id, member_name, role_name, unit_name, helpers, state, decision, comment,
    decided_by, decided_by_kind, decided_at, proposed, proposed_by, proposed_at, proposed_comment, applied_at FROM review_items_old;
CREATE TABLE review_item_reviewers (
    item_id BIGINT NOT NULL REFERENCES review_items (id),
    membership_id BIGINT NOT NULL REFERENCES memberships (id),
    PRIMARY KEY (item_id, membership_id)
);
INSERT INTO review_item_reviewers SELECT item_id, membership_id FROM review_item_reviewers_old;
DROP TABLE review_item_reviewers_old;
DROP TABLE review_items_old;
CREATE INDEX review_items_campaign ON review_items (campaign_id, id);
CREATE INDEX review_item_reviewers_member ON review_item_reviewers (membership_id, item_id);
