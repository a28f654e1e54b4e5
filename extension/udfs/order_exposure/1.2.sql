-- salesorder.order_exposure() as of 1.2
-- What one order adds, from its row: the whole total while the order is
-- submitted and nothing has shipped; what is left of each line once
-- something has; nothing for drafts, rejected and closed orders.  The one
-- definition is in C (src/exposure.c), which the functions use as they
-- write; this is it for verify_credit_exposure().  Internal (never granted).
CREATE FUNCTION salesorder.order_exposure(status salesorder.order_status,
	hold_from salesorder.order_status, total_amount numeric, order_id bigint)
RETURNS numeric
AS 'MODULE_PATHNAME', 'so_order_exposure_sql'
LANGUAGE C STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp;
