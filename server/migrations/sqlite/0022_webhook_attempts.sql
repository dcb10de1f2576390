-- The delivery log: every try of a webhook delivery, kept beside the delivery's state. A replay makes a
-- delivery pending again and starts its retry schedule over from the tries it had (`schedule_from`),
-- so the log keeps counting its tries while the backoff begins again at its first wait.
ALTER TABLE webhook_deliveries ADD COLUMN schedule_from INTEGER NOT NULL DEFAULT 0;

CREATE TABLE webhook_attempts (
    id          INTEGER PRIMARY KEY,
    endpoint    TEXT    NOT NULL,
    event_seq   INTEGER NOT NULL,
    -- Which try of the delivery this was, from 1.
    attempt     INTEGER NOT NULL,
    -- When it was posted (Unix ms, on the deliveries' clock).
    at_ms       INTEGER NOT NULL,
    -- The receiver's HTTP status; NULL when no answer came (a timeout, a refused connection).
    status      INTEGER,
    -- What went wrong, when it was not a 2xx.
    error       TEXT,
    latency_ms  INTEGER NOT NULL,
    -- The first bytes of the answer's body (webhooks::log::ANSWER_BYTES), as text.
    answer      TEXT    NOT NULL,
    FOREIGN KEY (endpoint, event_seq) REFERENCES webhook_deliveries (endpoint, event_seq)
) STRICT;

CREATE INDEX webhook_attempts_delivery ON webhook_attempts (endpoint, event_seq, id);
CREATE INDEX webhook_attempts_age ON webhook_attempts (at_ms);
