-- Contact requests: one row per accepted submission (Salesforce ContactRequest).
-- `seq` drives the autonumber behind `name`; `id` is the opaque id clients see.
CREATE TABLE contact_requests (
    seq                 INTEGER PRIMARY KEY,
    id                  TEXT    NOT NULL,
    name                TEXT    NOT NULL GENERATED ALWAYS AS ('CR-' || printf('%06d', seq)) STORED,
    status              TEXT    NOT NULL DEFAULT 'New'
                        CHECK (status IN ('New', 'Attempted', 'Contacted', 'Abandoned')),
    request_reason      TEXT    CHECK (request_reason IN ('Account', 'Billing', 'Case', 'General', 'Order', 'Other', 'Product')),
    preferred_channel   TEXT    NOT NULL DEFAULT 'Phone'
                        CHECK (preferred_channel IN ('Phone', 'Email', 'Text')),
    preferred_phone     TEXT,
    request_description TEXT,
    visitor_name        TEXT,
    visitor_email       TEXT,
    is_callback         INTEGER NOT NULL DEFAULT 0 CHECK (is_callback IN (0, 1)),
    -- The origin of the page the widget was embedded on, as the browser reported it.
    source_origin       TEXT,
    created_at          TEXT    NOT NULL,
    updated_at          TEXT    NOT NULL
) STRICT;

CREATE UNIQUE INDEX contact_requests_id ON contact_requests (id);
CREATE UNIQUE INDEX contact_requests_name ON contact_requests (name);
CREATE INDEX contact_requests_created_at ON contact_requests (created_at);
