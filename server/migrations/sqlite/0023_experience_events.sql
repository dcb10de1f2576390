-- XDM ExperienceEvents of the Contact Request Details field group: what the widget reported and what the
-- server recorded itself (a sent request's `web.formFilledOut`, written with the request). No IP address
-- and no user agent are kept. Each event records one occurrence of one measure (`chatOffered`, …), so
-- the daily counts are a count of rows.
CREATE TABLE experience_events (
    seq                 INTEGER PRIMARY KEY,
    site_key            TEXT    NOT NULL,
    -- The event's `@id`: a beacon sent twice is kept once.
    id                  TEXT    NOT NULL,
    -- `xdm:timestamp`, in the stored instant format.
    occurred_at         TEXT    NOT NULL,
    event_type          TEXT    NOT NULL,
    measure             TEXT    NOT NULL,
    -- `xdm:chatSessionID`: the widget's per-page-view id; NULL on the server's own events.
    session_id          TEXT,
    -- The request a `web.formFilledOut` event records.
    contact_request_id  TEXT,
    -- The event as exported: JSON-LD, as the schemas of server/xdm/ define it.
    body                TEXT    NOT NULL,
    UNIQUE (site_key, id)
) STRICT;

CREATE INDEX experience_events_time ON experience_events (site_key, occurred_at);
CREATE INDEX experience_events_age ON experience_events (occurred_at);

-- Events of browsers that asked not to be tracked (`Sec-GPC: 1`): counted per site, day and measure,
-- and nothing else of them kept.
CREATE TABLE experience_event_totals (
    site_key    TEXT    NOT NULL,
    day         TEXT    NOT NULL,
    measure     TEXT    NOT NULL,
    count       INTEGER NOT NULL,
    PRIMARY KEY (site_key, day, measure)
) STRICT;
