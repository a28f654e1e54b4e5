-- salesorder.rollup_reset() as of 2.0: the deltas are in two partitions
-- that take turns (tables/sales_rollup_delta/2.0.sql); emptied, neither is
-- folded.
CREATE OR REPLACE FUNCTION salesorder.rollup_reset()
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
	UPDATE salesorder.rollup_config SET folded_slot = NULL;
	RETURN NULL;
END
$$;
