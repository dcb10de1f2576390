-- Task.IsCallback__c: whether a logged call was placed as a callback (the request reviewed first,
-- IsCallback true) rather than an Outbound call dialled at once; CallType keeps its reference values.
ALTER TABLE tasks ADD COLUMN is_callback INTEGER NOT NULL DEFAULT 0 CHECK (is_callback IN (0, 1));
