-- The Salesforce-compatible REST API: owners (users and queues), system fields, the recycle bin,
-- per-user view and reference dates, the external id used by upserts, and hashed access tokens.

-- Representatives and integrations (Salesforce User, key prefix 005).
CREATE TABLE users (
    id         TEXT NOT NULL PRIMARY KEY,
    username   TEXT NOT NULL UNIQUE COLLATE NOCASE,
    name       TEXT NOT NULL,
    email      TEXT,
    is_active  INTEGER NOT NULL DEFAULT 1 CHECK (is_active IN (0, 1)),
    created_at TEXT NOT NULL
) STRICT;

-- Queues (Salesforce Group of type Queue, key prefix 00G). One is the default owner of widget requests.
CREATE TABLE queues (
    id         TEXT NOT NULL PRIMARY KEY,
    name       TEXT NOT NULL UNIQUE COLLATE NOCASE,
    is_default INTEGER NOT NULL DEFAULT 0 CHECK (is_default IN (0, 1)),
    created_at TEXT NOT NULL
) STRICT;
CREATE UNIQUE INDEX queues_one_default ON queues (is_default) WHERE is_default = 1;

-- The fixed ids below carry valid case-safe suffixes (see server/src/ids.rs).
-- The user that widget submissions are created by, as Salesforce's site guest user.
INSERT INTO users (id, username, name, is_active, created_at)
VALUES ('005000000000001AAA', 'site-guest@contact-widget.invalid', 'Site Guest User', 0,
        strftime('%Y-%m-%dT%H:%M:%fZ', 'now'));
INSERT INTO queues (id, name, is_default, created_at)
VALUES ('00G000000000001EAA', 'Contact Requests', 1, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'));

ALTER TABLE contact_requests ADD COLUMN owner_id TEXT;
ALTER TABLE contact_requests ADD COLUMN what_id TEXT;
ALTER TABLE contact_requests ADD COLUMN who_id TEXT;
ALTER TABLE contact_requests ADD COLUMN created_by_id TEXT;
ALTER TABLE contact_requests ADD COLUMN last_modified_by_id TEXT;
ALTER TABLE contact_requests ADD COLUMN system_modstamp TEXT;
ALTER TABLE contact_requests ADD COLUMN is_deleted INTEGER NOT NULL DEFAULT 0 CHECK (is_deleted IN (0, 1));
ALTER TABLE contact_requests ADD COLUMN deleted_at TEXT;
ALTER TABLE contact_requests ADD COLUMN external_id TEXT;

UPDATE contact_requests
   SET owner_id = '00G000000000001EAA',
       created_by_id = '005000000000001AAA',
       last_modified_by_id = '005000000000001AAA',
       system_modstamp = updated_at;

-- Rows inserted without the API's fields (the widget's intake) are owned by the default queue and
-- created by the site guest user, so both doors produce complete records.
CREATE TRIGGER contact_requests_intake_defaults AFTER INSERT ON contact_requests
WHEN NEW.owner_id IS NULL OR NEW.created_by_id IS NULL OR NEW.system_modstamp IS NULL
BEGIN
    UPDATE contact_requests
       SET owner_id = coalesce(NEW.owner_id,
                               (SELECT id FROM queues WHERE is_default = 1),
                               '00G000000000001EAA'),
           created_by_id = coalesce(NEW.created_by_id, '005000000000001AAA'),
           last_modified_by_id = coalesce(NEW.last_modified_by_id, NEW.created_by_id, '005000000000001AAA'),
           system_modstamp = coalesce(NEW.system_modstamp, NEW.updated_at)
     WHERE seq = NEW.seq;
END;

CREATE UNIQUE INDEX contact_requests_external_id ON contact_requests (external_id)
    WHERE external_id IS NOT NULL;
CREATE INDEX contact_requests_modstamp ON contact_requests (system_modstamp);
CREATE INDEX contact_requests_deleted_at ON contact_requests (deleted_at) WHERE is_deleted = 1;

-- LastViewedDate and LastReferencedDate are per user.
CREATE TABLE contact_request_views (
    user_id            TEXT NOT NULL REFERENCES users (id),
    record_id          TEXT NOT NULL,
    last_viewed_at     TEXT,
    last_referenced_at TEXT,
    PRIMARY KEY (user_id, record_id)
) STRICT, WITHOUT ROWID;

-- Bearer tokens: only the SHA-256 of a token is kept; the token itself is shown once.
CREATE TABLE access_tokens (
    id         INTEGER PRIMARY KEY,
    token_hash TEXT NOT NULL UNIQUE,
    user_id    TEXT NOT NULL REFERENCES users (id),
    scope      TEXT NOT NULL CHECK (scope IN ('read', 'write')),
    label      TEXT,
    created_at TEXT NOT NULL,
    revoked_at TEXT
) STRICT;
