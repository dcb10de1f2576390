-- The transactional outbox: one row per event, written in the transaction of the change that causes it,
-- so no change is acknowledged without its event and no event tells of a change that was rolled back.
CREATE TABLE outbox_events (
    seq         INTEGER PRIMARY KEY,
    -- Stable across redeliveries: the `webhook-id` receivers deduplicate on.
    event_id    TEXT    NOT NULL UNIQUE,
    type        TEXT    NOT NULL,
    record_id   TEXT    NOT NULL,
    -- The site the record came through, for endpoints that filter by site.
    site_key    TEXT,
    -- The body delivered: `{"type", "timestamp", "data"}`.
    payload     TEXT    NOT NULL,
    created_at  TEXT    NOT NULL
) STRICT;

CREATE INDEX outbox_events_record ON outbox_events (record_id, seq);

-- How far each configured endpoint has taken events into its deliveries.
CREATE TABLE webhook_cursors (
    endpoint    TEXT    PRIMARY KEY,
    last_seq    INTEGER NOT NULL
) STRICT;

-- One event's delivery to one endpoint: pending until a 2xx, or failed once its retries are spent.
CREATE TABLE webhook_deliveries (
    endpoint    TEXT    NOT NULL,
    event_seq   INTEGER NOT NULL REFERENCES outbox_events (seq),
    record_id   TEXT    NOT NULL,
    state       TEXT    NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'delivered', 'failed')),
    attempts    INTEGER NOT NULL DEFAULT 0,
    -- When it may be tried next (Unix ms).
    next_at_ms  INTEGER NOT NULL,
    last_status INTEGER,
    last_error  TEXT,
    PRIMARY KEY (endpoint, event_seq)
) STRICT;

CREATE INDEX webhook_deliveries_due ON webhook_deliveries (endpoint, state, next_at_ms);
CREATE INDEX webhook_deliveries_order ON webhook_deliveries (endpoint, record_id, state, event_seq);
