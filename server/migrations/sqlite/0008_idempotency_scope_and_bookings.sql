-- Idempotency keys are scoped by the site a submission came through and by its verified visitor ('' for a
-- guest): the same key sent to another site, or by another visitor, is a key of its own, never a replay of
-- someone else's answer. Keys are kept for a retention window and then swept (by `created_at`).
CREATE TABLE idempotency_keys_scoped (
    site_key           TEXT NOT NULL,
    visitor_sub        TEXT NOT NULL,
    key                TEXT NOT NULL,
    fingerprint        TEXT NOT NULL,
    contact_request_id TEXT NOT NULL REFERENCES contact_requests (id),
    created_at         TEXT NOT NULL,
    PRIMARY KEY (site_key, visitor_sub, key)
) STRICT, WITHOUT ROWID;

INSERT INTO idempotency_keys_scoped
    (site_key, visitor_sub, key, fingerprint, contact_request_id, created_at)
SELECT coalesce(r.site_key, ''), coalesce(r.visitor_sub, ''), k.key, k.fingerprint, k.contact_request_id,
       k.created_at
  FROM idempotency_keys k JOIN contact_requests r ON r.id = k.contact_request_id;

DROP TABLE idempotency_keys;
ALTER TABLE idempotency_keys_scoped RENAME TO idempotency_keys;

-- The sweep deletes keys past the retention window.
CREATE INDEX idempotency_keys_created_at ON idempotency_keys (created_at);

-- Counting a phone number's open bookings (a chosen callback time still ahead), which the intake limits,
-- reads this index; only scheduled requests are in it.
CREATE INDEX contact_requests_phone_bookings
    ON contact_requests (preferred_phone, scheduled_routing_at)
    WHERE is_deleted = 0 AND scheduled_routing_at IS NOT NULL;
