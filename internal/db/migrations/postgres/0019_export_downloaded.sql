-- When the person first downloaded their archive (internal/export): until
-- then every page tells them it is ready.
ALTER TABLE exports ADD COLUMN downloaded_at TIMESTAMPTZ;
