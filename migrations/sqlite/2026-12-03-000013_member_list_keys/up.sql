-- The members list sorts and searches on keys stored with each membership (folded in Rust:
-- lower case without accents, the same on both databases). The server fills keys that are
-- still NULL when it starts (`members::fill_list_keys`), so existing rows get them too; this
-- index makes that look-up a probe of an empty index once they all have them.
ALTER TABLE memberships ADD COLUMN sort_key TEXT;
ALTER TABLE memberships ADD COLUMN search_key TEXT;
CREATE INDEX memberships_without_list_keys ON memberships (id) WHERE sort_key IS NULL;
-- A page in name order is a walk along this index; status, kind and the search key ride along,
-- so filters, searches and counts never read the table.
CREATE INDEX memberships_org_name ON memberships (org_id, role_holder_only, sort_key, id, status, member_kind, search_key);
CREATE INDEX memberships_org_joined ON memberships (org_id, role_holder_only, created_at, id);
-- The dashboard's "ending soon": role assignments by end date, not every assignment of the organization.
CREATE INDEX role_assignments_org_ends ON role_assignments (org_id, ends_at);
