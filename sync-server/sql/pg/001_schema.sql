-- desmig sync server on PostgreSQL, version 1. The same data as the SQLite store: records as
-- JSON with their clocks, conflicts, users and tokens, applied operations, and the change feed.
-- Records of every kind share one table (the SQLite store keeps the phones' per-kind tables).

CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE TABLE region (
    code  TEXT PRIMARY KEY,
    name  TEXT NOT NULL,
    level TEXT NOT NULL
);

CREATE TABLE checklist_template (
    id         TEXT NOT NULL,
    version    INTEGER NOT NULL,
    definition TEXT NOT NULL,
    PRIMARY KEY (id, version)
);

CREATE TABLE record (
    kind           TEXT NOT NULL,
    id             TEXT NOT NULL,
    fields         TEXT NOT NULL,
    created        TEXT NOT NULL,
    clocks         TEXT NOT NULL DEFAULT '{}',
    beneficiary_id TEXT NOT NULL,
    village_code   TEXT NOT NULL,
    PRIMARY KEY (kind, id)
);
CREATE INDEX record_beneficiary ON record (beneficiary_id);

CREATE TABLE conflict (
    id           TEXT PRIMARY KEY,
    entity       TEXT NOT NULL,
    entity_id    TEXT NOT NULL,
    field        TEXT NOT NULL,
    losing_value TEXT NOT NULL,
    losing_hlc   TEXT NOT NULL,
    detected_at  BIGINT NOT NULL,
    resolved_by  TEXT,
    resolved_at  BIGINT
);

CREATE TABLE app_user (
    id             TEXT PRIMARY KEY,
    username       TEXT NOT NULL UNIQUE,
    display_name   TEXT NOT NULL,
    role           TEXT NOT NULL CHECK (role IN ('facilitator', 'supervisor', 'worker', 'admin')),
    password_hash  TEXT NOT NULL,
    villages       TEXT NOT NULL DEFAULT '[]',
    districts      TEXT NOT NULL DEFAULT '[]',
    beneficiary_id TEXT,
    scope_version  BIGINT NOT NULL DEFAULT 1,
    disabled       BOOLEAN NOT NULL DEFAULT FALSE,
    created_at     BIGINT NOT NULL
);

CREATE TABLE device_token (
    token_hash TEXT PRIMARY KEY,
    user_id    TEXT NOT NULL REFERENCES app_user (id),
    device_id  TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    revoked_at BIGINT
);
CREATE INDEX device_token_device ON device_token (device_id);

CREATE TABLE revoked_device (
    device_id  TEXT PRIMARY KEY,
    revoked_at BIGINT NOT NULL
);

CREATE TABLE applied_op (
    op_id      TEXT PRIMARY KEY,
    device_id  TEXT NOT NULL,
    user_id    TEXT NOT NULL,
    entity     TEXT NOT NULL,
    entity_id  TEXT NOT NULL,
    applied_at BIGINT NOT NULL
);

-- The change feed. Every writer of this table holds the transaction-level advisory lock
-- FEED_LOCK (see pg.rs) from before it takes a sequence number until it commits, so sequence
-- numbers become visible in order, across every server instance: a reader's cursor never
-- passes a change that commits later.
CREATE SEQUENCE change_log_seq;
CREATE TABLE change_log (
    seq            BIGINT PRIMARY KEY DEFAULT nextval('change_log_seq'),
    kind           TEXT NOT NULL CHECK (kind IN ('record', 'conflict', 'evict')),
    entity         TEXT NOT NULL,
    entity_id      TEXT NOT NULL,
    beneficiary_id TEXT NOT NULL,
    village_code   TEXT NOT NULL,
    district       TEXT NOT NULL,
    body           TEXT NOT NULL,
    UNIQUE (kind, entity, entity_id)
);
CREATE INDEX change_log_village ON change_log (village_code, seq);
CREATE INDEX change_log_district ON change_log (district, seq);
CREATE INDEX change_log_beneficiary ON change_log (beneficiary_id, seq);
