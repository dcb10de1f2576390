-- RequestReason's values are the organisation's ("customizable in Object Manager": the sites file's
-- [[request_reason]] entries, see server/src/salesforce/reasons.rs), and the picklist is not restricted,
-- so the column no longer checks the reference's seven. SQLite cannot drop a column's CHECK, so the
-- column is copied into one without it, dropped, and the copy renamed; nothing else names the column.
ALTER TABLE contact_requests ADD COLUMN request_reason_any TEXT;
UPDATE contact_requests SET request_reason_any = request_reason;
ALTER TABLE contact_requests DROP COLUMN request_reason;
ALTER TABLE contact_requests RENAME COLUMN request_reason_any TO request_reason;
