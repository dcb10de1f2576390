-- Webhook endpoints an admin configures through the API, beside those of the webhooks file (recorded
-- here too, `source = 'file'`, so a name is unique across both and the API lists them, read-only). The
-- delivery workers of every process read the API's endpoints from here, so a change needs no restart.
CREATE TABLE webhook_endpoints (
    name        TEXT    PRIMARY KEY,
    source      TEXT    NOT NULL CHECK (source IN ('file', 'api')),
    url         TEXT    NOT NULL,
    -- The event types wanted, a JSON array.
    events      TEXT    NOT NULL,
    site        TEXT,
    enabled     INTEGER NOT NULL DEFAULT 1 CHECK (enabled IN (0, 1)),
    created_at  TEXT    NOT NULL,
    updated_at  TEXT    NOT NULL
) STRICT;

-- The signing secrets of the API's endpoints, sealed (ChaCha20-Poly1305 under the server's
-- --webhooks-key, bound to the endpoint and the secret's id): a reader of the database cannot sign.
-- Several during a rotation; an old one may stop signing at `expires_at_ms`.
CREATE TABLE webhook_secrets (
    id            TEXT    PRIMARY KEY,
    endpoint      TEXT    NOT NULL REFERENCES webhook_endpoints (name) ON DELETE CASCADE,
    sealed        TEXT    NOT NULL,
    created_at    TEXT    NOT NULL,
    expires_at_ms INTEGER
) STRICT;

CREATE INDEX webhook_secrets_endpoint ON webhook_secrets (endpoint, created_at);
