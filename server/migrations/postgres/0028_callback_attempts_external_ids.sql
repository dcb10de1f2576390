-- ContactRequest's AvailableCallbackAttempts and DelayBetweenCallbackAttempts, and ExternalIdentifier
-- made unique, as SQLite's migration 0034 (values stored twice keep their text, later ones suffixed with
-- "#<record id>").
ALTER TABLE contact_requests ADD COLUMN available_callback_attempts BIGINT
    CHECK (available_callback_attempts BETWEEN 0 AND 5);
ALTER TABLE contact_requests ADD COLUMN delay_between_callback_attempts BIGINT
    CHECK (delay_between_callback_attempts BETWEEN 0 AND 10080);

UPDATE engagement_interactions e
   SET external_identifier = substr(e.external_identifier, 1, 236) || '#' || e.id
 WHERE e.external_identifier IS NOT NULL
   AND EXISTS (SELECT 1 FROM engagement_interactions o
                WHERE o.external_identifier = e.external_identifier
                  AND (o.created_at < e.created_at OR (o.created_at = e.created_at AND o.id < e.id)));
CREATE UNIQUE INDEX engagement_interactions_external_identifier
    ON engagement_interactions (external_identifier) WHERE external_identifier IS NOT NULL;
