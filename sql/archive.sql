--
-- archive: the month partitions of the archives -- their bounds whatever
-- the caller's DateStyle and TimeZone, and archiving that goes on after a
-- DBA detached a month and kept its table.  (history.sql moves and drops
-- whole archives; here the months are looked at one by one.)
--
\set test_db regress_archive
\i sql/include/fresh_database.sql

-- The months of both archives as values, relative to the current UTC month
-- (never a month by name: the test runs in any month).  The bounds are read
-- back under settings of its own.
CREATE FUNCTION regress.month_bounds(archive regclass,
	OUT relname name, OUT lower timestamptz, OUT upper timestamptz)
RETURNS SETOF record LANGUAGE sql STABLE
SET TimeZone = 'UTC' SET DateStyle = 'ISO, YMD'
AS $fn$
	SELECT c.relname, b[1]::timestamptz, b[2]::timestamptz
	FROM pg_catalog.pg_inherits i
	JOIN pg_catalog.pg_class c ON c.oid = i.inhrelid
	CROSS JOIN LATERAL pg_catalog.regexp_match(pg_catalog.pg_get_expr(c.relpartbound, c.oid),
		$re$^FOR VALUES FROM \('([^']*)'\) TO \('([^']*)'\)$$re$) b
	WHERE i.inhparent = archive
$fn$;
CREATE FUNCTION regress.archive_months() RETURNS TABLE (archive text, partition text,
	month text, starts_a_utc_month boolean, ends_a_month_later boolean, rows bigint)
LANGUAGE plpgsql AS $$
DECLARE
	this_month timestamp := date_trunc('month', now() AT TIME ZONE 'UTC');
BEGIN
	RETURN QUERY
	SELECT a.relname::text,
		   regexp_replace(m.relname, '_y\d{4}m\d{2}', '_yYYYYmMM'),
		   CASE date_trunc('month', m.lower AT TIME ZONE 'UTC')
			   WHEN this_month THEN 'this month'
			   WHEN this_month - interval '1 month' THEN 'last month'
			   ELSE 'another month' END,
		   m.lower = date_trunc('month', m.lower AT TIME ZONE 'UTC') AT TIME ZONE 'UTC',
		   m.upper = (date_trunc('month', m.lower AT TIME ZONE 'UTC') + interval '1 month') AT TIME ZONE 'UTC',
		   (xpath('/row/c/text()', query_to_xml(format('SELECT count(*) AS c FROM salesorder.%I', m.relname),
												false, true, '')))[1]::text::bigint
	FROM (VALUES ('stock_movement_archive'), ('order_status_history_archive')) a(relname)
	CROSS JOIN LATERAL regress.month_bounds(('salesorder.' || a.relname)::regclass) m
	ORDER BY 1, m.lower, 2;
END $$;

-- Last month: an order shipped and completed, and a receipt, in the last
-- hour of the previous UTC month (written back as a restore would, in
-- replica mode: the guards let nobody else date a row).
SELECT regress.new_order() AS last_months \gset
SELECT salesorder.ship(:last_months);
SELECT salesorder.complete(:last_months);
SELECT on_hand FROM salesorder.receive_stock(1, 2, 5, 'a late delivery');
SELECT date_trunc('month', now() AT TIME ZONE 'UTC') AT TIME ZONE 'UTC' - interval '1 hour' AS last_hour \gset
SET session_replication_role = replica;
UPDATE salesorder.stock_movement SET created_at = :'last_hour'
WHERE order_id = :last_months OR note = 'a late delivery';
UPDATE salesorder.order_status_history SET changed_at = :'last_hour' WHERE order_id = :last_months;
UPDATE salesorder.sales_order SET status_changed_at = :'last_hour' WHERE id = :last_months;
RESET session_replication_role;
SELECT salesorder.checkpoint_ledger() > 0 AS checkpointed;

-- Archived under DateStyle SQL and a time zone whose abbreviation (CST)
-- names another zone too: the month still starts at midnight UTC.
SET DateStyle = 'SQL, DMY';
SET TimeZone = 'Asia/Shanghai';
SELECT salesorder.archive_history('30 minutes') AS moved_last_month;
RESET DateStyle;
RESET TimeZone;
SELECT * FROM regress.archive_months();

-- This month's rows, archived under the default settings, get the next
-- month: no overlap.
SELECT regress.new_order() AS this_months \gset
SELECT salesorder.ship(:this_months);
SELECT salesorder.complete(:this_months);
SELECT salesorder.checkpoint_ledger() > 0 AS checkpointed;
SELECT * FROM regress.try('SELECT salesorder.archive_history(''0'')');
SELECT * FROM regress.archive_months();
SELECT count(*) AS full_problems FROM salesorder.verify_stock(true);

-- A DBA detaches this month of the ledger's archive to dump it, and keeps
-- the table for now.
SELECT m.relname AS detached FROM regress.month_bounds('salesorder.stock_movement_archive') m
WHERE m.lower = date_trunc('month', now() AT TIME ZONE 'UTC') AT TIME ZONE 'UTC' \gset
SELECT set_config('regress.detached', :'detached', false) AS detached \gset
DO $$ BEGIN
	EXECUTE format('ALTER TABLE salesorder.stock_movement_archive DETACH PARTITION salesorder.%I',
				   current_setting('regress.detached'));
END $$;
SELECT count(*) AS detached_rows FROM salesorder.:"detached" \gset
SELECT to_regclass('salesorder.' || :'detached') IS NOT NULL AS table_kept,
	   :detached_rows > 0 AS it_has_rows;
-- More of this month closes and is archived: its ledger rows go into a new
-- partition of the month (the name with _2), the history of the order goes
-- on moving, and the detached table is left as it was.
SELECT regress.new_order() AS after_detach \gset
SELECT salesorder.ship(:after_detach);
SELECT salesorder.complete(:after_detach);
SELECT salesorder.checkpoint_ledger() > 0 AS checkpointed;
SELECT * FROM regress.try('SELECT salesorder.archive_history(''0'')');
SELECT * FROM regress.archive_months();
SELECT (SELECT count(*) FROM salesorder.stock_movement WHERE order_id = :after_detach) AS ledger_rows_hot,
	   (SELECT count(*) FROM salesorder.stock_movement_archive WHERE order_id = :after_detach) AS ledger_rows_archived,
	   (SELECT count(*) FROM salesorder.order_status_history WHERE order_id = :after_detach) AS history_rows_hot,
	   (SELECT count(*) FROM salesorder.order_status_history_archive WHERE order_id = :after_detach) AS history_rows_archived,
	   (SELECT count(*) FROM salesorder.:"detached") = :detached_rows AS detached_table_untouched;
-- The same again: detached too, the next one is _3.
DO $$ BEGIN
	EXECUTE format('ALTER TABLE salesorder.stock_movement_archive DETACH PARTITION salesorder.%I',
				   current_setting('regress.detached') || '_2');
END $$;
SELECT salesorder.receive_stock(1, 2, 1, 'one more') IS NOT NULL AS received;
SELECT salesorder.checkpoint_ledger() > 0 AS checkpointed;
SELECT salesorder.archive_history('0') AS moved;
SELECT partition, month, starts_a_utc_month, ends_a_month_later, rows
FROM regress.archive_months() WHERE archive = 'stock_movement_archive';
SELECT count(*) AS quick_problems FROM salesorder.verify_stock();
SELECT count(*) AS full_problems FROM salesorder.verify_stock(true);

\i sql/include/leave_database.sql
