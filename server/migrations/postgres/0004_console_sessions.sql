-- Signing in to the console (SQLite's 0014): a user's password (an Argon2id PHC string), the console's
-- sessions (only the SHA-256 of a session id is kept) and the failed sign-ins that slow down guessing.
ALTER TABLE users ADD COLUMN password_hash TEXT;

CREATE TABLE console_sessions (
    id_hash      TEXT NOT NULL PRIMARY KEY,
    user_id      TEXT NOT NULL REFERENCES users (id),
    created_at   TEXT NOT NULL,
    last_seen_at TEXT NOT NULL,
    ended_at     TEXT
);

CREATE INDEX console_sessions_live ON console_sessions (user_id) WHERE ended_at IS NULL;

CREATE TABLE sign_in_failures (
    key            TEXT   NOT NULL PRIMARY KEY,
    failures       BIGINT NOT NULL,
    last_failed_at TEXT   NOT NULL
);
