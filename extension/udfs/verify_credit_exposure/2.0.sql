-- salesorder.verify_credit_exposure() as of 2.0: checks the running figure
-- while a credit rule keeps it (without one there is none to check).
-- Customers whose running exposure differs from the sum of what their
-- orders add; no rows when healthy.  One snapshot sees both sides at the
-- same commit.
CREATE OR REPLACE FUNCTION salesorder.verify_credit_exposure()
RETURNS TABLE (customer_id bigint, open_amount numeric, orders_open_amount numeric)
LANGUAGE sql STABLE PARALLEL SAFE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
	WITH orders AS (
		SELECT o.customer_id,
			   sum(salesorder.order_exposure(o.status, o.hold_from, o.total_amount, o.id)) AS amount
		FROM salesorder.sales_order o
		WHERE o.status = ANY (salesorder.statuses_in_flight())
		GROUP BY o.customer_id)
	SELECT coalesce(e.customer_id, x.customer_id),
		   coalesce(e.open_amount, 0)::numeric(14,2),
		   coalesce(x.amount, 0)::numeric(14,2)
	FROM salesorder.customer_exposure e
	FULL JOIN orders x ON x.customer_id = e.customer_id
	WHERE coalesce(e.open_amount, 0) <> coalesce(x.amount, 0)
	  AND salesorder.credit_exposure_kept()
	ORDER BY 1
$$;
