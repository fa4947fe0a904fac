-- Version 3 of the server's SQLite store: an operation id names one content (its hash is kept,
-- so that the same id with other content is refused), and NIKs are looked up by index (one NIK,
-- one beneficiary).

ALTER TABLE applied_op ADD COLUMN content_hash TEXT;
CREATE INDEX beneficiary_nik ON beneficiary (nik) WHERE nik IS NOT NULL;
