--
-- archive: the month partitions of the archives -- their bounds whatever
-- the caller's DateStyle and TimeZone.  (history.sql moves and drops whole
-- archives; here the months are looked at one by one.)
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

\i sql/include/leave_database.sql
