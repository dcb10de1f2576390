-- The visitor's own IANA time zone (`Europe/Paris`), as the widget's browser reported it, so a
-- representative sees a chosen callback time as the visitor does. NULL when unknown: requests made
-- before it was kept, through the Salesforce-compatible API, or by telephony.
ALTER TABLE contact_requests ADD COLUMN visitor_time_zone TEXT;
