-- XDM ExperienceEvents and the aggregate-only counts of browsers that send `Sec-GPC: 1`, as SQLite's
-- migration 0023.
CREATE TABLE experience_events (
    seq                 BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    site_key            TEXT   NOT NULL,
    id                  TEXT   NOT NULL,
    occurred_at         TEXT   NOT NULL,
    event_type          TEXT   NOT NULL,
    measure             TEXT   NOT NULL,
    session_id          TEXT,
    contact_request_id  TEXT,
    body                TEXT   NOT NULL,
    UNIQUE (site_key, id)
);

CREATE INDEX experience_events_time ON experience_events (site_key, occurred_at);
CREATE INDEX experience_events_age ON experience_events (occurred_at);

CREATE TABLE experience_event_totals (
    site_key    TEXT   NOT NULL,
    day         TEXT   NOT NULL,
    measure     TEXT   NOT NULL,
    count       BIGINT NOT NULL,
    PRIMARY KEY (site_key, day, measure)
);
