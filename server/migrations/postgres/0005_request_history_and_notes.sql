-- A request's owner history and notes, as SQLite's migration 0015.

CREATE TABLE contact_request_owner_history (
    seq        BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    record_id  TEXT   NOT NULL,
    old_owner  TEXT,
    new_owner  TEXT   NOT NULL,
    changed_by TEXT   NOT NULL,
    changed_at TEXT   NOT NULL
);
CREATE INDEX contact_request_owner_history_record ON contact_request_owner_history (record_id, seq);

CREATE FUNCTION contact_requests_owner_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO contact_request_owner_history (record_id, old_owner, new_owner, changed_by, changed_at)
    VALUES (NEW.id, OLD.owner_id, NEW.owner_id, coalesce(NEW.last_modified_by_id, '005000000000001AAA'),
            coalesce(NEW.updated_at, stored_now()));
    RETURN NULL;
END
$$;
CREATE TRIGGER contact_requests_owner_changed AFTER UPDATE OF owner_id ON contact_requests
    FOR EACH ROW WHEN (NEW.owner_id IS DISTINCT FROM OLD.owner_id)
    EXECUTE FUNCTION contact_requests_owner_changed();

CREATE TABLE contact_request_notes (
    seq        BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    record_id  TEXT   NOT NULL REFERENCES contact_requests (id),
    body       TEXT   NOT NULL CHECK (char_length(body) BETWEEN 1 AND 32000),
    created_by TEXT   NOT NULL REFERENCES users (id),
    created_at TEXT   NOT NULL
);
CREATE INDEX contact_request_notes_record ON contact_request_notes (record_id, seq);
