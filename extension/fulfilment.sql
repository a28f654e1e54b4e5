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

-- Every (warehouse, product) where stock disagrees with the ledger or with
-- the open order lines; no rows when healthy.
CREATE FUNCTION salesorder.verify_stock()
RETURNS TABLE (
	warehouse_id bigint,
	product_id bigint,
	on_hand numeric,
	ledger_on_hand numeric,
	reserved numeric,
	ledger_reserved numeric,
	lines_reserved numeric,
	closed_lines_reserved numeric,
	problem text)
LANGUAGE sql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
	WITH ledger AS (
		SELECT m.warehouse_id, m.product_id,
			   sum(m.on_hand_delta) AS on_hand, sum(m.reserved_delta) AS reserved
		FROM salesorder.stock_movement m
		GROUP BY m.warehouse_id, m.product_id),
	lines AS (
		SELECT o.warehouse_id, l.product_id,
			   sum(l.reserved_qty) AS reserved,
			   sum(l.reserved_qty) FILTER (WHERE o.status NOT IN
				   ('pending_approval', 'approved', 'in_production',
					'partially_shipped', 'on_hold')) AS closed_reserved
		FROM salesorder.order_line l
		JOIN salesorder.sales_order o ON o.id = l.order_id
		WHERE l.reserved_qty <> 0
		GROUP BY o.warehouse_id, l.product_id),
	-- Lines whose product is gone (the line has no foreign key; product_guard
	-- keeps this from happening, short of a superuser's bypass).
	orphans AS (
		SELECT DISTINCT o.warehouse_id, l.product_id
		FROM salesorder.order_line l
		JOIN salesorder.sales_order o ON o.id = l.order_id
		WHERE NOT EXISTS (SELECT 1 FROM salesorder.product pr WHERE pr.id = l.product_id)),
	-- Lines of orders whose warehouse is gone (no foreign key either;
	-- warehouse_guard keeps this from happening).
	homeless AS (
		SELECT DISTINCT o.warehouse_id, l.product_id
		FROM salesorder.order_line l
		JOIN salesorder.sales_order o ON o.id = l.order_id
		WHERE NOT EXISTS (SELECT 1 FROM salesorder.warehouse w WHERE w.id = o.warehouse_id)),
	pairs AS (
		SELECT s.warehouse_id, s.product_id FROM salesorder.stock s
		UNION SELECT g.warehouse_id, g.product_id FROM ledger g
		UNION SELECT n.warehouse_id, n.product_id FROM lines n
		UNION SELECT r.warehouse_id, r.product_id FROM orphans r
		UNION SELECT h.warehouse_id, h.product_id FROM homeless h),
	checked AS (
		SELECT p.warehouse_id, p.product_id,
			   s.on_hand, coalesce(g.on_hand, 0) AS ledger_on_hand,
			   s.reserved, coalesce(g.reserved, 0) AS ledger_reserved,
			   coalesce(n.reserved, 0) AS lines_reserved,
			   coalesce(n.closed_reserved, 0) AS closed_lines_reserved,
			   concat_ws('; ',
				   CASE WHEN r.product_id IS NOT NULL THEN 'order lines name a product that does not exist' END,
				   CASE WHEN h.product_id IS NOT NULL THEN 'orders name a warehouse that does not exist' END,
				   CASE WHEN s.warehouse_id IS NULL AND g.warehouse_id IS NOT NULL
						THEN 'ledger rows without a stock row' END,
				   CASE WHEN s.warehouse_id IS NULL THEN 'no stock row' END,
				   CASE WHEN s.on_hand <> coalesce(g.on_hand, 0)
						THEN 'on_hand differs from the ledger' END,
				   CASE WHEN s.reserved <> coalesce(g.reserved, 0)
						THEN 'reserved differs from the ledger' END,
				   CASE WHEN s.reserved <> coalesce(n.reserved, 0)
						THEN 'reserved differs from the order lines' END,
				   CASE WHEN coalesce(n.closed_reserved, 0) <> 0
						THEN 'closed orders still hold reservations' END,
				   CASE WHEN s.reserved < 0 OR s.reserved > s.on_hand
						THEN 'reserved outside 0..on_hand' END) AS problem
		FROM pairs p
		LEFT JOIN salesorder.stock s
			ON s.warehouse_id = p.warehouse_id AND s.product_id = p.product_id
		LEFT JOIN ledger g
			ON g.warehouse_id = p.warehouse_id AND g.product_id = p.product_id
		LEFT JOIN lines n
			ON n.warehouse_id = p.warehouse_id AND n.product_id = p.product_id
		LEFT JOIN orphans r
			ON r.warehouse_id = p.warehouse_id AND r.product_id = p.product_id
		LEFT JOIN homeless h
			ON h.warehouse_id = p.warehouse_id AND h.product_id = p.product_id)
	SELECT * FROM checked WHERE problem <> '' ORDER BY warehouse_id, product_id
$$;

-- Stock below its reorder point, or with orders waiting for it.
CREATE VIEW salesorder.low_stock AS
	WITH waiting AS (
		SELECT o.warehouse_id, l.product_id,
			   sum(l.backorder_qty) AS backorder_qty,
			   array_agg(DISTINCT o.order_no ORDER BY o.order_no) AS waiting_orders
		FROM salesorder.order_line l
		JOIN salesorder.sales_order o ON o.id = l.order_id
		WHERE l.backorder_qty > 0
		  AND o.status IN ('pending_approval', 'approved', 'in_production',
						   'partially_shipped', 'on_hold')
		GROUP BY o.warehouse_id, l.product_id)
	SELECT w.code AS warehouse, p.sku, p.name AS product,
		   s.warehouse_id, s.product_id,
		   s.on_hand, s.reserved, s.on_hand - s.reserved AS available,
		   s.reorder_point,
		   coalesce(b.backorder_qty, 0) AS backorder_qty,
		   coalesce(b.waiting_orders, '{}') AS waiting_orders,
		   greatest(s.reorder_point - (s.on_hand - s.reserved), 0)
			   + coalesce(b.backorder_qty, 0) AS shortfall
	FROM salesorder.stock s
	JOIN salesorder.warehouse w ON w.id = s.warehouse_id
	JOIN salesorder.product p ON p.id = s.product_id
	LEFT JOIN waiting b
		ON b.warehouse_id = s.warehouse_id AND b.product_id = s.product_id
	WHERE s.on_hand - s.reserved < s.reorder_point OR b.backorder_qty > 0;

COMMENT ON FUNCTION salesorder.receive_stock(bigint, bigint, numeric, text) IS
	'Receives stock into a warehouse and fills waiting backorders, oldest order first; returns the stock row';
COMMENT ON FUNCTION salesorder.adjust_stock(bigint, bigint, numeric, text) IS
	'Corrects on_hand by a signed delta with a mandatory reason; never below what is reserved';
COMMENT ON FUNCTION salesorder.ship(bigint, jsonb) IS
	'Ships reserved quantities (all when lines is NULL); partial shipments move the order to partially_shipped';
COMMENT ON FUNCTION salesorder.verify_stock() IS
	'Every (warehouse, product) where stock disagrees with the ledger or the open order lines; empty when healthy';
COMMENT ON VIEW salesorder.low_stock IS
	'Stock whose available quantity is below the reorder point, or that open orders wait for (backorders)';
