-- salesorder.exposure_reset() as of 1.2
-- TRUNCATE of the orders takes their exposure with them.
CREATE FUNCTION salesorder.exposure_reset()
RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	DELETE FROM salesorder.customer_exposure;
	RETURN NULL;
END
$$;
CREATE TRIGGER exposure_reset
	BEFORE TRUNCATE ON salesorder.sales_order
	FOR EACH STATEMENT EXECUTE FUNCTION salesorder.exposure_reset();
COMMENT ON FUNCTION salesorder.exposure_reset() IS
	'Trigger: a TRUNCATE of sales_order empties customer_exposure';
