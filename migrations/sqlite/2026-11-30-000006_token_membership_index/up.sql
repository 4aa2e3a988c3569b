-- An invitation's link is found (and ended) by its membership: resend, revoke, each invite of an
-- import. Without this index every invitation scanned every token.
CREATE INDEX access_tokens_membership ON access_tokens (membership_id, purpose);
