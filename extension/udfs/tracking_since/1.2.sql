-- salesorder.tracking_since() as of 1.2
CREATE FUNCTION salesorder.tracking_since()
RETURNS timestamptz
AS 'MODULE_PATHNAME', 'so_tracking_since_fn'
LANGUAGE C STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp;
