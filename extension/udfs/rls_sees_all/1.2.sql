-- salesorder.rls_sees_all() as of 1.2
CREATE FUNCTION salesorder.rls_sees_all()
RETURNS boolean
AS 'MODULE_PATHNAME', 'so_rls_sees_all'
LANGUAGE C STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp;
