-- Idempotency keys: one row per key a client sent with a submission, written in the same transaction as the
-- contact request it created, so a retry with the same key finds the original answer instead of a new record.
-- `fingerprint` is the SHA-256 of the normalised submission: the same key with other content is a conflict.
CREATE TABLE idempotency_keys (
    key                TEXT NOT NULL PRIMARY KEY,
    fingerprint        TEXT NOT NULL,
    contact_request_id TEXT NOT NULL REFERENCES contact_requests (id),
    created_at         TEXT NOT NULL
) STRICT, WITHOUT ROWID;
