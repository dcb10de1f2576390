-- Other processes hear of each commit that adds outbox events: a notification on the channel
-- `crw_outbox`, sent by PostgreSQL when (and only if) the inserting transaction commits, one per
-- transaction however many rows it adds. A process's live feed listens on it, as a SQLite process's
-- follows its own writer; the feed then reads the outbox, so the notification carries nothing.
CREATE FUNCTION notify_outbox() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('crw_outbox', '');
    RETURN NULL;
END
$$;

CREATE TRIGGER outbox_events_notify AFTER INSERT ON outbox_events
FOR EACH STATEMENT EXECUTE FUNCTION notify_outbox();
