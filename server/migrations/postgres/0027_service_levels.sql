-- Service levels, as SQLite's migration 0033: each queue's target for the first call attempt after a
-- callback falls due, and on each request when it fell due before its first attempt and when that came.

ALTER TABLE queues ADD COLUMN service_target_seconds BIGINT NOT NULL DEFAULT 900
    CHECK (service_target_seconds BETWEEN 60 AND 604800);

ALTER TABLE contact_requests ADD COLUMN first_due_at TEXT;
ALTER TABLE contact_requests ADD COLUMN first_attempt_at TEXT;

CREATE INDEX contact_requests_created_by_day ON contact_requests (created_at, site_key)
    WHERE is_deleted = 0;

-- When the first attempt of a request still waiting for one should come by, and what it was worked out
-- from (as SQLite's).
ALTER TABLE contact_requests ADD COLUMN service_due_at TEXT;
ALTER TABLE contact_requests ADD COLUMN service_basis TEXT;
CREATE INDEX contact_requests_service_due ON contact_requests (service_due_at)
    WHERE is_deleted = 0;
