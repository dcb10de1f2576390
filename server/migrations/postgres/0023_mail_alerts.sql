-- Staff alerts, sent at once outside the new-request digest, and the staff notifications each person
-- turned off, as SQLite's migration 0027.
CREATE TABLE mail_alert_cursor (
    id       INTEGER PRIMARY KEY CHECK (id = 1),
    last_seq BIGINT  NOT NULL
);

CREATE TABLE mail_alerts (
    id         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    kind       TEXT   NOT NULL CHECK (kind IN ('callback_due', 'endpoint_disabled')),
    about      TEXT   NOT NULL,
    user_id    TEXT   NOT NULL REFERENCES users (id),
    payload    TEXT   NOT NULL,
    state      TEXT   NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'sent', 'failed')),
    next_at_ms BIGINT NOT NULL,
    attempts   BIGINT NOT NULL DEFAULT 0,
    last_error TEXT,
    UNIQUE (kind, about, user_id)
);

CREATE INDEX mail_alerts_due ON mail_alerts (state, next_at_ms);

CREATE TABLE mail_subscriptions (
    user_id TEXT   NOT NULL REFERENCES users (id),
    kind    TEXT   NOT NULL CHECK (kind IN ('new_requests', 'callback_due')),
    token   TEXT   NOT NULL UNIQUE,
    enabled BIGINT NOT NULL DEFAULT 1 CHECK (enabled IN (0, 1)),
    PRIMARY KEY (user_id, kind)
);
