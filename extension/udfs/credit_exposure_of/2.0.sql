-- salesorder.credit_exposure_of() as of 2.0: the running figure while a
-- credit rule keeps it, the sum over the customer's open orders otherwise.
-- The customer's exposure, optionally leaving one of its orders out (a
-- change request weighs the order's new total instead of its old one).
-- credit_exposure_of is the computation, for the extension's own use
-- (never granted): SECURITY DEFINER, the exposure counts every open order
-- of the customer whatever the caller may see of them.  credit_exposure is
-- the public entry, which first checks that the caller may see the
-- customer: its rep, the approvers of its orders, admins (else anybody
-- could difference two calls into another rep's order amounts).
CREATE OR REPLACE FUNCTION salesorder.credit_exposure_of(customer_id bigint, except_order bigint DEFAULT NULL)
RETURNS numeric
LANGUAGE sql STABLE PARALLEL SAFE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
	-- The test of credit_exposure_kept(), written out: a call of it costs
	-- each credit check five times what the rest does.
	SELECT (CASE WHEN EXISTS (SELECT 1 FROM salesorder.approval_rule r
							  WHERE r.kind = 'credit_exceeded' AND r.active)
				 THEN coalesce((SELECT e.open_amount FROM salesorder.customer_exposure e
								WHERE e.customer_id = credit_exposure_of.customer_id), 0)
				 ELSE coalesce((SELECT sum(salesorder.order_exposure(o.status, o.hold_from,
															   o.total_amount, o.id))
								FROM salesorder.sales_order o
								WHERE o.customer_id = credit_exposure_of.customer_id
								  AND o.status = ANY (salesorder.statuses_in_flight())), 0)
			END
			- coalesce((SELECT salesorder.order_exposure(o.status, o.hold_from, o.total_amount, o.id)
						FROM salesorder.sales_order o
						WHERE o.id = except_order
						  AND o.customer_id = credit_exposure_of.customer_id), 0))::numeric(14,2)
$$;
