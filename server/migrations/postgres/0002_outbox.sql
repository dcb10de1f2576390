-- The transactional outbox and the webhooks' deliveries, as SQLite's migration 0012: one event per row,
-- written in the transaction of the change that causes it.

CREATE TABLE outbox_events (
    seq        BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    -- Stable across redeliveries: the `webhook-id` receivers deduplicate on.
    event_id   TEXT   NOT NULL UNIQUE,
    type       TEXT   NOT NULL,
    record_id  TEXT   NOT NULL,
    -- The site the record came through, for endpoints that filter by site.
    site_key   TEXT,
    -- The body delivered: `{"type", "timestamp", "data"}`.
    payload    TEXT   NOT NULL,
    created_at TEXT   NOT NULL
);
CREATE INDEX outbox_events_record ON outbox_events (record_id, seq);

-- How far each configured endpoint has taken events into its deliveries.
CREATE TABLE webhook_cursors (
    endpoint TEXT   PRIMARY KEY,
    last_seq BIGINT NOT NULL
);

-- One event's delivery to one endpoint: pending until a 2xx, or failed once its retries are spent.
CREATE TABLE webhook_deliveries (
    endpoint    TEXT   NOT NULL,
    event_seq   BIGINT NOT NULL REFERENCES outbox_events (seq),
    record_id   TEXT   NOT NULL,
    state       TEXT   NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'delivered', 'failed')),
    attempts    BIGINT NOT NULL DEFAULT 0,
    -- When it may be tried next (Unix ms).
    next_at_ms  BIGINT NOT NULL,
    last_status BIGINT,
    last_error  TEXT,
    PRIMARY KEY (endpoint, event_seq)
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (endpoint, state, next_at_ms);
CREATE INDEX webhook_deliveries_order ON webhook_deliveries (endpoint, record_id, state, event_seq);
