-- Status and PreferredChannel are not restricted picklists (the reference lists their values "for
-- example" and does not say Restricted), so their columns no longer check the reference's values: the API
-- stores any value, as Salesforce does. Only New and Attempted are open. SQLite's
-- 0037.
ALTER TABLE contact_requests DROP CONSTRAINT contact_requests_status_check;
ALTER TABLE contact_requests DROP CONSTRAINT contact_requests_preferred_channel_check;
