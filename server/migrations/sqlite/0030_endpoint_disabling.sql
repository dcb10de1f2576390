-- An endpoint failing every delivery for five days is disabled: since when its tries have failed with
-- no 2xx between (NULL after a success), and when and why it was disabled (NULL unless the server did).
ALTER TABLE webhook_endpoints ADD COLUMN failing_since_ms INTEGER;
ALTER TABLE webhook_endpoints ADD COLUMN disabled_at TEXT;
ALTER TABLE webhook_endpoints ADD COLUMN disabled_reason TEXT;
