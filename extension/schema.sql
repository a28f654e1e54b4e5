-- Master data and order tables.
--
-- Quantities are numeric(14,3) (fractional units such as kg or m are allowed),
-- prices numeric(14,4), amounts numeric(14,2).  Every table that hangs off an
-- order carries customer_id (row-level security reads it, and a distributed
-- cluster co-locates by it); the functions write it from the locked order
-- row, and users cannot change an order's customer (order_guard) nor give
-- a draft line another (line_guard), so the foreign keys name the order id
-- alone: a key on (customer_id, id) would cost every order an index entry.
--
-- Indexes on the order-side tables are the write cost of every order: each
-- is justified below by the queries that need it.  A new order without an
-- idempotency key writes 4 index entries for its header (id, order_no,
-- status, open orders by customer) and 2 per line (key, product).

CREATE TYPE salesorder.order_status AS ENUM (
	'draft',
	'pending_approval',
	'approved',
	'rejected',
	'in_production',
	'partially_shipped',
	'shipped',
	'delivered',
	'completed',
	'on_hold',
	'cancelled'
);
COMMENT ON TYPE salesorder.order_status IS 'Lifecycle state of an order; legal moves are the rows of salesorder.status_transition';

#include "udfs/statuses/1.2.sql"

CREATE TABLE salesorder.warehouse (
	id			bigserial PRIMARY KEY,
	code		text NOT NULL UNIQUE CHECK (code <> ''),
	name		text NOT NULL,
	region		text NOT NULL,
	active		boolean NOT NULL DEFAULT true
);
COMMENT ON TABLE salesorder.warehouse IS 'Warehouses that hold stock and ship orders';

CREATE TABLE salesorder.customer (
	id					bigserial PRIMARY KEY,
	code				text NOT NULL UNIQUE CHECK (code <> ''),
	name				text NOT NULL,
	region				text NOT NULL,
	segment				text NOT NULL,
	credit_limit		numeric(14,2) NOT NULL DEFAULT 0 CHECK (credit_limit >= 0),
	on_credit_hold		boolean NOT NULL DEFAULT false,
	default_ship_to		text,
	default_warehouse_id bigint REFERENCES salesorder.warehouse (id),
	sales_rep			text,
	active				boolean NOT NULL DEFAULT true,
	created_at			timestamptz NOT NULL DEFAULT pg_catalog.now()
);
COMMENT ON COLUMN salesorder.customer.on_credit_hold IS 'When true, orders of this customer cannot be submitted (SQLSTATE SO005)';
COMMENT ON COLUMN salesorder.customer.sales_rep IS 'Role name of the sales rep (or rep group role) who owns the account';
COMMENT ON COLUMN salesorder.customer.segment IS 'Customer type, e.g. enterprise, smb, retail';
COMMENT ON TABLE salesorder.customer IS 'Customers with their order defaults (ship-to, warehouse, sales rep) and credit position';
CREATE INDEX customer_sales_rep_idx ON salesorder.customer (sales_rep);

CREATE TABLE salesorder.product (
	id			bigserial PRIMARY KEY,
	sku			text NOT NULL UNIQUE CHECK (sku <> ''),
	name		text NOT NULL,
	category	text NOT NULL,
	list_price	numeric(14,4) NOT NULL CHECK (list_price >= 0),
	unit		text NOT NULL DEFAULT 'ea',
	attributes	jsonb NOT NULL DEFAULT '{}',
	active		boolean NOT NULL DEFAULT true
);
COMMENT ON COLUMN salesorder.product.attributes IS 'Variant attributes such as style, colour and size';
COMMENT ON TABLE salesorder.product IS 'Sellable products (one row per variant / SKU)';

CREATE TABLE salesorder.sales_order (
	id					bigserial PRIMARY KEY,
	order_no			text NOT NULL UNIQUE,
	customer_id			bigint NOT NULL REFERENCES salesorder.customer (id),
	status				salesorder.order_status NOT NULL DEFAULT 'draft',
	status_reason		text,
	hold_from			salesorder.order_status,
	revision			integer NOT NULL DEFAULT 1 CHECK (revision >= 1),
	-- No foreign key: create_order looks the warehouse up before it writes
	-- the order, and warehouse_guard keeps named warehouses
	-- (src/reference_guard.c).
	warehouse_id		bigint NOT NULL,
	ship_to				text NOT NULL CHECK (ship_to <> ''),
	sales_rep			text,
	requested_date		date,
	promised_date		date,
	special_requirements text,
	notes				text,
	line_count			integer NOT NULL DEFAULT 0,
	last_line_no		integer NOT NULL DEFAULT 0,
	gross_amount		numeric(14,2) NOT NULL DEFAULT 0,
	discount_amount		numeric(14,2) NOT NULL DEFAULT 0,
	total_amount		numeric(14,2) NOT NULL DEFAULT 0,
	allow_backorder		boolean NOT NULL DEFAULT false,
	needs_stock			boolean NOT NULL DEFAULT false,
	idempotency_key		text,
	source_order_id		bigint REFERENCES salesorder.sales_order (id),
	created_by			text NOT NULL,
	created_at			timestamptz NOT NULL DEFAULT pg_catalog.now(),
	submitted_at		timestamptz,
	status_changed_at	timestamptz NOT NULL DEFAULT pg_catalog.now(),
	CHECK ((status = 'on_hold') = (hold_from IS NOT NULL))
);
COMMENT ON COLUMN salesorder.sales_order.total_amount IS 'Sum of the line amounts after discount';
COMMENT ON COLUMN salesorder.sales_order.revision IS 'Incremented by every applied change request';
COMMENT ON COLUMN salesorder.sales_order.status_reason IS 'Why the order reached its current status';
COMMENT ON COLUMN salesorder.sales_order.hold_from IS 'While on_hold: the state the order returns to on release_hold()';
COMMENT ON TABLE salesorder.sales_order IS 'Order headers; created by create_order()/copy_order(), moved by the lifecycle functions';
-- The primary key: every function takes an order by its id; order_no is
-- what people type (order_tracking, support look-ups) and is unique.
-- Orders by status, and by when they got it: the orders in flight and those
-- closed lately (order_tracking, report_pipeline) without scanning the
-- years of closed ones.
CREATE INDEX sales_order_status_idx ON salesorder.sales_order (status, status_changed_at);
-- Credit checks and row-level security look up a customer's open orders.
CREATE INDEX sales_order_open_by_customer_idx ON salesorder.sales_order (customer_id)
	WHERE status = ANY (salesorder.statuses_in_flight());
-- create_order with an idempotency key: the same key of the same customer
-- returns the same order (and two concurrent calls wait here for each
-- other).  Orders without a key write no entry.
CREATE UNIQUE INDEX sales_order_idempotency_key_idx
	ON salesorder.sales_order (customer_id, idempotency_key)
	WHERE idempotency_key IS NOT NULL;
-- order_tracking_all filtered by created_at (README): orders are appended
-- in time order, so a block range index finds a period's pages; it writes
-- no entry per order (the ranges are summarised by vacuum, and the pages
-- not yet summarised are read).
CREATE INDEX sales_order_created_at_idx ON salesorder.sales_order USING brin (created_at);

CREATE TABLE salesorder.order_line (
	order_id		bigint NOT NULL,
	line_no			integer NOT NULL CHECK (line_no >= 1),
	customer_id		bigint NOT NULL,
	-- No foreign key: create_order looks the product up before it writes the
	-- line, and product_guard keeps referenced products (src/reference_guard.c).
	product_id		bigint NOT NULL,
	qty				numeric(14,3) NOT NULL CHECK (qty > 0),
	unit_price		numeric(14,4) NOT NULL CHECK (unit_price >= 0),
	discount_pct	numeric(5,2) NOT NULL DEFAULT 0 CHECK (discount_pct BETWEEN 0 AND 100),
	amount			numeric(14,2) NOT NULL,
	reserved_qty	numeric(14,3) NOT NULL DEFAULT 0 CHECK (reserved_qty >= 0),
	backorder_qty	numeric(14,3) NOT NULL DEFAULT 0 CHECK (backorder_qty >= 0),
	shipped_qty		numeric(14,3) NOT NULL DEFAULT 0 CHECK (shipped_qty >= 0),
	note			text,
	PRIMARY KEY (order_id, line_no),
	-- No foreign key to sales_order: its check cost every line a query and a
	-- row lock on the order its writer already holds; the guards keep the
	-- reference (udfs/order_lines_cascade/2.0.sql).
	CHECK (shipped_qty + reserved_qty + backorder_qty <= qty)
);
COMMENT ON COLUMN salesorder.order_line.amount IS 'round(qty * unit_price * (100 - discount_pct) / 100, 2)';
COMMENT ON TABLE salesorder.order_line IS 'Order lines; editable directly only while the order is a draft';
-- The primary key (order_id, line_no): an order's lines, in order.  By
-- product: product_guard (may a product be deleted?) and a product's move
-- to another category (rollup_regroup) find its lines.
CREATE INDEX order_line_product_idx ON salesorder.order_line (product_id);
-- Backorders waiting for stock: small, and what receipts and low_stock look up.
CREATE INDEX order_line_backorder_idx ON salesorder.order_line (product_id)
	WHERE backorder_qty > 0;

CREATE TABLE salesorder.order_status_history (
	id			bigserial PRIMARY KEY,
	order_id	bigint NOT NULL,
	customer_id	bigint NOT NULL,
	from_status	salesorder.order_status,
	to_status	salesorder.order_status NOT NULL,
	changed_by	text NOT NULL,
	changed_at	timestamptz NOT NULL DEFAULT pg_catalog.now(),
	reason		text,
	kind		text NOT NULL DEFAULT 'status'
		CHECK (kind IN ('status', 'decision', 'stage', 'change')),
	FOREIGN KEY (order_id) REFERENCES salesorder.sales_order (id) ON DELETE CASCADE
);
COMMENT ON TABLE salesorder.order_status_history IS 'Every status move of every order: from, to, who, when, why';
-- The primary key names a row (an event's history_id); by order, in order:
-- an order's history (the README's look-ups, its last move in
-- order_tracking, the archive's candidates).
CREATE INDEX order_status_history_order_idx
	ON salesorder.order_status_history (order_id, id);

-- pg_dump keeps user data of extension tables only when they are registered.
SELECT pg_catalog.pg_extension_config_dump('salesorder.warehouse', '');
SELECT pg_catalog.pg_extension_config_dump('salesorder.warehouse_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('salesorder.customer', '');
SELECT pg_catalog.pg_extension_config_dump('salesorder.customer_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('salesorder.product', '');
SELECT pg_catalog.pg_extension_config_dump('salesorder.product_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('salesorder.sales_order', '');
SELECT pg_catalog.pg_extension_config_dump('salesorder.sales_order_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('salesorder.order_line', '');
SELECT pg_catalog.pg_extension_config_dump('salesorder.order_status_history', '');
SELECT pg_catalog.pg_extension_config_dump('salesorder.order_status_history_id_seq', '');
