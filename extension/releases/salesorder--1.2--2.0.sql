-- salesorder 1.2 -> 2.0: the lean data model (see CHANGELOG.md).

\echo Use "ALTER EXTENSION salesorder UPDATE TO '2.0'" to load this file. \quit
-- Objects changed in 2.0 are included from their files under udfs/ and
-- views/ (extension/include.awk), the same files the install script
-- includes; this file holds only what moves the data.

-- ---- The ledger records physical movements only ----
--
-- 1.x wrote a ledger row for every reservation and release; 2.0 keeps a
-- reservation on its line (reserved_qty) and in stock.reserved only.  The
-- reservation and release rows of 1.x leave the hot ledger for the archive,
-- where they stay readable (stock_movement_archive keeps their
-- reserved_delta); they moved no goods, so the ledger's on_hand sums, its
-- checkpoint and the archive's balance are what they were.
ALTER TABLE salesorder.stock_movement_archive ALTER COLUMN reserved_delta SET DEFAULT 0;
SELECT salesorder.archive_months('salesorder.stock_movement_archive',
	ARRAY(SELECT DISTINCT pg_catalog.date_trunc('month', m.created_at AT TIME ZONE 'UTC')
		  FROM salesorder.stock_movement m
		  WHERE m.kind IN ('reservation', 'release') OR m.on_hand_delta = 0));
-- (As a restore does: the append-only guards of the ledger and of the
-- archive stand down for this statement; the script's settings end with it.)
SET session_replication_role = replica;
WITH moved AS (
	DELETE FROM salesorder.stock_movement m
	WHERE m.kind IN ('reservation', 'release') OR m.on_hand_delta = 0
	RETURNING m.id, m.warehouse_id, m.product_id, m.kind, m.on_hand_delta,
			  m.reserved_delta, m.order_id, m.line_no, m.customer_id, m.note,
			  m.created_by, m.created_at)
INSERT INTO salesorder.stock_movement_archive
	(id, warehouse_id, product_id, kind, on_hand_delta, reserved_delta,
	 order_id, line_no, customer_id, note, created_by, created_at)
SELECT * FROM moved;
RESET session_replication_role;
-- The months made here belong to the archive's data, as the ones the worker
-- makes do: not members of the extension (which pg_dump would leave out).
DO $months$
DECLARE
	month regclass;
BEGIN
	FOR month IN
		SELECT i.inhrelid::regclass
		FROM pg_catalog.pg_inherits i
		JOIN pg_catalog.pg_depend d
			ON d.classid = 'pg_catalog.pg_class'::regclass AND d.objid = i.inhrelid
		   AND d.refclassid = 'pg_catalog.pg_extension'::regclass AND d.deptype = 'e'
		WHERE i.inhparent = 'salesorder.stock_movement_archive'::regclass
	LOOP
		EXECUTE pg_catalog.format('ALTER EXTENSION salesorder DROP TABLE %s', month);
	END LOOP;
END
$months$;

ALTER TABLE salesorder.stock_movement DROP COLUMN reserved_delta;
ALTER TABLE salesorder.stock_movement DROP CONSTRAINT stock_movement_kind_check;
ALTER TABLE salesorder.stock_movement ADD CONSTRAINT stock_movement_kind_check
	CHECK (kind IN ('receipt', 'shipment', 'adjustment'));
ALTER TABLE salesorder.stock_movement ALTER COLUMN on_hand_delta DROP DEFAULT;
ALTER TABLE salesorder.stock_movement ADD CONSTRAINT stock_movement_on_hand_delta_check
	CHECK (on_hand_delta <> 0);
COMMENT ON TABLE salesorder.stock_movement IS 'Append-only ledger of physical stock movements: receipts, shipments, adjustments';
ALTER TABLE salesorder.ledger_balance DROP COLUMN reserved;
ALTER TABLE salesorder.ledger_archive_balance DROP COLUMN reserved;

-- Updates of stock are guarded after the row is written (no row lock per
-- reserved product for a BEFORE trigger).
DROP TRIGGER stock_guard ON salesorder.stock;
#include "udfs/stock_guard/2.0.sql"

-- verify_stock() no longer has a ledger figure for reserved (its result
-- type changes: drop and create), and gets its grants back.
DROP FUNCTION salesorder.verify_stock(boolean);
#include "udfs/verify_stock/2.0.sql"
REVOKE EXECUTE ON FUNCTION salesorder.verify_stock(boolean) FROM PUBLIC;
DO $grant$
DECLARE
	g record;
BEGIN
	FOR g IN
		SELECT r.role, r.privilege
		FROM salesorder.role_grant r
		JOIN pg_catalog.pg_roles a ON a.rolname = r.role
		WHERE r.on_kind = 'FUNCTION' AND r.object = 'salesorder.verify_stock(boolean)'
	LOOP
		EXECUTE pg_catalog.format('GRANT %s ON FUNCTION salesorder.verify_stock(boolean) TO %I',
								  g.privilege, g.role);
	END LOOP;
END
$grant$;

-- ---- One report row per order change ----
--
-- A rollup delta row holds the categories of one change in arrays.  The
-- deltas of 1.2 are folded into the rollup first (as compact_rollup() does),
-- so the table is empty when it is replaced by its 2.0 form.
LOCK TABLE salesorder.sales_rollup, salesorder.sales_rollup_delta IN EXCLUSIVE MODE;
WITH moved AS (DELETE FROM salesorder.sales_rollup_delta RETURNING *)
INSERT INTO salesorder.sales_rollup AS r
	(month, region, segment, category, orders, lines, quantity, amount)
SELECT m.month, m.region, m.segment, m.category, pg_catalog.sum(m.orders),
	   pg_catalog.sum(m.lines), pg_catalog.sum(m.quantity), pg_catalog.sum(m.amount)
FROM moved m
GROUP BY m.month, m.region, m.segment, m.category
ON CONFLICT (month, region, segment, category) DO UPDATE SET
	orders = r.orders + excluded.orders, lines = r.lines + excluded.lines,
	quantity = r.quantity + excluded.quantity, amount = r.amount + excluded.amount;
DELETE FROM salesorder.sales_rollup
WHERE orders = 0 AND lines = 0 AND quantity = 0 AND amount = 0;
UPDATE salesorder.rollup_config SET compacted_at = pg_catalog.now();
DROP TABLE salesorder.sales_rollup_delta;
#include "tables/sales_rollup_delta/2.0.sql"
#include "udfs/rollup_reset/2.0.sql"
#include "udfs/report_sales_rows/2.0.sql"

-- ---- The index budget of an order ----
--
-- The tables that hang off an order reference it by its id: the key on
-- (customer_id, id) that their foreign keys used cost every order an index
-- entry (customer_id stays on every row; the guards keep it the order's).
DO $fk$
DECLARE
	t text;
BEGIN
	FOREACH t IN ARRAY ARRAY['order_status_history', 'approval_step',
							 'change_request', 'order_revision', 'delay_flag']
	LOOP
		EXECUTE pg_catalog.format(
			'ALTER TABLE salesorder.%I DROP CONSTRAINT %I, '
			'ADD CONSTRAINT %I FOREIGN KEY (order_id) '
			'REFERENCES salesorder.sales_order (id) ON DELETE CASCADE',
			t, t || '_customer_id_order_id_fkey', t || '_order_id_fkey');
	END LOOP;
END
$fk$;
-- Order lines keep their order by the guards instead of a foreign key.
ALTER TABLE salesorder.order_line DROP CONSTRAINT order_line_customer_id_order_id_fkey;
#include "udfs/order_lines_cascade/2.0.sql"
ALTER TABLE salesorder.sales_order DROP CONSTRAINT sales_order_customer_id_id_key;
-- An idempotency key is rare: orders without one write no entry.
ALTER TABLE salesorder.sales_order DROP CONSTRAINT sales_order_customer_id_idempotency_key_key;
CREATE UNIQUE INDEX sales_order_idempotency_key_idx
	ON salesorder.sales_order (customer_id, idempotency_key)
	WHERE idempotency_key IS NOT NULL;
-- Filtering orders by created_at keeps an index, one without an entry per
-- order.
DROP INDEX salesorder.sales_order_created_at_idx;
CREATE INDEX sales_order_created_at_idx ON salesorder.sales_order USING brin (created_at);

-- ---- The credit exposure is kept while a credit rule reads it ----
#include "udfs/credit_exposure_kept/2.0.sql"
#include "udfs/credit_exposure_of/2.0.sql"
#include "udfs/verify_credit_exposure/2.0.sql"
#include "udfs/exposure_follow_rules/2.0.sql"
DELETE FROM salesorder.customer_exposure WHERE NOT salesorder.credit_exposure_kept();
