ALTER TABLE member_adjustments DROP COLUMN ends_at;
