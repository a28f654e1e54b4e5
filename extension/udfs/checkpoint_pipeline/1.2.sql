-- salesorder.checkpoint_pipeline() as of 1.2
-- Folds the orders closed so far into pipeline_closed (the background
-- worker does it every salesorder.checkpoint_interval).
CREATE FUNCTION salesorder.checkpoint_pipeline()
RETURNS timestamptz
AS 'MODULE_PATHNAME', 'so_checkpoint_pipeline'
LANGUAGE C VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp;
