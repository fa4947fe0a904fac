-- Version 3 of the PostgreSQL schema: the people's rights (UU 27/2022).
-- 1. What is kept of a person whose file was erased on request: who, when, why. Nothing else.
-- 2. Who read (exported) or erased a person's file on the server.

CREATE TABLE erasure (
    beneficiary_id TEXT PRIMARY KEY,
    village_code   TEXT NOT NULL,
    erased_at      BIGINT NOT NULL,
    erased_by      TEXT NOT NULL,
    reason         TEXT NOT NULL
);

CREATE TABLE file_access (
    id             BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    beneficiary_id TEXT NOT NULL,
    user_id        TEXT NOT NULL,
    username       TEXT NOT NULL,
    device_id      TEXT NOT NULL,
    action         TEXT NOT NULL CHECK (action IN ('export', 'erase')),
    at             BIGINT NOT NULL
);
CREATE INDEX file_access_beneficiary ON file_access (beneficiary_id, id);
