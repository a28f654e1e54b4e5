-- salesorder.trim_events() as of 1.2
CREATE FUNCTION salesorder.trim_events(keep interval DEFAULT NULL, max_events integer DEFAULT 10000)
RETURNS integer
AS 'MODULE_PATHNAME', 'so_trim_events'
LANGUAGE C VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp;
