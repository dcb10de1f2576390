-- The visitor's confirmation email: the language the widget was shown in, kept with the request, and
-- one confirmation per new request of a site that sends them, fed by the outbox like the queue's
-- notices (migration 0018).

-- The widget's locale tag (`en`, `fr`); NULL when the sender did not say (the API, telephony, older
-- widgets), which reads as the default.
ALTER TABLE contact_requests ADD COLUMN visitor_locale TEXT;

-- How far the confirmations have taken the outbox's `contact_request.created` events (one row).
CREATE TABLE confirmation_cursor (
    id       INTEGER PRIMARY KEY CHECK (id = 1),
    last_seq INTEGER NOT NULL
) STRICT;

-- One email to the visitor of one request: pending until the SMTP server accepts it, tried again at
-- `next_at_ms` after a failure (or when the lease of the process sending it runs out), failed once the
-- retries are spent.
CREATE TABLE mail_confirmations (
    event_seq  INTEGER PRIMARY KEY REFERENCES outbox_events (seq),
    state      TEXT    NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'sent', 'failed')),
    next_at_ms INTEGER NOT NULL,
    attempts   INTEGER NOT NULL DEFAULT 0,
    last_error TEXT
) STRICT;
CREATE INDEX mail_confirmations_due ON mail_confirmations (state, next_at_ms);
