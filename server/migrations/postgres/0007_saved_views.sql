-- Each person's saved views of requests, as SQLite's migration 0017.

CREATE TABLE saved_views (
    id         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id    TEXT   NOT NULL REFERENCES users (id),
    name       TEXT   NOT NULL CHECK (char_length(name) BETWEEN 1 AND 80),
    path       TEXT   NOT NULL,
    query      TEXT   NOT NULL CHECK (char_length(query) <= 2000),
    created_at TEXT   NOT NULL,
    UNIQUE (user_id, name)
);
