-- Roles and queue membership: what decides who sees and works which request, in the console and through
-- the API alike (see server/src/access/sharing.rs).

-- representative: their own requests and their queues'; supervisor: every request, and reassigns;
-- admin: a supervisor who also manages users, queues and tokens.
ALTER TABLE users ADD COLUMN role TEXT NOT NULL DEFAULT 'representative'
    CHECK (role IN ('representative', 'supervisor', 'admin'));

-- Every user made before roles existed had the whole API, as integrations do: they keep it.
UPDATE users SET role = 'admin' WHERE id <> '005000000000001AAA';

-- Which users belong to which queues (Salesforce's GroupMember of a Queue).
CREATE TABLE queue_members (
    queue_id TEXT NOT NULL REFERENCES queues (id),
    user_id  TEXT NOT NULL REFERENCES users (id),
    added_at TEXT NOT NULL,
    PRIMARY KEY (queue_id, user_id)
) STRICT, WITHOUT ROWID;
CREATE INDEX queue_members_by_user ON queue_members (user_id, queue_id);
