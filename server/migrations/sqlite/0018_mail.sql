-- Email to the members of a request's queue, fed by the outbox like the webhook deliveries: each new
-- request becomes a notice per member, and a member's pending notices go out together in one email at
-- most once per digest window, so a burst of requests sends one email, not fifty.

-- How far the mail worker has taken events into notices (one row).
CREATE TABLE mail_cursor (
    id       INTEGER PRIMARY KEY CHECK (id = 1),
    last_seq INTEGER NOT NULL
) STRICT;

-- One event told to one person: pending until an email listing it is accepted by the SMTP server, or
-- failed once that email's retries are spent.
CREATE TABLE mail_notices (
    user_id   TEXT    NOT NULL REFERENCES users (id),
    event_seq INTEGER NOT NULL REFERENCES outbox_events (seq),
    state     TEXT    NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'sent', 'failed')),
    PRIMARY KEY (user_id, event_seq)
) STRICT, WITHOUT ROWID;
CREATE INDEX mail_notices_pending ON mail_notices (state, user_id, event_seq);

-- Each person's next email: not before `next_at_ms` (the digest window after the last one sent, or the
-- backoff after a failed try), and how often the pending one was tried.
CREATE TABLE mail_recipients (
    user_id    TEXT    PRIMARY KEY REFERENCES users (id),
    next_at_ms INTEGER NOT NULL,
    attempts   INTEGER NOT NULL DEFAULT 0,
    last_error TEXT
) STRICT;
