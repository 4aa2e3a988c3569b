-- Access reviews of organization roles (issue 15): an item is a role assignment (role_id) or an
-- organization role held (org_role, its key).
ALTER TABLE review_items ALTER COLUMN role_id DROP NOT NULL;
ALTER TABLE review_items ADD COLUMN org_role TEXT;
