--
-- bi: the schema for BI tools.  Everything salesorder_bi lists, the
-- reporting role can read; each view gives the rows of the report of the
-- same name, with labels as varchar(n), figures as numeric with a declared
-- scale, no text, enum, float or interval column (what psqlODBC hands over
-- as a long varchar or an unknown type), and a comment on every column.
--
\set test_db regress_bi
\i sql/include/fresh_database.sql
SET TimeZone = 'UTC';
SELECT count(*) >= 0 AS roles_ready FROM salesorder.create_roles();
SELECT regress.some_history();
-- Sales over two years of complete months, so that the trend and the
-- forecast have something to fit: orders moved back in time.
SET session_replication_role = replica;
UPDATE salesorder.sales_order SET created_at = pg_catalog.date_trunc('month', now())
	- (id % 24 + 1) * interval '1 month' + interval '3 days';
RESET session_replication_role;
SELECT salesorder.rebuild_rollup() > 0 AS rebuilt;

-- What the schema holds: views only, one per report.
SELECT c.relname, c.relkind FROM pg_class c
WHERE c.relnamespace = 'salesorder_bi'::regnamespace ORDER BY 1;
SELECT count(*) AS other_objects FROM pg_proc WHERE pronamespace = 'salesorder_bi'::regnamespace;

-- Every relation of the schema is readable by the reporting role (and
-- admins), which needs nothing more than USAGE on it.
SELECT r AS role, count(*) AS views,
	   count(*) FILTER (WHERE has_table_privilege(r, c.oid, 'SELECT')) AS readable
FROM pg_class c CROSS JOIN unnest(ARRAY['salesorder_reporting', 'salesorder_admin']) r
WHERE c.relnamespace = 'salesorder_bi'::regnamespace
GROUP BY r ORDER BY r;
SELECT r AS role, has_schema_privilege(r, 'salesorder_bi', 'USAGE') AS usage
FROM unnest(ARRAY['salesorder_reporting', 'salesorder_admin', 'salesorder_sales',
				  'salesorder_approver', 'salesorder_warehouse']) r;
CREATE ROLE regress_bi_tool LOGIN IN ROLE salesorder_reporting;
SET ROLE regress_bi_tool;
SELECT c.relname, (SELECT message FROM regress.try(format('SELECT count(*) FROM %s', c.oid::regclass))) AS reads
FROM pg_class c WHERE c.relnamespace = 'salesorder_bi'::regnamespace ORDER BY 1;
RESET ROLE;
-- Nobody else: a sales rep reads none of it.
CREATE ROLE regress_bi_rep LOGIN IN ROLE salesorder_sales;
SET ROLE regress_bi_rep;
SELECT * FROM regress.try('SELECT count(*) FROM salesorder_bi.report_sales');
RESET ROLE;

-- The column types a driver sees: no text, enum, float, interval or bare
-- numeric; a comment on every column.
SELECT format_type(a.atttypid, a.atttypmod) AS type, count(*) AS columns
FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
WHERE c.relnamespace = 'salesorder_bi'::regnamespace AND a.attnum > 0
GROUP BY 1 ORDER BY 1;
SELECT count(*) AS columns_without_comment
FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
WHERE c.relnamespace = 'salesorder_bi'::regnamespace AND a.attnum > 0
  AND col_description(c.oid, a.attnum) IS NULL;
SELECT count(*) AS views_without_comment FROM pg_class c
WHERE c.relnamespace = 'salesorder_bi'::regnamespace AND obj_description(c.oid, 'pg_class') IS NULL;
-- Same columns, in the same order, as the report each view reads, but for
-- report_approvals' interval (waiting_hours gives it in hours).
SELECT b.relname, string_agg(a.attname, ',' ORDER BY a.attnum)
	   IS NOT DISTINCT FROM (SELECT string_agg(ra.attname, ',' ORDER BY ra.attnum)
		 FROM pg_attribute ra WHERE ra.attrelid = ('salesorder.' || b.relname)::regclass
		   AND ra.attnum > 0 AND ra.attname <> 'waiting_for') AS same_columns
FROM pg_class b JOIN pg_attribute a ON a.attrelid = b.oid AND a.attnum > 0
WHERE b.relnamespace = 'salesorder_bi'::regnamespace
GROUP BY b.relname ORDER BY 1;

-- The same rows as the reports: labels and amounts exactly, the trend's
-- and forecast's figures to the cent.
SELECT (SELECT count(*) FROM salesorder.report_sales) AS report_rows,
	   (SELECT count(*) FROM (SELECT month, region::text, segment::text, category::text,
									 orders, lines, quantity, amount
							  FROM salesorder_bi.report_sales
							  EXCEPT ALL SELECT * FROM salesorder.report_sales) d) AS sales_differ,
	   (SELECT count(*) FROM (SELECT * FROM salesorder_bi.report_sales_raw
							  EXCEPT ALL SELECT * FROM salesorder_bi.report_sales) d) AS raw_differs;
SELECT count(*) > 0 AS trend_rows,
	   count(*) FILTER (WHERE abs(b.slope - t.slope::numeric) > 0.005
						   OR abs(b.r2 - t.r2::numeric) > 0.0000005
						   OR b.buckets <> t.buckets) AS trend_differs
FROM salesorder_bi.report_trend_region b JOIN salesorder.report_trend_region t USING (region);
SELECT count(*) > 0 AS forecast_rows,
	   count(*) FILTER (WHERE abs(b.forecast - f.forecast::numeric) > 0.005
						   OR abs(b.upper - f.upper::numeric) > 0.005) AS forecast_differs
FROM salesorder_bi.report_forecast_region b JOIN salesorder.report_forecast_region f USING (region, step);
SELECT (SELECT count(*) FROM salesorder_bi.report_pipeline) = (SELECT count(*) FROM salesorder.report_pipeline) AS pipeline_rows,
	   (SELECT sum(orders) FROM salesorder_bi.report_pipeline) = (SELECT count(*) FROM salesorder.sales_order) AS pipeline_orders;
SELECT (SELECT count(*) FROM salesorder_bi.report_approvals) = (SELECT count(*) FROM salesorder.report_approvals) AS approvals,
	   (SELECT count(*) FROM salesorder_bi.report_delayed) = (SELECT count(*) FROM salesorder.report_delayed) AS delayed,
	   (SELECT count(*) FROM salesorder_bi.report_low_stock) = (SELECT count(*) FROM salesorder.report_low_stock) AS low_stock;

-- A label longer than its column is cut there in salesorder_bi, whole in
-- the report.
UPDATE salesorder.customer SET region = repeat('r', 300) WHERE code = 'ACME';
SELECT max(length(region)) AS bi_region_length FROM salesorder_bi.report_sales;
SELECT max(length(region)) AS report_region_length FROM salesorder.report_sales;

-- create_roles() grants objects of the extension's two schemas only.
CREATE TABLE regress.secret (x integer);
INSERT INTO salesorder.role_grant VALUES ('salesorder_reporting', 'SELECT', 'TABLE', 'regress.secret');
SELECT * FROM regress.try('SELECT salesorder.create_roles()');
SELECT has_table_privilege('salesorder_reporting', 'regress.secret', 'SELECT') AS granted;
DELETE FROM salesorder.role_grant WHERE object = 'regress.secret';
SELECT count(*) AS granted_again FROM salesorder.create_roles();

DROP ROLE regress_bi_tool, regress_bi_rep;
\i sql/include/leave_database.sql
