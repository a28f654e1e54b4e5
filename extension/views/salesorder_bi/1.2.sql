-- Schema salesorder_bi and its views as of 1.2
-- The schema for BI tools: salesorder_bi holds the report views and
-- nothing else, so that a tool's navigator (psqlODBC lists every table and
-- view of a schema, readable or not) shows only what the reporting role can
-- read.  Each view reads the report of the same name in schema salesorder
-- (which stays what applications and SQL users read) and gives its columns
-- the types ODBC and JDBC drivers map to plain columns:
--	- labels as varchar(n) (n <= 255, psqlODBC's MaxVarcharSize), not text,
--	  which psqlODBC hands over as a long varchar (a memo field in Excel
--	  and Access, not groupable in some tools); a label longer than n is
--	  cut at n characters here, whole in salesorder.report_*;
--	  (growth_pct is 100 * slope / mean: numeric(30,2), wide enough for a
--	  mean near zero);
--	- statuses (an enum, which drivers do not know) as varchar(20);
--	- the statistical figures of the trend and the forecast, double
--	  precision in salesorder.report_*, as numeric with a declared scale,
--	  so that what a tool shows is the decimal the database computed;
--	- no interval: report_approvals gives waiting_hours only.
-- The views run with their owner's rights on the reports (the reporting
-- role reads no table), and call the reports' functions with the caller's,
-- as the reports themselves do.
CREATE SCHEMA salesorder_bi;
COMMENT ON SCHEMA salesorder_bi IS
	'The salesorder report views for BI tools: every object here is readable by salesorder_reporting';

CREATE VIEW salesorder_bi.report_sales AS
	SELECT month, region::varchar(255) AS region, segment::varchar(255) AS segment,
		   category::varchar(255) AS category, orders, lines, quantity, amount
	FROM salesorder.report_sales;

CREATE VIEW salesorder_bi.report_sales_raw AS
	SELECT month, region::varchar(255) AS region, segment::varchar(255) AS segment,
		   category::varchar(255) AS category, orders, lines, quantity, amount
	FROM salesorder.report_sales_raw;

CREATE VIEW salesorder_bi.report_trend_region AS
	SELECT region::varchar(255) AS region, buckets, first_bucket, last_bucket,
		   slope::numeric(20,2) AS slope, intercept::numeric(20,2) AS intercept,
		   r2::numeric(9,6) AS r2, growth_pct::numeric(30,2) AS growth_pct,
		   total::numeric(20,2) AS total, mean::numeric(20,2) AS mean, rows
	FROM salesorder.report_trend_region;

CREATE VIEW salesorder_bi.report_forecast_region AS
	SELECT region::varchar(255) AS region, step, month,
		   forecast::numeric(20,2) AS forecast, lower::numeric(20,2) AS lower,
		   upper::numeric(20,2) AS upper, season
	FROM salesorder.report_forecast_region;

CREATE VIEW salesorder_bi.report_pipeline AS
	SELECT status::text::varchar(20) AS status, health::varchar(10) AS health,
		   orders, amount, oldest, newest
	FROM salesorder.report_pipeline;

CREATE VIEW salesorder_bi.report_approvals AS
	SELECT step_id, order_id, order_no::varchar(64) AS order_no, change_request_id,
		   customer_code::varchar(64) AS customer_code, customer::varchar(255) AS customer,
		   total_amount, level, department::varchar(64) AS department,
		   approver_role::varchar(64) AS approver_role, reason::varchar(255) AS reason,
		   waiting_since, waiting_hours
	FROM salesorder.report_approvals;

CREATE VIEW salesorder_bi.report_delayed AS
	SELECT order_id, order_no::varchar(64) AS order_no,
		   customer_code::varchar(64) AS customer_code, customer::varchar(255) AS customer,
		   region::varchar(255) AS region, status::text::varchar(20) AS status,
		   stage::varchar(64) AS stage, health::varchar(10) AS health, promised_date,
		   days_late, at_risk, open_qty, total_amount, sales_rep::varchar(64) AS sales_rep
	FROM salesorder.report_delayed;

CREATE VIEW salesorder_bi.report_low_stock AS
	SELECT warehouse::varchar(64) AS warehouse, sku::varchar(64) AS sku,
		   product::varchar(255) AS product, warehouse_id, product_id, on_hand, reserved,
		   available, reorder_point, backorder_qty, waiting_orders, shortfall
	FROM salesorder.report_low_stock;

-- What BI tools show as each column's remarks: the comment of the report's
-- column it reads, and of the report itself.
DO $$
DECLARE
	c record;
BEGIN
	FOR c IN SELECT v.oid AS bi_view, a.attname,
					pg_catalog.col_description(r.oid, ra.attnum) AS remark
			 FROM pg_catalog.pg_class v
			 JOIN pg_catalog.pg_attribute a ON a.attrelid = v.oid AND a.attnum > 0
			 JOIN pg_catalog.pg_class r ON r.relname = v.relname
				  AND r.relnamespace = 'salesorder'::pg_catalog.regnamespace
			 JOIN pg_catalog.pg_attribute ra ON ra.attrelid = r.oid AND ra.attname = a.attname
			 WHERE v.relnamespace = 'salesorder_bi'::pg_catalog.regnamespace
	LOOP
		EXECUTE pg_catalog.format('COMMENT ON COLUMN %s.%I IS %L', c.bi_view::pg_catalog.regclass,
								  c.attname, c.remark);
	END LOOP;
	FOR c IN SELECT v.oid AS bi_view, pg_catalog.obj_description(r.oid, 'pg_class') AS remark
			 FROM pg_catalog.pg_class v
			 JOIN pg_catalog.pg_class r ON r.relname = v.relname
				  AND r.relnamespace = 'salesorder'::pg_catalog.regnamespace
			 WHERE v.relnamespace = 'salesorder_bi'::pg_catalog.regnamespace
	LOOP
		EXECUTE pg_catalog.format('COMMENT ON VIEW %s IS %L', c.bi_view::pg_catalog.regclass,
								  c.remark || ' (for BI tools: labels varchar, figures numeric)');
	END LOOP;
END
$$;

-- The reporting role (and admins) read every view of the schema.
INSERT INTO salesorder.role_grant (role, privilege, on_kind, object)
SELECT r.role, 'SELECT', 'TABLE', 'salesorder_bi.' || v.relname
FROM pg_catalog.pg_class v
CROSS JOIN (VALUES ('salesorder_reporting'), ('salesorder_admin')) r(role)
WHERE v.relnamespace = 'salesorder_bi'::pg_catalog.regnamespace AND v.relkind = 'v'
UNION ALL
SELECT r.role, 'USAGE', 'SCHEMA', 'salesorder_bi'
FROM (VALUES ('salesorder_reporting'), ('salesorder_admin')) r(role);
