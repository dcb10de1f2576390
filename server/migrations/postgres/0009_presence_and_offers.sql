-- Push routing, as SQLite's migration 0019.

ALTER TABLE queues ADD COLUMN offer_timeout_seconds BIGINT NOT NULL DEFAULT 30
    CHECK (offer_timeout_seconds BETWEEN 5 AND 600);
ALTER TABLE queues ADD COLUMN offer_cooldown_seconds BIGINT NOT NULL DEFAULT 300
    CHECK (offer_cooldown_seconds BETWEEN 0 AND 86400);

CREATE TABLE presence (
    user_id    TEXT   PRIMARY KEY REFERENCES users (id),
    state      TEXT   NOT NULL DEFAULT 'offline' CHECK (state IN ('available', 'busy', 'offline')),
    capacity   BIGINT NOT NULL DEFAULT 1 CHECK (capacity BETWEEN 1 AND 20),
    changed_at TEXT   NOT NULL,
    seen_at_ms BIGINT NOT NULL DEFAULT 0,
    idle_since TEXT   NOT NULL
);

CREATE TABLE offers (
    id            BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    request_id    TEXT   NOT NULL REFERENCES contact_requests (id),
    queue_id      TEXT   NOT NULL REFERENCES queues (id),
    user_id       TEXT   NOT NULL REFERENCES users (id),
    state         TEXT   NOT NULL DEFAULT 'open'
                  CHECK (state IN ('open', 'accepted', 'declined', 'expired', 'withdrawn')),
    offered_at    TEXT   NOT NULL,
    expires_at_ms BIGINT NOT NULL,
    answered_at   TEXT
);
CREATE UNIQUE INDEX offers_one_open ON offers (request_id) WHERE state = 'open';
CREATE INDEX offers_held ON offers (user_id, state);
CREATE INDEX offers_request ON offers (request_id, user_id, state);
