-- The open query cursors behind nextRecordsUrl, as SQLite's migration 0020: in the database, so that a
-- query's next batch is served by any process.

CREATE TABLE query_cursors (
    seq        BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    locator    TEXT   NOT NULL UNIQUE,
    user_id    TEXT   NOT NULL,
    soql       TEXT   NOT NULL,
    all_rows   BIGINT NOT NULL,
    checked_at TEXT   NOT NULL,
    owners     TEXT,
    total      BIGINT NOT NULL,
    batch      BIGINT NOT NULL,
    touched_at TEXT   NOT NULL
);

CREATE INDEX query_cursors_by_user ON query_cursors (user_id, seq);
CREATE INDEX query_cursors_by_use ON query_cursors (touched_at);
