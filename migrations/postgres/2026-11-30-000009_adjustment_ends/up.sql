-- Personal additions may end (a single permission granted through an access request with an end
-- date): they stop granting at that time, checked at decision time like an assignment's end.
ALTER TABLE member_adjustments ADD COLUMN ends_at TIMESTAMP;
-- Sign-in throttle keys are now hashes (no addresses kept); earlier rows named the address in
-- plain text. The throttle state is short-lived: start it afresh.
DELETE FROM sign_in_throttle;
