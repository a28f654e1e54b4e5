-- salesorder.pipeline_reset() as of 1.2
CREATE FUNCTION salesorder.pipeline_reset()
RETURNS trigger
AS 'MODULE_PATHNAME', 'so_pipeline_reset'
LANGUAGE C SECURITY DEFINER
SET search_path = pg_catalog, pg_temp;

CREATE TRIGGER pipeline_reset
	BEFORE TRUNCATE ON salesorder.sales_order
	FOR EACH STATEMENT EXECUTE FUNCTION salesorder.pipeline_reset();

-- The same for rows a replica session writes (pg_restore, logical
-- replication): their stamps predate any cut (src/cut.c).
CREATE TRIGGER pipeline_reset_replica
	AFTER INSERT OR UPDATE OR DELETE ON salesorder.sales_order
	FOR EACH STATEMENT EXECUTE FUNCTION salesorder.pipeline_reset();
ALTER TABLE salesorder.sales_order ENABLE REPLICA TRIGGER pipeline_reset_replica;
