-- Staff alerts: emails that go at once, one per thing told and person, outside the new-request digest:
-- a callback assigned to a representative falling due, and a webhook endpoint disabled after five days
-- of failures (to each admin). Each is pending until the SMTP server accepts it, and retried on the
-- webhooks' schedule meanwhile; the unique key makes a second writer of the same alert do nothing.

-- How far the mail worker has taken `callback.due` events into alerts (one row).
CREATE TABLE mail_alert_cursor (
    id       INTEGER PRIMARY KEY CHECK (id = 1),
    last_seq INTEGER NOT NULL
) STRICT;

CREATE TABLE mail_alerts (
    id         INTEGER PRIMARY KEY,
    kind       TEXT    NOT NULL CHECK (kind IN ('callback_due', 'endpoint_disabled')),
    -- What it tells of: the `callback.due` event's number; the endpoint's name and when it was disabled.
    about      TEXT    NOT NULL,
    user_id    TEXT    NOT NULL REFERENCES users (id),
    -- What the email says, as JSON.
    payload    TEXT    NOT NULL,
    state      TEXT    NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'sent', 'failed')),
    -- Not tried before this (the backoff after a failed try, or a taker's lease).
    next_at_ms INTEGER NOT NULL,
    attempts   INTEGER NOT NULL DEFAULT 0,
    last_error TEXT,
    UNIQUE (kind, about, user_id)
) STRICT;

CREATE INDEX mail_alerts_due ON mail_alerts (state, next_at_ms);

-- Each person's staff notifications by kind: off once they unsubscribe (or turn it off in the console),
-- and the random token of the kind's one-click unsubscribe link, made with its first email. No row: on.
CREATE TABLE mail_subscriptions (
    user_id TEXT    NOT NULL REFERENCES users (id),
    kind    TEXT    NOT NULL CHECK (kind IN ('new_requests', 'callback_due')),
    token   TEXT    NOT NULL UNIQUE,
    enabled INTEGER NOT NULL DEFAULT 1 CHECK (enabled IN (0, 1)),
    PRIMARY KEY (user_id, kind)
) STRICT;
