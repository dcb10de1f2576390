-- The visitor's confirmation email, as SQLite's migration 0028.
ALTER TABLE contact_requests ADD COLUMN visitor_locale TEXT;

CREATE TABLE confirmation_cursor (
    id       INTEGER PRIMARY KEY CHECK (id = 1),
    last_seq BIGINT  NOT NULL
);

CREATE TABLE mail_confirmations (
    event_seq  BIGINT  PRIMARY KEY,
    state      TEXT    NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'sent', 'failed')),
    next_at_ms BIGINT  NOT NULL,
    attempts   INTEGER NOT NULL DEFAULT 0,
    last_error TEXT
);
CREATE INDEX mail_confirmations_due ON mail_confirmations (state, next_at_ms);
