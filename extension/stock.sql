-- Stock per (warehouse, product) and its append-only ledger of physical
-- movements.
--
-- Invariants (checked by salesorder.verify_stock()):
--   0 <= reserved <= on_hand
--   on_hand  = sum of the ledger's on_hand deltas for the pair
--   reserved = sum of the open reserved quantities of order lines
-- A reservation is not a movement of goods: it is the line's reserved_qty
-- and its share of stock.reserved, written in the same statement as the
-- stock row (2.0; 1.x also wrote it to the ledger, see
-- stock_movement_archive).

CREATE TABLE salesorder.stock (
	warehouse_id	bigint NOT NULL REFERENCES salesorder.warehouse (id),
	product_id		bigint NOT NULL REFERENCES salesorder.product (id),
	on_hand			numeric(14,3) NOT NULL DEFAULT 0,
	reserved		numeric(14,3) NOT NULL DEFAULT 0,
	reorder_point	numeric(14,3) NOT NULL DEFAULT 0 CHECK (reorder_point >= 0),
	PRIMARY KEY (warehouse_id, product_id),
	CHECK (reserved >= 0 AND reserved <= on_hand)
);
COMMENT ON TABLE salesorder.stock IS 'Stock per warehouse and product; available = on_hand - reserved';
CREATE INDEX stock_product_idx ON salesorder.stock (product_id);

CREATE TABLE salesorder.stock_movement (
	id				bigserial PRIMARY KEY,
	warehouse_id	bigint NOT NULL,
	product_id		bigint NOT NULL,
	kind			text NOT NULL CHECK (kind IN ('receipt', 'shipment', 'adjustment')),
	on_hand_delta	numeric(14,3) NOT NULL CHECK (on_hand_delta <> 0),
	order_id		bigint,
	line_no			integer,
	customer_id		bigint,
	note			text,
	created_by		text NOT NULL,
	created_at		timestamptz NOT NULL DEFAULT pg_catalog.now()
	-- No foreign key to stock: every ledger row is appended by the statement
	-- that updates its (locked) stock row, and stock_guard keeps stock rows
	-- that have ledger rows (src/reference_guard.c).
);
COMMENT ON TABLE salesorder.stock_movement IS 'Append-only ledger of physical stock movements: receipts, shipments, adjustments';
CREATE INDEX stock_movement_pair_idx
	ON salesorder.stock_movement (warehouse_id, product_id);
CREATE INDEX stock_movement_order_idx
	ON salesorder.stock_movement (order_id) WHERE order_id IS NOT NULL;

-- The ledger's sums per (warehouse, product) up to ledger_checkpoint.upto_id
-- (src/ledger_checkpoint.c), so that verify_stock() reads only the rows
-- after it.  Derived from the ledger: not dumped; after a restore the
-- checkpoint starts again from 0.
CREATE TABLE salesorder.ledger_balance (
	warehouse_id	bigint NOT NULL,
	product_id		bigint NOT NULL,
	on_hand			numeric NOT NULL,
	PRIMARY KEY (warehouse_id, product_id)
);
COMMENT ON TABLE salesorder.ledger_balance IS 'The ledger''s sums per (warehouse, product) up to the last checkpoint (derived: checkpoint_ledger())';
CREATE TABLE salesorder.ledger_checkpoint (
	singleton		boolean PRIMARY KEY DEFAULT true CHECK (singleton),
	upto_id			bigint NOT NULL DEFAULT 0,
	taken_at		timestamptz
);
COMMENT ON TABLE salesorder.ledger_checkpoint IS 'The ledger id up to which ledger_balance holds the sums';
INSERT INTO salesorder.ledger_checkpoint DEFAULT VALUES;

SELECT pg_catalog.pg_extension_config_dump('salesorder.stock', '');
SELECT pg_catalog.pg_extension_config_dump('salesorder.stock_movement', '');
SELECT pg_catalog.pg_extension_config_dump('salesorder.stock_movement_id_seq', '');
