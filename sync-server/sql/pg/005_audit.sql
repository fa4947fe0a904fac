-- Each applied operation keeps what it wrote, for the console's audit trail of a record.
ALTER TABLE applied_op ADD COLUMN hlc TEXT;
ALTER TABLE applied_op ADD COLUMN fields TEXT;
CREATE INDEX applied_op_entity ON applied_op (entity, entity_id);

-- A file opened in the console is logged as read ('view'), beside exports and erasures.
ALTER TABLE file_access DROP CONSTRAINT file_access_action_check;
ALTER TABLE file_access ADD CONSTRAINT file_access_action_check CHECK (action IN ('export', 'erase', 'view'));
