ALTER TABLE sessions DROP COLUMN support_session_id;
DROP TABLE support_sessions;
ALTER TABLE organizations DROP COLUMN support_access;
