-- Forwarding to Adobe Experience Platform, as SQLite's migration 0027.
CREATE TABLE platform_cursors (
    site_key     TEXT   PRIMARY KEY,
    last_seq     BIGINT NOT NULL,
    attempts     BIGINT NOT NULL DEFAULT 0,
    next_at_ms   BIGINT NOT NULL DEFAULT 0,
    last_status  BIGINT,
    last_error   TEXT,
    forwarded    BIGINT NOT NULL DEFAULT 0
);

CREATE TABLE platform_failures (
    site_key   TEXT   NOT NULL,
    event_seq  BIGINT NOT NULL,
    event_id   TEXT   NOT NULL,
    at_ms      BIGINT NOT NULL,
    status     BIGINT,
    error      TEXT   NOT NULL,
    PRIMARY KEY (site_key, event_seq)
);

-- An event's `seq` is drawn when it is written but seen only once committed, so a forwarder reading on
-- from its cursor could pass an event still being written and never send it. As for the outbox (0011):
-- every transaction writing events holds this advisory lock shared until it ends, and a forwarder takes
-- it exclusively before it reads. The key is the store's EVENTS_WRITERS_LOCK
-- (server/src/store/forwarding.rs).
CREATE FUNCTION experience_events_writers_lock() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_advisory_xact_lock_shared(8241438215838328439);
    RETURN NULL;
END
$$;

CREATE TRIGGER experience_events_writers_lock BEFORE INSERT ON experience_events
    FOR EACH STATEMENT EXECUTE FUNCTION experience_events_writers_lock();
