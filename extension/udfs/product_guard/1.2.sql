-- salesorder.product_guard() as of 1.2
-- Products that order lines name stay, and ids never change (what a foreign
-- key from order_line did; see src/reference_guard.c).
CREATE FUNCTION salesorder.product_guard()
RETURNS trigger
AS 'MODULE_PATHNAME', 'so_product_guard'
LANGUAGE C
SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION salesorder.product_guard() IS 'Trigger: a product that order lines name is not deleted, and product ids never change';

CREATE TRIGGER product_guard
	BEFORE UPDATE OF id OR DELETE ON salesorder.product
	FOR EACH ROW EXECUTE FUNCTION salesorder.product_guard();
