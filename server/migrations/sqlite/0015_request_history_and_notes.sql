-- A request's history beyond its status: every change of owner (a claim, a return to the queue, a
-- reassign, an API update) and the notes representatives keep on it. The console merges these with
-- contact_request_status_history.

CREATE TABLE contact_request_owner_history (
    seq         INTEGER PRIMARY KEY,
    record_id   TEXT NOT NULL,
    old_owner   TEXT,
    new_owner   TEXT NOT NULL,
    changed_by  TEXT NOT NULL,
    changed_at  TEXT NOT NULL
) STRICT;
CREATE INDEX contact_request_owner_history_record ON contact_request_owner_history (record_id, seq);

-- Every path that moves the owner sets last_modified_by_id and updated_at with it, as status changes do.
CREATE TRIGGER contact_requests_owner_changed AFTER UPDATE OF owner_id ON contact_requests
WHEN NEW.owner_id IS NOT OLD.owner_id
BEGIN
    INSERT INTO contact_request_owner_history (record_id, old_owner, new_owner, changed_by, changed_at)
    VALUES (NEW.id, OLD.owner_id, NEW.owner_id, coalesce(NEW.last_modified_by_id, '005000000000001AAA'),
            coalesce(NEW.updated_at, strftime('%Y-%m-%dT%H:%M:%fZ', 'now')));
END;

CREATE TABLE contact_request_notes (
    seq         INTEGER PRIMARY KEY,
    record_id   TEXT NOT NULL REFERENCES contact_requests (id),
    body        TEXT NOT NULL CHECK (length(body) BETWEEN 1 AND 32000),
    created_by  TEXT NOT NULL REFERENCES users (id),
    created_at  TEXT NOT NULL
) STRICT;
CREATE INDEX contact_request_notes_record ON contact_request_notes (record_id, seq);
