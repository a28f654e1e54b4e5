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
