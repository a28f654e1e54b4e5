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

-- The month partitions an archive batch needs (months: the first instants
-- of UTC months), made if missing.  Owner only; called by
-- archive_history().  A month is there when an attached partition holds
-- its first instant, whatever its name.  A DBA may detach a month and keep
-- its table (to dump it first), and rows of that month can still come
-- (the history of an order closed late): the month then gets a new
-- partition, named as the month with _2 (_3, ...) -- a detached table is
-- never written again.  A partition bound is text in the DDL: it is written
-- from the month's value as an ISO time with its offset, and the settings
-- that would read or print it are pinned, so that the caller's DateStyle
-- and TimeZone cannot move a month (DateStyle SQL in Asia/Shanghai prints
-- "CST", which reads back as US Central time).
CREATE FUNCTION salesorder.archive_months(archive regclass, months timestamp[])
RETURNS integer
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
SET TimeZone = 'UTC'
SET DateStyle = 'ISO, YMD'
AS $fn$
DECLARE
	month timestamp;
	made integer := 0;
	base text;
	name text;
	n integer;
BEGIN
	IF archive NOT IN ('salesorder.stock_movement_archive'::regclass,
					   'salesorder.order_status_history_archive'::regclass) THEN
		RAISE EXCEPTION '% is not an archive of salesorder', archive
			USING ERRCODE = 'invalid_parameter_value';
	END IF;
	FOREACH month IN ARRAY months LOOP
		-- (The bounds read back as the pinned settings print them.)
		CONTINUE WHEN EXISTS (
			SELECT 1
			FROM pg_catalog.pg_inherits i
			JOIN pg_catalog.pg_class c ON c.oid = i.inhrelid
			CROSS JOIN LATERAL pg_catalog.regexp_match(
				pg_catalog.pg_get_expr(c.relpartbound, c.oid),
				'^FOR VALUES FROM \(''([^'']*)''\) TO \(''([^'']*)''\)$') b
			WHERE i.inhparent = archive AND NOT i.inhdetachpending
			  AND b[1]::timestamptz <= month AT TIME ZONE 'UTC'
			  AND month AT TIME ZONE 'UTC' < b[2]::timestamptz);
		base := format('%s_y%sm%s',
					   (SELECT c.relname FROM pg_catalog.pg_class c WHERE c.oid = archive),
					   to_char(month, 'YYYY'), to_char(month, 'MM'));
		name := base;
		n := 1;
		WHILE to_regclass(format('salesorder.%I', name)) IS NOT NULL LOOP
			n := n + 1;
			name := base || '_' || n;
		END LOOP;
		EXECUTE format('CREATE TABLE salesorder.%I PARTITION OF %s FOR VALUES FROM (%L) TO (%L)',
					   name, archive,
					   to_char(month, 'YYYY-MM-DD HH24:MI:SS') || '+00',
					   to_char(month + interval '1 month', 'YYYY-MM-DD HH24:MI:SS') || '+00');
		EXECUTE format('CREATE INDEX ON salesorder.%I (id)', name);
		EXECUTE format('CREATE INDEX ON salesorder.%I (order_id)', name);
		made := made + 1;
	END LOOP;
	RETURN made;
END
$fn$;

CREATE FUNCTION salesorder.archive_history(keep interval DEFAULT NULL, max_rows integer DEFAULT 10000)
RETURNS bigint
AS 'MODULE_PATHNAME', 'so_archive_history'
LANGUAGE C VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp;

-- The archives are read by admins; only archive_history() writes them
-- (a DBA may detach and drop whole months).
CREATE FUNCTION salesorder.archive_guard()
RETURNS trigger
AS 'MODULE_PATHNAME', 'so_archive_guard'
LANGUAGE C
SET search_path = pg_catalog, pg_temp;

CREATE TRIGGER archive_guard
	BEFORE INSERT OR UPDATE OR DELETE ON salesorder.stock_movement_archive
	FOR EACH ROW EXECUTE FUNCTION salesorder.archive_guard();
CREATE TRIGGER archive_guard
	BEFORE INSERT OR UPDATE OR DELETE ON salesorder.order_status_history_archive
	FOR EACH ROW EXECUTE FUNCTION salesorder.archive_guard();

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
