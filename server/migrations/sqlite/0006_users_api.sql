-- Users through the Salesforce-compatible API.

-- Users become an object of the Salesforce-compatible API (User): readable, and updatable in CallCenterId.
ALTER TABLE users ADD COLUMN updated_at TEXT;
ALTER TABLE users ADD COLUMN last_modified_by_id TEXT;

-- The users with the system columns every object of the API has. Users are never deleted (deactivated
-- instead), so none is in a recycle bin; the CLI creates them, as the site guest user.
CREATE VIEW user_records AS
SELECT rowid AS seq, id, username, name, email, is_active, call_center_id, created_at,
       coalesce(updated_at, created_at) AS updated_at,
       coalesce(updated_at, created_at) AS system_modstamp,
       '005000000000001AAA' AS created_by_id,
       coalesce(last_modified_by_id, '005000000000001AAA') AS last_modified_by_id,
       id AS owner_id, 0 AS is_deleted, NULL AS deleted_at
  FROM users;

-- An update through the API changes the call center and who changed it when; nothing else is updatable.
CREATE TRIGGER user_records_update INSTEAD OF UPDATE ON user_records
BEGIN
    UPDATE users
       SET call_center_id = NEW.call_center_id,
           updated_at = NEW.updated_at,
           last_modified_by_id = NEW.last_modified_by_id
     WHERE id = OLD.id;
END;

CREATE TABLE user_views (
    user_id            TEXT NOT NULL REFERENCES users (id),
    record_id          TEXT NOT NULL,
    last_viewed_at     TEXT,
    last_referenced_at TEXT,
    PRIMARY KEY (user_id, record_id)
) STRICT, WITHOUT ROWID;
