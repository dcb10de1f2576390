-- Call centers through the API beside the configuration file (see server/src/call_centers/mod.rs):
-- CallCenter records an admin creates, AdditionalNumber as an object of its own, and the User's
-- call-center auto-login. SQLite's 0035.

-- The file's call centers are marked: the file keeps them (read-only through the API, set again at each
-- start), while those created through the API persist as they were written. Every existing center came
-- from the file.
ALTER TABLE call_centers ADD COLUMN from_file BIGINT NOT NULL DEFAULT 0 CHECK (from_file IN (0, 1));
UPDATE call_centers SET from_file = 1;
-- The numbers live in additional_numbers below; the start-up sync fills it from the file again.
ALTER TABLE call_centers DROP COLUMN additional_numbers;

-- Salesforce AdditionalNumber (key prefix 04m): a number of a call center's directory that is no
-- person's. `call_center_id` NULL puts it in every center's directory, as Salesforce has it. The file's
-- numbers are marked `from_file` and found again at start by their center and name, so ids stay.
CREATE TABLE additional_numbers (
    seq                 BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    id                  TEXT   NOT NULL UNIQUE,
    call_center_id      TEXT,
    name                TEXT   NOT NULL,
    description         TEXT,
    phone               TEXT,
    from_file           BIGINT NOT NULL DEFAULT 0 CHECK (from_file IN (0, 1)),
    owner_id            TEXT,
    created_at          TEXT   NOT NULL,
    updated_at          TEXT   NOT NULL,
    system_modstamp     TEXT   NOT NULL,
    created_by_id       TEXT   NOT NULL,
    last_modified_by_id TEXT   NOT NULL,
    is_deleted          BIGINT NOT NULL DEFAULT 0 CHECK (is_deleted IN (0, 1)),
    deleted_at          TEXT
);
CREATE INDEX additional_numbers_call_center ON additional_numbers (call_center_id, name);
CREATE INDEX additional_numbers_modstamp ON additional_numbers (system_modstamp);

CREATE TABLE additional_number_views (
    user_id            TEXT NOT NULL REFERENCES users (id),
    record_id          TEXT NOT NULL,
    last_viewed_at     TEXT,
    last_referenced_at TEXT,
    PRIMARY KEY (user_id, record_id)
);

-- User.UserPermissionsCallCenterAutoLogin: updatable through the API beside CallCenterId.
ALTER TABLE users ADD COLUMN call_center_auto_login BIGINT NOT NULL DEFAULT 0
    CHECK (call_center_auto_login IN (0, 1));

-- A view's new column goes last (CREATE OR REPLACE keeps the others where they are).
CREATE OR REPLACE VIEW user_records AS
SELECT seq, id, username, name, email, is_active, call_center_id, created_at,
       coalesce(updated_at, created_at) AS updated_at,
       coalesce(updated_at, created_at) AS system_modstamp,
       '005000000000001AAA'::text AS created_by_id,
       coalesce(last_modified_by_id, '005000000000001AAA') AS last_modified_by_id,
       id AS owner_id, 0::bigint AS is_deleted, NULL::text AS deleted_at,
       call_center_auto_login
  FROM users;

-- An update through the API changes the call-center fields and who changed them when; nothing else.
CREATE OR REPLACE FUNCTION user_records_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE users
       SET call_center_id = NEW.call_center_id,
           call_center_auto_login = NEW.call_center_auto_login,
           updated_at = NEW.updated_at,
           last_modified_by_id = NEW.last_modified_by_id
     WHERE id = OLD.id;
    RETURN NEW;
END
$$;
