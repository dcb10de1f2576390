-- SQLite's 0021: scheduled callbacks whose time has come, each told once as `callback.due`. The key is
-- the claim: a process inserting a row another is inserting waits for that one's commit and then does
-- nothing, so two processes never tell one callback twice.
CREATE TABLE callbacks_due (
    request_id TEXT NOT NULL,
    due_at     TEXT NOT NULL,
    fired_at   TEXT NOT NULL,
    PRIMARY KEY (request_id, due_at)
);

CREATE INDEX contact_requests_scheduled ON contact_requests (scheduled_routing_at)
    WHERE scheduled_routing_at IS NOT NULL;
