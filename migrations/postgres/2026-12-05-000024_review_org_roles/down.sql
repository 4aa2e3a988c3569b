DELETE FROM review_item_reviewers WHERE item_id IN (SELECT id FROM review_items WHERE role_id IS NULL);
DELETE FROM review_items WHERE role_id IS NULL;
ALTER TABLE review_items DROP COLUMN org_role;
ALTER TABLE review_items ALTER COLUMN role_id SET NOT NULL;
