-- Version 2: an operation id names one content (its hash is kept, so that the same id with
-- other content is refused), and NIKs are looked up by index (one NIK, one beneficiary).

ALTER TABLE applied_op ADD COLUMN content_hash TEXT;
CREATE INDEX record_beneficiary_nik ON record ((fields::jsonb ->> 'nik')) WHERE kind = 'beneficiary';
