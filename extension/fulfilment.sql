-- Stock and fulfilment: receipts, adjustments, shipping, the ledger check
-- and the low-stock view.

CREATE FUNCTION salesorder.receive_stock(
	warehouse_id bigint,
	product_id bigint,
	qty numeric,
	note text DEFAULT NULL)
RETURNS salesorder.stock
AS 'MODULE_PATHNAME', 'so_receive_stock'
LANGUAGE C VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp;

CREATE FUNCTION salesorder.adjust_stock(
	warehouse_id bigint,
	product_id bigint,
	delta numeric,
	reason text)
RETURNS salesorder.stock
AS 'MODULE_PATHNAME', 'so_adjust_stock'
LANGUAGE C VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp;

CREATE FUNCTION salesorder.ship(order_id bigint, lines jsonb DEFAULT NULL)
RETURNS salesorder.order_status
AS 'MODULE_PATHNAME', 'so_ship'
LANGUAGE C VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp;

#include "udfs/verify_stock/2.0.sql"

#include "udfs/checkpoint_ledger/1.2.sql"

#include "views/low_stock/1.2.sql"

COMMENT ON FUNCTION salesorder.receive_stock(bigint, bigint, numeric, text) IS
	'Receives stock into a warehouse and fills waiting backorders, oldest order first; returns the stock row';
COMMENT ON FUNCTION salesorder.adjust_stock(bigint, bigint, numeric, text) IS
	'Corrects on_hand by a signed delta with a mandatory reason; never below what is reserved';
COMMENT ON FUNCTION salesorder.ship(bigint, jsonb) IS
	'Ships reserved quantities (all when lines is NULL); partial shipments move the order to partially_shipped';
COMMENT ON FUNCTION salesorder.checkpoint_ledger() IS
	'Folds the stock ledger into ledger_balance up to the ids taken so far, after waiting for the transactions that may still hold some; returns the checkpoint id';
COMMENT ON VIEW salesorder.low_stock IS
	'Stock whose available quantity is below the reorder point, or that open orders wait for (backorders)';

-- Every column of the views, for the remarks BI tools show.
COMMENT ON COLUMN salesorder.low_stock.warehouse IS 'Warehouse code';
COMMENT ON COLUMN salesorder.low_stock.sku IS 'Product SKU';
COMMENT ON COLUMN salesorder.low_stock.product IS 'Product name';
COMMENT ON COLUMN salesorder.low_stock.warehouse_id IS 'Warehouse';
COMMENT ON COLUMN salesorder.low_stock.product_id IS 'Product';
COMMENT ON COLUMN salesorder.low_stock.on_hand IS 'Quantity in the warehouse';
COMMENT ON COLUMN salesorder.low_stock.reserved IS 'Quantity reserved by open orders';
COMMENT ON COLUMN salesorder.low_stock.available IS 'on_hand - reserved';
COMMENT ON COLUMN salesorder.low_stock.reorder_point IS 'Available quantity below which to replenish';
COMMENT ON COLUMN salesorder.low_stock.backorder_qty IS 'Quantity open orders wait for';
COMMENT ON COLUMN salesorder.low_stock.waiting_orders IS 'Order numbers of the open orders waiting for it';
COMMENT ON COLUMN salesorder.low_stock.shortfall IS 'What to replenish to reach the reorder point and cover the backorders';
