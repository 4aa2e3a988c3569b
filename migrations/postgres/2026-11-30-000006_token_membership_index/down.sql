DROP INDEX access_tokens_membership;
