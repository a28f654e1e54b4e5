-- bench/setup.sql -- the master data of the order-entry benchmark, and the
-- plain tables of its bare-writes baseline.
--
--   3 warehouses; 10,000 customers, customer c defaults to warehouse
--   1 + (c - 1) % 3 (the pgbench scripts compute the same without a lookup);
--   10,000 products in 8 categories; stock for every (warehouse, product):
--   :stock_qty units on hand (so no order fails for lack of stock), each with
--   its opening receipt in the ledger, as receive_stock() would write it.
--
-- Loaded set-based with session_replication_role = replica (no triggers, no
-- FK checks) like demo/data.sql: receive_stock() 30,000 times would take
-- longer than the benchmark itself.  The rows are what the functions write,
-- and verify_stock() checks them at the end of the run.
--
-- bench_base holds the baseline's own tables, copies of the same data
-- without triggers, foreign keys or ledger: what a hand-written order entry
-- writes at the very least.

\if :{?stock_qty}
\else
\set stock_qty 1000000
\endif

CREATE EXTENSION salesorder;

BEGIN;
SET LOCAL session_replication_role = replica;

INSERT INTO salesorder.warehouse (id, code, name, region) VALUES
	(1, 'WH-N', 'North DC', 'North'),
	(2, 'WH-S', 'South DC', 'South'),
	(3, 'WH-E', 'East DC', 'East');

-- Credit limits far above anything the benchmark orders; no approval rules
-- exist, so every order is approved at once (the fast path of create_order).
INSERT INTO salesorder.customer
	(id, code, name, region, segment, credit_limit, default_ship_to, default_warehouse_id)
SELECT c, 'C' || lpad(c::text, 5, '0'), 'Customer ' || c,
	   (ARRAY['North', 'South', 'East'])[1 + (c - 1) % 3],
	   (ARRAY['enterprise', 'distributor', 'government', 'smb', 'retail'])[1 + (c * 7) % 5],
	   1e10, c || ' Bench St', 1 + (c - 1) % 3
FROM generate_series(1, 10000) c;

INSERT INTO salesorder.product (id, sku, name, category, list_price)
SELECT p, 'P-' || lpad(p::text, 5, '0'), 'Product ' || p,
	   (ARRAY['shirts', 'jackets', 'outerwear', 'shoes', 'bags', 'accessories',
			  'hats', 'socks'])[1 + (p * 13) % 8],
	   (5 + (p * 37) % 496)::numeric(14,4)
FROM generate_series(1, 10000) p;

INSERT INTO salesorder.stock (warehouse_id, product_id, on_hand, reserved)
SELECT w, p, :stock_qty, 0
FROM generate_series(1, 3) w, generate_series(1, 10000) p
ORDER BY w, p;

INSERT INTO salesorder.stock_movement
	(warehouse_id, product_id, kind, on_hand_delta, note, created_by, created_at)
SELECT warehouse_id, product_id, 'receipt', on_hand, 'opening balance', 'bench',
	   now() - interval '3 years'
FROM salesorder.stock
ORDER BY warehouse_id, product_id;

SELECT setval('salesorder.warehouse_id_seq', 3),
	   setval('salesorder.customer_id_seq', 10000),
	   setval('salesorder.product_id_seq', 10000) \gset
COMMIT;

-- The baseline: the same products, prices and stock, in plain tables.
CREATE SCHEMA bench_base;
CREATE TABLE bench_base.product AS
	SELECT id, list_price FROM salesorder.product;
ALTER TABLE bench_base.product ADD PRIMARY KEY (id);
-- (opening: what was there before the benchmark, for run.sh's check)
CREATE TABLE bench_base.stock AS
	SELECT warehouse_id, product_id, on_hand, on_hand AS opening FROM salesorder.stock;
ALTER TABLE bench_base.stock ADD PRIMARY KEY (warehouse_id, product_id);
CREATE TABLE bench_base.orders (
	id				bigserial PRIMARY KEY,
	customer_id		bigint NOT NULL,
	warehouse_id	bigint NOT NULL,
	line_count		integer NOT NULL,
	total_amount	numeric(14,2) NOT NULL,
	created_at		timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE bench_base.order_lines (
	order_id		bigint NOT NULL,
	line_no			integer NOT NULL,
	product_id		bigint NOT NULL,
	qty				numeric(14,3) NOT NULL,
	unit_price		numeric(14,4) NOT NULL,
	amount			numeric(14,2) NOT NULL,
	PRIMARY KEY (order_id, line_no)
);

-- The contract's floor (bench/floor.pgbench): tables shaped like the
-- extension's -- the same columns, defaults (and so sequences) and indexes
-- -- without triggers, foreign keys or checks.
CREATE SCHEMA bench_floor;
CREATE TABLE bench_floor.product AS
	SELECT id, list_price, category FROM salesorder.product;
ALTER TABLE bench_floor.product ADD PRIMARY KEY (id);
CREATE TABLE bench_floor.customer AS
	SELECT id, region, segment FROM salesorder.customer;
ALTER TABLE bench_floor.customer ADD PRIMARY KEY (id);
CREATE TABLE bench_floor.stock
	(LIKE salesorder.stock INCLUDING DEFAULTS INCLUDING INDEXES);
INSERT INTO bench_floor.stock SELECT * FROM salesorder.stock;
CREATE TABLE bench_floor.sales_order
	(LIKE salesorder.sales_order INCLUDING DEFAULTS INCLUDING INDEXES);
CREATE TABLE bench_floor.order_line
	(LIKE salesorder.order_line INCLUDING DEFAULTS INCLUDING INDEXES);
CREATE TABLE bench_floor.stock_movement
	(LIKE salesorder.stock_movement INCLUDING DEFAULTS INCLUDING INDEXES);
CREATE TABLE bench_floor.order_status_history
	(LIKE salesorder.order_status_history INCLUDING DEFAULTS INCLUDING INDEXES);
CREATE TABLE bench_floor.order_event
	(LIKE salesorder.order_event INCLUDING DEFAULTS INCLUDING INDEXES);
CREATE TABLE bench_floor.sales_rollup_delta
	(LIKE salesorder.sales_rollup_delta INCLUDING DEFAULTS INCLUDING INDEXES);

ANALYZE;
