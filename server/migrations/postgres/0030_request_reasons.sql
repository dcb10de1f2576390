-- RequestReason's values are the organisation's ("customizable in Object Manager": the sites file's
-- [[request_reason]] entries, see server/src/salesforce/reasons.rs), and the picklist is not restricted,
-- so the column no longer checks the reference's seven. SQLite's 0036.
ALTER TABLE contact_requests DROP CONSTRAINT contact_requests_request_reason_check;
