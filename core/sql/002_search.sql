-- Version 2: finding people fast. Name search through FTS5 (case- and accent-insensitive, prefix
-- indexes for the first letters a facilitator types) and NIK prefix search through an index.

CREATE VIRTUAL TABLE beneficiary_search USING fts5(
    full_name,
    content = 'beneficiary',
    content_rowid = 'rowid',
    tokenize = 'unicode61 remove_diacritics 2',
    prefix = '1 2 3'
);

CREATE TRIGGER beneficiary_search_insert AFTER INSERT ON beneficiary BEGIN
    INSERT INTO beneficiary_search (rowid, full_name) VALUES (new.rowid, new.full_name);
END;

CREATE TRIGGER beneficiary_search_delete AFTER DELETE ON beneficiary BEGIN
    INSERT INTO beneficiary_search (beneficiary_search, rowid, full_name) VALUES ('delete', old.rowid, old.full_name);
END;

CREATE TRIGGER beneficiary_search_update AFTER UPDATE OF doc ON beneficiary BEGIN
    INSERT INTO beneficiary_search (beneficiary_search, rowid, full_name) VALUES ('delete', old.rowid, old.full_name);
    INSERT INTO beneficiary_search (rowid, full_name) VALUES (new.rowid, new.full_name);
END;

-- Records stored under version 1 become searchable.
INSERT INTO beneficiary_search (beneficiary_search) VALUES ('rebuild');

CREATE INDEX beneficiary_nik ON beneficiary (nik) WHERE nik IS NOT NULL;
