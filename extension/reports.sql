-- Reports for BI tools: an incrementally kept sales rollup that never
-- becomes a lock hot spot, and the report_* views.
--
-- The rollup: order entry appends signed deltas to sales_rollup_delta (no
-- row is ever updated there, so concurrent orders never wait on each
-- other); the worker (or compact_rollup()) folds them into sales_rollup;
-- report_sales adds both.  The months are those of rollup_config.timezone;
-- a session whose salesorder.report_timezone differs gets the same report
-- computed from the raw tables instead, so the view always equals a fresh
-- GROUP BY.

CREATE TABLE salesorder.rollup_config (
	id			integer PRIMARY KEY DEFAULT 1 CHECK (id = 1),
	timezone	text NOT NULL,
	rebuilt_at	timestamptz NOT NULL DEFAULT pg_catalog.now(),
	compacted_at timestamptz
);
INSERT INTO salesorder.rollup_config (timezone) VALUES ('UTC');

CREATE TABLE salesorder.sales_rollup (
	month		date NOT NULL,
	region		text NOT NULL,
	segment		text NOT NULL,
	category	text NOT NULL,
	orders		bigint NOT NULL,
	lines		bigint NOT NULL,
	quantity	numeric NOT NULL,
	amount		numeric NOT NULL,
	PRIMARY KEY (month, region, segment, category)
);

#include "tables/sales_rollup_delta/2.0.sql"

-- Derived data: rebuilt from the orders after a restore, so not dumped.

CREATE FUNCTION salesorder.rollup_current()
RETURNS boolean
LANGUAGE sql STABLE PARALLEL SAFE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
	SELECT coalesce(pg_catalog.current_setting('salesorder.report_timezone', true), 'UTC')
		   = (SELECT c.timezone FROM salesorder.rollup_config c)
$$;

#include "views/report_sales_raw/1.2.sql"

#include "udfs/report_sales_rows/2.0.sql"

#include "views/report_sales/1.2.sql"

CREATE FUNCTION salesorder.compact_rollup()
RETURNS bigint
AS 'MODULE_PATHNAME', 'so_compact_rollup'
LANGUAGE C VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp;

CREATE FUNCTION salesorder.rebuild_rollup()
RETURNS bigint
AS 'MODULE_PATHNAME', 'so_rebuild_rollup'
LANGUAGE C VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp;

-- Master data the report groups by: a change moves the customer's (or the
-- product's) orders from one group to another.
CREATE FUNCTION salesorder.rollup_regroup()
RETURNS trigger
AS 'MODULE_PATHNAME', 'so_rollup_regroup'
LANGUAGE C
SET search_path = pg_catalog, pg_temp;

CREATE TRIGGER rollup_regroup
	AFTER UPDATE OF region, segment ON salesorder.customer
	FOR EACH ROW WHEN (OLD.region IS DISTINCT FROM NEW.region
					   OR OLD.segment IS DISTINCT FROM NEW.segment)
	EXECUTE FUNCTION salesorder.rollup_regroup();
CREATE TRIGGER rollup_regroup
	AFTER UPDATE OF category ON salesorder.product
	FOR EACH ROW WHEN (OLD.category IS DISTINCT FROM NEW.category)
	EXECUTE FUNCTION salesorder.rollup_regroup();

-- The first day of the report's current month, in the report time zone:
-- months before it are complete.
CREATE FUNCTION salesorder.report_current_month()
RETURNS date
LANGUAGE sql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
	SELECT (pg_catalog.date_trunc('month', pg_catalog.now() AT TIME ZONE
			coalesce(pg_catalog.current_setting('salesorder.report_timezone', true), 'UTC')))::date
$$;

#include "views/report_trend_region/1.2.sql"

#include "views/report_forecast_region/1.2.sql"

-- The order pipeline by status and health.  Completed and cancelled orders
-- never change again: pipeline_closed holds their sums up to the
-- checkpoint (src/pipeline.c), the view adds everything else -- the
-- orders in flight and those closed since -- so that it costs what is in
-- flight, not the years of history, and always equals the same GROUP BY
-- over sales_order.
CREATE TABLE salesorder.pipeline_closed (
	status			salesorder.order_status NOT NULL
		CHECK (status = ANY (salesorder.statuses_closed())),
	health			text NOT NULL,
	orders			bigint NOT NULL,
	amount			numeric NOT NULL,
	oldest			timestamptz NOT NULL,
	newest			timestamptz NOT NULL,
	PRIMARY KEY (status, health)
);
CREATE TABLE salesorder.pipeline_checkpoint (
	singleton		boolean PRIMARY KEY DEFAULT true CHECK (singleton),
	folded_to		timestamptz NOT NULL DEFAULT '-infinity',
	taken_at		timestamptz
);
-- Derived from sales_order, so not dumped: after a restore the checkpoint
-- starts again from the beginning.
INSERT INTO salesorder.pipeline_checkpoint DEFAULT VALUES;

#include "udfs/checkpoint_pipeline/1.2.sql"

#include "udfs/pipeline_folded_to/1.2.sql"

#include "udfs/pipeline_reset/1.2.sql"


#include "views/report_pipeline/1.2.sql"

#include "views/report_approvals/1.2.sql"

#include "views/report_delayed/1.2.sql"

#include "views/report_low_stock/1.2.sql"

COMMENT ON TABLE salesorder.sales_rollup IS 'Compacted monthly sales by region, segment and category';
COMMENT ON TABLE salesorder.rollup_config IS 'The time zone of the rollup''s months, and which partition of the deltas is written and which folded';
COMMENT ON FUNCTION salesorder.rollup_current() IS 'Whether the session''s salesorder.report_timezone matches the rollup';
COMMENT ON VIEW salesorder.report_sales_raw IS 'The monthly sales report computed from the raw tables';
COMMENT ON FUNCTION salesorder.report_sales_rows() IS
	'The rows of report_sales: the rollup and its deltas, or the raw tables when the session reports in another time zone';
COMMENT ON VIEW salesorder.report_sales IS
	'Monthly sales by region, segment and category over submitted orders: orders, lines, quantity, amount';
COMMENT ON FUNCTION salesorder.compact_rollup() IS 'Folds the rollup deltas into sales_rollup; returns how many deltas it folded';
COMMENT ON FUNCTION salesorder.rebuild_rollup() IS 'Rebuilds the rollup from the orders in the session''s report time zone';
COMMENT ON FUNCTION salesorder.rollup_regroup() IS 'Trigger: moves orders between report groups when a customer or product is regrouped';
COMMENT ON FUNCTION salesorder.report_current_month() IS 'The first day of the month under way in the report time zone; earlier months are complete';
COMMENT ON VIEW salesorder.report_trend_region IS 'Monthly sales trend per region, over complete months';
COMMENT ON VIEW salesorder.report_forecast_region IS 'Six-month sales forecast per region with 95 % bounds, from complete months';
COMMENT ON VIEW salesorder.report_pipeline IS 'Orders and amounts by status and health';
COMMENT ON TABLE salesorder.pipeline_closed IS
	'Orders completed or cancelled before the pipeline checkpoint, by status and health (derived: checkpoint_pipeline())';
COMMENT ON TABLE salesorder.pipeline_checkpoint IS 'The time before which pipeline_closed holds every completed or cancelled order';
COMMENT ON FUNCTION salesorder.checkpoint_pipeline() IS
	'Folds the orders completed or cancelled so far into pipeline_closed, after waiting for the transactions that may still close some; returns the checkpoint''s time';
COMMENT ON FUNCTION salesorder.pipeline_folded_to() IS
	'The time up to which pipeline_closed holds the closed orders (report_pipeline reads those closed since)';
COMMENT ON FUNCTION salesorder.pipeline_reset() IS
	'Trigger: a TRUNCATE of sales_order, or a replica session''s writes (a restore), make the pipeline checkpoint start again';
COMMENT ON VIEW salesorder.report_approvals IS 'Every open approval step';
COMMENT ON VIEW salesorder.report_delayed IS 'Orders that are late or at risk';
COMMENT ON VIEW salesorder.report_low_stock IS 'Stock below its reorder point or awaited by backorders (with the number of waiting orders)';

-- Every column of the report views, for the remarks BI tools show (JDBC,
-- ODBC).
COMMENT ON COLUMN salesorder.report_sales.month IS 'First day of the month of the orders'' creation, in salesorder.report_timezone';
COMMENT ON COLUMN salesorder.report_sales.region IS 'The customer''s region';
COMMENT ON COLUMN salesorder.report_sales.segment IS 'The customer''s segment';
COMMENT ON COLUMN salesorder.report_sales.category IS 'The product''s category';
COMMENT ON COLUMN salesorder.report_sales.orders IS 'Distinct orders in the row';
COMMENT ON COLUMN salesorder.report_sales.lines IS 'Order lines in the row';
COMMENT ON COLUMN salesorder.report_sales.quantity IS 'Sum of the lines'' quantities';
COMMENT ON COLUMN salesorder.report_sales.amount IS 'Sum of the lines'' amounts after discount';
COMMENT ON COLUMN salesorder.report_sales_raw.month IS 'First day of the month of the orders'' creation, in salesorder.report_timezone';
COMMENT ON COLUMN salesorder.report_sales_raw.region IS 'The customer''s region';
COMMENT ON COLUMN salesorder.report_sales_raw.segment IS 'The customer''s segment';
COMMENT ON COLUMN salesorder.report_sales_raw.category IS 'The product''s category';
COMMENT ON COLUMN salesorder.report_sales_raw.orders IS 'Distinct orders in the row';
COMMENT ON COLUMN salesorder.report_sales_raw.lines IS 'Order lines in the row';
COMMENT ON COLUMN salesorder.report_sales_raw.quantity IS 'Sum of the lines'' quantities';
COMMENT ON COLUMN salesorder.report_sales_raw.amount IS 'Sum of the lines'' amounts after discount';
COMMENT ON COLUMN salesorder.report_trend_region.region IS 'The customer''s region';
COMMENT ON COLUMN salesorder.report_trend_region.buckets IS 'Complete months with sales';
COMMENT ON COLUMN salesorder.report_trend_region.first_bucket IS 'First month of the fit';
COMMENT ON COLUMN salesorder.report_trend_region.last_bucket IS 'Last complete month of the fit';
COMMENT ON COLUMN salesorder.report_trend_region.slope IS 'Least-squares change of monthly sales per month';
COMMENT ON COLUMN salesorder.report_trend_region.intercept IS 'Least-squares monthly sales at the first month';
COMMENT ON COLUMN salesorder.report_trend_region.r2 IS 'Coefficient of determination of the fit (0..1)';
COMMENT ON COLUMN salesorder.report_trend_region.growth_pct IS 'Slope as a percentage of mean monthly sales';
COMMENT ON COLUMN salesorder.report_trend_region.total IS 'Sales over the fitted months';
COMMENT ON COLUMN salesorder.report_trend_region.mean IS 'Mean monthly sales';
COMMENT ON COLUMN salesorder.report_trend_region.rows IS 'Monthly rows the fit read';
COMMENT ON COLUMN salesorder.report_forecast_region.region IS 'The customer''s region';
COMMENT ON COLUMN salesorder.report_forecast_region.step IS 'Months ahead of the last complete month (1..6)';
COMMENT ON COLUMN salesorder.report_forecast_region.month IS 'The forecast month';
COMMENT ON COLUMN salesorder.report_forecast_region.forecast IS 'Forecast sales of the month';
COMMENT ON COLUMN salesorder.report_forecast_region.lower IS 'Lower bound of the 95 % interval';
COMMENT ON COLUMN salesorder.report_forecast_region.upper IS 'Upper bound of the 95 % interval';
COMMENT ON COLUMN salesorder.report_forecast_region.season IS 'Season length used: 12 with two years of history, else 0 (no seasonality)';
COMMENT ON COLUMN salesorder.report_pipeline.status IS 'Order status';
COMMENT ON COLUMN salesorder.report_pipeline.health IS 'Health colour: green done, yellow in progress, red a problem, grey cancelled';
COMMENT ON COLUMN salesorder.report_pipeline.orders IS 'Orders in the status and health';
COMMENT ON COLUMN salesorder.report_pipeline.amount IS 'Sum of their totals';
COMMENT ON COLUMN salesorder.report_pipeline.oldest IS 'Creation time of the oldest of them';
COMMENT ON COLUMN salesorder.report_pipeline.newest IS 'Creation time of the newest of them';
COMMENT ON COLUMN salesorder.report_approvals.step_id IS 'Approval step';
COMMENT ON COLUMN salesorder.report_approvals.order_id IS 'Order';
COMMENT ON COLUMN salesorder.report_approvals.order_no IS 'Order number';
COMMENT ON COLUMN salesorder.report_approvals.change_request_id IS 'Change request the step decides, if any';
COMMENT ON COLUMN salesorder.report_approvals.customer_code IS 'Customer code';
COMMENT ON COLUMN salesorder.report_approvals.customer IS 'Customer name';
COMMENT ON COLUMN salesorder.report_approvals.total_amount IS 'Order total after discount';
COMMENT ON COLUMN salesorder.report_approvals.level IS 'Approval level (1 first)';
COMMENT ON COLUMN salesorder.report_approvals.department IS 'Department that decides';
COMMENT ON COLUMN salesorder.report_approvals.approver_role IS 'Role the step is routed to';
COMMENT ON COLUMN salesorder.report_approvals.reason IS 'Why the step exists (the rule that fired)';
COMMENT ON COLUMN salesorder.report_approvals.waiting_since IS 'When the step was opened';
COMMENT ON COLUMN salesorder.report_approvals.waiting_for IS 'How long it has waited';
COMMENT ON COLUMN salesorder.report_approvals.waiting_hours IS 'How long it has waited, in hours';
COMMENT ON COLUMN salesorder.report_delayed.order_id IS 'Order';
COMMENT ON COLUMN salesorder.report_delayed.order_no IS 'Order number';
COMMENT ON COLUMN salesorder.report_delayed.customer_code IS 'Customer code';
COMMENT ON COLUMN salesorder.report_delayed.customer IS 'Customer name';
COMMENT ON COLUMN salesorder.report_delayed.region IS 'The customer''s region';
COMMENT ON COLUMN salesorder.report_delayed.status IS 'Order status';
COMMENT ON COLUMN salesorder.report_delayed.stage IS 'Production stage, if any';
COMMENT ON COLUMN salesorder.report_delayed.health IS 'Health colour';
COMMENT ON COLUMN salesorder.report_delayed.promised_date IS 'Promised delivery date';
COMMENT ON COLUMN salesorder.report_delayed.days_late IS 'Days past the promised date (0 if not yet)';
COMMENT ON COLUMN salesorder.report_delayed.at_risk IS 'Promised within salesorder.at_risk_days and not yet late';
COMMENT ON COLUMN salesorder.report_delayed.open_qty IS 'Quantity not yet shipped';
COMMENT ON COLUMN salesorder.report_delayed.total_amount IS 'Order total after discount';
COMMENT ON COLUMN salesorder.report_delayed.sales_rep IS 'Sales rep of the order';
COMMENT ON COLUMN salesorder.report_low_stock.warehouse IS 'Warehouse code';
COMMENT ON COLUMN salesorder.report_low_stock.sku IS 'Product SKU';
COMMENT ON COLUMN salesorder.report_low_stock.product IS 'Product name';
COMMENT ON COLUMN salesorder.report_low_stock.warehouse_id IS 'Warehouse';
COMMENT ON COLUMN salesorder.report_low_stock.product_id IS 'Product';
COMMENT ON COLUMN salesorder.report_low_stock.on_hand IS 'Quantity in the warehouse';
COMMENT ON COLUMN salesorder.report_low_stock.reserved IS 'Quantity reserved by open orders';
COMMENT ON COLUMN salesorder.report_low_stock.available IS 'on_hand - reserved';
COMMENT ON COLUMN salesorder.report_low_stock.reorder_point IS 'Available quantity below which to replenish';
COMMENT ON COLUMN salesorder.report_low_stock.backorder_qty IS 'Quantity open orders wait for';
COMMENT ON COLUMN salesorder.report_low_stock.waiting_orders IS 'Open orders waiting for it';
COMMENT ON COLUMN salesorder.report_low_stock.shortfall IS 'What to replenish to reach the reorder point and cover the backorders';

-- TRUNCATE resets the report rollup (new in 1.2).
#include "udfs/rollup_reset/1.2.sql"
#include "udfs/rollup_reset/2.0.sql"
