-- Status and PreferredChannel are not restricted picklists (the reference lists their values "for
-- example" and does not say Restricted), so their columns no longer check the reference's values: the API
-- stores any value, as Salesforce does. What the workflow does with a value is the server's: only New and
-- Attempted are open (routed, claimed, called). SQLite cannot drop a column's CHECK,
-- so each column is copied into one without it, dropped and the copy renamed; Status's index and history
-- triggers name the column, so they are dropped first and made again as 0005 made them.
DROP INDEX contact_requests_routable;
DROP TRIGGER contact_requests_status_created;
DROP TRIGGER contact_requests_status_changed;

ALTER TABLE contact_requests ADD COLUMN status_any TEXT NOT NULL DEFAULT 'New';
UPDATE contact_requests SET status_any = status;
ALTER TABLE contact_requests DROP COLUMN status;
ALTER TABLE contact_requests RENAME COLUMN status_any TO status;

ALTER TABLE contact_requests ADD COLUMN preferred_channel_any TEXT NOT NULL DEFAULT 'Phone';
UPDATE contact_requests SET preferred_channel_any = preferred_channel;
ALTER TABLE contact_requests DROP COLUMN preferred_channel;
ALTER TABLE contact_requests RENAME COLUMN preferred_channel_any TO preferred_channel;

CREATE INDEX contact_requests_routable ON contact_requests (owner_id, status, scheduled_routing_at)
    WHERE is_deleted = 0;

CREATE TRIGGER contact_requests_status_created AFTER INSERT ON contact_requests
BEGIN
    INSERT INTO contact_request_status_history (record_id, old_status, new_status, changed_by, changed_at)
    VALUES (NEW.id, NULL, NEW.status, coalesce(NEW.created_by_id, '005000000000001AAA'), NEW.created_at);
END;

CREATE TRIGGER contact_requests_status_changed AFTER UPDATE OF status ON contact_requests
WHEN NEW.status IS NOT OLD.status
BEGIN
    INSERT INTO contact_request_status_history (record_id, old_status, new_status, changed_by, changed_at)
    VALUES (NEW.id, OLD.status, NEW.status, coalesce(NEW.last_modified_by_id, '005000000000001AAA'),
            coalesce(NEW.updated_at, strftime('%Y-%m-%dT%H:%M:%fZ', 'now')));
END;
