-- Callbacks: call centers (from the configuration file), the telephony endpoint's voice call on each
-- request, when a callback becomes routable, the status history, the call log (Task) and the
-- EngagementInteraction each completed contact produces.

-- Salesforce CallCenter (key prefix 04v). Rows are kept in step with the configuration file at start;
-- `internal_name` is the file's stable key, so ids survive restarts.
CREATE TABLE call_centers (
    seq                 INTEGER PRIMARY KEY,
    id                  TEXT NOT NULL UNIQUE,
    internal_name       TEXT NOT NULL UNIQUE,
    name                TEXT NOT NULL,
    unified_routing     INTEGER NOT NULL DEFAULT 0 CHECK (unified_routing IN (0, 1)),
    time_zone           TEXT NOT NULL,
    business_hours      TEXT,
    additional_numbers  TEXT,
    retry_delay_seconds INTEGER NOT NULL DEFAULT 900,
    max_attempts        INTEGER NOT NULL DEFAULT 3,
    owner_id            TEXT,
    created_at          TEXT NOT NULL,
    updated_at          TEXT NOT NULL,
    system_modstamp     TEXT NOT NULL,
    created_by_id       TEXT NOT NULL,
    last_modified_by_id TEXT NOT NULL,
    is_deleted          INTEGER NOT NULL DEFAULT 0 CHECK (is_deleted IN (0, 1)),
    deleted_at          TEXT
) STRICT;

CREATE TABLE call_center_views (
    user_id            TEXT NOT NULL REFERENCES users (id),
    record_id          TEXT NOT NULL,
    last_viewed_at     TEXT,
    last_referenced_at TEXT,
    PRIMARY KEY (user_id, record_id)
) STRICT, WITHOUT ROWID;

ALTER TABLE users ADD COLUMN call_center_id TEXT;

ALTER TABLE contact_requests ADD COLUMN call_center_id TEXT;
ALTER TABLE contact_requests ADD COLUMN voice_call_id TEXT;
ALTER TABLE contact_requests ADD COLUMN telephony_provider TEXT;
-- When the request may be routed to a representative; NULL means at once.
ALTER TABLE contact_requests ADD COLUMN scheduled_routing_at TEXT;
ALTER TABLE contact_requests ADD COLUMN call_attempts INTEGER NOT NULL DEFAULT 0;

-- One callback per voice call and call center: a repeated CALL ID finds the first.
CREATE UNIQUE INDEX contact_requests_voice_call ON contact_requests (call_center_id, voice_call_id)
    WHERE voice_call_id IS NOT NULL;
CREATE INDEX contact_requests_routable ON contact_requests (owner_id, status, scheduled_routing_at)
    WHERE is_deleted = 0;

-- Every Status change: from what, to what, by whom, when.
CREATE TABLE contact_request_status_history (
    seq          INTEGER PRIMARY KEY,
    record_id    TEXT NOT NULL,
    old_status   TEXT,
    new_status   TEXT NOT NULL,
    changed_by   TEXT NOT NULL,
    changed_at   TEXT NOT NULL
) STRICT;
CREATE INDEX contact_request_status_history_record ON contact_request_status_history (record_id, seq);

CREATE TRIGGER contact_requests_status_created AFTER INSERT ON contact_requests
BEGIN
    INSERT INTO contact_request_status_history (record_id, old_status, new_status, changed_by, changed_at)
    VALUES (NEW.id, NULL, NEW.status, coalesce(NEW.created_by_id, '005000000000001AAA'), NEW.created_at);
END;

CREATE TRIGGER contact_requests_status_changed AFTER UPDATE OF status ON contact_requests
WHEN NEW.status IS NOT OLD.status
BEGIN
    INSERT INTO contact_request_status_history (record_id, old_status, new_status, changed_by, changed_at)
    VALUES (NEW.id, OLD.status, NEW.status, coalesce(NEW.last_modified_by_id, '005000000000001AAA'),
            coalesce(NEW.updated_at, strftime('%Y-%m-%dT%H:%M:%fZ', 'now')));
END;

-- The call log: Salesforce Task (key prefix 00T) with its call fields.
CREATE TABLE tasks (
    seq                      INTEGER PRIMARY KEY,
    id                       TEXT NOT NULL UNIQUE,
    subject                  TEXT,
    status                   TEXT NOT NULL DEFAULT 'Completed',
    what_id                  TEXT,
    who_id                   TEXT,
    description              TEXT,
    call_type                TEXT CHECK (call_type IN ('Inbound', 'Internal', 'Outbound')),
    call_disposition         TEXT,
    call_duration_in_seconds INTEGER,
    call_object              TEXT,
    call_result              TEXT CHECK (call_result IN ('Reached', 'Not Reached', 'Gave Up')),
    result_applied           INTEGER NOT NULL DEFAULT 0 CHECK (result_applied IN (0, 1)),
    owner_id                 TEXT NOT NULL,
    created_at               TEXT NOT NULL,
    updated_at               TEXT NOT NULL,
    system_modstamp          TEXT NOT NULL,
    created_by_id            TEXT NOT NULL,
    last_modified_by_id      TEXT NOT NULL,
    is_deleted               INTEGER NOT NULL DEFAULT 0 CHECK (is_deleted IN (0, 1)),
    deleted_at               TEXT
) STRICT;
CREATE INDEX tasks_what ON tasks (what_id);

CREATE TABLE task_views (
    user_id            TEXT NOT NULL REFERENCES users (id),
    record_id          TEXT NOT NULL,
    last_viewed_at     TEXT,
    last_referenced_at TEXT,
    PRIMARY KEY (user_id, record_id)
) STRICT, WITHOUT ROWID;

-- Salesforce EngagementInteraction (key prefix 0eI).
CREATE TABLE engagement_interactions (
    seq                        INTEGER PRIMARY KEY,
    id                         TEXT NOT NULL UNIQUE,
    name                       TEXT NOT NULL GENERATED ALWAYS AS ('EI-' || printf('%06d', seq)) STORED,
    communication_channel      TEXT CHECK (communication_channel IN ('In Person', 'Video Call', 'Voice Call', 'Web Chat')),
    type                       TEXT CHECK (type IN ('Inbound', 'Outbound')),
    start_date_time            TEXT,
    end_date_time              TEXT,
    duration                   TEXT,
    status                     TEXT CHECK (status IN ('Completed', 'In Progress', 'New')),
    mapped_state               TEXT NOT NULL DEFAULT 'New' CHECK (mapped_state IN ('Completed', 'InProgress', 'New')),
    is_attendee_authenticated  INTEGER NOT NULL DEFAULT 0 CHECK (is_attendee_authenticated IN (0, 1)),
    is_attendee_verified       INTEGER NOT NULL DEFAULT 0 CHECK (is_attendee_verified IN (0, 1)),
    attendee_verification_time TEXT,
    initiating_attendee_id     TEXT,
    phone_number               TEXT,
    reason                     TEXT,
    sentiment                  TEXT CHECK (sentiment IN ('Negative', 'Neutral', 'Positive')),
    context_id                 TEXT,
    external_identifier        TEXT,
    record_type_id             TEXT,
    contact_request_id         TEXT,
    owner_id                   TEXT NOT NULL,
    created_at                 TEXT NOT NULL,
    updated_at                 TEXT NOT NULL,
    system_modstamp            TEXT NOT NULL,
    created_by_id              TEXT NOT NULL,
    last_modified_by_id        TEXT NOT NULL,
    is_deleted                 INTEGER NOT NULL DEFAULT 0 CHECK (is_deleted IN (0, 1)),
    deleted_at                 TEXT
) STRICT;
CREATE INDEX engagement_interactions_contact_request ON engagement_interactions (contact_request_id);

CREATE TABLE engagement_interaction_views (
    user_id            TEXT NOT NULL REFERENCES users (id),
    record_id          TEXT NOT NULL,
    last_viewed_at     TEXT,
    last_referenced_at TEXT,
    PRIMARY KEY (user_id, record_id)
) STRICT, WITHOUT ROWID;
