DELETE FROM access_tokens WHERE purpose = 'sign_in_link';
ALTER TABLE access_tokens DROP CONSTRAINT access_tokens_purpose_check;
ALTER TABLE access_tokens ADD CONSTRAINT access_tokens_purpose_check
    CHECK (purpose IN ('password_reset', 'invitation', 'email_change_new', 'email_change_old'));
