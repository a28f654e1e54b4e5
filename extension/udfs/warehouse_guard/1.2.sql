-- salesorder.warehouse_guard() as of 1.2
-- Warehouses that orders name stay, and ids never change (what a foreign
-- key from sales_order did; see src/reference_guard.c).
CREATE FUNCTION salesorder.warehouse_guard()
RETURNS trigger
AS 'MODULE_PATHNAME', 'so_warehouse_guard'
LANGUAGE C
SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION salesorder.warehouse_guard() IS 'Trigger: a warehouse that orders name is not deleted, and warehouse ids never change';

CREATE TRIGGER warehouse_guard
	BEFORE UPDATE OF id OR DELETE ON salesorder.warehouse
	FOR EACH ROW EXECUTE FUNCTION salesorder.warehouse_guard();
