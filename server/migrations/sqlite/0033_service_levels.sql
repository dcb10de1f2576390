-- Service levels: each queue's target for the first call attempt after a callback falls due (counted in
-- the call center's business hours), and on each request when it fell due before its first attempt and
-- when that attempt came, kept once so that a retry's later time does not move them.

ALTER TABLE queues ADD COLUMN service_target_seconds INTEGER NOT NULL DEFAULT 900
    CHECK (service_target_seconds BETWEEN 60 AND 604800);

-- The scheduled time the request had when its first attempt was logged (NULL: due from its creation).
ALTER TABLE contact_requests ADD COLUMN first_due_at TEXT;
ALTER TABLE contact_requests ADD COLUMN first_attempt_at TEXT;

CREATE INDEX contact_requests_created_by_day ON contact_requests (created_at, site_key)
    WHERE is_deleted = 0;

-- When the first attempt of a request still waiting for one should come by, in business time (NULL once
-- it came, or while not yet worked out), and what it was worked out from: the console's lists sort by it,
-- and a change of what it depends on (schedule, queue, target, call center and its hours) works it out
-- again.
ALTER TABLE contact_requests ADD COLUMN service_due_at TEXT;
ALTER TABLE contact_requests ADD COLUMN service_basis TEXT;
CREATE INDEX contact_requests_service_due ON contact_requests (service_due_at)
    WHERE is_deleted = 0;
