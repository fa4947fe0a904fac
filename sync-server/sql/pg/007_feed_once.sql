-- The change feed keeps no second copy of each record: a record's row in `change_log` has an
-- empty body, and the feed reads the record's current state from `record` in the same snapshot
-- (one copy of each record on the server instead of two; less written on every push). Rows of
-- conflicts, evictions and erasures keep their body.
UPDATE change_log SET body = '' WHERE kind = 'record';
