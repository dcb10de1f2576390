-- The site a request came through, and for a verified visitor the host's stable user id (`sub`): requests
-- of one person on one site are linked by (site_key, visitor_sub), never across sites or by typed email.
ALTER TABLE contact_requests ADD COLUMN site_key TEXT;
ALTER TABLE contact_requests ADD COLUMN visitor_sub TEXT;
CREATE INDEX contact_requests_visitor ON contact_requests (site_key, visitor_sub) WHERE visitor_sub IS NOT NULL;
