-- A supervisor's take-back of a held item, as SQLite's migration 0032.
ALTER TABLE offers ADD COLUMN taken_back_by TEXT REFERENCES users (id);
ALTER TABLE offers ADD COLUMN taken_back_at TEXT;
