-- Every transaction writing outbox events holds one advisory lock shared from its first event to its
-- commit; a follower of the outbox (webhook fan-out, mail notices) takes it exclusively before reading
-- how far the outbox goes. An event's number is drawn when it is written but seen only once committed,
-- so without it a follower could move its cursor past an event still being written and never see it.
-- The key is the store's OUTBOX_WRITERS_LOCK (server/src/store/outbox.rs). SQLite, one writer, needs none.

CREATE FUNCTION outbox_writers_lock() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_advisory_xact_lock_shared(896779780263931768);
    RETURN NULL;
END
$$;

CREATE TRIGGER outbox_events_writers_lock BEFORE INSERT ON outbox_events
    FOR EACH STATEMENT EXECUTE FUNCTION outbox_writers_lock();
