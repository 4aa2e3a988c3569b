DROP INDEX role_assignments_org_ends;
DROP INDEX memberships_org_joined;
DROP INDEX memberships_org_name;
DROP INDEX memberships_without_list_keys;
ALTER TABLE memberships DROP COLUMN search_key;
ALTER TABLE memberships DROP COLUMN sort_key;
