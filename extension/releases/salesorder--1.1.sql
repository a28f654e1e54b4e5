-- salesorder install script, generated from extension/*.sql by the Makefile.
-- Every object is schema-qualified and every function pins search_path, so a
-- hostile search_path in the installing or calling session changes nothing.

\echo Use "CREATE EXTENSION salesorder" to load this file. \quit

-- Master data and order tables.
--
-- Quantities are numeric(14,3) (fractional units such as kg or m are allowed),
-- prices numeric(14,4), amounts numeric(14,2).  Every table that hangs off an
-- order carries customer_id so that it can later be co-located with its order
-- on a distributed cluster; keys between order-side tables include it.

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

CREATE TABLE salesorder.warehouse (
	id			bigserial PRIMARY KEY,
	code		text NOT NULL UNIQUE CHECK (code <> ''),
	name		text NOT NULL,
	region		text NOT NULL,
	active		boolean NOT NULL DEFAULT true
);

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

CREATE TABLE salesorder.sales_order (
	id					bigserial PRIMARY KEY,
	order_no			text NOT NULL UNIQUE,
	customer_id			bigint NOT NULL REFERENCES salesorder.customer (id),
	status				salesorder.order_status NOT NULL DEFAULT 'draft',
	status_reason		text,
	hold_from			salesorder.order_status,
	revision			integer NOT NULL DEFAULT 1 CHECK (revision >= 1),
	warehouse_id		bigint NOT NULL REFERENCES salesorder.warehouse (id),
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
	UNIQUE (customer_id, id),
	UNIQUE (customer_id, idempotency_key),
	CHECK ((status = 'on_hold') = (hold_from IS NOT NULL))
);
CREATE INDEX sales_order_status_idx ON salesorder.sales_order (status);
-- Credit checks and row-level security look up a customer's open orders.
CREATE INDEX sales_order_open_by_customer_idx ON salesorder.sales_order (customer_id)
	WHERE status IN ('pending_approval', 'approved', 'in_production',
					 'partially_shipped', 'on_hold');
CREATE INDEX sales_order_created_at_idx ON salesorder.sales_order (created_at);

CREATE TABLE salesorder.order_line (
	order_id		bigint NOT NULL,
	line_no			integer NOT NULL CHECK (line_no >= 1),
	customer_id		bigint NOT NULL,
	product_id		bigint NOT NULL REFERENCES salesorder.product (id),
	qty				numeric(14,3) NOT NULL CHECK (qty > 0),
	unit_price		numeric(14,4) NOT NULL CHECK (unit_price >= 0),
	discount_pct	numeric(5,2) NOT NULL DEFAULT 0 CHECK (discount_pct BETWEEN 0 AND 100),
	amount			numeric(14,2) NOT NULL,
	reserved_qty	numeric(14,3) NOT NULL DEFAULT 0 CHECK (reserved_qty >= 0),
	backorder_qty	numeric(14,3) NOT NULL DEFAULT 0 CHECK (backorder_qty >= 0),
	shipped_qty		numeric(14,3) NOT NULL DEFAULT 0 CHECK (shipped_qty >= 0),
	note			text,
	PRIMARY KEY (order_id, line_no),
	FOREIGN KEY (customer_id, order_id)
		REFERENCES salesorder.sales_order (customer_id, id) ON DELETE CASCADE,
	CHECK (shipped_qty + reserved_qty + backorder_qty <= qty)
);
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
	FOREIGN KEY (customer_id, order_id)
		REFERENCES salesorder.sales_order (customer_id, id) ON DELETE CASCADE
);
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
-- Stock per (warehouse, product) and its append-only ledger.
--
-- Invariants (checked by salesorder.verify_stock()):
--   0 <= reserved <= on_hand
--   on_hand  = sum of the ledger's on_hand deltas for the pair
--   reserved = sum of the open reserved quantities of order lines

CREATE TABLE salesorder.stock (
	warehouse_id	bigint NOT NULL REFERENCES salesorder.warehouse (id),
	product_id		bigint NOT NULL REFERENCES salesorder.product (id),
	on_hand			numeric(14,3) NOT NULL DEFAULT 0,
	reserved		numeric(14,3) NOT NULL DEFAULT 0,
	reorder_point	numeric(14,3) NOT NULL DEFAULT 0 CHECK (reorder_point >= 0),
	PRIMARY KEY (warehouse_id, product_id),
	CHECK (reserved >= 0 AND reserved <= on_hand)
);
CREATE INDEX stock_product_idx ON salesorder.stock (product_id);

CREATE TABLE salesorder.stock_movement (
	id				bigserial PRIMARY KEY,
	warehouse_id	bigint NOT NULL,
	product_id		bigint NOT NULL,
	kind			text NOT NULL CHECK (kind IN
		('receipt', 'reservation', 'release', 'shipment', 'adjustment')),
	on_hand_delta	numeric(14,3) NOT NULL DEFAULT 0,
	reserved_delta	numeric(14,3) NOT NULL DEFAULT 0,
	order_id		bigint,
	line_no			integer,
	customer_id		bigint,
	note			text,
	created_by		text NOT NULL,
	created_at		timestamptz NOT NULL DEFAULT pg_catalog.now(),
	FOREIGN KEY (warehouse_id, product_id)
		REFERENCES salesorder.stock (warehouse_id, product_id)
);
CREATE INDEX stock_movement_pair_idx
	ON salesorder.stock_movement (warehouse_id, product_id);
CREATE INDEX stock_movement_order_idx
	ON salesorder.stock_movement (order_id) WHERE order_id IS NOT NULL;

SELECT pg_catalog.pg_extension_config_dump('salesorder.stock', '');
SELECT pg_catalog.pg_extension_config_dump('salesorder.stock_movement', '');
SELECT pg_catalog.pg_extension_config_dump('salesorder.stock_movement_id_seq', '');
-- The order state machine as data (in the manner of OFBiz's StatusValidChange).
--
-- A move from -> to is legal when a row exists.  on_hold is special: an order
-- on hold may return only to the state it came from (sales_order.hold_from),
-- or be cancelled where the held state itself could be cancelled.
--
-- A plain UPDATE of the status may make only the moves marked direct_ok:
-- those that touch nothing but the order row.  Every other move has effects
-- elsewhere (reserving or releasing stock, shipping, approval steps) and is
-- made by its function, named in made_by, which does all of it in one
-- transaction; the trigger refuses it from a plain UPDATE with SO006.  completed and cancelled have no
-- outgoing rows: they are terminal.  The C trigger salesorder.order_guard()
-- enforces this on every UPDATE, from the functions or from plain SQL.

CREATE TABLE salesorder.status_transition (
	from_status	salesorder.order_status NOT NULL,
	to_status	salesorder.order_status NOT NULL,
	description	text NOT NULL,
	made_by		text NOT NULL,
	direct_ok	boolean NOT NULL DEFAULT false,
	builtin		boolean NOT NULL DEFAULT false,
	PRIMARY KEY (from_status, to_status),
	CHECK (from_status <> to_status)
);

COMMENT ON COLUMN salesorder.status_transition.made_by IS
	'The function that makes the move (with its side effects: stock, approval steps)';
COMMENT ON COLUMN salesorder.status_transition.direct_ok IS
	'Whether a plain UPDATE of sales_order.status may make the move: only moves that touch nothing but the order row';

INSERT INTO salesorder.status_transition
	(from_status, to_status, description, made_by, direct_ok, builtin) VALUES
	('draft',             'pending_approval',  'submitted; approval rules fired',     'submit_order()',  false, true),
	('draft',             'approved',          'submitted; no approval needed',       'submit_order()',  false, true),
	('draft',             'cancelled',         'draft abandoned',                     'cancel()',        false, true),
	('pending_approval',  'approved',          'last approval step approved',         'approve()',       false, true),
	('pending_approval',  'rejected',          'an approver rejected',                'reject()',        false, true),
	('pending_approval',  'on_hold',           'held during review',                  'hold()',          true, true),
	('pending_approval',  'cancelled',         'cancelled during review',             'cancel()',        false, true),
	('rejected',          'draft',             'revised by the sales rep',            'revise()',        false, true),
	('rejected',          'cancelled',         'abandoned after rejection',           'cancel()',        false, true),
	('approved',          'in_production',     'released to production',              'UPDATE',          true, true),
	('approved',          'partially_shipped', 'first partial shipment',              'ship()',          false, true),
	('approved',          'shipped',           'shipped in full',                     'ship()',          false, true),
	('approved',          'on_hold',           'held',                                'hold()',          true, true),
	('approved',          'cancelled',         'cancelled before production',         'cancel()',        false, true),
	('in_production',     'partially_shipped', 'first partial shipment',              'ship()',          false, true),
	('in_production',     'shipped',           'shipped in full',                     'ship()',          false, true),
	('in_production',     'on_hold',           'held',                                'hold()',          true, true),
	('in_production',     'cancelled',         'cancelled in production',             'cancel()',        false, true),
	('partially_shipped', 'shipped',           'last shipment',                       'ship()',          false, true),
	('partially_shipped', 'on_hold',           'held',                                'hold()',          true, true),
	('partially_shipped', 'completed',         'short-closed: the rest is not shipped', 'complete()',    false, true),
	('shipped',           'delivered',         'delivery confirmed',                  'deliver()',       true, true),
	('shipped',           'completed',         'closed without delivery confirmation', 'complete()',     true, true),
	('delivered',         'completed',         'closed',                              'complete()',      true, true),
	('on_hold',           'pending_approval',  'hold released',                       'release_hold()',  true, true),
	('on_hold',           'approved',          'hold released',                       'release_hold()',  true, true),
	('on_hold',           'in_production',     'hold released',                       'release_hold()',  true, true),
	('on_hold',           'partially_shipped', 'hold released',                       'release_hold()',  true, true),
	('on_hold',           'cancelled',         'cancelled while on hold',             'cancel()',        false, true);

-- pg_dump keeps the moves an administrator added; the built-in ones come
-- with CREATE EXTENSION.
SELECT pg_catalog.pg_extension_config_dump('salesorder.status_transition', 'WHERE NOT builtin');
-- Order lifecycle: the C entry points and the triggers that guard the tables.
--
-- The functions are not SECURITY DEFINER at the SQL level: the C code captures
-- the caller's current_user as the acting user (so an application pool that
-- SET ROLEs per request is recorded correctly), checks what that user may do,
-- and only then switches to the extension owner for its own writes.

CREATE FUNCTION salesorder.create_order(
	customer_id bigint,
	lines jsonb,
	options jsonb DEFAULT '{}')
RETURNS bigint
AS 'MODULE_PATHNAME', 'so_create_order'
LANGUAGE C VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp;

CREATE FUNCTION salesorder.copy_order(
	order_id bigint,
	options jsonb DEFAULT '{}')
RETURNS bigint
AS 'MODULE_PATHNAME', 'so_copy_order'
LANGUAGE C VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp;

CREATE FUNCTION salesorder.submit_order(order_id bigint)
RETURNS salesorder.order_status
AS 'MODULE_PATHNAME', 'so_submit_order'
LANGUAGE C STRICT VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp;

CREATE FUNCTION salesorder.hold(order_id bigint, reason text)
RETURNS salesorder.order_status
AS 'MODULE_PATHNAME', 'so_hold'
LANGUAGE C VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp;

CREATE FUNCTION salesorder.release_hold(order_id bigint)
RETURNS salesorder.order_status
AS 'MODULE_PATHNAME', 'so_release_hold'
LANGUAGE C STRICT VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp;

CREATE FUNCTION salesorder.cancel(order_id bigint, reason text)
RETURNS salesorder.order_status
AS 'MODULE_PATHNAME', 'so_cancel'
LANGUAGE C VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp;

CREATE FUNCTION salesorder.deliver(order_id bigint)
RETURNS salesorder.order_status
AS 'MODULE_PATHNAME', 'so_deliver'
LANGUAGE C STRICT VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp;

CREATE FUNCTION salesorder.complete(order_id bigint)
RETURNS salesorder.order_status
AS 'MODULE_PATHNAME', 'so_complete'
LANGUAGE C STRICT VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp;

-- Trigger functions.

CREATE FUNCTION salesorder.order_guard()
RETURNS trigger
AS 'MODULE_PATHNAME', 'so_order_guard'
LANGUAGE C
SET search_path = pg_catalog, pg_temp;

CREATE FUNCTION salesorder.order_history()
RETURNS trigger
AS 'MODULE_PATHNAME', 'so_order_history'
LANGUAGE C
SET search_path = pg_catalog, pg_temp;

CREATE FUNCTION salesorder.line_guard()
RETURNS trigger
AS 'MODULE_PATHNAME', 'so_line_guard'
LANGUAGE C
SET search_path = pg_catalog, pg_temp;

CREATE TRIGGER order_guard
	BEFORE INSERT OR UPDATE OR DELETE ON salesorder.sales_order
	FOR EACH ROW EXECUTE FUNCTION salesorder.order_guard();

CREATE TRIGGER order_history
	AFTER UPDATE OF status ON salesorder.sales_order
	FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status)
	EXECUTE FUNCTION salesorder.order_history();

CREATE TRIGGER line_guard
	BEFORE INSERT OR UPDATE OR DELETE ON salesorder.order_line
	FOR EACH ROW EXECUTE FUNCTION salesorder.line_guard();

-- Stock quantities move only through the stock functions, with a ledger row.
CREATE FUNCTION salesorder.stock_guard()
RETURNS trigger
AS 'MODULE_PATHNAME', 'so_stock_guard'
LANGUAGE C
SET search_path = pg_catalog, pg_temp;

CREATE TRIGGER stock_guard
	BEFORE INSERT OR UPDATE OR DELETE ON salesorder.stock
	FOR EACH ROW EXECUTE FUNCTION salesorder.stock_guard();

-- The ledger is written by the stock functions only, and append-only for
-- everybody, the extension included.
CREATE FUNCTION salesorder.ledger_append_only()
RETURNS trigger
AS 'MODULE_PATHNAME', 'so_ledger_append_only'
LANGUAGE C
SET search_path = pg_catalog, pg_temp;

CREATE TRIGGER ledger_append_only
	BEFORE INSERT OR UPDATE OR DELETE ON salesorder.stock_movement
	FOR EACH ROW EXECUTE FUNCTION salesorder.ledger_append_only();
CREATE TRIGGER ledger_no_truncate
	BEFORE TRUNCATE ON salesorder.stock_movement
	FOR EACH STATEMENT EXECUTE FUNCTION salesorder.ledger_append_only();
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
	pairs AS (
		SELECT s.warehouse_id, s.product_id FROM salesorder.stock s
		UNION SELECT g.warehouse_id, g.product_id FROM ledger g
		UNION SELECT n.warehouse_id, n.product_id FROM lines n),
	checked AS (
		SELECT p.warehouse_id, p.product_id,
			   s.on_hand, coalesce(g.on_hand, 0) AS ledger_on_hand,
			   s.reserved, coalesce(g.reserved, 0) AS ledger_reserved,
			   coalesce(n.reserved, 0) AS lines_reserved,
			   coalesce(n.closed_reserved, 0) AS closed_lines_reserved,
			   concat_ws('; ',
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
			ON n.warehouse_id = p.warehouse_id AND n.product_id = p.product_id)
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
-- Review and approval: rules as data, one step per rule that fires, levels
-- opened one after the other, decisions recorded.

CREATE TABLE salesorder.approval_rule (
	id				bigserial PRIMARY KEY,
	name			text NOT NULL,
	kind			text NOT NULL CHECK (kind IN
		('amount_over', 'discount_over', 'credit_exceeded', 'special_terms',
		 'backorder', 'segment', 'change_amount_over', 'change_qty', 'change_date')),
	threshold		numeric(14,2),
	segment			text,
	department		text NOT NULL,
	approver_role	text NOT NULL,
	level			integer NOT NULL DEFAULT 1 CHECK (level BETWEEN 1 AND 9),
	active			boolean NOT NULL DEFAULT true,
	created_at		timestamptz NOT NULL DEFAULT pg_catalog.now(),
	CHECK (kind NOT IN ('amount_over', 'discount_over', 'change_amount_over')
		   OR threshold IS NOT NULL),
	CHECK ((kind = 'segment') = (segment IS NOT NULL))
);

COMMENT ON TABLE salesorder.approval_rule IS
	'When an order or a change request needs approval, and by whom: one approval_step per rule that fires';
COMMENT ON COLUMN salesorder.approval_rule.kind IS
	'amount_over: total above threshold; discount_over: a line discount above threshold (%); credit_exceeded: exposure above the credit limit (plus threshold as tolerance); special_terms: special requirements given; backorder: a line backordered; segment: the customer is in segment; change_*: for change requests';
COMMENT ON COLUMN salesorder.approval_rule.approver_role IS
	'The role whose members decide the step (checked with pg_has_role)';
COMMENT ON COLUMN salesorder.approval_rule.level IS
	'Steps of level n open only when every step of the lower levels is approved';

CREATE TABLE salesorder.approval_step (
	id					bigserial PRIMARY KEY,
	order_id			bigint NOT NULL,
	customer_id			bigint NOT NULL,
	change_request_id	bigint,
	round				integer NOT NULL DEFAULT 1,
	rule_id				bigint REFERENCES salesorder.approval_rule (id),
	level				integer NOT NULL,
	department			text NOT NULL,
	approver_role		text NOT NULL,
	status				text NOT NULL DEFAULT 'pending'
		CHECK (status IN ('pending', 'approved', 'rejected', 'closed')),
	reason				text NOT NULL,
	figures				jsonb NOT NULL DEFAULT '{}',
	created_at			timestamptz NOT NULL DEFAULT pg_catalog.now(),
	decided_by			text,
	decided_at			timestamptz,
	comment				text,
	FOREIGN KEY (customer_id, order_id)
		REFERENCES salesorder.sales_order (customer_id, id) ON DELETE CASCADE,
	CHECK ((status = 'pending') = (decided_at IS NULL))
);
CREATE INDEX approval_step_order_idx ON salesorder.approval_step (order_id, round);
CREATE INDEX approval_step_pending_idx ON salesorder.approval_step (approver_role)
	WHERE status = 'pending';

COMMENT ON TABLE salesorder.approval_step IS
	'One row per approval rule that fired for an order submission (change_request_id NULL) or a change request';
COMMENT ON COLUMN salesorder.approval_step.round IS
	'The submission round: a revised and resubmitted order gets new steps; the old ones stay for audit';
COMMENT ON COLUMN salesorder.approval_step.reason IS 'Why the rule fired, with the figures';

SELECT pg_catalog.pg_extension_config_dump('salesorder.approval_rule', '');
SELECT pg_catalog.pg_extension_config_dump('salesorder.approval_rule_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('salesorder.approval_step', '');
SELECT pg_catalog.pg_extension_config_dump('salesorder.approval_step_id_seq', '');

CREATE FUNCTION salesorder.rule_guard()
RETURNS trigger
AS 'MODULE_PATHNAME', 'so_rule_guard'
LANGUAGE C
SET search_path = pg_catalog, pg_temp;

CREATE TRIGGER rule_guard
	BEFORE INSERT OR UPDATE ON salesorder.approval_rule
	FOR EACH ROW EXECUTE FUNCTION salesorder.rule_guard();

CREATE FUNCTION salesorder.approve(order_id bigint, comment text DEFAULT NULL)
RETURNS salesorder.order_status
AS 'MODULE_PATHNAME', 'so_approve'
LANGUAGE C VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp;

CREATE FUNCTION salesorder.reject(order_id bigint, reason text)
RETURNS salesorder.order_status
AS 'MODULE_PATHNAME', 'so_reject'
LANGUAGE C VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp;

CREATE FUNCTION salesorder.revise(order_id bigint)
RETURNS salesorder.order_status
AS 'MODULE_PATHNAME', 'so_revise'
LANGUAGE C STRICT VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp;

-- Credit exposure of a customer: the open (unshipped) amount of its
-- submitted orders, optionally leaving one order out.
-- SECURITY DEFINER: the exposure counts every open order of the customer,
-- whoever asks and whatever they may see of them.
CREATE FUNCTION salesorder.credit_exposure(customer_id bigint, except_order bigint DEFAULT NULL)
RETURNS numeric
LANGUAGE sql STABLE PARALLEL SAFE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
	SELECT coalesce(sum(
		CASE WHEN o.status = 'partially_shipped' OR o.hold_from = 'partially_shipped'
			 THEN (SELECT coalesce(sum(round(l.amount * (l.qty - l.shipped_qty) / l.qty, 2)), 0)
				   FROM salesorder.order_line l WHERE l.order_id = o.id)
			 ELSE o.total_amount END), 0)::numeric(14,2)
	FROM salesorder.sales_order o
	WHERE o.customer_id = credit_exposure.customer_id
	  AND o.id IS DISTINCT FROM except_order
	  AND (o.status IN ('pending_approval', 'approved', 'in_production', 'partially_shipped')
		   OR o.status = 'on_hold' AND o.hold_from IN
			  ('pending_approval', 'approved', 'in_production', 'partially_shipped'))
$$;

COMMENT ON FUNCTION salesorder.approve(bigint, text) IS
	'Approves the open step(s) of an order routed to a role the caller holds; the last approval approves the order';
COMMENT ON FUNCTION salesorder.reject(bigint, text) IS
	'Rejects an order under review with a reason; releases its stock and closes its open steps';
COMMENT ON FUNCTION salesorder.revise(bigint) IS
	'Returns a rejected order to draft for editing and resubmission';
COMMENT ON FUNCTION salesorder.credit_exposure(bigint, bigint) IS
	'Open (unshipped) amount of the customer''s submitted orders';
COMMENT ON FUNCTION salesorder.rule_guard() IS
	'Trigger: an approval rule names an existing approver role';
-- Change requests: a change to a submitted order is a request with its own
-- approval, applied as one atomic step that bumps the order's revision.

CREATE TABLE salesorder.change_request (
	id					bigserial PRIMARY KEY,
	order_id			bigint NOT NULL,
	customer_id			bigint NOT NULL,
	base_revision		integer NOT NULL,
	changes				jsonb NOT NULL,
	effects				jsonb NOT NULL,
	kinds				text[] NOT NULL,
	status				text NOT NULL DEFAULT 'pending'
		CHECK (status IN ('pending', 'applied', 'rejected', 'stale')),
	reason				text NOT NULL,
	requested_by		text NOT NULL,
	requested_at		timestamptz NOT NULL DEFAULT pg_catalog.now(),
	decided_by			text,
	decided_at			timestamptz,
	decision_comment	text,
	applied_revision	integer,
	FOREIGN KEY (customer_id, order_id)
		REFERENCES salesorder.sales_order (customer_id, id) ON DELETE CASCADE,
	CHECK ((status = 'applied') = (applied_revision IS NOT NULL))
);
CREATE INDEX change_request_order_idx ON salesorder.change_request (order_id, id);

ALTER TABLE salesorder.approval_step
	ADD FOREIGN KEY (change_request_id) REFERENCES salesorder.change_request (id)
	ON DELETE CASCADE;
CREATE INDEX approval_step_change_idx ON salesorder.approval_step (change_request_id)
	WHERE change_request_id IS NOT NULL;

-- The order as it was at each earlier revision, kept when a change applies.
CREATE TABLE salesorder.order_revision (
	order_id			bigint NOT NULL,
	revision			integer NOT NULL,
	customer_id			bigint NOT NULL,
	header				jsonb NOT NULL,
	lines				jsonb NOT NULL,
	superseded_at		timestamptz NOT NULL DEFAULT pg_catalog.now(),
	superseded_by		bigint REFERENCES salesorder.change_request (id),
	PRIMARY KEY (order_id, revision),
	FOREIGN KEY (customer_id, order_id)
		REFERENCES salesorder.sales_order (customer_id, id) ON DELETE CASCADE
);

SELECT pg_catalog.pg_extension_config_dump('salesorder.change_request', '');
SELECT pg_catalog.pg_extension_config_dump('salesorder.change_request_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('salesorder.order_revision', '');

CREATE FUNCTION salesorder.request_change(order_id bigint, changes jsonb, reason text)
RETURNS bigint
AS 'MODULE_PATHNAME', 'so_request_change'
LANGUAGE C VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp;

CREATE FUNCTION salesorder.approve_change(change_id bigint, comment text DEFAULT NULL)
RETURNS text
AS 'MODULE_PATHNAME', 'so_approve_change'
LANGUAGE C VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp;

CREATE FUNCTION salesorder.reject_change(change_id bigint, reason text)
RETURNS text
AS 'MODULE_PATHNAME', 'so_reject_change'
LANGUAGE C VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp;

-- The header and lines of an order as a jsonb document.
CREATE FUNCTION salesorder.order_snapshot(order_id bigint)
RETURNS jsonb
LANGUAGE sql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
	SELECT jsonb_build_object(
		'order_id', o.id, 'order_no', o.order_no, 'revision', o.revision,
		'status', o.status, 'header', jsonb_build_object(
			'warehouse_id', o.warehouse_id, 'ship_to', o.ship_to,
			'requested_date', o.requested_date, 'promised_date', o.promised_date,
			'special_requirements', o.special_requirements, 'notes', o.notes,
			'line_count', o.line_count, 'gross_amount', o.gross_amount,
			'discount_amount', o.discount_amount, 'total_amount', o.total_amount),
		'lines', coalesce((SELECT jsonb_agg(jsonb_build_object(
				'line_no', l.line_no, 'product_id', l.product_id, 'sku', p.sku,
				'qty', l.qty, 'unit_price', l.unit_price,
				'discount_pct', l.discount_pct, 'amount', l.amount,
				'shipped_qty', l.shipped_qty, 'note', l.note) ORDER BY l.line_no)
			FROM salesorder.order_line l JOIN salesorder.product p ON p.id = l.product_id
			WHERE l.order_id = o.id), '[]'))
	FROM salesorder.sales_order o WHERE o.id = order_snapshot.order_id
$$;

-- The order as it was at a revision: the kept snapshot of an earlier one,
-- or the order itself for its current revision; NULL for a revision it
-- never had.
CREATE FUNCTION salesorder.order_at_revision(order_id bigint, revision integer)
RETURNS jsonb
LANGUAGE sql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
	SELECT coalesce(
		(SELECT jsonb_build_object('order_id', r.order_id,
				'order_no', r.header ->> 'order_no', 'revision', r.revision,
				'status', r.header ->> 'status', 'header', r.header -> 'header',
				'lines', r.lines)
		 FROM salesorder.order_revision r
		 WHERE r.order_id = order_at_revision.order_id
		   AND r.revision = order_at_revision.revision),
		(SELECT salesorder.order_snapshot(o.id) FROM salesorder.sales_order o
		 WHERE o.id = order_at_revision.order_id
		   AND o.revision = order_at_revision.revision))
$$;

-- Every change request with its decision and approval steps.
CREATE VIEW salesorder.order_changes AS
	SELECT cr.id AS change_id, cr.order_id, o.order_no, cr.status,
		   cr.base_revision, cr.applied_revision, cr.kinds, cr.changes,
		   cr.effects, cr.reason, cr.requested_by, cr.requested_at,
		   cr.decided_by, cr.decided_at, cr.decision_comment,
		   (SELECT jsonb_agg(jsonb_build_object('level', s.level,
				'department', s.department, 'approver_role', s.approver_role,
				'status', s.status, 'reason', s.reason,
				'decided_by', s.decided_by, 'comment', s.comment) ORDER BY s.level, s.id)
			FROM salesorder.approval_step s WHERE s.change_request_id = cr.id) AS steps
	FROM salesorder.change_request cr
	JOIN salesorder.sales_order o ON o.id = cr.order_id;

-- The reviewer's queue: every open step (pending, at the lowest pending
-- level of its round) that the current user may decide, with what a
-- reviewer needs to see -- for order submissions and for change requests.
CREATE VIEW salesorder.approval_queue WITH (security_barrier) AS
	SELECT s.id AS step_id, s.order_id, o.order_no, s.change_request_id,
		   CASE WHEN s.change_request_id IS NULL THEN 'order' ELSE 'change' END AS subject,
		   o.status AS order_status,
		   c.code AS customer_code, c.name AS customer, c.segment, c.region,
		   o.total_amount, o.special_requirements, o.needs_stock,
		   s.level, s.department, s.approver_role, s.reason, s.figures,
		   cr.effects AS change_effects, cr.reason AS change_reason,
		   c.credit_limit, c.on_credit_hold,
		   salesorder.credit_exposure(o.customer_id) AS credit_exposure,
		   coalesce(cr.requested_by, o.created_by) AS requested_by,
		   coalesce(cr.requested_at, o.submitted_at) AS requested_at,
		   s.created_at AS waiting_since,
		   (SELECT pg_catalog.jsonb_agg(pg_catalog.jsonb_build_object(
				'line_no', l.line_no, 'sku', p.sku, 'qty', l.qty,
				'discount_pct', l.discount_pct, 'reserved', l.reserved_qty,
				'backorder', l.backorder_qty,
				'available_now', coalesce(st.on_hand - st.reserved, 0))
				ORDER BY l.line_no)
			FROM salesorder.order_line l
			JOIN salesorder.product p ON p.id = l.product_id
			LEFT JOIN salesorder.stock st
				ON st.warehouse_id = o.warehouse_id AND st.product_id = l.product_id
			WHERE l.order_id = o.id) AS lines
	FROM salesorder.approval_step s
	JOIN salesorder.sales_order o ON o.id = s.order_id
	JOIN salesorder.customer c ON c.id = o.customer_id
	LEFT JOIN salesorder.change_request cr ON cr.id = s.change_request_id
	WHERE s.status = 'pending'
	  AND (s.change_request_id IS NULL AND o.status = 'pending_approval'
		   OR cr.status = 'pending')
	  AND s.level = (SELECT pg_catalog.min(s2.level) FROM salesorder.approval_step s2
					 WHERE s2.order_id = s.order_id AND s2.round = s.round
					   AND s2.change_request_id IS NOT DISTINCT FROM s.change_request_id
					   AND s2.status = 'pending')
	  AND EXISTS (SELECT 1 FROM pg_catalog.pg_roles r
				  WHERE r.rolname = s.approver_role
					AND pg_catalog.pg_has_role(r.oid, 'MEMBER'));

COMMENT ON VIEW salesorder.approval_queue IS
	'Open approval steps (of orders and change requests) the current user may decide, with credit position and stock availability';

COMMENT ON TABLE salesorder.change_request IS
	'Requested changes to submitted orders, with their computed effects and decision';
COMMENT ON COLUMN salesorder.change_request.effects IS
	'Field-by-field old and new values, the amount delta, the stock delta per SKU, the date shift';
COMMENT ON TABLE salesorder.order_revision IS
	'Each earlier revision of an order, kept when a change request applies';
COMMENT ON FUNCTION salesorder.request_change(bigint, jsonb, text) IS
	'Requests a change to a submitted order; applied at once when no rule fires; returns the request id';
COMMENT ON FUNCTION salesorder.approve_change(bigint, text) IS
	'Approves the open step(s) of a change request routed to the caller; the last one applies it';
COMMENT ON FUNCTION salesorder.reject_change(bigint, text) IS
	'Rejects a change request with a reason';
COMMENT ON FUNCTION salesorder.order_snapshot(bigint) IS 'An order''s header and lines as jsonb';
COMMENT ON FUNCTION salesorder.order_at_revision(bigint, integer) IS
	'An order as it was at a revision';
COMMENT ON VIEW salesorder.order_changes IS 'Change requests with their decisions and steps';
-- The transactional outbox, production stages, delay detection and the
-- tracking view.

-- CACHE 1 (the default) matters: ids must be handed out in time order
-- across backends for the consumer horizon of events_since() to hold.
CREATE SEQUENCE salesorder.order_event_id_seq CACHE 1;

CREATE TABLE salesorder.order_event (
	id			bigint PRIMARY KEY
		DEFAULT pg_catalog.nextval('salesorder.order_event_id_seq'::pg_catalog.regclass),
	order_id	bigint,
	customer_id	bigint,
	kind		text NOT NULL,
	payload		jsonb NOT NULL DEFAULT '{}',
	created_at	timestamptz NOT NULL DEFAULT pg_catalog.now()
);
ALTER SEQUENCE salesorder.order_event_id_seq OWNED BY salesorder.order_event.id;
CREATE INDEX order_event_order_idx ON salesorder.order_event (order_id, id)
	WHERE order_id IS NOT NULL;

SELECT pg_catalog.pg_extension_config_dump('salesorder.order_event', '');
SELECT pg_catalog.pg_extension_config_dump('salesorder.order_event_id_seq', '');

CREATE FUNCTION salesorder.events_since(last_id bigint, max_events integer DEFAULT 1000)
RETURNS SETOF salesorder.order_event
AS 'MODULE_PATHNAME', 'so_events_since'
LANGUAGE C VOLATILE PARALLEL UNSAFE ROWS 100
SET search_path = pg_catalog, pg_temp;

CREATE FUNCTION salesorder.event_horizon()
RETURNS bigint
AS 'MODULE_PATHNAME', 'so_event_horizon'
LANGUAGE C VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp;

-- Production and fulfilment sub-stages, as data.
CREATE TABLE salesorder.production_stage (
	stage		text PRIMARY KEY CHECK (stage ~ '^[a-z][a-z0-9_]*$'),
	description	text NOT NULL,
	sort_order	integer NOT NULL DEFAULT 0,
	problem		boolean NOT NULL DEFAULT false,
	builtin		boolean NOT NULL DEFAULT false
);
INSERT INTO salesorder.production_stage (stage, description, sort_order, problem, builtin) VALUES
	('waiting_for_material', 'waiting for material', 10, false, true),
	('assembling', 'assembling', 20, false, true),
	('quality_check', 'quality check', 30, false, true),
	('rework', 'rework after a failed check', 35, true, true),
	('packed', 'packed, ready to ship', 40, false, true);
-- The stages an administrator added are dumped; the built-in ones come
-- with CREATE EXTENSION.
SELECT pg_catalog.pg_extension_config_dump('salesorder.production_stage', 'WHERE NOT builtin');

ALTER TABLE salesorder.sales_order
	ADD COLUMN stage text REFERENCES salesorder.production_stage (stage),
	ADD COLUMN stage_changed_at timestamptz;

CREATE FUNCTION salesorder.set_stage(order_id bigint, stage text, note text DEFAULT NULL)
RETURNS salesorder.order_status
AS 'MODULE_PATHNAME', 'so_set_stage'
LANGUAGE C VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp;

-- One row per order, promised date and severity flagged by flag_delays().
CREATE TABLE salesorder.delay_flag (
	order_id		bigint NOT NULL,
	customer_id		bigint NOT NULL,
	promised_date	date NOT NULL,
	severity		text NOT NULL CHECK (severity IN ('at_risk', 'late')),
	flagged_at		timestamptz NOT NULL DEFAULT pg_catalog.now(),
	as_of			timestamptz NOT NULL,
	event_id		bigint,
	PRIMARY KEY (order_id, promised_date, severity),
	FOREIGN KEY (customer_id, order_id)
		REFERENCES salesorder.sales_order (customer_id, id) ON DELETE CASCADE
);
SELECT pg_catalog.pg_extension_config_dump('salesorder.delay_flag', '');

CREATE FUNCTION salesorder.flag_delays(as_of timestamptz DEFAULT pg_catalog.now())
RETURNS integer
AS 'MODULE_PATHNAME', 'so_flag_delays'
LANGUAGE C VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp;

CREATE FUNCTION salesorder.at_risk_days()
RETURNS integer
AS 'MODULE_PATHNAME', 'so_at_risk_days_fn'
LANGUAGE C STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp;

-- The health colour of an order: green done, yellow in progress and on
-- time, red a problem (on hold, rejected, late, a problem stage), grey
-- cancelled.
CREATE FUNCTION salesorder.order_health(
	status salesorder.order_status, promised_date date, stage text,
	as_of date DEFAULT CURRENT_DATE)
RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
	SELECT CASE
		WHEN status = 'cancelled' THEN 'grey'
		WHEN status IN ('delivered', 'completed') THEN 'green'
		WHEN status IN ('on_hold', 'rejected') THEN 'red'
		WHEN status <> 'shipped' AND promised_date < as_of THEN 'red'
		WHEN EXISTS (SELECT 1 FROM salesorder.production_stage s
					 WHERE s.stage = order_health.stage AND s.problem) THEN 'red'
		ELSE 'yellow'
	END
$$;

CREATE VIEW salesorder.order_tracking AS
	SELECT o.id AS order_id, o.order_no, c.code AS customer_code, c.name AS customer,
		   c.region, o.status, o.stage, o.hold_from,
		   salesorder.order_health(o.status, o.promised_date, o.stage) AS health,
		   (o.status IN ('pending_approval', 'approved', 'in_production', 'partially_shipped')
			AND o.promised_date IS NOT NULL
			AND o.promised_date >= CURRENT_DATE
			AND o.promised_date <= CURRENT_DATE
				+ (SELECT salesorder.at_risk_days()))
			AS at_risk,
		   o.requested_date, o.promised_date,
		   CASE WHEN o.status NOT IN ('shipped', 'delivered', 'completed', 'cancelled')
					 AND o.promised_date < CURRENT_DATE
				THEN CURRENT_DATE - o.promised_date ELSE 0 END AS days_late,
		   (SELECT COALESCE(pg_catalog.sum(l.qty - l.shipped_qty), 0)
			FROM salesorder.order_line l WHERE l.order_id = o.id
			  AND o.status NOT IN ('cancelled', 'completed', 'rejected')) AS open_qty,
		   o.needs_stock, o.total_amount, o.sales_rep,
		   e.kind AS last_event, e.created_at AS last_event_at
	FROM salesorder.sales_order o
	JOIN salesorder.customer c ON c.id = o.customer_id
	LEFT JOIN LATERAL (SELECT ev.kind, ev.created_at FROM salesorder.order_event ev
					   WHERE ev.order_id = o.id ORDER BY ev.id DESC LIMIT 1) e ON true;

COMMENT ON TABLE salesorder.order_event IS
	'The outbox: one row per event, written in the same transaction as the change; read with events_since()';
COMMENT ON FUNCTION salesorder.events_since(bigint, integer) IS
	'Outbox rows after last_id, in id order, up to the horizon no running transaction can still precede';
COMMENT ON FUNCTION salesorder.event_horizon() IS
	'The largest event id events_since() would hand out now';
COMMENT ON TABLE salesorder.production_stage IS 'Production and fulfilment sub-stages that set_stage() accepts';
COMMENT ON FUNCTION salesorder.set_stage(bigint, text, text) IS
	'Records a production sub-stage of an order (an approved order moves to in_production)';
COMMENT ON TABLE salesorder.delay_flag IS 'Late and at-risk orders flagged by flag_delays(), one row per order, promised date and severity';
COMMENT ON FUNCTION salesorder.at_risk_days() IS
	'The session''s salesorder.at_risk_days: an order promised within this many days is at risk';
COMMENT ON FUNCTION salesorder.flag_delays(timestamptz) IS
	'Flags late and at-risk orders, one delayed event per order, promised date and severity; returns how many it flagged';
COMMENT ON FUNCTION salesorder.order_health(salesorder.order_status, date, text, date) IS
	'Health colour: green done, yellow in progress, red a problem, grey cancelled';
COMMENT ON VIEW salesorder.order_tracking IS 'Where every order stands, for every department';
-- Trend and forecast aggregates (C, parallel-safe, O(buckets) state).

CREATE TYPE salesorder.trend AS (
	buckets			integer,
	first_bucket	date,
	last_bucket		date,
	slope			double precision,
	intercept		double precision,
	r2				double precision,
	growth_pct		double precision,
	total			double precision,
	mean			double precision,
	rows			bigint
);
COMMENT ON TYPE salesorder.trend IS
	'Least-squares trend over bucket sums: slope per bucket, intercept at the first bucket, r2, growth_pct = slope / mean * 100';

CREATE TYPE salesorder.forecast_point AS (
	step		integer,
	bucket		date,
	forecast	double precision,
	lower		double precision,
	upper		double precision,
	alpha		double precision,
	beta		double precision,
	gamma		double precision
);
COMMENT ON TYPE salesorder.forecast_point IS
	'One forecast bucket: the point forecast and its 95 % prediction interval, with the fitted smoothing parameters';

CREATE FUNCTION salesorder.bucket_start(ts timestamptz, bucket text)
RETURNS date
AS 'MODULE_PATHNAME', 'so_bucket_start'
LANGUAGE C STABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION salesorder.bucket_start(timestamptz, text) IS
	'First day of the day/week/month/quarter/year bucket of a moment, in the session time zone';

-- Support functions.  They take and return internal: not callable from SQL.
CREATE FUNCTION salesorder.trend_accum(internal, timestamptz, numeric, text)
RETURNS internal AS 'MODULE_PATHNAME', 'so_trend_accum'
LANGUAGE C STABLE PARALLEL SAFE;
CREATE FUNCTION salesorder.trend_accum(internal, timestamptz, numeric)
RETURNS internal AS 'MODULE_PATHNAME', 'so_trend_accum_month'
LANGUAGE C STABLE PARALLEL SAFE;
CREATE FUNCTION salesorder.forecast_accum(internal, timestamptz, numeric, text, integer, integer)
RETURNS internal AS 'MODULE_PATHNAME', 'so_forecast_accum'
LANGUAGE C STABLE PARALLEL SAFE;
CREATE FUNCTION salesorder.forecast_accum(internal, timestamptz, numeric, text, integer)
RETURNS internal AS 'MODULE_PATHNAME', 'so_forecast_accum_noseason'
LANGUAGE C STABLE PARALLEL SAFE;
CREATE FUNCTION salesorder.bucket_combine(internal, internal)
RETURNS internal AS 'MODULE_PATHNAME', 'so_bucket_combine'
LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION salesorder.bucket_serialize(internal)
RETURNS bytea AS 'MODULE_PATHNAME', 'so_bucket_serialize'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION salesorder.bucket_deserialize(bytea, internal)
RETURNS internal AS 'MODULE_PATHNAME', 'so_bucket_deserialize'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION salesorder.trend_final(internal)
RETURNS salesorder.trend AS 'MODULE_PATHNAME', 'so_trend_final'
LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION salesorder.forecast_final(internal)
RETURNS salesorder.forecast_point[] AS 'MODULE_PATHNAME', 'so_forecast_final'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE AGGREGATE salesorder.sales_trend(ts timestamptz, amount numeric, bucket text) (
	SFUNC = salesorder.trend_accum,
	STYPE = internal,
	FINALFUNC = salesorder.trend_final,
	COMBINEFUNC = salesorder.bucket_combine,
	SERIALFUNC = salesorder.bucket_serialize,
	DESERIALFUNC = salesorder.bucket_deserialize,
	PARALLEL = SAFE
);
CREATE AGGREGATE salesorder.sales_trend(ts timestamptz, amount numeric) (
	SFUNC = salesorder.trend_accum,
	STYPE = internal,
	FINALFUNC = salesorder.trend_final,
	COMBINEFUNC = salesorder.bucket_combine,
	SERIALFUNC = salesorder.bucket_serialize,
	DESERIALFUNC = salesorder.bucket_deserialize,
	PARALLEL = SAFE
);
CREATE AGGREGATE salesorder.sales_forecast(ts timestamptz, amount numeric, bucket text,
		horizon integer, season integer) (
	SFUNC = salesorder.forecast_accum,
	STYPE = internal,
	FINALFUNC = salesorder.forecast_final,
	COMBINEFUNC = salesorder.bucket_combine,
	SERIALFUNC = salesorder.bucket_serialize,
	DESERIALFUNC = salesorder.bucket_deserialize,
	PARALLEL = SAFE
);
CREATE AGGREGATE salesorder.sales_forecast(ts timestamptz, amount numeric, bucket text,
		horizon integer) (
	SFUNC = salesorder.forecast_accum,
	STYPE = internal,
	FINALFUNC = salesorder.forecast_final,
	COMBINEFUNC = salesorder.bucket_combine,
	SERIALFUNC = salesorder.bucket_serialize,
	DESERIALFUNC = salesorder.bucket_deserialize,
	PARALLEL = SAFE
);

COMMENT ON AGGREGATE salesorder.sales_trend(timestamptz, numeric, text) IS
	'Sums amounts per bucket (day, week, month, quarter, year; session time zone) and fits a least-squares trend';
COMMENT ON AGGREGATE salesorder.sales_trend(timestamptz, numeric) IS
	'sales_trend by month';
COMMENT ON AGGREGATE salesorder.sales_forecast(timestamptz, numeric, text, integer, integer) IS
	'Forecast of the next horizon buckets: Holt (season 0) or additive Holt-Winters with the given period';
COMMENT ON AGGREGATE salesorder.sales_forecast(timestamptz, numeric, text, integer) IS
	'Forecast of the next horizon buckets by Holt''s linear method';
-- Reports for BI tools: an incrementally kept sales rollup that never
-- becomes a lock hot spot, and the report_* views.
--
-- The rollup: order entry appends signed deltas to sales_rollup_delta (no
-- row is ever updated there, so concurrent orders never wait on each
-- other); compact_rollup() folds them into sales_rollup; report_sales adds
-- both.  The months are those of rollup_config.timezone; a session whose
-- salesorder.report_timezone differs gets the same report computed from the
-- raw tables instead, so the view always equals a fresh GROUP BY.

CREATE TABLE salesorder.rollup_config (
	id			integer PRIMARY KEY DEFAULT 1 CHECK (id = 1),
	timezone	text NOT NULL,
	rebuilt_at	timestamptz NOT NULL DEFAULT pg_catalog.now(),
	compacted_at timestamptz
);
INSERT INTO salesorder.rollup_config (timezone) VALUES ('UTC');

CREATE TABLE salesorder.sales_rollup (
	month		date NOT NULL,
	region		text NOT NULL,
	segment		text NOT NULL,
	category	text NOT NULL,
	orders		bigint NOT NULL,
	lines		bigint NOT NULL,
	quantity	numeric NOT NULL,
	amount		numeric NOT NULL,
	PRIMARY KEY (month, region, segment, category)
);

-- Append-only: signed contributions of order changes since the last
-- compaction.
CREATE TABLE salesorder.sales_rollup_delta (
	month		date NOT NULL,
	region		text NOT NULL,
	segment		text NOT NULL,
	category	text NOT NULL,
	orders		bigint NOT NULL,
	lines		bigint NOT NULL,
	quantity	numeric NOT NULL,
	amount		numeric NOT NULL
);

-- Derived data: rebuilt from the orders after a restore, so not dumped.

CREATE FUNCTION salesorder.rollup_current()
RETURNS boolean
LANGUAGE sql STABLE PARALLEL SAFE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
	SELECT coalesce(pg_catalog.current_setting('salesorder.report_timezone', true), 'UTC')
		   = (SELECT c.timezone FROM salesorder.rollup_config c)
$$;

-- The report as a GROUP BY over the raw tables: the definition the rollup
-- must always equal.
CREATE VIEW salesorder.report_sales_raw AS
	SELECT (pg_catalog.date_trunc('month', o.created_at AT TIME ZONE
			coalesce(pg_catalog.current_setting('salesorder.report_timezone', true), 'UTC')))::date
			AS month,
		   c.region, c.segment, p.category,
		   pg_catalog.count(DISTINCT o.id) AS orders,
		   pg_catalog.count(*) AS lines,
		   pg_catalog.sum(l.qty) AS quantity,
		   pg_catalog.sum(l.amount) AS amount
	FROM salesorder.sales_order o
	JOIN salesorder.customer c ON c.id = o.customer_id
	JOIN salesorder.order_line l ON l.order_id = o.id
	JOIN salesorder.product p ON p.id = l.product_id
	WHERE o.status NOT IN ('draft', 'cancelled', 'rejected')
	GROUP BY 1, 2, 3, 4;

-- The report rows: from the rollup and its deltas while the rollup is in the
-- session's report time zone, else from the raw tables.  A function and not
-- a UNION of both behind opposite filters, because the planner costs the
-- raw branch it will never run at millions of rows, and that cost alone
-- makes every call JIT-compile the plan and start parallel workers (about
-- a second, against milliseconds for the rollup).
CREATE FUNCTION salesorder.report_sales_rows()
RETURNS TABLE (month date, region text, segment text, category text,
			   orders bigint, lines bigint, quantity numeric, amount numeric)
LANGUAGE plpgsql STABLE PARALLEL RESTRICTED SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $fn$
BEGIN
	IF salesorder.rollup_current() THEN
		RETURN QUERY
		SELECT r.month, r.region, r.segment, r.category,
			   pg_catalog.sum(r.orders)::bigint, pg_catalog.sum(r.lines)::bigint,
			   pg_catalog.sum(r.quantity), pg_catalog.sum(r.amount)
		FROM (SELECT u.month, u.region, u.segment, u.category, u.orders, u.lines,
					 u.quantity, u.amount
			  FROM salesorder.sales_rollup u
			  UNION ALL
			  SELECT d.month, d.region, d.segment, d.category, d.orders, d.lines,
					 d.quantity, d.amount
			  FROM salesorder.sales_rollup_delta d) r
		GROUP BY r.month, r.region, r.segment, r.category
		HAVING pg_catalog.sum(r.orders) <> 0 OR pg_catalog.sum(r.lines) <> 0;
	ELSE
		RETURN QUERY
		SELECT w.month, w.region, w.segment, w.category, w.orders, w.lines,
			   w.quantity, w.amount
		FROM salesorder.report_sales_raw w;
	END IF;
END
$fn$;

CREATE VIEW salesorder.report_sales AS
	SELECT month, region, segment, category, orders, lines, quantity, amount
	FROM salesorder.report_sales_rows();

CREATE FUNCTION salesorder.compact_rollup()
RETURNS bigint
AS 'MODULE_PATHNAME', 'so_compact_rollup'
LANGUAGE C VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp;

CREATE FUNCTION salesorder.rebuild_rollup()
RETURNS bigint
AS 'MODULE_PATHNAME', 'so_rebuild_rollup'
LANGUAGE C VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp;

-- Master data the report groups by: a change moves the customer's (or the
-- product's) orders from one group to another.
CREATE FUNCTION salesorder.rollup_regroup()
RETURNS trigger
AS 'MODULE_PATHNAME', 'so_rollup_regroup'
LANGUAGE C
SET search_path = pg_catalog, pg_temp;

CREATE TRIGGER rollup_regroup
	AFTER UPDATE OF region, segment ON salesorder.customer
	FOR EACH ROW WHEN (OLD.region IS DISTINCT FROM NEW.region
					   OR OLD.segment IS DISTINCT FROM NEW.segment)
	EXECUTE FUNCTION salesorder.rollup_regroup();
CREATE TRIGGER rollup_regroup
	AFTER UPDATE OF category ON salesorder.product
	FOR EACH ROW WHEN (OLD.category IS DISTINCT FROM NEW.category)
	EXECUTE FUNCTION salesorder.rollup_regroup();

-- The first day of the report's current month, in the report time zone:
-- months before it are complete.
CREATE FUNCTION salesorder.report_current_month()
RETURNS date
LANGUAGE sql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
	SELECT (pg_catalog.date_trunc('month', pg_catalog.now() AT TIME ZONE
			coalesce(pg_catalog.current_setting('salesorder.report_timezone', true), 'UTC')))::date
$$;

-- Trend and forecast per region, from the complete months of the report:
-- the month under way would pull the trend down by however much of it is
-- still to come.
CREATE VIEW salesorder.report_trend_region AS
	SELECT m.region, (salesorder.sales_trend(m.month::timestamptz, m.amount, 'month')).*
	FROM (SELECT region, month, pg_catalog.sum(amount) AS amount
		  FROM salesorder.report_sales
		  WHERE month < (SELECT salesorder.report_current_month())
		  GROUP BY region, month) m
	GROUP BY m.region;

CREATE VIEW salesorder.report_forecast_region AS
	WITH monthly AS (
		SELECT region, month, pg_catalog.sum(amount) AS amount
		FROM salesorder.report_sales
		WHERE month < (SELECT salesorder.report_current_month())
		GROUP BY region, month),
	spans AS (
		SELECT region,
			   (EXTRACT(year FROM pg_catalog.age(pg_catalog.max(month), pg_catalog.min(month))) * 12
				+ EXTRACT(month FROM pg_catalog.age(pg_catalog.max(month), pg_catalog.min(month))))::integer + 1
				AS months
		FROM monthly GROUP BY region)
	SELECT s.region, f.step, f.bucket AS month, f.forecast, f.lower, f.upper,
		   CASE WHEN s.months >= 24 THEN 12 ELSE 0 END AS season
	FROM spans s
	CROSS JOIN LATERAL (
		SELECT salesorder.sales_forecast(m.month::timestamptz, m.amount, 'month', 6,
			   CASE WHEN s.months >= 24 THEN 12 ELSE 0 END) AS points
		FROM monthly m WHERE m.region = s.region) x
	CROSS JOIN LATERAL pg_catalog.unnest(x.points) f
	WHERE s.months >= 3;

-- The order pipeline by status and health.
CREATE VIEW salesorder.report_pipeline AS
	SELECT o.status,
		   salesorder.order_health(o.status, o.promised_date, o.stage) AS health,
		   pg_catalog.count(*) AS orders,
		   pg_catalog.sum(o.total_amount) AS amount,
		   pg_catalog.min(o.created_at) AS oldest,
		   pg_catalog.max(o.created_at) AS newest
	FROM salesorder.sales_order o
	GROUP BY 1, 2;

-- Every open approval step, whoever it is routed to.
CREATE VIEW salesorder.report_approvals AS
	SELECT s.id AS step_id, s.order_id, o.order_no, s.change_request_id,
		   c.code AS customer_code, c.name AS customer, o.total_amount,
		   s.level, s.department, s.approver_role, s.reason, s.created_at AS waiting_since,
		   pg_catalog.now() - s.created_at AS waiting_for
	FROM salesorder.approval_step s
	JOIN salesorder.sales_order o ON o.id = s.order_id
	JOIN salesorder.customer c ON c.id = o.customer_id
	WHERE s.status = 'pending';

-- Orders late or at risk.  Management reports see every order, so these
-- read the tables themselves rather than the row-level-secured views.
CREATE VIEW salesorder.report_delayed AS
	SELECT o.id AS order_id, o.order_no, c.code AS customer_code, c.name AS customer,
		   c.region, o.status, o.stage,
		   salesorder.order_health(o.status, o.promised_date, o.stage) AS health,
		   o.promised_date,
		   CASE WHEN o.promised_date < CURRENT_DATE THEN CURRENT_DATE - o.promised_date
				ELSE 0 END AS days_late,
		   (o.promised_date >= CURRENT_DATE
			AND o.promised_date <= CURRENT_DATE
				+ (SELECT salesorder.at_risk_days()))
			AS at_risk,
		   (SELECT COALESCE(pg_catalog.sum(l.qty - l.shipped_qty), 0)
			FROM salesorder.order_line l WHERE l.order_id = o.id) AS open_qty,
		   o.total_amount, o.sales_rep
	FROM salesorder.sales_order o
	JOIN salesorder.customer c ON c.id = o.customer_id
	WHERE o.status IN ('pending_approval', 'approved', 'in_production',
					   'partially_shipped', 'on_hold')
	  AND o.promised_date <= CURRENT_DATE
			+ (SELECT salesorder.at_risk_days());

CREATE VIEW salesorder.report_low_stock AS
	SELECT w.code AS warehouse, p.sku, p.name AS product, s.warehouse_id, s.product_id,
		   s.on_hand, s.reserved, s.on_hand - s.reserved AS available, s.reorder_point,
		   coalesce(b.backorder_qty, 0) AS backorder_qty,
		   coalesce(b.waiting_orders, 0) AS waiting_orders,
		   greatest(s.reorder_point - (s.on_hand - s.reserved), 0)
			   + coalesce(b.backorder_qty, 0) AS shortfall
	FROM salesorder.stock s
	JOIN salesorder.warehouse w ON w.id = s.warehouse_id
	JOIN salesorder.product p ON p.id = s.product_id
	LEFT JOIN (SELECT o.warehouse_id, l.product_id,
					  pg_catalog.sum(l.backorder_qty) AS backorder_qty,
					  pg_catalog.count(DISTINCT o.id) AS waiting_orders
			   FROM salesorder.order_line l
			   JOIN salesorder.sales_order o ON o.id = l.order_id
			   WHERE l.backorder_qty > 0
				 AND o.status IN ('pending_approval', 'approved', 'in_production',
								  'partially_shipped', 'on_hold')
			   GROUP BY o.warehouse_id, l.product_id) b
		ON b.warehouse_id = s.warehouse_id AND b.product_id = s.product_id
	WHERE s.on_hand - s.reserved < s.reorder_point OR b.backorder_qty > 0;

COMMENT ON TABLE salesorder.sales_rollup IS 'Compacted monthly sales by region, segment and category';
COMMENT ON TABLE salesorder.sales_rollup_delta IS 'Append-only signed changes to the sales rollup since the last compaction';
COMMENT ON TABLE salesorder.rollup_config IS 'The time zone of the rollup''s months';
COMMENT ON FUNCTION salesorder.rollup_current() IS 'Whether the session''s salesorder.report_timezone matches the rollup';
COMMENT ON VIEW salesorder.report_sales_raw IS 'The monthly sales report computed from the raw tables';
COMMENT ON FUNCTION salesorder.report_sales_rows() IS
	'The rows of report_sales: the rollup and its deltas, or the raw tables when the session reports in another time zone';
COMMENT ON VIEW salesorder.report_sales IS
	'Monthly sales by region, segment and category over submitted orders: orders, lines, quantity, amount';
COMMENT ON FUNCTION salesorder.compact_rollup() IS 'Folds the rollup deltas into sales_rollup; returns how many deltas it folded';
COMMENT ON FUNCTION salesorder.rebuild_rollup() IS 'Rebuilds the rollup from the orders in the session''s report time zone';
COMMENT ON FUNCTION salesorder.rollup_regroup() IS 'Trigger: moves orders between report groups when a customer or product is regrouped';
COMMENT ON FUNCTION salesorder.report_current_month() IS 'The first day of the month under way in the report time zone; earlier months are complete';
COMMENT ON VIEW salesorder.report_trend_region IS 'Monthly sales trend per region, over complete months';
COMMENT ON VIEW salesorder.report_forecast_region IS 'Six-month sales forecast per region with 95 % bounds, from complete months';
COMMENT ON VIEW salesorder.report_pipeline IS 'Orders and amounts by status and health';
COMMENT ON VIEW salesorder.report_approvals IS 'Every open approval step';
COMMENT ON VIEW salesorder.report_delayed IS 'Orders that are late or at risk';
COMMENT ON VIEW salesorder.report_low_stock IS 'Stock below its reorder point or awaited by backorders (with the number of waiting orders)';
-- Row-level security: who sees which orders.
--
-- The functions write as the extension owner, which bypasses these policies
-- (and checks the acting user itself); the policies govern what a user
-- reads, and writes directly, through their own grants:
--   salesorder_admin, salesorder_warehouse: every order;
--   salesorder_sales: the orders of customers assigned to them
--     (customer.sales_rep is the user or a role they belong to);
--   salesorder_approver: the orders with an approval step routed to a role
--     they hold;
--   anyone else: nothing, whatever they were granted.
-- The policies are written for PUBLIC and look roles up by name, so that
-- they work whether or not create_roles() has run.

CREATE FUNCTION salesorder.rls_sees_all(username name)
RETURNS boolean
LANGUAGE sql STABLE PARALLEL SAFE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
	SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_roles r
				   WHERE r.rolname IN ('salesorder_admin', 'salesorder_warehouse')
					 AND pg_catalog.pg_has_role(username, r.oid, 'MEMBER'))
$$;

CREATE FUNCTION salesorder.rls_customers(username name)
RETURNS SETOF bigint
LANGUAGE sql STABLE PARALLEL SAFE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
	SELECT c.id FROM salesorder.customer c
	JOIN pg_catalog.pg_roles r ON r.rolname = c.sales_rep
	WHERE pg_catalog.pg_has_role(username, r.oid, 'MEMBER')
$$;

CREATE FUNCTION salesorder.rls_routed_orders(username name)
RETURNS SETOF bigint
LANGUAGE sql STABLE PARALLEL SAFE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
	SELECT DISTINCT s.order_id FROM salesorder.approval_step s
	JOIN pg_catalog.pg_roles r ON r.rolname = s.approver_role
	WHERE pg_catalog.pg_has_role(username, r.oid, 'MEMBER')
$$;

-- The same visibility rule on every order-side table.
ALTER TABLE salesorder.sales_order ENABLE ROW LEVEL SECURITY;
CREATE POLICY order_visibility ON salesorder.sales_order
	USING ((SELECT salesorder.rls_sees_all(current_user))
		   OR customer_id IN (SELECT salesorder.rls_customers(current_user))
		   OR id IN (SELECT salesorder.rls_routed_orders(current_user)));

ALTER TABLE salesorder.order_line ENABLE ROW LEVEL SECURITY;
CREATE POLICY order_visibility ON salesorder.order_line
	USING ((SELECT salesorder.rls_sees_all(current_user))
		   OR customer_id IN (SELECT salesorder.rls_customers(current_user))
		   OR order_id IN (SELECT salesorder.rls_routed_orders(current_user)));

ALTER TABLE salesorder.order_status_history ENABLE ROW LEVEL SECURITY;
CREATE POLICY order_visibility ON salesorder.order_status_history
	USING ((SELECT salesorder.rls_sees_all(current_user))
		   OR customer_id IN (SELECT salesorder.rls_customers(current_user))
		   OR order_id IN (SELECT salesorder.rls_routed_orders(current_user)));

ALTER TABLE salesorder.approval_step ENABLE ROW LEVEL SECURITY;
CREATE POLICY order_visibility ON salesorder.approval_step
	USING ((SELECT salesorder.rls_sees_all(current_user))
		   OR customer_id IN (SELECT salesorder.rls_customers(current_user))
		   OR order_id IN (SELECT salesorder.rls_routed_orders(current_user)));

ALTER TABLE salesorder.change_request ENABLE ROW LEVEL SECURITY;
CREATE POLICY order_visibility ON salesorder.change_request
	USING ((SELECT salesorder.rls_sees_all(current_user))
		   OR customer_id IN (SELECT salesorder.rls_customers(current_user))
		   OR order_id IN (SELECT salesorder.rls_routed_orders(current_user)));

ALTER TABLE salesorder.order_revision ENABLE ROW LEVEL SECURITY;
CREATE POLICY order_visibility ON salesorder.order_revision
	USING ((SELECT salesorder.rls_sees_all(current_user))
		   OR customer_id IN (SELECT salesorder.rls_customers(current_user))
		   OR order_id IN (SELECT salesorder.rls_routed_orders(current_user)));

ALTER TABLE salesorder.order_event ENABLE ROW LEVEL SECURITY;
CREATE POLICY order_visibility ON salesorder.order_event
	USING ((SELECT salesorder.rls_sees_all(current_user))
		   OR customer_id IN (SELECT salesorder.rls_customers(current_user))
		   OR order_id IN (SELECT salesorder.rls_routed_orders(current_user)));

ALTER TABLE salesorder.delay_flag ENABLE ROW LEVEL SECURITY;
CREATE POLICY order_visibility ON salesorder.delay_flag
	USING ((SELECT salesorder.rls_sees_all(current_user))
		   OR customer_id IN (SELECT salesorder.rls_customers(current_user))
		   OR order_id IN (SELECT salesorder.rls_routed_orders(current_user)));

-- The ledger rows of orders follow their order; receipts and adjustments
-- (no order) are stock information, visible to whoever may read the ledger.
ALTER TABLE salesorder.stock_movement ENABLE ROW LEVEL SECURITY;
CREATE POLICY order_visibility ON salesorder.stock_movement
	USING (order_id IS NULL
		   OR (SELECT salesorder.rls_sees_all(current_user))
		   OR customer_id IN (SELECT salesorder.rls_customers(current_user))
		   OR order_id IN (SELECT salesorder.rls_routed_orders(current_user)));

-- The operational views show each user what the policies let them see.
ALTER VIEW salesorder.order_tracking SET (security_invoker = true);
ALTER VIEW salesorder.approval_queue SET (security_invoker = true);
ALTER VIEW salesorder.order_changes SET (security_invoker = true);
ALTER VIEW salesorder.low_stock SET (security_invoker = true);

COMMENT ON FUNCTION salesorder.rls_sees_all(name) IS
	'Row-level security: whether a user sees every order (admin, warehouse)';
COMMENT ON FUNCTION salesorder.rls_customers(name) IS
	'Row-level security: the customers assigned to a user (customer.sales_rep)';
COMMENT ON FUNCTION salesorder.rls_routed_orders(name) IS
	'Row-level security: the orders with an approval step routed to a role of a user';
-- Privileges.
--
-- Nothing is granted to PUBLIC.  salesorder.create_roles(), run once by a DBA,
-- creates the NOLOGIN group roles and grants each what its job needs; the
-- C functions then check row-level rights (a sales rep acts only for the
-- customers assigned to them) before writing as the extension owner.

REVOKE ALL ON ALL TABLES IN SCHEMA salesorder FROM PUBLIC;
REVOKE ALL ON ALL SEQUENCES IN SCHEMA salesorder FROM PUBLIC;
REVOKE EXECUTE ON ALL FUNCTIONS IN SCHEMA salesorder FROM PUBLIC;
-- The row-level security policies apply to everybody who was granted a
-- table, so everybody may evaluate them (they only read assignments).
GRANT EXECUTE ON FUNCTION salesorder.rls_sees_all(name), salesorder.rls_customers(name),
	salesorder.rls_routed_orders(name) TO PUBLIC;

CREATE FUNCTION salesorder.create_roles()
RETURNS SETOF text
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
	r text;
BEGIN
	-- Role names are constants of this function, never user input.
	FOREACH r IN ARRAY ARRAY['salesorder_reporting', 'salesorder_sales',
							 'salesorder_approver', 'salesorder_warehouse',
							 'salesorder_admin']
	LOOP
		IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = r) THEN
			EXECUTE pg_catalog.format('CREATE ROLE %I NOLOGIN', r);
			RETURN NEXT r;
		END IF;
	END LOOP;

	GRANT USAGE ON SCHEMA salesorder TO salesorder_reporting, salesorder_sales,
		salesorder_approver, salesorder_warehouse, salesorder_admin;

	-- Reporting: the report views, and the functions they call.
	-- (The report views show every order, as management reports do: they are
	-- for reporting and admins; the operational roles read the views that
	-- follow row-level security instead.)
	GRANT SELECT ON salesorder.report_sales, salesorder.report_trend_region,
		salesorder.report_forecast_region, salesorder.report_pipeline,
		salesorder.report_approvals, salesorder.report_delayed,
		salesorder.report_low_stock
		TO salesorder_reporting;
	-- report_sales' rows: the whole company's sales, for reporting only.
	GRANT EXECUTE ON FUNCTION salesorder.report_sales_rows() TO salesorder_reporting;
	GRANT EXECUTE ON FUNCTION salesorder.rollup_current(),
		salesorder.report_current_month(), salesorder.at_risk_days(),
		salesorder.order_health(salesorder.order_status, date, text, date),
		salesorder.bucket_start(timestamptz, text),
		salesorder.sales_trend(timestamptz, numeric, text),
		salesorder.sales_trend(timestamptz, numeric),
		salesorder.sales_forecast(timestamptz, numeric, text, integer, integer),
		salesorder.sales_forecast(timestamptz, numeric, text, integer)
		TO salesorder_reporting, salesorder_sales, salesorder_approver,
		salesorder_warehouse;

	-- Everybody who works on orders reads master data and orders.
	GRANT SELECT ON salesorder.customer, salesorder.product, salesorder.warehouse,
		salesorder.stock, salesorder.sales_order, salesorder.order_line,
		salesorder.order_status_history, salesorder.status_transition,
		salesorder.stock_movement, salesorder.low_stock,
		salesorder.approval_rule, salesorder.approval_step,
		salesorder.approval_queue, salesorder.change_request,
		salesorder.order_revision, salesorder.order_changes,
		salesorder.order_event, salesorder.order_tracking,
		salesorder.production_stage, salesorder.delay_flag
		TO salesorder_sales, salesorder_approver, salesorder_warehouse;
	GRANT EXECUTE ON FUNCTION salesorder.credit_exposure(bigint, bigint),
		salesorder.order_snapshot(bigint),
		salesorder.order_at_revision(bigint, integer),
		salesorder.order_health(salesorder.order_status, date, text, date),
		salesorder.events_since(bigint, integer),
		salesorder.event_horizon()
		TO salesorder_sales, salesorder_approver, salesorder_warehouse;

	-- Sales: enter and manage orders; edit draft headers and lines directly.
	GRANT EXECUTE ON FUNCTION salesorder.create_order(bigint, jsonb, jsonb),
		salesorder.copy_order(bigint, jsonb),
		salesorder.submit_order(bigint),
		salesorder.cancel(bigint, text),
		salesorder.hold(bigint, text),
		salesorder.release_hold(bigint),
		salesorder.revise(bigint),
		salesorder.request_change(bigint, jsonb, text)
		TO salesorder_sales;
	GRANT UPDATE (warehouse_id, ship_to, requested_date, promised_date,
				  special_requirements, notes)
		ON salesorder.sales_order TO salesorder_sales;
	GRANT INSERT, UPDATE (product_id, qty, unit_price, discount_pct, note), DELETE
		ON salesorder.order_line TO salesorder_sales;

	-- Approvers: decide the steps routed to their roles; hold while reviewing.
	GRANT EXECUTE ON FUNCTION salesorder.approve(bigint, text),
		salesorder.reject(bigint, text),
		salesorder.approve_change(bigint, text),
		salesorder.reject_change(bigint, text),
		salesorder.hold(bigint, text),
		salesorder.release_hold(bigint)
		TO salesorder_approver;

	-- Warehouse: production stages, fulfilment and stock.
	GRANT EXECUTE ON FUNCTION salesorder.set_stage(bigint, text, text),
		salesorder.ship(bigint, jsonb),
		salesorder.receive_stock(bigint, bigint, numeric, text),
		salesorder.adjust_stock(bigint, bigint, numeric, text),
		salesorder.verify_stock(),
		salesorder.deliver(bigint),
		salesorder.complete(bigint),
		salesorder.hold(bigint, text),
		salesorder.release_hold(bigint)
		TO salesorder_warehouse;

	-- Admin: everything the others can do, plus master data and the state machine.
	FOREACH r IN ARRAY ARRAY['salesorder_sales', 'salesorder_approver',
							 'salesorder_warehouse', 'salesorder_reporting']
	LOOP
		IF NOT pg_catalog.pg_has_role('salesorder_admin', r, 'MEMBER') THEN
			EXECUTE pg_catalog.format('GRANT %I TO salesorder_admin', r);
		END IF;
	END LOOP;
	GRANT SELECT, INSERT, UPDATE, DELETE ON salesorder.customer,
		salesorder.product, salesorder.warehouse, salesorder.status_transition,
		salesorder.approval_rule, salesorder.production_stage
		TO salesorder_admin;
	GRANT EXECUTE ON FUNCTION salesorder.flag_delays(timestamptz),
		salesorder.compact_rollup(), salesorder.rebuild_rollup()
		TO salesorder_admin;
	GRANT INSERT, UPDATE (reorder_point) ON salesorder.stock TO salesorder_admin;
	GRANT USAGE ON ALL SEQUENCES IN SCHEMA salesorder TO salesorder_admin;
	GRANT EXECUTE ON FUNCTION salesorder.deliver(bigint),
		salesorder.complete(bigint), salesorder.ship(bigint, jsonb),
		salesorder.receive_stock(bigint, bigint, numeric, text),
		salesorder.adjust_stock(bigint, bigint, numeric, text),
		salesorder.verify_stock() TO salesorder_admin;
	RETURN;
END
$fn$;

REVOKE EXECUTE ON FUNCTION salesorder.create_roles() FROM PUBLIC;
-- Documentation in the catalog, for \d+ and BI tools.

COMMENT ON SCHEMA salesorder IS 'Sales-order engine: orders, approval, stock, change requests, tracking, reports';
COMMENT ON TYPE salesorder.order_status IS 'Lifecycle state of an order; legal moves are the rows of salesorder.status_transition';
COMMENT ON TABLE salesorder.warehouse IS 'Warehouses that hold stock and ship orders';
COMMENT ON TABLE salesorder.customer IS 'Customers with their order defaults (ship-to, warehouse, sales rep) and credit position';
COMMENT ON COLUMN salesorder.customer.segment IS 'Customer type, e.g. enterprise, smb, retail';
COMMENT ON COLUMN salesorder.customer.sales_rep IS 'Role name of the sales rep (or rep group role) who owns the account';
COMMENT ON COLUMN salesorder.customer.on_credit_hold IS 'When true, orders of this customer cannot be submitted (SQLSTATE SO005)';
COMMENT ON TABLE salesorder.product IS 'Sellable products (one row per variant / SKU)';
COMMENT ON COLUMN salesorder.product.attributes IS 'Variant attributes such as style, colour and size';
COMMENT ON TABLE salesorder.stock IS 'Stock per warehouse and product; available = on_hand - reserved';
COMMENT ON TABLE salesorder.stock_movement IS 'Append-only stock ledger: receipts, reservations, releases, shipments, adjustments';
COMMENT ON TABLE salesorder.sales_order IS 'Order headers; created by create_order()/copy_order(), moved by the lifecycle functions';
COMMENT ON COLUMN salesorder.sales_order.hold_from IS 'While on_hold: the state the order returns to on release_hold()';
COMMENT ON COLUMN salesorder.sales_order.status_reason IS 'Why the order reached its current status';
COMMENT ON COLUMN salesorder.sales_order.revision IS 'Incremented by every applied change request';
COMMENT ON COLUMN salesorder.sales_order.total_amount IS 'Sum of the line amounts after discount';
COMMENT ON TABLE salesorder.order_line IS 'Order lines; editable directly only while the order is a draft';
COMMENT ON COLUMN salesorder.order_line.amount IS 'round(qty * unit_price * (100 - discount_pct) / 100, 2)';
COMMENT ON TABLE salesorder.order_status_history IS 'Every status move of every order: from, to, who, when, why';
COMMENT ON TABLE salesorder.status_transition IS 'The legal status moves (the state machine as data)';

COMMENT ON FUNCTION salesorder.create_order(bigint, jsonb, jsonb) IS 'Creates an order from the customer''s defaults and submits it unless options.draft; returns its id';
COMMENT ON FUNCTION salesorder.copy_order(bigint, jsonb) IS 'Reorder: a new order with the lines of an earlier one at today''s prices; returns its id';
COMMENT ON FUNCTION salesorder.submit_order(bigint) IS 'Submits a draft order for approval';
COMMENT ON FUNCTION salesorder.hold(bigint, text) IS 'Puts an order on hold with a reason';
COMMENT ON FUNCTION salesorder.release_hold(bigint) IS 'Returns a held order to the state it was held in';
COMMENT ON FUNCTION salesorder.cancel(bigint, text) IS 'Cancels an order with a reason';
COMMENT ON FUNCTION salesorder.deliver(bigint) IS 'Records delivery of a shipped order';
COMMENT ON FUNCTION salesorder.complete(bigint) IS 'Closes an order';
COMMENT ON FUNCTION salesorder.create_roles() IS 'Creates the salesorder_* group roles if missing and grants them; run once by a DBA';
COMMENT ON FUNCTION salesorder.order_guard() IS 'Trigger: state machine and direct-write rules of sales_order';
COMMENT ON FUNCTION salesorder.order_history() IS 'Trigger: writes order_status_history for every status move';
COMMENT ON FUNCTION salesorder.line_guard() IS 'Trigger: lines are edited directly only in draft; keeps amounts and totals';
COMMENT ON FUNCTION salesorder.ledger_append_only() IS 'Trigger: the stock ledger is written by the stock functions only and never updated, deleted or truncated';
COMMENT ON FUNCTION salesorder.stock_guard() IS 'Trigger: stock quantities change only through the stock functions';
