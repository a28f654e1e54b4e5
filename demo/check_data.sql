-- demo/check_data.sql -- consistency checks of the demo data set.
--
-- data.sql loads its history with the triggers and foreign-key checks off
-- (session_replication_role = replica), so it must keep every invariant by
-- itself.  This script checks them, one row per invariant with the number of
-- violations; every count must be 0.  It holds before and after story.sql.
--
--     psql -X -d demo -f demo/check_data.sql
--
-- story.sql runs it at the end (\ir).  With JIT, compiling this one big
-- query takes longer than running it (seconds), hence jit = off.

SET jit = off;

SELECT c.ord, c.invariant, c.violations
FROM (
	-- the state machine: each row starts where the one before ended, every
	-- move is in status_transition, and a release from on_hold returns to
	-- where the order was held from
	SELECT 1 AS ord, 'history follows status_transition' AS invariant, count(*) AS violations
	FROM (SELECT h.from_status, h.to_status,
				 pg_catalog.lag(h.to_status) OVER w AS prev_to,
				 pg_catalog.lag(h.from_status) OVER w AS held_from
		  FROM salesorder.order_status_history h
		  WHERE h.kind = 'status'
		  WINDOW w AS (PARTITION BY h.order_id ORDER BY h.id)) h
	LEFT JOIN salesorder.status_transition t
		ON t.from_status = h.from_status AND t.to_status = h.to_status
	WHERE h.from_status IS DISTINCT FROM h.prev_to
	   OR (h.from_status IS NOT NULL
		   AND (t.from_status IS NULL
				OR (h.from_status = 'on_hold' AND h.to_status <> 'cancelled'
					AND h.to_status IS DISTINCT FROM h.held_from)))

	-- approval decisions and change requests are recorded in the history
	-- too (kind decision / change) but move nothing: from = to
	UNION ALL
	SELECT 2, 'decision and change rows keep the status', count(*)
	FROM salesorder.order_status_history h
	WHERE h.kind <> 'status' AND h.from_status IS DISTINCT FROM h.to_status

	UNION ALL
	SELECT 3, 'history starts NULL -> draft (or -> submitted, in one call) at created_at, ends at the status', count(*)
	FROM salesorder.sales_order o
	LEFT JOIN (SELECT order_id,
					  (pg_catalog.array_agg(from_status ORDER BY id))[1] AS first_from,
					  (pg_catalog.array_agg(to_status ORDER BY id))[1] AS first_to,
					  (pg_catalog.array_agg(changed_at ORDER BY id))[1] AS first_at,
					  (pg_catalog.array_agg(to_status ORDER BY id DESC))[1] AS last_to,
					  max(changed_at) AS last_at,
					  count(*) FILTER (WHERE from_status IS NULL) AS starts
			   FROM salesorder.order_status_history WHERE kind = 'status'
			   GROUP BY order_id) h ON h.order_id = o.id
	WHERE h.order_id IS NULL OR h.starts <> 1 OR h.first_from IS NOT NULL
	   OR h.first_to NOT IN ('draft', 'pending_approval', 'approved')
	   OR h.first_at <> o.created_at
	   OR h.last_to <> o.status OR h.last_at > pg_catalog.now()
	   OR o.status_changed_at <> h.last_at

	UNION ALL
	SELECT 4, 'history times never go back', count(*)
	FROM (SELECT changed_at < pg_catalog.lag(changed_at) OVER (PARTITION BY order_id ORDER BY id) AS back
		  FROM salesorder.order_status_history) h
	WHERE h.back

	UNION ALL
	SELECT 5, 'hold_from set exactly when on_hold', count(*)
	FROM salesorder.sales_order
	WHERE (status = 'on_hold') <> (hold_from IS NOT NULL)

	UNION ALL
	SELECT 6, 'header totals and line_count match the lines', count(*)
	FROM salesorder.sales_order o
	LEFT JOIN (SELECT order_id, count(*) AS n,
					  pg_catalog.sum(pg_catalog.round(qty * unit_price, 2)) AS gross,
					  pg_catalog.sum(amount) AS total
			   FROM salesorder.order_line GROUP BY order_id) l ON l.order_id = o.id
	WHERE l.order_id IS NULL OR o.line_count <> l.n OR o.gross_amount <> l.gross
	   OR o.total_amount <> l.total OR o.discount_amount <> l.gross - l.total

	UNION ALL
	SELECT 7, 'line amount = round(qty * price * (1 - discount), 2)', count(*)
	FROM salesorder.order_line
	WHERE amount <> pg_catalog.round(qty * unit_price * (1 - discount_pct / 100), 2)

	UNION ALL
	SELECT 8, 'line quantities fit the order status', count(*)
	FROM salesorder.order_line l
	JOIN salesorder.sales_order o ON o.id = l.order_id
	WHERE l.shipped_qty + l.reserved_qty + l.backorder_qty > l.qty
	   OR (o.status IN ('shipped', 'delivered', 'completed')
		   AND (l.shipped_qty <> l.qty OR l.reserved_qty <> 0))
	   OR (o.status IN ('draft', 'cancelled', 'rejected')
		   AND (l.shipped_qty <> 0 OR l.reserved_qty <> 0))
	   OR (o.status IN ('pending_approval', 'approved', 'in_production')
		   AND l.shipped_qty <> 0)
	   OR (o.status IN ('pending_approval', 'approved', 'in_production',
						'partially_shipped', 'on_hold')
		   AND l.shipped_qty + l.reserved_qty + l.backorder_qty <> l.qty)

	UNION ALL
	SELECT 9, 'partially shipped orders are shipped in part', count(*)
	FROM salesorder.sales_order o
	JOIN (SELECT order_id, pg_catalog.sum(shipped_qty) AS shipped, pg_catalog.sum(qty) AS qty
		  FROM salesorder.order_line GROUP BY order_id) l ON l.order_id = o.id
	WHERE (o.status = 'partially_shipped' OR o.hold_from = 'partially_shipped')
	  AND (l.shipped = 0 OR l.shipped = l.qty)

	UNION ALL
	SELECT 10, 'order_no, customer and warehouse belong together', count(*)
	FROM salesorder.sales_order o
	JOIN salesorder.customer c ON c.id = o.customer_id
	JOIN salesorder.warehouse w ON w.id = o.warehouse_id
	WHERE o.order_no <> 'SO-' || pg_catalog.to_char(o.created_at, 'YYYY') || '-'
						|| pg_catalog.lpad(o.id::text, 6, '0')
	   OR w.region <> c.region OR c.created_at > o.created_at

	UNION ALL
	SELECT 11, 'stock.reserved = reserved qty of the lines', count(*)
	FROM salesorder.stock s
	LEFT JOIN (SELECT o.warehouse_id, l.product_id, pg_catalog.sum(l.reserved_qty) AS reserved
			   FROM salesorder.order_line l JOIN salesorder.sales_order o ON o.id = l.order_id
			   GROUP BY 1, 2) l USING (warehouse_id, product_id)
	WHERE s.reserved <> coalesce(l.reserved, 0)

	UNION ALL
	SELECT 12, 'stock.on_hand = sum of the ledger', count(*)
	FROM salesorder.stock s
	LEFT JOIN (SELECT warehouse_id, product_id, pg_catalog.sum(on_hand_delta) AS on_hand
			   FROM salesorder.stock_movement GROUP BY 1, 2) m USING (warehouse_id, product_id)
	WHERE s.on_hand <> coalesce(m.on_hand, 0)

	UNION ALL
	SELECT 13, 'on_hand never below 0 on any day of the ledger; 0 <= reserved <= on_hand', count(*)
	FROM (SELECT pg_catalog.sum(on_hand_delta) OVER w AS on_hand, 0 AS reserved
		  FROM salesorder.stock_movement
		  WINDOW w AS (PARTITION BY warehouse_id, product_id ORDER BY id)
		  UNION ALL
		  SELECT on_hand, reserved FROM salesorder.stock) r
	WHERE r.on_hand < 0 OR r.reserved < 0 OR r.reserved > r.on_hand

	UNION ALL
	SELECT 14, 'ledger rows of a line: its shipped qty', count(*)
	FROM salesorder.order_line l
	JOIN salesorder.sales_order o ON o.id = l.order_id
	LEFT JOIN (SELECT order_id, line_no, -pg_catalog.sum(on_hand_delta) AS shipped,
					  bool_or(true) AS any_row,
					  min(warehouse_id) AS wh_lo, max(warehouse_id) AS wh_hi,
					  min(product_id) AS p_lo, max(product_id) AS p_hi,
					  min(customer_id) AS c_lo, max(customer_id) AS c_hi
			   FROM salesorder.stock_movement WHERE order_id IS NOT NULL
			   GROUP BY 1, 2) m USING (order_id, line_no)
	WHERE coalesce(m.shipped, 0) <> l.shipped_qty
	   OR (m.any_row AND (m.wh_lo <> o.warehouse_id OR m.wh_hi <> o.warehouse_id
						  OR m.p_lo <> l.product_id OR m.p_hi <> l.product_id
						  OR m.c_lo <> l.customer_id OR m.c_hi <> l.customer_id))

	UNION ALL
	SELECT 15, 'ledger ids follow time', count(*)
	FROM (SELECT created_at < pg_catalog.lag(created_at) OVER (ORDER BY id) AS back
		  FROM salesorder.stock_movement) m
	WHERE m.back

	UNION ALL
	SELECT 16, 'foreign keys (not checked during the load)',
		(SELECT count(*) FROM salesorder.customer c
		 WHERE NOT EXISTS (SELECT 1 FROM salesorder.warehouse w WHERE w.id = c.default_warehouse_id))
	  + (SELECT count(*) FROM salesorder.sales_order o
		 WHERE NOT EXISTS (SELECT 1 FROM salesorder.customer c WHERE c.id = o.customer_id)
			OR NOT EXISTS (SELECT 1 FROM salesorder.warehouse w WHERE w.id = o.warehouse_id))
	  + (SELECT count(*) FROM salesorder.order_line l
		 WHERE NOT EXISTS (SELECT 1 FROM salesorder.sales_order o
						   WHERE o.id = l.order_id AND o.customer_id = l.customer_id)
			OR NOT EXISTS (SELECT 1 FROM salesorder.product p WHERE p.id = l.product_id))
	  + (SELECT count(*) FROM salesorder.order_status_history h
		 WHERE NOT EXISTS (SELECT 1 FROM salesorder.sales_order o
						   WHERE o.id = h.order_id AND o.customer_id = h.customer_id))
	  + (SELECT count(*) FROM salesorder.stock s
		 WHERE NOT EXISTS (SELECT 1 FROM salesorder.product p WHERE p.id = s.product_id)
			OR NOT EXISTS (SELECT 1 FROM salesorder.warehouse w WHERE w.id = s.warehouse_id))
	  + (SELECT count(*) FROM salesorder.stock_movement m
		 WHERE NOT EXISTS (SELECT 1 FROM salesorder.stock s
						   WHERE s.warehouse_id = m.warehouse_id AND s.product_id = m.product_id))

	UNION ALL
	SELECT 17, 'sequences are past the ids',
		(SELECT count(*) FROM (VALUES
			((SELECT last_value FROM salesorder.warehouse_id_seq) < (SELECT max(id) FROM salesorder.warehouse)),
			((SELECT last_value FROM salesorder.customer_id_seq) < (SELECT max(id) FROM salesorder.customer)),
			((SELECT last_value FROM salesorder.product_id_seq) < (SELECT max(id) FROM salesorder.product)),
			((SELECT last_value FROM salesorder.sales_order_id_seq) < (SELECT max(id) FROM salesorder.sales_order)),
			((SELECT last_value FROM salesorder.order_status_history_id_seq)
				< (SELECT max(id) FROM salesorder.order_status_history)),
			((SELECT last_value FROM salesorder.stock_movement_id_seq)
				< (SELECT max(id) FROM salesorder.stock_movement))) v(behind)
		 WHERE v.behind)

	UNION ALL
	SELECT 18, 'salesorder.verify_stock() reports', (SELECT count(*) FROM salesorder.verify_stock())

	-- approve() decides approval steps: an order waiting for approval (also
	-- while on hold) needs an open step, and an open step of an order
	-- submission belongs to such an order (reject and cancel close them)
	UNION ALL
	SELECT 19, 'orders waiting for approval have open steps, and only they', count(*)
	FROM salesorder.sales_order o
	FULL JOIN (SELECT DISTINCT s.order_id FROM salesorder.approval_step s
			   WHERE s.status = 'pending' AND s.change_request_id IS NULL) s
		ON s.order_id = o.id
	WHERE (o.status = 'pending_approval' OR coalesce(o.hold_from = 'pending_approval', false))
		  IS DISTINCT FROM (s.order_id IS NOT NULL)

	-- each customer's running credit exposure is the sum over its orders
	UNION ALL
	SELECT 20, 'salesorder.verify_credit_exposure() reports',
		   (SELECT count(*) FROM salesorder.verify_credit_exposure())
) c
ORDER BY c.ord;

RESET jit;
