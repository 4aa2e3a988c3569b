-- When a staff member's permissions were last reviewed (seed isms: every three months). Until the
-- first review, their creation counts.
ALTER TABLE platform_staff ADD COLUMN reviewed_at TIMESTAMP;
