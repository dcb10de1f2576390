-- Roles and queue membership, as SQLite's migration 0013.

ALTER TABLE users ADD COLUMN role TEXT NOT NULL DEFAULT 'representative'
    CHECK (role IN ('representative', 'supervisor', 'admin'));

UPDATE users SET role = 'admin' WHERE id <> '005000000000001AAA';

CREATE TABLE queue_members (
    queue_id TEXT NOT NULL REFERENCES queues (id),
    user_id  TEXT NOT NULL REFERENCES users (id),
    added_at TEXT NOT NULL,
    PRIMARY KEY (queue_id, user_id)
);
CREATE INDEX queue_members_by_user ON queue_members (user_id, queue_id);
