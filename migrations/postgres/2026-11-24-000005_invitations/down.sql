DROP TABLE member_imports;
DROP TABLE invitations;
ALTER TABLE organizations DROP COLUMN invitation_reminder_days;
ALTER TABLE organizations DROP COLUMN invitation_valid_days;
ALTER TABLE organizations DROP COLUMN phone_region;
