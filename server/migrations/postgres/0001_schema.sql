-- The schema of server/migrations/sqlite/0001 to 0010 taken together, in PostgreSQL's terms: the same
-- tables, columns and indexes, so that one plan reads the same rows on both engines. A later SQLite
-- migration gets its PostgreSQL twin as the next file here.
--
-- What differs, and why:
-- - Instants stay TEXT in the stored format (2026-02-26T15:40:52.123Z, UTC, milliseconds), which sorts as
--   text: the plans compare and order them as text on both engines.
-- - Integers are BIGINT, flags included (0/1, checked): the plans' values are 64-bit integers, and a flag
--   is one of them on both engines.
-- - Text SQLite compares with COLLATE NOCASE uses the collation `nocase` below: ICU's comparison at
--   strength 2, which ignores case on any Unicode text (SQLite's ignores ASCII case only), and whose
--   B-tree indexes serve = and IN.
-- - `seq` is an identity column: the database hands out the numbers behind `name` (CR-000001), so they
--   are unique and increasing whichever process inserts, where SQLite's one writer counts them itself.

CREATE COLLATION nocase (provider = icu, locale = 'und-u-ks-level2', deterministic = false);

-- The stored format of an instant, for the rows the triggers write without one.
CREATE FUNCTION stored_now() RETURNS text LANGUAGE sql VOLATILE AS $$
    SELECT to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')
$$;

-- Representatives and integrations (Salesforce User, key prefix 005).
CREATE TABLE users (
    -- What SQLite's rowid is to its user_records view.
    seq                 BIGINT GENERATED ALWAYS AS IDENTITY UNIQUE,
    id                  TEXT   NOT NULL PRIMARY KEY,
    username            TEXT   NOT NULL UNIQUE COLLATE nocase,
    name                TEXT   NOT NULL,
    email               TEXT,
    is_active           BIGINT NOT NULL DEFAULT 1 CHECK (is_active IN (0, 1)),
    created_at          TEXT   NOT NULL,
    call_center_id      TEXT,
    updated_at          TEXT,
    last_modified_by_id TEXT
);

-- Queues (Salesforce Group of type Queue, key prefix 00G). One is the default owner of widget requests.
CREATE TABLE queues (
    id         TEXT   NOT NULL PRIMARY KEY,
    name       TEXT   NOT NULL UNIQUE COLLATE nocase,
    is_default BIGINT NOT NULL DEFAULT 0 CHECK (is_default IN (0, 1)),
    created_at TEXT   NOT NULL
);
CREATE UNIQUE INDEX queues_one_default ON queues (is_default) WHERE is_default = 1;

-- The fixed ids below carry valid case-safe suffixes (see server/src/ids.rs).
-- The user that widget submissions are created by, as Salesforce's site guest user.
INSERT INTO users (id, username, name, is_active, created_at)
VALUES ('005000000000001AAA', 'site-guest@contact-widget.invalid', 'Site Guest User', 0, stored_now());
INSERT INTO queues (id, name, is_default, created_at)
VALUES ('00G000000000001EAA', 'Contact Requests', 1, stored_now());

-- Contact requests: one row per accepted submission (Salesforce ContactRequest).
-- `seq` drives the autonumber behind `name`; `id` is the opaque id clients see.
CREATE TABLE contact_requests (
    seq                  BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    id                   TEXT   NOT NULL,
    -- printf('%06d'): six digits at least, never cut.
    name                 TEXT   NOT NULL GENERATED ALWAYS AS (
                             'CR-' || CASE WHEN seq < 1000000 THEN lpad(seq::text, 6, '0') ELSE seq::text END
                         ) STORED,
    status               TEXT   NOT NULL DEFAULT 'New'
                         CHECK (status IN ('New', 'Attempted', 'Contacted', 'Abandoned')),
    request_reason       TEXT   CHECK (request_reason IN ('Account', 'Billing', 'Case', 'General', 'Order', 'Other', 'Product')),
    preferred_channel    TEXT   NOT NULL DEFAULT 'Phone'
                         CHECK (preferred_channel IN ('Phone', 'Email', 'Text')),
    preferred_phone      TEXT,
    request_description  TEXT,
    visitor_name         TEXT,
    visitor_email        TEXT,
    is_callback          BIGINT NOT NULL DEFAULT 0 CHECK (is_callback IN (0, 1)),
    -- The origin of the page the widget was embedded on, as the browser reported it.
    source_origin        TEXT,
    created_at           TEXT   NOT NULL,
    updated_at           TEXT   NOT NULL,
    owner_id             TEXT,
    what_id              TEXT,
    who_id               TEXT,
    created_by_id        TEXT,
    last_modified_by_id  TEXT,
    system_modstamp      TEXT,
    is_deleted           BIGINT NOT NULL DEFAULT 0 CHECK (is_deleted IN (0, 1)),
    deleted_at           TEXT,
    external_id          TEXT,
    -- The site a request came through, and for a verified visitor the host's stable user id (`sub`).
    site_key             TEXT,
    visitor_sub          TEXT,
    call_center_id       TEXT,
    voice_call_id        TEXT,
    telephony_provider   TEXT,
    -- When the request may be routed to a representative; NULL means at once.
    scheduled_routing_at TEXT,
    call_attempts        BIGINT NOT NULL DEFAULT 0
);

CREATE UNIQUE INDEX contact_requests_id ON contact_requests (id);
CREATE UNIQUE INDEX contact_requests_name ON contact_requests (name);
CREATE INDEX contact_requests_created_at ON contact_requests (created_at);
CREATE UNIQUE INDEX contact_requests_external_id ON contact_requests (external_id)
    WHERE external_id IS NOT NULL;
CREATE INDEX contact_requests_modstamp ON contact_requests (system_modstamp);
CREATE INDEX contact_requests_deleted_at ON contact_requests (deleted_at) WHERE is_deleted = 1;
CREATE INDEX contact_requests_visitor ON contact_requests (site_key, visitor_sub) WHERE visitor_sub IS NOT NULL;
-- One callback per voice call and call center: a repeated CALL ID finds the first.
CREATE UNIQUE INDEX contact_requests_voice_call ON contact_requests (call_center_id, voice_call_id)
    WHERE voice_call_id IS NOT NULL;
CREATE INDEX contact_requests_routable ON contact_requests (owner_id, status, scheduled_routing_at)
    WHERE is_deleted = 0;
-- Counting the open callbacks of a call center's slot (a visitor's chosen time) reads this index.
CREATE INDEX contact_requests_call_center_schedule
    ON contact_requests (call_center_id, scheduled_routing_at)
    WHERE is_deleted = 0;
-- Counting a phone number's open bookings (a chosen callback time still ahead), which the intake limits,
-- reads this index; only scheduled requests are in it.
CREATE INDEX contact_requests_phone_bookings
    ON contact_requests (preferred_phone, scheduled_routing_at)
    WHERE is_deleted = 0 AND scheduled_routing_at IS NOT NULL;

-- LastViewedDate and LastReferencedDate are per user.
CREATE TABLE contact_request_views (
    user_id            TEXT NOT NULL REFERENCES users (id),
    record_id          TEXT NOT NULL,
    last_viewed_at     TEXT,
    last_referenced_at TEXT,
    PRIMARY KEY (user_id, record_id)
);

-- Bearer tokens: only the SHA-256 of a token is kept; the token itself is shown once.
CREATE TABLE access_tokens (
    id         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    token_hash TEXT   NOT NULL UNIQUE,
    user_id    TEXT   NOT NULL REFERENCES users (id),
    scope      TEXT   NOT NULL CHECK (scope IN ('read', 'write')),
    label      TEXT,
    created_at TEXT   NOT NULL,
    revoked_at TEXT
);

-- Idempotency keys, scoped by the site a submission came through and by its verified visitor ('' for a
-- guest), written in the transaction of the contact request they created. `fingerprint` is the SHA-256
-- of the normalised submission: the same key with other content is a conflict. Swept by `created_at`.
CREATE TABLE idempotency_keys (
    site_key           TEXT NOT NULL,
    visitor_sub        TEXT NOT NULL,
    key                TEXT NOT NULL,
    fingerprint        TEXT NOT NULL,
    contact_request_id TEXT NOT NULL REFERENCES contact_requests (id),
    created_at         TEXT NOT NULL,
    PRIMARY KEY (site_key, visitor_sub, key)
);
CREATE INDEX idempotency_keys_created_at ON idempotency_keys (created_at);

-- Salesforce CallCenter (key prefix 04v), kept in step with the configuration file at start;
-- `internal_name` is the file's stable key, so ids survive restarts.
CREATE TABLE call_centers (
    seq                 BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    id                  TEXT   NOT NULL UNIQUE,
    internal_name       TEXT   NOT NULL UNIQUE,
    name                TEXT   NOT NULL,
    unified_routing     BIGINT NOT NULL DEFAULT 0 CHECK (unified_routing IN (0, 1)),
    time_zone           TEXT   NOT NULL,
    business_hours      TEXT,
    additional_numbers  TEXT,
    retry_delay_seconds BIGINT NOT NULL DEFAULT 900,
    max_attempts        BIGINT NOT NULL DEFAULT 3,
    owner_id            TEXT,
    created_at          TEXT   NOT NULL,
    updated_at          TEXT   NOT NULL,
    system_modstamp     TEXT   NOT NULL,
    created_by_id       TEXT   NOT NULL,
    last_modified_by_id TEXT   NOT NULL,
    is_deleted          BIGINT NOT NULL DEFAULT 0 CHECK (is_deleted IN (0, 1)),
    deleted_at          TEXT
);

CREATE TABLE call_center_views (
    user_id            TEXT NOT NULL REFERENCES users (id),
    record_id          TEXT NOT NULL,
    last_viewed_at     TEXT,
    last_referenced_at TEXT,
    PRIMARY KEY (user_id, record_id)
);

-- Every Status change: from what, to what, by whom, when.
CREATE TABLE contact_request_status_history (
    seq        BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    record_id  TEXT   NOT NULL,
    old_status TEXT,
    new_status TEXT   NOT NULL,
    changed_by TEXT   NOT NULL,
    changed_at TEXT   NOT NULL
);
CREATE INDEX contact_request_status_history_record ON contact_request_status_history (record_id, seq);

CREATE FUNCTION contact_requests_status_created() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO contact_request_status_history (record_id, old_status, new_status, changed_by, changed_at)
    VALUES (NEW.id, NULL, NEW.status, coalesce(NEW.created_by_id, '005000000000001AAA'), NEW.created_at);
    RETURN NULL;
END
$$;
CREATE TRIGGER contact_requests_status_created AFTER INSERT ON contact_requests
    FOR EACH ROW EXECUTE FUNCTION contact_requests_status_created();

CREATE FUNCTION contact_requests_status_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO contact_request_status_history (record_id, old_status, new_status, changed_by, changed_at)
    VALUES (NEW.id, OLD.status, NEW.status, coalesce(NEW.last_modified_by_id, '005000000000001AAA'),
            coalesce(NEW.updated_at, stored_now()));
    RETURN NULL;
END
$$;
CREATE TRIGGER contact_requests_status_changed AFTER UPDATE OF status ON contact_requests
    FOR EACH ROW WHEN (NEW.status IS DISTINCT FROM OLD.status)
    EXECUTE FUNCTION contact_requests_status_changed();

-- The call log: Salesforce Task (key prefix 00T) with its call fields.
CREATE TABLE tasks (
    seq                      BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    id                       TEXT   NOT NULL UNIQUE,
    subject                  TEXT,
    status                   TEXT   NOT NULL DEFAULT 'Completed',
    what_id                  TEXT,
    who_id                   TEXT,
    description              TEXT,
    call_type                TEXT   CHECK (call_type IN ('Inbound', 'Internal', 'Outbound')),
    call_disposition         TEXT,
    call_duration_in_seconds BIGINT,
    call_object              TEXT,
    call_result              TEXT   CHECK (call_result IN ('Reached', 'Not Reached', 'Gave Up')),
    result_applied           BIGINT NOT NULL DEFAULT 0 CHECK (result_applied IN (0, 1)),
    owner_id                 TEXT   NOT NULL,
    created_at               TEXT   NOT NULL,
    updated_at               TEXT   NOT NULL,
    system_modstamp          TEXT   NOT NULL,
    created_by_id            TEXT   NOT NULL,
    last_modified_by_id      TEXT   NOT NULL,
    is_deleted               BIGINT NOT NULL DEFAULT 0 CHECK (is_deleted IN (0, 1)),
    deleted_at               TEXT
);
CREATE INDEX tasks_what ON tasks (what_id);

CREATE TABLE task_views (
    user_id            TEXT NOT NULL REFERENCES users (id),
    record_id          TEXT NOT NULL,
    last_viewed_at     TEXT,
    last_referenced_at TEXT,
    PRIMARY KEY (user_id, record_id)
);

-- Salesforce EngagementInteraction (key prefix 0eI).
CREATE TABLE engagement_interactions (
    seq                        BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    id                         TEXT   NOT NULL UNIQUE,
    name                       TEXT   NOT NULL GENERATED ALWAYS AS (
                                   'EI-' || CASE WHEN seq < 1000000 THEN lpad(seq::text, 6, '0') ELSE seq::text END
                               ) STORED,
    communication_channel      TEXT   CHECK (communication_channel IN ('In Person', 'Video Call', 'Voice Call', 'Web Chat')),
    type                       TEXT   CHECK (type IN ('Inbound', 'Outbound')),
    start_date_time            TEXT,
    end_date_time              TEXT,
    duration                   TEXT,
    status                     TEXT   CHECK (status IN ('Completed', 'In Progress', 'New')),
    mapped_state               TEXT   NOT NULL DEFAULT 'New' CHECK (mapped_state IN ('Completed', 'InProgress', 'New')),
    is_attendee_authenticated  BIGINT NOT NULL DEFAULT 0 CHECK (is_attendee_authenticated IN (0, 1)),
    is_attendee_verified       BIGINT NOT NULL DEFAULT 0 CHECK (is_attendee_verified IN (0, 1)),
    attendee_verification_time TEXT,
    initiating_attendee_id     TEXT,
    phone_number               TEXT,
    reason                     TEXT,
    sentiment                  TEXT   CHECK (sentiment IN ('Negative', 'Neutral', 'Positive')),
    context_id                 TEXT,
    external_identifier        TEXT,
    record_type_id             TEXT,
    contact_request_id         TEXT,
    owner_id                   TEXT   NOT NULL,
    created_at                 TEXT   NOT NULL,
    updated_at                 TEXT   NOT NULL,
    system_modstamp            TEXT   NOT NULL,
    created_by_id              TEXT   NOT NULL,
    last_modified_by_id        TEXT   NOT NULL,
    is_deleted                 BIGINT NOT NULL DEFAULT 0 CHECK (is_deleted IN (0, 1)),
    deleted_at                 TEXT
);
CREATE INDEX engagement_interactions_contact_request ON engagement_interactions (contact_request_id);

CREATE TABLE engagement_interaction_views (
    user_id            TEXT NOT NULL REFERENCES users (id),
    record_id          TEXT NOT NULL,
    last_viewed_at     TEXT,
    last_referenced_at TEXT,
    PRIMARY KEY (user_id, record_id)
);

-- The users with the system columns every object of the API has. Users are never deleted (deactivated
-- instead), so none is in a recycle bin; the CLI creates them, as the site guest user.
CREATE VIEW user_records AS
SELECT seq, id, username, name, email, is_active, call_center_id, created_at,
       coalesce(updated_at, created_at) AS updated_at,
       coalesce(updated_at, created_at) AS system_modstamp,
       '005000000000001AAA'::text AS created_by_id,
       coalesce(last_modified_by_id, '005000000000001AAA') AS last_modified_by_id,
       id AS owner_id, 0::bigint AS is_deleted, NULL::text AS deleted_at
  FROM users;

-- An update through the API changes the call center and who changed it when; nothing else is updatable.
CREATE FUNCTION user_records_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE users
       SET call_center_id = NEW.call_center_id,
           updated_at = NEW.updated_at,
           last_modified_by_id = NEW.last_modified_by_id
     WHERE id = OLD.id;
    RETURN NEW;
END
$$;
CREATE TRIGGER user_records_update INSTEAD OF UPDATE ON user_records
    FOR EACH ROW EXECUTE FUNCTION user_records_update();

CREATE TABLE user_views (
    user_id            TEXT NOT NULL REFERENCES users (id),
    record_id          TEXT NOT NULL,
    last_viewed_at     TEXT,
    last_referenced_at TEXT,
    PRIMARY KEY (user_id, record_id)
);

-- Proofs of work spent on a stored submission, by their challenge's nonce, written in the transaction that
-- stores the record the proof bought: one solution buys one record, across restarts and processes. A row
-- is swept once its challenge has expired (`expires_ms`, Unix ms). `idempotency_key` is the key it was
-- spent with (NULL for none), so that a refusal can tell which retries are still the first submission's.
CREATE TABLE spent_challenges (
    nonce           TEXT   NOT NULL PRIMARY KEY,
    expires_ms      BIGINT NOT NULL,
    idempotency_key TEXT
);
CREATE INDEX spent_challenges_expires_ms ON spent_challenges (expires_ms);
