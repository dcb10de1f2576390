-- The email digests' state, as SQLite's migration 0018 (this engine has no outbox yet, so the notices
-- name their event by its number alone).

CREATE TABLE mail_cursor (
    id       INTEGER PRIMARY KEY CHECK (id = 1),
    last_seq BIGINT  NOT NULL
);

CREATE TABLE mail_notices (
    user_id   TEXT   NOT NULL REFERENCES users (id),
    event_seq BIGINT NOT NULL,
    state     TEXT   NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'sent', 'failed')),
    PRIMARY KEY (user_id, event_seq)
);
CREATE INDEX mail_notices_pending ON mail_notices (state, user_id, event_seq);

CREATE TABLE mail_recipients (
    user_id    TEXT    PRIMARY KEY REFERENCES users (id),
    next_at_ms BIGINT  NOT NULL,
    attempts   INTEGER NOT NULL DEFAULT 0,
    last_error TEXT
);
