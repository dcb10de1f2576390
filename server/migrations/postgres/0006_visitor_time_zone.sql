-- The visitor's own IANA time zone, as SQLite's migration 0016.
ALTER TABLE contact_requests ADD COLUMN visitor_time_zone TEXT;
