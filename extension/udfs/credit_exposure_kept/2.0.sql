-- salesorder.credit_exposure_kept() as of 2.0
-- Whether customer_exposure is kept now: while an active credit_exceeded
-- rule reads it.  Without one, an order writes no exposure row and
-- credit_exposure() sums the customer's open orders (src/exposure.c).
CREATE FUNCTION salesorder.credit_exposure_kept()
RETURNS boolean
LANGUAGE sql STABLE PARALLEL SAFE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
	SELECT EXISTS (SELECT 1 FROM salesorder.approval_rule r
				   WHERE r.kind = 'credit_exceeded' AND r.active)
$$;
REVOKE EXECUTE ON FUNCTION salesorder.credit_exposure_kept() FROM PUBLIC;
COMMENT ON FUNCTION salesorder.credit_exposure_kept() IS
	'Internal: whether customer_exposure is kept, i.e. an active credit_exceeded rule reads it (not granted)';
