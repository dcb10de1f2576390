-- ContactRequest's AvailableCallbackAttempts (0 to 5 retries) and DelayBetweenCallbackAttempts (0 to 10,080
-- minutes), from API version 66.0: set on a request, each overrides its call center's retry setting.
ALTER TABLE contact_requests ADD COLUMN available_callback_attempts INTEGER
    CHECK (available_callback_attempts BETWEEN 0 AND 5);
ALTER TABLE contact_requests ADD COLUMN delay_between_callback_attempts INTEGER
    CHECK (delay_between_callback_attempts BETWEEN 0 AND 10080);

-- EngagementInteraction's ExternalIdentifier is "the unique external identifier" and names a record in an
-- upsert. Values stored twice before this migration keep their text: the oldest record keeps it as it is,
-- each later one gets its own record id appended ("<value>#<id>"), so none is lost and all are unique.
UPDATE engagement_interactions
   SET external_identifier = substr(external_identifier, 1, 236) || '#' || id
 WHERE external_identifier IS NOT NULL
   AND EXISTS (SELECT 1 FROM engagement_interactions o
                WHERE o.external_identifier = engagement_interactions.external_identifier
                  AND (o.created_at < engagement_interactions.created_at
                       OR (o.created_at = engagement_interactions.created_at
                           AND o.id < engagement_interactions.id)));
CREATE UNIQUE INDEX engagement_interactions_external_identifier
    ON engagement_interactions (external_identifier) WHERE external_identifier IS NOT NULL;
