-- Proofs of work spent on a stored submission, by their challenge's nonce, written in the transaction that
-- stores the record the proof bought: one solution buys one record, across restarts and across processes
-- sharing the challenge secret. A row is swept once its challenge has expired (`expires_ms`, Unix ms), as
-- an expired challenge is refused anyway.
-- `idempotency_key` is the key it was spent with (NULL for none), so that a refusal can tell the process
-- which retries are still the first submission's.
CREATE TABLE spent_challenges (
    nonce           TEXT NOT NULL PRIMARY KEY,
    expires_ms      INTEGER NOT NULL,
    idempotency_key TEXT
) STRICT, WITHOUT ROWID;

CREATE INDEX spent_challenges_expires_ms ON spent_challenges (expires_ms);
