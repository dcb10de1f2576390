-- Scheduled callbacks whose time has come, each told once as `callback.due`: a row per request and the
-- scheduled time it fell due at, so a retry scheduled after a missed call falls due again, and a
-- time that passed while the server was down is told once it is back. The key is the claim: a second
-- writer of the same row does nothing.
CREATE TABLE callbacks_due (
    request_id TEXT NOT NULL,
    due_at     TEXT NOT NULL,
    fired_at   TEXT NOT NULL,
    PRIMARY KEY (request_id, due_at)
) STRICT, WITHOUT ROWID;

-- The scan for what fell due reads scheduled requests by their time.
CREATE INDEX contact_requests_scheduled ON contact_requests (scheduled_routing_at)
    WHERE scheduled_routing_at IS NOT NULL;
