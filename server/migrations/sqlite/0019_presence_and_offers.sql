-- Push routing: each representative's presence and capacity, each queue's offer timeout and cool-down,
-- and the offers of due callbacks to representatives. At most one open offer per request, decided by the
-- unique index below whoever writes it.

ALTER TABLE queues ADD COLUMN offer_timeout_seconds INTEGER NOT NULL DEFAULT 30
    CHECK (offer_timeout_seconds BETWEEN 5 AND 600);
ALTER TABLE queues ADD COLUMN offer_cooldown_seconds INTEGER NOT NULL DEFAULT 300
    CHECK (offer_cooldown_seconds BETWEEN 0 AND 86400);

CREATE TABLE presence (
    user_id     TEXT    PRIMARY KEY REFERENCES users (id),
    state       TEXT    NOT NULL DEFAULT 'offline' CHECK (state IN ('available', 'busy', 'offline')),
    -- Work items held at once: open offers and accepted requests still open.
    capacity    INTEGER NOT NULL DEFAULT 1 CHECK (capacity BETWEEN 1 AND 20),
    changed_at  TEXT    NOT NULL,
    -- When the console's live connection was last known open (Unix ms): Available counts only within a
    -- minute of it, so a closed laptop stops taking offers.
    seen_at_ms  INTEGER NOT NULL DEFAULT 0,
    -- Since when the representative has had nothing new: the one idle longest is offered first.
    idle_since  TEXT    NOT NULL
) STRICT;

CREATE TABLE offers (
    id            INTEGER PRIMARY KEY,
    request_id    TEXT    NOT NULL REFERENCES contact_requests (id),
    queue_id      TEXT    NOT NULL REFERENCES queues (id),
    user_id       TEXT    NOT NULL REFERENCES users (id),
    state         TEXT    NOT NULL DEFAULT 'open'
                  CHECK (state IN ('open', 'accepted', 'declined', 'expired', 'withdrawn')),
    offered_at    TEXT    NOT NULL,
    expires_at_ms INTEGER NOT NULL,
    answered_at   TEXT
) STRICT;
CREATE UNIQUE INDEX offers_one_open ON offers (request_id) WHERE state = 'open';
CREATE INDEX offers_held ON offers (user_id, state);
CREATE INDEX offers_request ON offers (request_id, user_id, state);
