DROP TABLE access_requests;
ALTER TABLE organizations DROP COLUMN request_expiry_days;
ALTER TABLE organizations DROP COLUMN request_reminder_days;
