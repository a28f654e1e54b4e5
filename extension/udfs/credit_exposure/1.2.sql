-- salesorder.credit_exposure() as of 1.2
-- The public entry (src/visibility.c): whether the caller may see the
-- customer, then credit_exposure_of().  OR REPLACE: in 1.1 it was a SQL
-- function of the same signature (SECURITY DEFINER; this one is not).
CREATE OR REPLACE FUNCTION salesorder.credit_exposure(customer_id bigint, except_order bigint DEFAULT NULL)
RETURNS numeric
AS 'MODULE_PATHNAME', 'so_credit_exposure'
LANGUAGE C STABLE PARALLEL RESTRICTED
SET search_path = pg_catalog, pg_temp;
