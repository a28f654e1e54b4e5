-- bench/growth.sql -- years of history in bulk, for the growth part of the
-- benchmark (bench/growth.sh) and for the reports of bench/run.sh (closed
-- orders only): appends orders of 1..19 lines each, over the customers,
-- products and warehouses of bench/setup.sql (psql variables):
--
--   :closed_orders closed orders (95 % completed, 5 % cancelled), created
--        before the last month at :closed_per_day a day (default: spread
--        over two years), each load continuing further back in time from
--        the closed orders already there: the history that piles up;
--   :open_orders open ones (approved and reserved, created in the last 30
--        days, promised 14 days after creation, so about half are late):
--        what a business has in flight at any time, which does not grow
--        with its history;
--   :pending more open orders (pending_approval) waiting on a review;
--   5 %  of the orders belong to customer 1, a busy customer;
--   10 % had an approval step routed to role bench_reviewer, decided;
--   every order with its history rows and its two outbox events, every line
--        with its ledger row when it shipped (a reservation is no ledger row).
--
-- Written set-based with session_replication_role = replica (no triggers,
-- no foreign-key checks: creating millions of lines through create_order
-- would take hours), so it writes everything the functions would have
-- written, keeping every invariant that verify_stock() checks: the ledger
-- balances, and stock.reserved is what the open lines hold.  The rollup is
-- rebuilt by the caller afterwards, as after any bulk load.
-- Randomness is hash-based: the same data set on every run.

\if :{?closed_orders}
\else
\set closed_orders 6000
\endif
\if :{?closed_per_day}
\else
SELECT :closed_orders / 730.0 AS closed_per_day \gset
\endif
\if :{?open_orders}
\else
\set open_orders 4000
\endif
\if :{?pending}
\else
\set pending 0
\endif

BEGIN;
SET LOCAL session_replication_role = replica;
SET LOCAL work_mem = '512MB';
SET LOCAL synchronous_commit = off;
SET LOCAL jit = off;

CREATE FUNCTION pg_temp.u(k bigint, salt integer) RETURNS double precision
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN (hashint8extended(k, salt) & 9007199254740991)::double precision
	   / 9007199254740992.0;

SELECT coalesce(max(id), 0) AS base_id,
	   count(*) FILTER (WHERE status IN ('completed', 'cancelled')) AS closed_before
FROM salesorder.sales_order \gset

CREATE TEMP TABLE g_order ON COMMIT DROP AS
SELECT o.*,
	   CASE WHEN o.pending THEN 'pending_approval'
			WHEN o.open THEN 'approved'
			WHEN o.completed THEN 'completed'
			ELSE 'cancelled' END AS status,
	   (o.created_at + interval '14 days')::date AS promised_date
FROM (
	SELECT :base_id + g AS id, c.id AS customer_id, c.default_warehouse_id AS warehouse_id,
		   c.default_ship_to AS ship_to, x.open, x.pending,
		   CASE WHEN x.open THEN now() - interval '30 days' * pg_temp.u(g + :base_id, 1)
				ELSE now() - interval '30 days' - interval '1 day'
					* ((:closed_before + g - 1 + pg_temp.u(g + :base_id, 1)) / :closed_per_day)
		   END AS created_at,
		   pg_temp.u(g + :base_id, 3) >= 0.05 AS completed,
		   x.pending OR pg_temp.u(g + :base_id, 7) < 0.10 AS reviewed,
		   1 + floor(pg_temp.u(g + :base_id, 4) * 19)::int AS line_count
	FROM generate_series(1, :closed_orders + :open_orders + :pending) g
	CROSS JOIN LATERAL (SELECT g > :closed_orders + :open_orders AS pending,
							   g > :closed_orders AS open) x
	JOIN salesorder.customer c ON c.id = CASE WHEN pg_temp.u(g + :base_id, 5) < 0.05 THEN 1
		ELSE 2 + floor(pg_temp.u(g + :base_id, 6) * 9999)::int END
) o;

CREATE TEMP TABLE g_line ON COMMIT DROP AS
SELECT o.id AS order_id, n AS line_no, o.customer_id, o.warehouse_id, o.status,
	   o.created_at, p.id AS product_id, q.qty, p.list_price AS unit_price,
	   round(q.qty * p.list_price, 2) AS amount
FROM g_order o
CROSS JOIN LATERAL generate_series(1, o.line_count) n
CROSS JOIN LATERAL (SELECT (1 + floor(pg_temp.u(o.id * 32 + n, 8) * 5))::numeric(14,3) AS qty) q
JOIN salesorder.product p ON p.id = 1 + floor(pg_temp.u(o.id * 32 + n, 9) * 10000)::int;

INSERT INTO salesorder.sales_order
	(id, order_no, customer_id, status, status_reason, warehouse_id, ship_to,
	 line_count, last_line_no, gross_amount, discount_amount, total_amount,
	 promised_date, created_by, created_at, submitted_at, status_changed_at)
SELECT o.id, 'SO-' || to_char(o.created_at, 'YYYY') || '-' || lpad(o.id::text, GREATEST(6, length(o.id::text)), '0'),
	   o.customer_id, o.status::salesorder.order_status,
	   CASE o.status WHEN 'cancelled' THEN 'customer changed plans'
					 WHEN 'pending_approval' THEN 'bench review' END,
	   o.warehouse_id, o.ship_to, o.line_count, o.line_count, t.total, 0, t.total,
	   o.promised_date, 'bench', o.created_at, o.created_at,
	   o.created_at + CASE o.status WHEN 'completed' THEN interval '5 days'
									WHEN 'cancelled' THEN interval '1 day'
									ELSE interval '1 minute' END
FROM g_order o
JOIN (SELECT order_id, sum(amount) AS total FROM g_line GROUP BY order_id) t
	ON t.order_id = o.id
ORDER BY o.id;

INSERT INTO salesorder.order_line
	(order_id, line_no, customer_id, product_id, qty, unit_price, discount_pct, amount,
	 reserved_qty, backorder_qty, shipped_qty)
SELECT order_id, line_no, customer_id, product_id, qty, unit_price, 0, amount,
	   CASE WHEN status IN ('approved', 'pending_approval') THEN qty ELSE 0 END, 0,
	   CASE WHEN status = 'completed' THEN qty ELSE 0 END
FROM g_line;

INSERT INTO salesorder.order_status_history
	(order_id, customer_id, from_status, to_status, changed_by, changed_at, reason)
SELECT o.id, o.customer_id, s.from_status::salesorder.order_status,
	   s.to_status::salesorder.order_status, 'bench', o.created_at + s.after, s.reason
FROM g_order o
CROSS JOIN LATERAL (VALUES
	(1, NULL, 'draft', interval '0', 'created'),
	(2, 'draft', CASE WHEN o.status = 'pending_approval' THEN 'pending_approval' ELSE 'approved' END,
	 interval '1 minute', 'submitted'),
	(3, 'approved', CASE WHEN o.status = 'completed' THEN 'shipped' ELSE 'cancelled' END,
	 CASE WHEN o.status = 'completed' THEN interval '2 days' ELSE interval '1 day' END, NULL),
	(4, 'shipped', 'completed', interval '5 days', NULL)
) s(seq, from_status, to_status, after, reason)
WHERE s.seq <= 2 OR (s.seq = 3 AND o.status IN ('completed', 'cancelled'))
   OR (s.seq = 4 AND o.status = 'completed');

INSERT INTO salesorder.order_event (order_id, customer_id, kind, payload, created_at)
SELECT o.id, o.customer_id, e.kind, jsonb_build_object('by', 'bench'), o.created_at
FROM g_order o
CROSS JOIN (VALUES ('created'), ('submitted')) e(kind)
ORDER BY o.id, e.kind;

INSERT INTO salesorder.approval_step
	(order_id, customer_id, round, level, department, approver_role, status, reason,
	 created_at, decided_by, decided_at)
SELECT o.id, o.customer_id, 1, 1, 'credit', 'bench_reviewer',
	   CASE WHEN o.status = 'pending_approval' THEN 'pending' ELSE 'approved' END,
	   'bench review', o.created_at,
	   CASE WHEN o.status <> 'pending_approval' THEN 'bench' END,
	   CASE WHEN o.status <> 'pending_approval' THEN o.created_at + interval '1 minute' END
FROM g_order o
WHERE o.reviewed;

-- The ledger: receipts of exactly what ships (dated before it, so on_hand
-- does not move), then the shipment of every completed line.
INSERT INTO salesorder.stock_movement
	(warehouse_id, product_id, kind, on_hand_delta, note, created_by, created_at)
SELECT warehouse_id, product_id, 'receipt', sum(qty), 'history', 'bench',
	   (SELECT min(created_at) FROM g_order) - interval '1 day'
FROM g_line
WHERE status = 'completed'
GROUP BY warehouse_id, product_id
ORDER BY warehouse_id, product_id;

INSERT INTO salesorder.stock_movement
	(warehouse_id, product_id, kind, on_hand_delta, order_id, line_no,
	 customer_id, created_by, created_at)
SELECT l.warehouse_id, l.product_id, 'shipment', -l.qty,
	   l.order_id, l.line_no, l.customer_id, 'bench', l.created_at + interval '2 days'
FROM g_line l
WHERE l.status = 'completed'
ORDER BY l.order_id, l.line_no;

UPDATE salesorder.stock s SET reserved = s.reserved + r.qty
FROM (SELECT warehouse_id, product_id, sum(qty) AS qty FROM g_line
	  WHERE status IN ('approved', 'pending_approval')
	  GROUP BY warehouse_id, product_id) r
WHERE s.warehouse_id = r.warehouse_id AND s.product_id = r.product_id;

SELECT setval('salesorder.sales_order_id_seq', (SELECT max(id) FROM salesorder.sales_order))
	\gset
COMMIT;
