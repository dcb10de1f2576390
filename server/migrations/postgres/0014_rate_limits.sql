-- Rate limits shared by every server process, so that a client spreading its requests over N processes
-- gets the configured limit once, not N times. One row per limit and key holds its GCRA state: the
-- theoretical arrival time (Unix ms) of the next request, which each charge moves on by one interval;
-- a charge that would move it further ahead than the burst allows is refused and moves nothing.
--
-- UNLOGGED: its writes skip the write-ahead log (no commit waits for a flush on their account), and a
-- crash of the database empties it, which only forgives some counts. A fillfactor below 100 leaves room
-- on each page for the update every charge makes to be a HOT update, and no index but the key's.
CREATE UNLOGGED TABLE rate_limits (
    scope   TEXT NOT NULL,
    key     TEXT NOT NULL,
    tat_ms  BIGINT NOT NULL,
    -- Whether the last charge was refused: what the charge's one statement answers.
    refused BOOLEAN NOT NULL,
    PRIMARY KEY (scope, key)
) WITH (fillfactor = 70);
