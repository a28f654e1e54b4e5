-- salesorder.ledger_reset() as of 1.2
-- Rows a replica session writes (pg_restore, logical replication) keep ids
-- no checkpoint cut accounted for: the ledger checkpoint starts again from
-- the beginning (src/cut.c).  Fires in replica sessions only.
CREATE FUNCTION salesorder.ledger_reset()
RETURNS trigger
AS 'MODULE_PATHNAME', 'so_ledger_reset'
LANGUAGE C SECURITY DEFINER
SET search_path = pg_catalog, pg_temp;

CREATE TRIGGER ledger_reset_replica
	AFTER INSERT ON salesorder.stock_movement
	FOR EACH STATEMENT EXECUTE FUNCTION salesorder.ledger_reset();
ALTER TABLE salesorder.stock_movement ENABLE REPLICA TRIGGER ledger_reset_replica;
COMMENT ON FUNCTION salesorder.ledger_reset() IS
	'Trigger: a replica session''s ledger rows (a restore) make the ledger checkpoint start again';
