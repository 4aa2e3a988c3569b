DROP INDEX access_tokens_user;
DROP TABLE access_tokens;
