-- The archive of the append-only history (src/archive.c): ledger rows and
-- status history of closed orders move, once older than
-- salesorder.archive_after, from the tables order entry works on into
-- tables partitioned by month, whose old months a DBA can detach, dump and
-- drop.  The ledger's archived sums stay in ledger_archive_balance, so that
-- verify_stock() still balances when archived months are gone.

CREATE TABLE salesorder.stock_movement_archive (
	id				bigint NOT NULL,
	warehouse_id	bigint NOT NULL,
	product_id		bigint NOT NULL,
	kind			text NOT NULL,
	on_hand_delta	numeric(14,3) NOT NULL,
	-- What a 1.x ledger row moved of the reservations (1.x wrote
	-- reservation and release rows; the update to 2.0 moved them here).
	reserved_delta	numeric(14,3) NOT NULL DEFAULT 0,
	order_id		bigint,
	line_no			integer,
	customer_id		bigint,
	note			text,
	created_by		text NOT NULL,
	created_at		timestamptz NOT NULL,
	archived_at		timestamptz NOT NULL DEFAULT pg_catalog.now()
) PARTITION BY RANGE (created_at);

CREATE TABLE salesorder.order_status_history_archive (
	id				bigint NOT NULL,
	order_id		bigint NOT NULL,
	customer_id		bigint NOT NULL,
	from_status		salesorder.order_status,
	to_status		salesorder.order_status NOT NULL,
	changed_by		text NOT NULL,
	changed_at		timestamptz NOT NULL,
	reason			text,
	kind			text NOT NULL,
	changed_login	text,
	archived_at		timestamptz NOT NULL DEFAULT pg_catalog.now()
) PARTITION BY RANGE (changed_at);
-- No index on the parents: the months get theirs when they are made
-- (archive_months()).  An index of an extension's partitioned table would
-- be attached to a month's by pg_restore before the dump adds the month's
-- own, and the restore would fail.

-- The sums of every ledger row ever archived, per (warehouse, product):
-- what verify_stock() adds to the ledger.  Dumped: the archived months may
-- be gone.
CREATE TABLE salesorder.ledger_archive_balance (
	warehouse_id	bigint NOT NULL,
	product_id		bigint NOT NULL,
	on_hand			numeric NOT NULL,
	PRIMARY KEY (warehouse_id, product_id)
);
SELECT pg_catalog.pg_extension_config_dump('salesorder.ledger_archive_balance', '');

#include "udfs/archive_months/1.2.sql"

#include "udfs/archive_history/1.2.sql"

#include "udfs/archive_guard/1.2.sql"

COMMENT ON TABLE salesorder.stock_movement_archive IS
	'Ledger rows moved out of stock_movement by archive_history(), partitioned by month of created_at';
COMMENT ON TABLE salesorder.order_status_history_archive IS
	'Status history of closed orders moved out of order_status_history by archive_history(), partitioned by month of changed_at';
COMMENT ON TABLE salesorder.ledger_archive_balance IS
	'The sums of every archived ledger row per (warehouse, product), which verify_stock() adds to the ledger';
COMMENT ON FUNCTION salesorder.archive_months(regclass, timestamp[]) IS
	'Makes the month partitions of an archive for the given months (UTC) that have none; returns how many it made';
COMMENT ON FUNCTION salesorder.archive_history(interval, integer) IS
	'Moves at most max_rows ledger rows and as many status history rows of closed orders, older than keep (NULL: salesorder.archive_after), into the archives; returns how many rows moved';
COMMENT ON FUNCTION salesorder.archive_guard() IS
	'Trigger: the archives are written by archive_history() only';
