DROP INDEX audit_events_org_id;
DROP TABLE api_keys;
DROP TABLE technical_users;
