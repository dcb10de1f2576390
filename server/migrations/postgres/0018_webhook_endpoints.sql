-- Webhook endpoints configured through the API, and their sealed secrets, as SQLite's migration 0024.
CREATE TABLE webhook_endpoints (
    name        TEXT   PRIMARY KEY,
    source      TEXT   NOT NULL CHECK (source IN ('file', 'api')),
    url         TEXT   NOT NULL,
    events      TEXT   NOT NULL,
    site        TEXT,
    enabled     BIGINT NOT NULL DEFAULT 1 CHECK (enabled IN (0, 1)),
    created_at  TEXT   NOT NULL,
    updated_at  TEXT   NOT NULL
);

CREATE TABLE webhook_secrets (
    id            TEXT   PRIMARY KEY,
    endpoint      TEXT   NOT NULL REFERENCES webhook_endpoints (name) ON DELETE CASCADE,
    sealed        TEXT   NOT NULL,
    created_at    TEXT   NOT NULL,
    expires_at_ms BIGINT
);

CREATE INDEX webhook_secrets_endpoint ON webhook_secrets (endpoint, created_at);
