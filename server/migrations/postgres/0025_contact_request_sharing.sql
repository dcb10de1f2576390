-- Sharing beyond owners and queues (see server/src/access/sharing.rs): the organisation-wide default
-- for ContactRequest, manual shares (ContactRequestShare) and owner sharing rules
-- (ContactRequestOwnerSharingRule).

-- One row: what every user may do with any request, before owners, queues, shares and rules add to it.
CREATE TABLE sharing_defaults (
    id                    BIGINT PRIMARY KEY CHECK (id = 1),
    contact_request_access TEXT NOT NULL DEFAULT 'Private'
        CHECK (contact_request_access IN ('Private', 'Read', 'Edit'))
);
INSERT INTO sharing_defaults (id) VALUES (1);

-- ContactRequestShare (key prefix 0SH): a request shared with a user or a queue, at Read or Edit. Only
-- Manual shares are stored; deleting one moves it to the recycle bin, and access goes at once.
CREATE TABLE contact_request_shares (
    seq                 BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    id                  TEXT NOT NULL UNIQUE,
    name                TEXT GENERATED ALWAYS AS (id) STORED,
    parent_id           TEXT NOT NULL,
    user_or_group_id    TEXT NOT NULL,
    access_level        TEXT NOT NULL CHECK (access_level IN ('Read', 'Edit', 'All')),
    row_cause           TEXT NOT NULL DEFAULT 'Manual',
    owner_id            TEXT NOT NULL,
    created_at          TEXT NOT NULL,
    updated_at          TEXT NOT NULL,
    system_modstamp     TEXT NOT NULL,
    created_by_id       TEXT NOT NULL,
    last_modified_by_id TEXT NOT NULL,
    is_deleted          BIGINT NOT NULL DEFAULT 0 CHECK (is_deleted IN (0, 1)),
    deleted_at          TEXT
);
CREATE INDEX contact_request_shares_by_grantee
    ON contact_request_shares (user_or_group_id, parent_id) WHERE is_deleted = 0;
CREATE INDEX contact_request_shares_by_parent ON contact_request_shares (parent_id);

CREATE TABLE contact_request_share_views (
    user_id            TEXT NOT NULL REFERENCES users (id),
    record_id          TEXT NOT NULL,
    last_viewed_at     TEXT,
    last_referenced_at TEXT,
    PRIMARY KEY (user_id, record_id)
);

-- ContactRequestOwnerSharingRule (key prefix 0SL): the requests owned by a queue or by its members
-- (group_id) shared with a user or a queue (user_or_group_id), at Read or Edit. Admins manage them.
CREATE TABLE contact_request_sharing_rules (
    seq                 BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    id                  TEXT NOT NULL UNIQUE,
    name                TEXT NOT NULL,
    developer_name      TEXT,
    description         TEXT,
    group_id            TEXT NOT NULL,
    user_or_group_id    TEXT NOT NULL,
    access_level        TEXT NOT NULL CHECK (access_level IN ('Read', 'Edit')),
    owner_id            TEXT NOT NULL,
    created_at          TEXT NOT NULL,
    updated_at          TEXT NOT NULL,
    system_modstamp     TEXT NOT NULL,
    created_by_id       TEXT NOT NULL,
    last_modified_by_id TEXT NOT NULL,
    is_deleted          BIGINT NOT NULL DEFAULT 0 CHECK (is_deleted IN (0, 1)),
    deleted_at          TEXT
);
CREATE INDEX contact_request_sharing_rules_by_grantee
    ON contact_request_sharing_rules (user_or_group_id) WHERE is_deleted = 0;

CREATE TABLE contact_request_sharing_rule_views (
    user_id            TEXT NOT NULL REFERENCES users (id),
    record_id          TEXT NOT NULL,
    last_viewed_at     TEXT,
    last_referenced_at TEXT,
    PRIMARY KEY (user_id, record_id)
);
