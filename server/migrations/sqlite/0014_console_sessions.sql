-- Signing in to the console: a user's password (an Argon2id PHC string, never the password), the
-- console's sessions (only the SHA-256 of a session id is kept; the id itself lives in the browser's
-- cookie), and the failed sign-ins that slow down guessing, kept here so they hold across restarts.
ALTER TABLE users ADD COLUMN password_hash TEXT;

CREATE TABLE console_sessions (
    id_hash      TEXT NOT NULL PRIMARY KEY,
    user_id      TEXT NOT NULL REFERENCES users (id),
    created_at   TEXT NOT NULL,
    -- Refreshed at most once a minute, so a busy console does not write on every call.
    last_seen_at TEXT NOT NULL,
    ended_at     TEXT
) STRICT, WITHOUT ROWID;

CREATE INDEX console_sessions_live ON console_sessions (user_id) WHERE ended_at IS NULL;

-- Failures by what they count against: `account:<username>` or `ip:<client bucket>`.
CREATE TABLE sign_in_failures (
    key            TEXT    NOT NULL PRIMARY KEY,
    failures       INTEGER NOT NULL,
    last_failed_at TEXT    NOT NULL
) STRICT, WITHOUT ROWID;
