-- salesorder.verify_stock() as of 1.2
-- Every (warehouse, product) where stock disagrees with the ledger or with
-- the open order lines; no rows when healthy.  It sums the ledger from its
-- last checkpoint (src/ledger_checkpoint.c) and the lines of open orders, so
-- its cost follows what is in flight, not the years of history;
-- verify_stock(true) sums everything from the beginning, and also checks
-- the checkpoint, the closed orders' lines and the references that have no
-- foreign key.  plpgsql with custom plans: the planner sees the checkpoint's
-- id and the mode, and reads only the ledger's tail by its primary key.
-- SECURITY DEFINER, as verify_credit_exposure(): a check of the whole
-- stock reads the checkpoint tables, which are granted to nobody, and
-- every order's lines whatever row-level security would show the caller
-- (it returns quantities per warehouse and product, no order data); who
-- may run it is its EXECUTE grant (the warehouse and admins).
CREATE FUNCTION salesorder.verify_stock(full_check boolean DEFAULT false)
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
LANGUAGE plpgsql STABLE PARALLEL SAFE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
SET plan_cache_mode = force_custom_plan
AS $fn$
DECLARE
	checkpoint_id bigint := (SELECT c.upto_id FROM salesorder.ledger_checkpoint c);
	tail_from bigint := CASE WHEN full_check THEN 0 ELSE checkpoint_id END;
BEGIN
	RETURN QUERY
	WITH ledger AS (
		SELECT x.warehouse_id, x.product_id,
			   sum(x.on_hand) AS on_hand, sum(x.reserved) AS reserved
		FROM (SELECT b.warehouse_id, b.product_id, b.on_hand, b.reserved
			  FROM salesorder.ledger_balance b
			  WHERE NOT full_check
			  UNION ALL
			  -- What archive_history() moved out of the ledger.
			  SELECT a.warehouse_id, a.product_id, a.on_hand, a.reserved
			  FROM salesorder.ledger_archive_balance a
			  UNION ALL
			  SELECT m.warehouse_id, m.product_id, m.on_hand_delta, m.reserved_delta
			  FROM salesorder.stock_movement m
			  WHERE m.id > tail_from) x
		GROUP BY x.warehouse_id, x.product_id),
	-- The checkpoint against the ledger up to it (full check only).
	off_checkpoint AS (
		SELECT coalesce(b.warehouse_id, m.warehouse_id) AS warehouse_id,
			   coalesce(b.product_id, m.product_id) AS product_id
		FROM (SELECT * FROM salesorder.ledger_balance b0 WHERE full_check) b
		FULL JOIN (SELECT m0.warehouse_id, m0.product_id,
						  sum(m0.on_hand_delta) AS on_hand, sum(m0.reserved_delta) AS reserved
				   FROM salesorder.stock_movement m0
				   WHERE full_check AND m0.id <= checkpoint_id
				   GROUP BY m0.warehouse_id, m0.product_id) m
			ON m.warehouse_id = b.warehouse_id AND m.product_id = b.product_id
		-- (A pair whose rows were all archived keeps a zero balance.)
		WHERE coalesce(b.on_hand, 0) <> coalesce(m.on_hand, 0)
		   OR coalesce(b.reserved, 0) <> coalesce(m.reserved, 0)),
	-- Reservations are held by open orders only: a closed order's are
	-- looked for in a full check (a quick one shows them as stock that
	-- disagrees with the open lines).
	lines AS (
		SELECT o.warehouse_id, l.product_id,
			   sum(l.reserved_qty) AS reserved,
			   sum(l.reserved_qty) FILTER (WHERE o.status <> ALL
				   (salesorder.statuses_in_flight())) AS closed_reserved
		FROM salesorder.sales_order o
		JOIN salesorder.order_line l ON l.order_id = o.id
		WHERE l.reserved_qty <> 0
		  AND (full_check OR o.status = ANY (salesorder.statuses_in_flight()))
		GROUP BY o.warehouse_id, l.product_id),
	-- Lines whose product or whose order's warehouse is gone (neither has a
	-- foreign key; product_guard and warehouse_guard keep this from
	-- happening, short of a superuser's bypass): one pass over the lines.
	dangling AS (
		SELECT o.warehouse_id, l.product_id,
			   bool_or(pr.id IS NULL) AS no_product, bool_or(w.id IS NULL) AS no_warehouse
		FROM salesorder.order_line l
		JOIN salesorder.sales_order o ON o.id = l.order_id
		LEFT JOIN salesorder.product pr ON pr.id = l.product_id
		LEFT JOIN salesorder.warehouse w ON w.id = o.warehouse_id
		WHERE full_check AND (pr.id IS NULL OR w.id IS NULL)
		GROUP BY o.warehouse_id, l.product_id),
	pairs AS (
		SELECT s.warehouse_id, s.product_id FROM salesorder.stock s
		UNION SELECT g.warehouse_id, g.product_id FROM ledger g
		UNION SELECT n.warehouse_id, n.product_id FROM lines n
		UNION SELECT d.warehouse_id, d.product_id FROM dangling d
		UNION SELECT k.warehouse_id, k.product_id FROM off_checkpoint k),
	checked AS (
		SELECT p.warehouse_id, p.product_id,
			   s.on_hand, coalesce(g.on_hand, 0) AS ledger_on_hand,
			   s.reserved, coalesce(g.reserved, 0) AS ledger_reserved,
			   coalesce(n.reserved, 0) AS lines_reserved,
			   coalesce(n.closed_reserved, 0) AS closed_lines_reserved,
			   concat_ws('; ',
				   CASE WHEN d.no_product THEN 'order lines name a product that does not exist' END,
				   CASE WHEN d.no_warehouse THEN 'orders name a warehouse that does not exist' END,
				   CASE WHEN k.product_id IS NOT NULL THEN 'the ledger checkpoint differs from the ledger' END,
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
		LEFT JOIN dangling d
			ON d.warehouse_id = p.warehouse_id AND d.product_id = p.product_id
		LEFT JOIN off_checkpoint k
			ON k.warehouse_id = p.warehouse_id AND k.product_id = p.product_id)
	SELECT c.* FROM checked c WHERE c.problem <> '' ORDER BY c.warehouse_id, c.product_id;
END
$fn$;
