-- salesorder.archive_history() as of 1.2
CREATE FUNCTION salesorder.archive_history(keep interval DEFAULT NULL, max_rows integer DEFAULT 10000)
RETURNS bigint
AS 'MODULE_PATHNAME', 'so_archive_history'
LANGUAGE C VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp;
