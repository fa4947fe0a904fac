-- desmig local store, version 1: the records, the outbox and reference data.
-- Every record table has the same shape: the record as JSON (`doc`), the clock of the operation
-- that created it, and the clocks of fields changed since (`clocks`). Columns that queries need
-- are generated from `doc`, so the generic merge code writes one shape for every kind.

CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) STRICT;

CREATE TABLE region (
    code  TEXT PRIMARY KEY,
    name  TEXT NOT NULL,
    level TEXT NOT NULL
) STRICT;

CREATE TABLE checklist_template (
    id         TEXT NOT NULL,
    version    INTEGER NOT NULL,
    definition TEXT NOT NULL,
    PRIMARY KEY (id, version)
) STRICT;

CREATE TABLE beneficiary (
    id           TEXT PRIMARY KEY,
    doc          TEXT NOT NULL,
    created      TEXT NOT NULL,
    clocks       TEXT NOT NULL DEFAULT '{}',
    village_code TEXT GENERATED ALWAYS AS (doc ->> '$.village_code') VIRTUAL,
    full_name    TEXT GENERATED ALWAYS AS (doc ->> '$.full_name') VIRTUAL,
    nik          TEXT GENERATED ALWAYS AS (doc ->> '$.nik') VIRTUAL
) STRICT;

CREATE TABLE prakerja (
    id             TEXT PRIMARY KEY,
    doc            TEXT NOT NULL,
    created        TEXT NOT NULL,
    clocks         TEXT NOT NULL DEFAULT '{}',
    beneficiary_id TEXT GENERATED ALWAYS AS (doc ->> '$.beneficiary_id') VIRTUAL,
    stage          TEXT GENERATED ALWAYS AS (doc ->> '$.stage') VIRTUAL
) STRICT;

CREATE TABLE training (
    id             TEXT PRIMARY KEY,
    doc            TEXT NOT NULL,
    created        TEXT NOT NULL,
    clocks         TEXT NOT NULL DEFAULT '{}',
    beneficiary_id TEXT GENERATED ALWAYS AS (doc ->> '$.beneficiary_id') VIRTUAL,
    status         TEXT GENERATED ALWAYS AS (doc ->> '$.status') VIRTUAL
) STRICT;

CREATE TABLE capital_application (
    id               TEXT PRIMARY KEY,
    doc              TEXT NOT NULL,
    created          TEXT NOT NULL,
    clocks           TEXT NOT NULL DEFAULT '{}',
    beneficiary_id   TEXT GENERATED ALWAYS AS (doc ->> '$.beneficiary_id') VIRTUAL,
    stage            TEXT GENERATED ALWAYS AS (doc ->> '$.stage') VIRTUAL,
    amount_disbursed INTEGER GENERATED ALWAYS AS (doc ->> '$.amount_disbursed') VIRTUAL
) STRICT;

CREATE TABLE business (
    id             TEXT PRIMARY KEY,
    doc            TEXT NOT NULL,
    created        TEXT NOT NULL,
    clocks         TEXT NOT NULL DEFAULT '{}',
    beneficiary_id TEXT GENERATED ALWAYS AS (doc ->> '$.beneficiary_id') VIRTUAL,
    status         TEXT GENERATED ALWAYS AS (doc ->> '$.status') VIRTUAL
) STRICT;

CREATE TABLE follow_up (
    id             TEXT PRIMARY KEY,
    doc            TEXT NOT NULL,
    created        TEXT NOT NULL,
    clocks         TEXT NOT NULL DEFAULT '{}',
    beneficiary_id TEXT GENERATED ALWAYS AS (doc ->> '$.beneficiary_id') VIRTUAL,
    due_date       TEXT GENERATED ALWAYS AS (doc ->> '$.due_date') VIRTUAL,
    done_on        TEXT GENERATED ALWAYS AS (doc ->> '$.done_on') VIRTUAL
) STRICT;

CREATE TABLE visit (
    id             TEXT PRIMARY KEY,
    doc            TEXT NOT NULL,
    created        TEXT NOT NULL,
    clocks         TEXT NOT NULL DEFAULT '{}',
    beneficiary_id TEXT GENERATED ALWAYS AS (doc ->> '$.beneficiary_id') VIRTUAL,
    started_at     INTEGER GENERATED ALWAYS AS (doc ->> '$.started_at') VIRTUAL,
    status         TEXT GENERATED ALWAYS AS (doc ->> '$.status') VIRTUAL
) STRICT;

CREATE TABLE stage_change (
    id             TEXT PRIMARY KEY,
    doc            TEXT NOT NULL,
    created        TEXT NOT NULL,
    clocks         TEXT NOT NULL DEFAULT '{}',
    beneficiary_id TEXT GENERATED ALWAYS AS (doc ->> '$.beneficiary_id') VIRTUAL,
    subject_id     TEXT GENERATED ALWAYS AS (doc ->> '$.subject_id') VIRTUAL
) STRICT;

-- Values that lost to a concurrent write of the same field, for a supervisor to resolve.
CREATE TABLE conflict (
    id           TEXT PRIMARY KEY,
    entity       TEXT NOT NULL,
    entity_id    TEXT NOT NULL,
    field        TEXT NOT NULL,
    losing_value TEXT NOT NULL,
    losing_hlc   TEXT NOT NULL,
    detected_at  INTEGER NOT NULL,
    resolved_by  TEXT,
    resolved_at  INTEGER
) STRICT;

-- Local changes not yet acknowledged by the server, in the order they were made. Written in the
-- same transaction as the record they change; removed only in the transaction that records the
-- server's acknowledgement.
CREATE TABLE outbox (
    seq            INTEGER PRIMARY KEY AUTOINCREMENT,
    op_id          TEXT NOT NULL UNIQUE,
    entity         TEXT NOT NULL,
    entity_id      TEXT NOT NULL,
    op             TEXT NOT NULL,
    created_at     INTEGER NOT NULL,
    state          TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'rejected')),
    attempts       INTEGER NOT NULL DEFAULT 0,
    reject_code    TEXT,
    reject_message TEXT
) STRICT;

CREATE INDEX beneficiary_village_name ON beneficiary (village_code, full_name, id);
CREATE INDEX prakerja_beneficiary ON prakerja (beneficiary_id);
CREATE INDEX training_beneficiary ON training (beneficiary_id, status);
CREATE INDEX capital_beneficiary ON capital_application (beneficiary_id, stage);
CREATE INDEX business_beneficiary ON business (beneficiary_id, status);
CREATE INDEX follow_up_beneficiary ON follow_up (beneficiary_id);
CREATE INDEX follow_up_open_due ON follow_up (due_date) WHERE done_on IS NULL;
CREATE INDEX visit_beneficiary ON visit (beneficiary_id, started_at);
CREATE INDEX visit_started ON visit (started_at);
CREATE INDEX stage_change_subject ON stage_change (subject_id);
CREATE INDEX stage_change_beneficiary ON stage_change (beneficiary_id);
CREATE INDEX outbox_entity ON outbox (entity, entity_id);
