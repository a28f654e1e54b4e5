-- salesorder.rollup_reset() as of 1.2
-- TRUNCATE of the orders (or of their lines) takes their report rows with
-- them: the rollup is what those rows summed, and a TRUNCATE fires no row
-- trigger and calls no function that would append the deltas.
CREATE FUNCTION salesorder.rollup_reset()
RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	-- A compaction committing after this trigger's snapshot would bring
	-- groups back: wait for it, and keep the next one out until commit.
	LOCK TABLE salesorder.sales_rollup, salesorder.sales_rollup_delta IN EXCLUSIVE MODE;
	DELETE FROM salesorder.sales_rollup;
	DELETE FROM salesorder.sales_rollup_delta;
	RETURN NULL;
END
$$;
CREATE TRIGGER rollup_reset
	BEFORE TRUNCATE ON salesorder.sales_order
	FOR EACH STATEMENT EXECUTE FUNCTION salesorder.rollup_reset();
CREATE TRIGGER rollup_reset
	BEFORE TRUNCATE ON salesorder.order_line
	FOR EACH STATEMENT EXECUTE FUNCTION salesorder.rollup_reset();
REVOKE EXECUTE ON FUNCTION salesorder.rollup_reset() FROM PUBLIC;
COMMENT ON FUNCTION salesorder.rollup_reset() IS
	'Trigger: a TRUNCATE of sales_order or order_line empties the report rollup';
