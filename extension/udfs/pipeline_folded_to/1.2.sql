-- salesorder.pipeline_folded_to() as of 1.2
CREATE FUNCTION salesorder.pipeline_folded_to()
RETURNS timestamptz
AS 'MODULE_PATHNAME', 'so_pipeline_folded_to'
LANGUAGE C STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp;
