--
-- analytics: sales_trend and sales_forecast against the built-in regr_*
-- over the same bucket sums, in serial and parallel plans; forecasts of
-- known series; the rollup-backed report against the raw GROUP BY.
--
\set test_db regress_analytics
\i sql/include/fresh_database.sql
SET TimeZone = 'UTC';

-- Deterministic sales: 3,000 rows over 400 days, with a trend, a weekly
-- rhythm and gaps (no sales on the 10th to the 20th of February).
CREATE TABLE regress.sales AS
SELECT '2025-01-01 08:00+00'::timestamptz + (i % 400) * interval '1 day'
		 + ((i * 7) % 13) * interval '1 hour' AS ts,
	   round((50 + (i % 400) * 0.25 + 20 * ((i * 37) % 11) / 10.0)::numeric, 2) AS amount
FROM generate_series(1, 3000) i
WHERE NOT ((i % 400) BETWEEN 40 AND 50);
ANALYZE regress.sales;

-- The reference: the same bucket sums (gaps as zero) fed to regr_*.
CREATE FUNCTION regress.reference(bucket text, step interval)
RETURNS TABLE (n bigint, slope float8, intercept float8, r2 float8) LANGUAGE sql AS $$
	WITH sums AS (
		SELECT salesorder.bucket_start(ts, bucket) AS b, sum(amount) AS y
		FROM regress.sales GROUP BY 1),
	series AS (
		SELECT g::date AS b, row_number() OVER (ORDER BY g) - 1 AS x
		FROM generate_series((SELECT min(b) FROM sums), (SELECT max(b) FROM sums), step) g)
	SELECT count(*), regr_slope(coalesce(y, 0)::float8, x), regr_intercept(coalesce(y, 0)::float8, x),
		   regr_r2(coalesce(y, 0)::float8, x)
	FROM series LEFT JOIN sums USING (b)
$$;
CREATE FUNCTION regress.close(a float8, b float8) RETURNS boolean LANGUAGE sql AS
$$ SELECT abs(a - b) <= 1e-9 * greatest(abs(a), abs(b), 1e-300) $$;

SELECT bucket, t.buckets = r.n AS same_buckets,
	   regress.close(t.slope, r.slope) AS slope_ok,
	   regress.close(t.intercept, r.intercept) AS intercept_ok,
	   regress.close(t.r2, r.r2) AS r2_ok,
	   t.first_bucket, t.last_bucket, t.rows
FROM (VALUES ('day', interval '1 day'), ('week', '1 week'), ('month', '1 month'),
			 ('quarter', '3 months'), ('year', '1 year')) b(bucket, step),
	 LATERAL (SELECT (salesorder.sales_trend(ts, amount, b.bucket)).* FROM regress.sales) t,
	 LATERAL regress.reference(b.bucket, b.step) r;

-- The default bucket is month; growth is the slope against the mean.
SELECT (s).buckets, round((s).growth_pct::numeric, 6) = round((100 * (s).slope / (s).mean)::numeric, 6) AS growth_ok,
	   round((s).total::numeric, 2) = (SELECT sum(amount) FROM regress.sales) AS total_ok
FROM (SELECT salesorder.sales_trend(ts, amount) AS s FROM regress.sales) x;

-- Edge cases: no rows, one bucket, constant sales, NULLs skipped.
SELECT salesorder.sales_trend(ts, amount, 'month') IS NULL AS empty_is_null
FROM regress.sales WHERE false;
SELECT (salesorder.sales_trend(ts, amount, 'year')).*
FROM regress.sales WHERE ts < '2025-06-01';
SELECT (t).buckets, (t).slope, (t).r2
FROM (SELECT salesorder.sales_trend(d, 10, 'day') AS t
	  FROM generate_series('2025-01-01'::timestamptz, '2025-01-05', '1 day') d) x;
SELECT (salesorder.sales_trend(ts, amount, 'month')).rows
FROM (VALUES ('2025-01-01'::timestamptz, 1::numeric), (NULL, 2), ('2025-02-01', NULL)) v(ts, amount);

-- Buckets follow the session time zone: 23:30 UTC on 31 January is
-- February in Tokyo.
SELECT salesorder.bucket_start('2025-01-31 23:30+00', 'month') AS utc_month;
SET TimeZone = 'Asia/Tokyo';
SELECT salesorder.bucket_start('2025-01-31 23:30+00', 'month') AS tokyo_month;
SET TimeZone = 'UTC';
SELECT salesorder.bucket_start('2025-01-01', 'week') AS week_of_wed_jan_1,
	   salesorder.bucket_start('2025-05-17', 'quarter') AS quarter;

-- The same results from a parallel plan: partial states are serialized,
-- shipped and combined.
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;
SET parallel_leader_participation = off;
EXPLAIN (COSTS OFF) SELECT salesorder.sales_trend(ts, amount, 'week') FROM regress.sales;
CREATE TEMP TABLE parallel_result AS
SELECT salesorder.sales_trend(ts, amount, 'week') AS t,
	   salesorder.sales_forecast(ts, amount, 'month', 3) AS f FROM regress.sales;
RESET max_parallel_workers_per_gather;
RESET parallel_leader_participation;
SET max_parallel_workers_per_gather = 0;
SELECT (SELECT t FROM parallel_result) = salesorder.sales_trend(ts, amount, 'week') AS trend_same,
	   (SELECT f FROM parallel_result) = salesorder.sales_forecast(ts, amount, 'month', 3) AS forecast_same
FROM regress.sales;
RESET max_parallel_workers_per_gather;
RESET parallel_setup_cost;
RESET parallel_tuple_cost;
RESET min_parallel_table_scan_size;

-- Forecasts recover a known trend: 1,000 + 50 a month.
SELECT step, bucket, round(forecast::numeric, 3) AS forecast,
	   round((upper - lower)::numeric, 3) AS width
FROM unnest((SELECT salesorder.sales_forecast(m, 1000 + 50 * i, 'month', 3)
			 FROM generate_series(0, 23) i,
				  LATERAL (SELECT '2024-01-15'::timestamptz + i * interval '1 month' AS m) x));

-- ... and a known season: a trend plus a quarterly pattern, by month.
SELECT step, bucket, round(forecast::numeric, 1) AS forecast,
	   round((1000 + 10 * (35 + step) + (ARRAY[0, 100, -50])[(35 + step) % 3 + 1])::numeric, 1) AS truth
FROM unnest((SELECT salesorder.sales_forecast(m, 1000 + 10 * i + (ARRAY[0, 100, -50])[i % 3 + 1], 'month', 6, 3)
			 FROM generate_series(0, 35) i,
				  LATERAL (SELECT '2023-01-10'::timestamptz + i * interval '1 month' AS m) x));

-- With noise, the bounds widen with the horizon.
SELECT bool_and(upper > forecast AND lower < forecast) AS bounds_around,
	   bool_and(width > prev_width OR prev_width IS NULL) AS widening
FROM (SELECT upper - lower AS width, lag(upper - lower) OVER (ORDER BY step) AS prev_width,
			 upper, lower, forecast
	  FROM unnest((SELECT salesorder.sales_forecast(ts, amount, 'week', 5) FROM regress.sales))) f;

-- Two years of months with a yearly season leave 12 one-step errors for 15
-- parameters: sigma is then their plain mean, near the noise (at most 4
-- here), not their sum.
SELECT step, round(((upper - lower) / 2 / 1.959963984540054)::numeric) AS sigma
FROM unnest((SELECT salesorder.sales_forecast(m, 1000 + 10 * i
				+ (ARRAY[0, 100, -50, 30, -20, 60, -80, 10, 0, 40, -60, -30])[i % 12 + 1]
				+ (ARRAY[3, -2, 1, -4, 2, 0, -1, 4, -3, 2, 1, -3, 0])[i % 13 + 1], 'month', 2, 12)
			 FROM generate_series(0, 23) i,
				  LATERAL (SELECT '2023-01-10'::timestamptz + i * interval '1 month' AS m) x));

-- Sales that were never negative are not forecast below zero.
SELECT step, forecast, lower, upper
FROM unnest((SELECT salesorder.sales_forecast(m, 1000 - 90 * i, 'month', 2)
			 FROM generate_series(0, 11) i,
				  LATERAL (SELECT '2023-01-10'::timestamptz + i * interval '1 month' AS m) x));
-- A series that was negative (returns netted in) can be.
SELECT step, forecast
FROM unnest((SELECT salesorder.sales_forecast(m, 100 - 90 * i, 'month', 1)
			 FROM generate_series(0, 11) i,
				  LATERAL (SELECT '2023-01-10'::timestamptz + i * interval '1 month' AS m) x));

-- Bad arguments.
SELECT * FROM regress.try($$SELECT salesorder.sales_trend(ts, amount, 'fortnight') FROM regress.sales$$);
SELECT * FROM regress.try($$SELECT salesorder.sales_forecast(ts, amount, 'month', 0) FROM regress.sales$$);
SELECT * FROM regress.try($$SELECT salesorder.sales_forecast(ts, amount, 'month', 3, 12) FROM regress.sales$$);
SELECT * FROM regress.try($$SELECT salesorder.sales_forecast(ts, amount, 'month', 3, -1) FROM regress.sales$$);
SELECT * FROM regress.try($$SELECT salesorder.sales_forecast(ts, amount, 'year', 3) FROM regress.sales$$);
SELECT * FROM regress.try($$SELECT salesorder.sales_trend(ts, amount, 'day') FROM (VALUES ('0001-01-01'::timestamptz, 1::numeric), ('4000-01-01', 1)) v(ts, amount)$$);
SELECT * FROM regress.try($$SELECT salesorder.sales_trend('infinity', 1::numeric)$$);
SELECT * FROM regress.try($$SELECT salesorder.sales_trend(now(), 'NaN'::numeric)$$);
SELECT * FROM regress.try($$SELECT salesorder.sales_trend(now(), 1, NULL)$$);

-- Orders in every status, as a suite leaves them.
SELECT regress.some_history() AS history;

-- The rollup-backed report equals the raw GROUP BY, after everything the
-- history did (creations, changes, cancellations, rejections, shipments) ...
CREATE FUNCTION regress.report_matches() RETURNS TABLE (groups bigint, mismatches bigint)
LANGUAGE sql AS $$
	SELECT (SELECT count(*) FROM salesorder.report_sales),
		   (SELECT count(*) FROM (
				(SELECT * FROM salesorder.report_sales EXCEPT ALL SELECT * FROM salesorder.report_sales_raw)
				UNION ALL
				(SELECT * FROM salesorder.report_sales_raw EXCEPT ALL SELECT * FROM salesorder.report_sales)) d)
$$;
SELECT (SELECT count(*) FROM salesorder.sales_rollup_delta) > 0 AS has_deltas;
SELECT * FROM regress.report_matches();
-- ... after compaction ...
SELECT salesorder.compact_rollup() > 0 AS folded;
SELECT count(*) AS deltas_left FROM salesorder.sales_rollup_delta;
SELECT * FROM regress.report_matches();
-- One row for the reports per order change, whatever its categories: an
-- order of three categories is one delta row, and so is its cancel.
SELECT count(*) AS deltas_before FROM salesorder.sales_rollup_delta \gset
SELECT salesorder.create_order(2, '[{"sku": "TEE-BLK-M", "qty": 1}, {"sku": "JKT-ALP-M", "qty": 1}, {"sku": "CAP-RED", "qty": 1}, {"sku": "TEE-BLK-L", "qty": 1}]') AS three_cats \gset
SELECT count(*) - :deltas_before AS delta_rows_of_the_order,
	   (SELECT category FROM salesorder.sales_rollup_delta ORDER BY ctid DESC LIMIT 1) AS categories,
	   (SELECT lines FROM salesorder.sales_rollup_delta ORDER BY ctid DESC LIMIT 1) AS lines
FROM salesorder.sales_rollup_delta;
SELECT salesorder.cancel(:three_cats, 'one row out too');
SELECT count(*) - :deltas_before AS delta_rows_with_the_cancel FROM salesorder.sales_rollup_delta;
SELECT * FROM regress.report_matches();
-- ... after more work of every kind ...
SELECT salesorder.create_order(1, '[{"sku": "TEE-BLK-M", "qty": 3}, {"sku": "JKT-ALP-M", "qty": 1}]') AS r1 \gset
SELECT salesorder.create_order(2, '[{"sku": "TEE-BLK-L", "qty": 2}]') AS r2 \gset
SELECT salesorder.create_order(1, '[{"sku": "CAP-RED", "qty": 2}]', '{"draft": true}') AS r3 \gset
SELECT salesorder.request_change(:r1, '{"lines": [{"line_no": 1, "qty": 5}], "add_lines": [{"sku": "CAP-RED", "qty": 4}]}', 'more') > 0 AS changed;
SELECT salesorder.request_change(:r1, '{"remove_lines": [2]}', 'no jacket') > 0 AS removed;
SELECT salesorder.ship(:r2, '[{"line_no": 1, "qty": 1}]');
SELECT salesorder.cancel(:r3, 'draft dropped');
SELECT salesorder.submit_order(salesorder.create_order(1, '[{"sku": "CAP-RED", "qty": 1}]', '{"draft": true}'));
SELECT * FROM regress.report_matches();
-- ... when a customer changes region or segment, or a product its category ...
UPDATE salesorder.customer SET region = 'West', segment = 'key account' WHERE code = 'ACME';
UPDATE salesorder.product SET category = 'headwear' WHERE sku = 'CAP-RED';
SELECT * FROM regress.report_matches();
SELECT salesorder.compact_rollup() > 0 AS folded;
SELECT * FROM regress.report_matches();
-- ... and in another time zone, where the report is computed from the raw
-- tables until the rollup is rebuilt for it.
SET salesorder.report_timezone = 'America/New_York';
SELECT salesorder.rollup_current() AS rollup_in_use;
SELECT * FROM regress.report_matches();
SELECT salesorder.rebuild_rollup() > 0 AS rebuilt;
SELECT salesorder.rollup_current() AS rollup_in_use;
SELECT * FROM regress.report_matches();
RESET salesorder.report_timezone;
SELECT salesorder.rebuild_rollup() > 0 AS rebuilt;
SELECT * FROM regress.try($$SET salesorder.report_timezone = 'Mars/Olympus'$$);

-- The report reads the rollup, not the lines: a rollup row changed behind
-- its back shows in report_sales, and not in another time zone's report,
-- which comes from the raw tables.  The plan is a function scan, so that
-- the raw branch never costs the report a JIT compilation.
EXPLAIN (COSTS OFF) SELECT * FROM salesorder.report_sales;
BEGIN;
SET LOCAL session_replication_role = replica;
UPDATE salesorder.sales_rollup SET amount = amount + 1000000
WHERE (month, region, segment, category) =
	  (SELECT month, region, segment, category FROM salesorder.sales_rollup
	   ORDER BY 1, 2, 3, 4 LIMIT 1);
SET LOCAL session_replication_role = origin;
SELECT * FROM regress.report_matches();
SET LOCAL salesorder.report_timezone = 'America/New_York';
SELECT salesorder.rollup_current() AS rollup_in_use;
SELECT * FROM regress.report_matches();
ROLLBACK;
SELECT * FROM regress.report_matches();

-- A TRUNCATE of the orders, or of their lines alone, empties the rollup
-- with them (trigger rollup_reset): the report stays equal to the raw
-- GROUP BY, before and after compaction (rolled back here).
SELECT salesorder.create_order(2, '[{"sku": "TEE-BLK-L", "qty": 1}]') > 0 AS one_more_delta;
BEGIN;
SET LOCAL client_min_messages = warning;
TRUNCATE salesorder.sales_order CASCADE;
SELECT (SELECT count(*) FROM salesorder.sales_rollup) AS rollup_rows,
	   (SELECT count(*) FROM salesorder.sales_rollup_delta) AS delta_rows,
	   (SELECT count(*) FROM salesorder.report_sales_raw) AS raw_rows;
SELECT * FROM regress.report_matches();
SELECT salesorder.compact_rollup() AS folded;
SELECT * FROM regress.report_matches();
ROLLBACK;
BEGIN;
TRUNCATE salesorder.order_line;
SELECT (SELECT count(*) FROM salesorder.sales_rollup) + (SELECT count(*) FROM salesorder.sales_rollup_delta)
	   AS rollup_rows;
SELECT * FROM regress.report_matches();
ROLLBACK;
SELECT * FROM regress.report_matches();
SELECT (SELECT count(*) FROM salesorder.sales_rollup) > 0 AS rollup_back,
	   (SELECT count(*) FROM salesorder.sales_rollup_delta) > 0 AS deltas_back;

-- Trend and forecast per region use complete months only.  Give the orders
-- a history of four months before this one (rewritten as a restore would,
-- with the guards off), add one this month, and look.
BEGIN;
SET LOCAL session_replication_role = replica;
UPDATE salesorder.sales_order SET created_at = pg_catalog.date_trunc('month', created_at)
	- (((id / 2) % 4) + 1) * interval '1 month' + interval '10 days';
SET LOCAL session_replication_role = origin;
SELECT salesorder.rebuild_rollup() > 0 AS rebuilt;
SELECT salesorder.create_order(2, '[{"sku": "TEE-BLK-L", "qty": 1}]') > 0 AS ordered_this_month;
SELECT count(*) > 0 AS this_month_in_report FROM salesorder.report_sales
WHERE month = salesorder.report_current_month();
SELECT bool_and(last_bucket < salesorder.report_current_month()) AS complete_months_only,
	   max(buckets) AS most_months
FROM salesorder.report_trend_region;
SELECT (SELECT round(sum(total)::numeric, 2) FROM salesorder.report_trend_region)
	 = (SELECT round(sum(amount), 2) FROM salesorder.report_sales
		WHERE month < salesorder.report_current_month()) AS totals_are_complete_months;
SELECT min(month) = salesorder.report_current_month() AS forecast_starts_this_month,
	   bool_and(lower >= 0) AS not_below_zero
FROM salesorder.report_forecast_region;
ROLLBACK;

-- Report views answer.
SELECT status, health, orders > 0 AS has_orders FROM salesorder.report_pipeline
ORDER BY status, health;
SELECT count(*) >= 0 AS answers FROM salesorder.report_forecast_region;
SELECT count(*) >= 0 AS answers FROM salesorder.report_approvals;
SELECT count(*) >= 0 AS answers FROM salesorder.report_delayed;
SELECT count(*) >= 0 AS answers FROM salesorder.report_low_stock;

-- salesorder_reporting reads the report views and nothing else.
SELECT count(*) >= 0 AS roles FROM salesorder.create_roles();
CREATE ROLE regress_analyst LOGIN IN ROLE salesorder_reporting;
SET ROLE regress_analyst;
SELECT count(*) > 0 AS reads_report FROM salesorder.report_sales;
SELECT count(*) >= 0 AS reads_trend FROM salesorder.report_trend_region;
SELECT count(*) >= 0 AS reads_pipeline FROM salesorder.report_pipeline;
SELECT count(*) >= 0 AS reads_delayed FROM salesorder.report_delayed;
SELECT count(*) >= 0 AS reads_low_stock FROM salesorder.report_low_stock;
SELECT count(*) >= 0 AS reads_approvals FROM salesorder.report_approvals;
SELECT count(*) >= 0 AS reads_forecast FROM salesorder.report_forecast_region;
SELECT * FROM regress.try('SELECT count(*) FROM salesorder.sales_order');
SELECT * FROM regress.try('SELECT count(*) FROM salesorder.order_line');
SELECT * FROM regress.try('SELECT count(*) FROM salesorder.customer');
SELECT * FROM regress.try('SELECT count(*) FROM salesorder.sales_rollup');
SELECT * FROM regress.try('SELECT count(*) FROM salesorder.order_tracking');
SELECT * FROM regress.try('DELETE FROM salesorder.sales_rollup_delta');
SELECT * FROM regress.try('SELECT salesorder.compact_rollup()');
SELECT * FROM regress.try($$SELECT salesorder.create_order(1, '[{"sku": "TEE-BLK-M", "qty": 1}]')$$);
RESET ROLE;
DROP OWNED BY regress_analyst;
DROP ROLE regress_analyst;

\i sql/include/leave_database.sql
