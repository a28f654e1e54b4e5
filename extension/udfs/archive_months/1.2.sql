-- salesorder.archive_months() as of 1.2
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
