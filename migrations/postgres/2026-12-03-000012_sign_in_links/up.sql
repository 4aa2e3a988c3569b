-- A single-use link that signs a person in while their password sign-in is throttled (too many
-- wrong passwords, perhaps someone else's): the owner is slowed down, never locked out for good.
ALTER TABLE access_tokens DROP CONSTRAINT access_tokens_purpose_check;
ALTER TABLE access_tokens ADD CONSTRAINT access_tokens_purpose_check
    CHECK (purpose IN ('password_reset', 'invitation', 'email_change_new', 'email_change_old', 'sign_in_link'));
