-- Sync server tables, on top of the record tables it shares with the phones (core's
-- 001_records.sql): users and their scope, device tokens, the operations applied (for
-- idempotency) and the change feed.

CREATE TABLE app_user (
    id             TEXT PRIMARY KEY,
    username       TEXT NOT NULL UNIQUE,
    display_name   TEXT NOT NULL,
    role           TEXT NOT NULL CHECK (role IN ('facilitator', 'supervisor', 'worker', 'admin')),
    password_hash  TEXT NOT NULL,
    villages       TEXT NOT NULL DEFAULT '[]',
    districts      TEXT NOT NULL DEFAULT '[]',
    beneficiary_id TEXT,
    -- Bumped when the user's villages or districts change: their next pull starts over.
    scope_version  INTEGER NOT NULL DEFAULT 1,
    disabled       INTEGER NOT NULL DEFAULT 0,
    created_at     INTEGER NOT NULL
) STRICT;

-- Tokens are stored hashed (SHA-256); the token itself only ever exists on the device.
CREATE TABLE device_token (
    token_hash TEXT PRIMARY KEY,
    user_id    TEXT NOT NULL REFERENCES app_user (id),
    device_id  TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    revoked_at INTEGER
) STRICT;
CREATE INDEX device_token_device ON device_token (device_id);

CREATE TABLE revoked_device (
    device_id  TEXT PRIMARY KEY,
    revoked_at INTEGER NOT NULL
) STRICT;

-- Every operation applied, by its client-made id: a retried batch is acknowledged, not re-applied.
CREATE TABLE applied_op (
    op_id      TEXT PRIMARY KEY,
    device_id  TEXT NOT NULL,
    user_id    TEXT NOT NULL,
    entity     TEXT NOT NULL,
    entity_id  TEXT NOT NULL,
    applied_at INTEGER NOT NULL
) STRICT;

-- The change feed: one row per record (or conflict) holding its current state; a change gives
-- the row a new, higher seq. SQLite has one writer at a time, so seqs become visible in order and
-- a reader's cursor never passes a change that commits later (see docs/sync-protocol.md).
CREATE TABLE change_log (
    seq            INTEGER PRIMARY KEY AUTOINCREMENT,
    kind           TEXT NOT NULL CHECK (kind IN ('record', 'conflict', 'evict')),
    entity_id      TEXT NOT NULL,
    entity         TEXT NOT NULL,
    beneficiary_id TEXT NOT NULL,
    village_code   TEXT NOT NULL,
    district       TEXT NOT NULL,
    body           TEXT NOT NULL,
    UNIQUE (kind, entity, entity_id)
) STRICT;
CREATE INDEX change_log_village ON change_log (village_code, seq);
CREATE INDEX change_log_district ON change_log (district, seq);
CREATE INDEX change_log_beneficiary ON change_log (beneficiary_id, seq);
