DROP TABLE pending_sign_ins;
DROP TABLE recovery_codes;
ALTER TABLE organizations DROP COLUMN require_two_factor;
ALTER TABLE users DROP COLUMN totp_enabled_at;
ALTER TABLE users DROP COLUMN totp_last_step;
ALTER TABLE users DROP COLUMN totp_pending_secret;
ALTER TABLE users DROP COLUMN totp_secret;
