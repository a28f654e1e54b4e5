-- salesorder.status_sets() as of 1.2
-- The status sets as the C side has them (src/status.c), one row a set:
-- for the test that compares them with the statuses_*() functions.
CREATE FUNCTION salesorder.status_sets()
RETURNS TABLE (set_name text, statuses text)
AS 'MODULE_PATHNAME', 'so_status_sets'
LANGUAGE C IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp;

COMMENT ON FUNCTION salesorder.status_sets() IS
	'Internal: the status sets of the C functions, to check them against the statuses_*() functions (not granted)';
