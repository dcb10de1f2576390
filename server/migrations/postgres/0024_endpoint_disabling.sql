-- The failing streak and the disabling of a webhook endpoint, as SQLite's migration 0028.
ALTER TABLE webhook_endpoints ADD COLUMN failing_since_ms BIGINT;
ALTER TABLE webhook_endpoints ADD COLUMN disabled_at TEXT;
ALTER TABLE webhook_endpoints ADD COLUMN disabled_reason TEXT;
