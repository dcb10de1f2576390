-- The views of requests each person saves under a name of their own: a console list page and its URL
-- query (filters, search, sort), opened from the console's list pages. Nobody sees another's.

CREATE TABLE saved_views (
    id          INTEGER PRIMARY KEY,
    user_id     TEXT NOT NULL REFERENCES users (id),
    name        TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 80),
    path        TEXT NOT NULL,
    query       TEXT NOT NULL CHECK (length(query) <= 2000),
    created_at  TEXT NOT NULL,
    UNIQUE (user_id, name)
) STRICT;
