-- Version 6 of the server's SQLite store: each applied operation keeps what it wrote (its fields
-- with their bases, and its clock), so that the console shows any record's audit trail: every
-- change with field, old → new value, who, device and when. Operations applied before have none.
ALTER TABLE applied_op ADD COLUMN hlc TEXT;
ALTER TABLE applied_op ADD COLUMN fields TEXT;
CREATE INDEX applied_op_entity ON applied_op (entity, entity_id);

-- A file opened in the console is logged as read ('view'), beside exports and erasures.
CREATE TABLE file_access_new (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    beneficiary_id TEXT NOT NULL,
    user_id        TEXT NOT NULL,
    username       TEXT NOT NULL,
    device_id      TEXT NOT NULL,
    action         TEXT NOT NULL CHECK (action IN ('export', 'erase', 'view')),
    at             INTEGER NOT NULL
) STRICT;
INSERT INTO file_access_new SELECT * FROM file_access;
DROP TABLE file_access;
ALTER TABLE file_access_new RENAME TO file_access;
CREATE INDEX file_access_beneficiary ON file_access (beneficiary_id, id);
