-- Forwarding each site's ExperienceEvents to Adobe Experience Platform, in `experience_events` order
-- (`seq`). One cursor per site that forwards: the last event settled (accepted by the platform, or
-- refused for good), the failed tries of the batch after it and when it is next due (a retry's time, or
-- the lease of the process sending it). The cursor moves in the transaction that records the batch's
-- outcome, so a restart sends again from the first unsettled event, never skips one.
CREATE TABLE platform_cursors (
    site_key     TEXT    PRIMARY KEY,
    last_seq     INTEGER NOT NULL,
    attempts     INTEGER NOT NULL DEFAULT 0,
    next_at_ms   INTEGER NOT NULL DEFAULT 0,
    -- The platform's last answer (HTTP status) and what went wrong, when it did.
    last_status  INTEGER,
    last_error   TEXT,
    -- How many messages the platform accepted in all.
    forwarded    INTEGER NOT NULL DEFAULT 0
) STRICT;

-- Messages settled as failed: refused by the platform with a 4xx of their own (or the whole batch
-- with a 4xx that resending cannot change), or still failing when the retry schedule was spent.
CREATE TABLE platform_failures (
    site_key   TEXT    NOT NULL,
    event_seq  INTEGER NOT NULL,
    event_id   TEXT    NOT NULL,
    at_ms      INTEGER NOT NULL,
    status     INTEGER,
    error      TEXT    NOT NULL,
    PRIMARY KEY (site_key, event_seq)
) STRICT;
