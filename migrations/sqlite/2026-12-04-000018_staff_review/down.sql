ALTER TABLE platform_staff DROP COLUMN reviewed_at;
