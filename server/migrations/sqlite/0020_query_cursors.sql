-- The open query cursors behind the Salesforce-compatible API's nextRecordsUrl, in the database so that
-- any server process serves a query's next batch and a restart keeps them. A cursor keeps its query's
-- text, re-planned for each batch at the instant it was first checked (so TODAY means the same day),
-- the owners its first batch could see, and how far the query reaches; the position is in the locator.

CREATE TABLE query_cursors (
    seq        INTEGER PRIMARY KEY,
    locator    TEXT    NOT NULL UNIQUE,
    user_id    TEXT    NOT NULL,
    soql       TEXT    NOT NULL,
    all_rows   INTEGER NOT NULL,
    checked_at TEXT    NOT NULL,
    -- A JSON array of owner ids; NULL for a caller who sees every record.
    owners     TEXT,
    total      INTEGER NOT NULL,
    batch      INTEGER NOT NULL,
    touched_at TEXT    NOT NULL
) STRICT;

CREATE INDEX query_cursors_by_user ON query_cursors (user_id, seq);
CREATE INDEX query_cursors_by_use ON query_cursors (touched_at);
