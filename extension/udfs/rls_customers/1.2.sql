-- salesorder.rls_customers() as of 1.2
CREATE FUNCTION salesorder.rls_customers()
RETURNS SETOF bigint
AS 'MODULE_PATHNAME', 'so_rls_customers'
LANGUAGE C STABLE PARALLEL RESTRICTED ROWS 100
SET search_path = pg_catalog, pg_temp;
