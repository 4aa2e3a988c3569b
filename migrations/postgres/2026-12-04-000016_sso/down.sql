ALTER TABLE organizations DROP COLUMN require_sso;
DROP TABLE sso_assignments;
DROP TABLE sso_logins;
DROP TABLE sso_identities;
DROP TABLE sso_group_mappings;
DROP TABLE sso_providers;
