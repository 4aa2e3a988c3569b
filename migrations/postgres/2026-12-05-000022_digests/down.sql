DROP TABLE digest_sends;
DROP TABLE digest_subscriptions;
ALTER TABLE organizations DROP COLUMN digests_swept;
ALTER TABLE organizations DROP COLUMN digest_default_since;
ALTER TABLE organizations DROP COLUMN digest_default;
