-- The delivery log, as SQLite's migration 0022: every try of a webhook delivery, and where a replay
-- started the delivery's retry schedule over.
ALTER TABLE webhook_deliveries ADD COLUMN schedule_from BIGINT NOT NULL DEFAULT 0;

CREATE TABLE webhook_attempts (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    endpoint    TEXT   NOT NULL,
    event_seq   BIGINT NOT NULL,
    attempt     BIGINT NOT NULL,
    at_ms       BIGINT NOT NULL,
    status      BIGINT,
    error       TEXT,
    latency_ms  BIGINT NOT NULL,
    answer      TEXT   NOT NULL,
    FOREIGN KEY (endpoint, event_seq) REFERENCES webhook_deliveries (endpoint, event_seq)
);

CREATE INDEX webhook_attempts_delivery ON webhook_attempts (endpoint, event_seq, id);
CREATE INDEX webhook_attempts_age ON webhook_attempts (at_ms);
