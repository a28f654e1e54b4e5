-- bench/history.sql -- two years of order history in bulk, for the report
-- benchmark: :history_orders orders (psql variable) of 1..19 lines each
-- (10 on average), 95 % completed and 5 % cancelled, over the customers,
-- products and warehouses of bench/setup.sql.
--
-- Like demo/data.sql it writes set-based with session_replication_role =
-- replica (no triggers, no FK checks; creating millions of lines through
-- create_order would take hours), and so it writes everything the functions
-- would have written, keeping every invariant that verify_stock() checks:
--
--   completed: history created -> approved -> shipped -> completed; per line
--              a reservation and a shipment in the ledger, shipped_qty = qty;
--   cancelled: history created -> approved -> cancelled; per line a
--              reservation and a release, nothing shipped;
--   stock:     one receipt per (warehouse, product) of exactly what the
--              history shipped, dated before it, so on_hand does not move.
--
-- Randomness is hash-based, so the data set is the same on every run.
-- Rows go in in order id order (the temp tables are generated that way):
-- ids follow time per order, and no sort of millions of rows is paid for.
-- The rollup is rebuilt by bench/run.sh afterwards, as after any bulk load.

\if :{?history_orders}
\else
\set history_orders 300000
\endif

BEGIN;
SET LOCAL session_replication_role = replica;
SET LOCAL work_mem = '1GB';
SET LOCAL maintenance_work_mem = '1GB';
SET LOCAL synchronous_commit = off;
SET LOCAL jit = off;
-- (only settable before the session first uses a temp table)
SET LOCAL temp_buffers = '2GB';

CREATE FUNCTION pg_temp.u(k bigint, salt integer) RETURNS double precision
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN (hashint8extended(k, salt) & 9007199254740991)::double precision
	   / 9007199254740992.0;

-- Ids after every order that exists (those of the order-entry runs).
SELECT coalesce(max(id), 0) AS base_id FROM salesorder.sales_order \gset

CREATE TEMP TABLE h_order ON COMMIT DROP AS
SELECT :base_id + g AS id, c.id AS customer_id, c.default_warehouse_id AS warehouse_id,
	   c.default_ship_to AS ship_to,
	   -- spread over the last two years, ids in time order
	   now() - interval '730 days' + interval '730 days' * (g - pg_temp.u(g, 1)) / :history_orders
		   AS created_at,
	   pg_temp.u(g, 2) >= 0.05 AS completed,
	   1 + floor(pg_temp.u(g, 3) * 19)::int AS line_count
FROM generate_series(1, :history_orders) g
JOIN salesorder.customer c ON c.id = 1 + floor(pg_temp.u(g, 4) * 10000)::int;

CREATE TEMP TABLE h_line ON COMMIT DROP AS
SELECT o.id AS order_id, n AS line_no, o.customer_id, o.warehouse_id, o.completed,
	   o.created_at, p.id AS product_id, q.qty, p.list_price AS unit_price,
	   round(q.qty * p.list_price, 2) AS amount
FROM h_order o
CROSS JOIN LATERAL generate_series(1, o.line_count) n
CROSS JOIN LATERAL (SELECT (1 + floor(pg_temp.u(o.id * 32 + n, 5) * 5))::numeric(14,3) AS qty) q
JOIN salesorder.product p ON p.id = 1 + floor(pg_temp.u(o.id * 32 + n, 6) * 10000)::int;

INSERT INTO salesorder.sales_order
	(id, order_no, customer_id, status, status_reason, warehouse_id, ship_to,
	 line_count, last_line_no, gross_amount, discount_amount, total_amount,
	 created_by, created_at, submitted_at, status_changed_at)
SELECT o.id, 'SO-' || to_char(o.created_at, 'YYYY') || '-' || lpad(o.id::text, 6, '0'),
	   o.customer_id,
	   CASE WHEN o.completed THEN 'completed' ELSE 'cancelled' END::salesorder.order_status,
	   CASE WHEN o.completed THEN NULL ELSE 'customer changed plans' END,
	   o.warehouse_id, o.ship_to, o.line_count, o.line_count, t.total, 0, t.total,
	   'bench', o.created_at, o.created_at,
	   o.created_at + CASE WHEN o.completed THEN interval '5 days' ELSE interval '1 day' END
FROM h_order o
JOIN (SELECT order_id, sum(amount) AS total FROM h_line GROUP BY order_id) t
	ON t.order_id = o.id
ORDER BY o.id;

INSERT INTO salesorder.order_line
	(order_id, line_no, customer_id, product_id, qty, unit_price, discount_pct, amount,
	 reserved_qty, backorder_qty, shipped_qty)
SELECT order_id, line_no, customer_id, product_id, qty, unit_price, 0, amount,
	   0, 0, CASE WHEN completed THEN qty ELSE 0 END
FROM h_line;

INSERT INTO salesorder.order_status_history
	(order_id, customer_id, from_status, to_status, changed_by, changed_at, reason)
SELECT o.id, o.customer_id, s.from_status::salesorder.order_status,
	   s.to_status::salesorder.order_status, 'bench', o.created_at + s.after, s.reason
FROM h_order o
CROSS JOIN LATERAL (VALUES
	(1, NULL, 'draft', interval '0', 'created'),
	(2, 'draft', 'approved', interval '1 minute', 'submitted; no approval required'),
	(3, 'approved', CASE WHEN o.completed THEN 'shipped' ELSE 'cancelled' END,
	 CASE WHEN o.completed THEN interval '2 days' ELSE interval '1 day' END,
	 CASE WHEN o.completed THEN NULL ELSE 'customer changed plans' END),
	(4, 'shipped', 'completed', interval '5 days', NULL)
) s(seq, from_status, to_status, after, reason)
WHERE s.seq < 4 OR o.completed;

-- The opening receipts for what the history ships, then per line its
-- reservation and its shipment (or release).
INSERT INTO salesorder.stock_movement
	(warehouse_id, product_id, kind, on_hand_delta, reserved_delta, note, created_by, created_at)
SELECT warehouse_id, product_id, 'receipt', sum(qty), 0, 'history', 'bench',
	   now() - interval '731 days'
FROM h_line
WHERE completed
GROUP BY warehouse_id, product_id
ORDER BY warehouse_id, product_id;

INSERT INTO salesorder.stock_movement
	(warehouse_id, product_id, kind, on_hand_delta, reserved_delta, order_id, line_no,
	 customer_id, created_by, created_at)
SELECT l.warehouse_id, l.product_id, m.kind, m.on_hand_delta, m.reserved_delta,
	   l.order_id, l.line_no, l.customer_id, 'bench', l.created_at + m.after
FROM h_line l
CROSS JOIN LATERAL (VALUES
	('reservation', 0, l.qty, interval '1 minute'),
	(CASE WHEN l.completed THEN 'shipment' ELSE 'release' END,
	 CASE WHEN l.completed THEN -l.qty ELSE 0 END, -l.qty,
	 CASE WHEN l.completed THEN interval '2 days' ELSE interval '1 day' END)
) m(kind, on_hand_delta, reserved_delta, after);

SELECT setval('salesorder.sales_order_id_seq', (SELECT max(id) FROM salesorder.sales_order))
	\gset
COMMIT;

ANALYZE salesorder.sales_order, salesorder.order_line, salesorder.order_status_history,
		salesorder.stock_movement;
