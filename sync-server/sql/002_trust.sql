-- Version 3 of the server's SQLite store.
-- 1. An operation id names one content: its hash is kept, so that the same id with other content
--    is refused (rows applied before have none).
-- 2. Records of every kind share one table, as on PostgreSQL: the record's fields as JSON, its
--    clocks, and the file and village it belongs to. The per-kind tables the store started with
--    (the phones' shape) are moved into it and dropped.

ALTER TABLE applied_op ADD COLUMN content_hash TEXT;

CREATE TABLE record (
    kind           TEXT NOT NULL,
    id             TEXT NOT NULL,
    fields         TEXT NOT NULL,
    created        TEXT NOT NULL,
    clocks         TEXT NOT NULL DEFAULT '{}',
    beneficiary_id TEXT NOT NULL,
    village_code   TEXT NOT NULL,
    PRIMARY KEY (kind, id)
) STRICT;
CREATE INDEX record_beneficiary ON record (beneficiary_id);
-- One NIK, one beneficiary: looked up on every registration.
CREATE INDEX record_beneficiary_nik ON record (fields ->> '$.nik') WHERE kind = 'beneficiary';

INSERT INTO record (kind, id, fields, created, clocks, beneficiary_id, village_code)
    SELECT 'beneficiary', id, json_remove(doc, '$.id'), created, clocks, id, doc ->> '$.village_code' FROM beneficiary;
INSERT INTO record (kind, id, fields, created, clocks, beneficiary_id, village_code)
    SELECT 'prakerja', r.id, json_remove(r.doc, '$.id'), r.created, r.clocks, r.doc ->> '$.beneficiary_id', coalesce(b.doc ->> '$.village_code', '')
    FROM prakerja r LEFT JOIN beneficiary b ON b.id = r.doc ->> '$.beneficiary_id';
INSERT INTO record (kind, id, fields, created, clocks, beneficiary_id, village_code)
    SELECT 'training', r.id, json_remove(r.doc, '$.id'), r.created, r.clocks, r.doc ->> '$.beneficiary_id', coalesce(b.doc ->> '$.village_code', '')
    FROM training r LEFT JOIN beneficiary b ON b.id = r.doc ->> '$.beneficiary_id';
INSERT INTO record (kind, id, fields, created, clocks, beneficiary_id, village_code)
    SELECT 'capital_application', r.id, json_remove(r.doc, '$.id'), r.created, r.clocks, r.doc ->> '$.beneficiary_id', coalesce(b.doc ->> '$.village_code', '')
    FROM capital_application r LEFT JOIN beneficiary b ON b.id = r.doc ->> '$.beneficiary_id';
INSERT INTO record (kind, id, fields, created, clocks, beneficiary_id, village_code)
    SELECT 'business', r.id, json_remove(r.doc, '$.id'), r.created, r.clocks, r.doc ->> '$.beneficiary_id', coalesce(b.doc ->> '$.village_code', '')
    FROM business r LEFT JOIN beneficiary b ON b.id = r.doc ->> '$.beneficiary_id';
INSERT INTO record (kind, id, fields, created, clocks, beneficiary_id, village_code)
    SELECT 'follow_up', r.id, json_remove(r.doc, '$.id'), r.created, r.clocks, r.doc ->> '$.beneficiary_id', coalesce(b.doc ->> '$.village_code', '')
    FROM follow_up r LEFT JOIN beneficiary b ON b.id = r.doc ->> '$.beneficiary_id';
INSERT INTO record (kind, id, fields, created, clocks, beneficiary_id, village_code)
    SELECT 'visit', r.id, json_remove(r.doc, '$.id'), r.created, r.clocks, r.doc ->> '$.beneficiary_id', coalesce(b.doc ->> '$.village_code', '')
    FROM visit r LEFT JOIN beneficiary b ON b.id = r.doc ->> '$.beneficiary_id';
INSERT INTO record (kind, id, fields, created, clocks, beneficiary_id, village_code)
    SELECT 'stage_change', r.id, json_remove(r.doc, '$.id'), r.created, r.clocks, r.doc ->> '$.beneficiary_id', coalesce(b.doc ->> '$.village_code', '')
    FROM stage_change r LEFT JOIN beneficiary b ON b.id = r.doc ->> '$.beneficiary_id';

DROP TABLE prakerja;
DROP TABLE training;
DROP TABLE capital_application;
DROP TABLE business;
DROP TABLE follow_up;
DROP TABLE visit;
DROP TABLE stage_change;
DROP TABLE beneficiary;
DROP TABLE outbox;
