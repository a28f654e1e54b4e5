-- salesorder 1.0 -> 1.1

\echo Use "ALTER EXTENSION salesorder UPDATE TO '1.1'" to load this file. \quit

-- Credit checks and row-level security look up a customer's open orders:
-- a partial index keeps that lookup small however long the history grows.
CREATE INDEX sales_order_open_by_customer_idx ON salesorder.sales_order (customer_id)
	WHERE status IN ('pending_approval', 'approved', 'in_production',
					 'partially_shipped', 'on_hold');

-- Views read salesorder.at_risk_days through a C function: current_setting()
-- is NULL in a session that has not loaded the library yet, which left
-- report_delayed empty for a BI tool's fresh connection.
CREATE FUNCTION salesorder.at_risk_days()
RETURNS integer
AS 'MODULE_PATHNAME', 'so_at_risk_days_fn'
LANGUAGE C STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp;
REVOKE EXECUTE ON FUNCTION salesorder.at_risk_days() FROM PUBLIC;

CREATE OR REPLACE VIEW salesorder.order_tracking AS
	SELECT o.id AS order_id, o.order_no, c.code AS customer_code, c.name AS customer,
		   c.region, o.status, o.stage, o.hold_from,
		   salesorder.order_health(o.status, o.promised_date, o.stage) AS health,
		   (o.status IN ('pending_approval', 'approved', 'in_production', 'partially_shipped')
			AND o.promised_date IS NOT NULL
			AND o.promised_date >= CURRENT_DATE
			AND o.promised_date <= CURRENT_DATE
				+ (SELECT salesorder.at_risk_days()))
			AS at_risk,
		   o.requested_date, o.promised_date,
		   CASE WHEN o.status NOT IN ('shipped', 'delivered', 'completed', 'cancelled')
					 AND o.promised_date < CURRENT_DATE
				THEN CURRENT_DATE - o.promised_date ELSE 0 END AS days_late,
		   (SELECT COALESCE(pg_catalog.sum(l.qty - l.shipped_qty), 0)
			FROM salesorder.order_line l WHERE l.order_id = o.id
			  AND o.status NOT IN ('cancelled', 'completed', 'rejected')) AS open_qty,
		   o.needs_stock, o.total_amount, o.sales_rep,
		   e.kind AS last_event, e.created_at AS last_event_at
	FROM salesorder.sales_order o
	JOIN salesorder.customer c ON c.id = o.customer_id
	LEFT JOIN LATERAL (SELECT ev.kind, ev.created_at FROM salesorder.order_event ev
					   WHERE ev.order_id = o.id ORDER BY ev.id DESC LIMIT 1) e ON true;
ALTER VIEW salesorder.order_tracking SET (security_invoker = true);

CREATE OR REPLACE VIEW salesorder.report_delayed AS
	SELECT o.id AS order_id, o.order_no, c.code AS customer_code, c.name AS customer,
		   c.region, o.status, o.stage,
		   salesorder.order_health(o.status, o.promised_date, o.stage) AS health,
		   o.promised_date,
		   CASE WHEN o.promised_date < CURRENT_DATE THEN CURRENT_DATE - o.promised_date
				ELSE 0 END AS days_late,
		   (o.promised_date >= CURRENT_DATE
			AND o.promised_date <= CURRENT_DATE
				+ (SELECT salesorder.at_risk_days()))
			AS at_risk,
		   (SELECT COALESCE(pg_catalog.sum(l.qty - l.shipped_qty), 0)
			FROM salesorder.order_line l WHERE l.order_id = o.id) AS open_qty,
		   o.total_amount, o.sales_rep
	FROM salesorder.sales_order o
	JOIN salesorder.customer c ON c.id = o.customer_id
	WHERE o.status IN ('pending_approval', 'approved', 'in_production',
					   'partially_shipped', 'on_hold')
	  AND o.promised_date <= CURRENT_DATE
			+ (SELECT salesorder.at_risk_days());

-- Trend and forecast per region use complete months only.
CREATE FUNCTION salesorder.report_current_month()
RETURNS date
LANGUAGE sql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
	SELECT (pg_catalog.date_trunc('month', pg_catalog.now() AT TIME ZONE
			coalesce(pg_catalog.current_setting('salesorder.report_timezone', true), 'UTC')))::date
$$;
REVOKE EXECUTE ON FUNCTION salesorder.report_current_month() FROM PUBLIC;

CREATE OR REPLACE VIEW salesorder.report_trend_region AS
	SELECT m.region, (salesorder.sales_trend(m.month::timestamptz, m.amount, 'month')).*
	FROM (SELECT region, month, pg_catalog.sum(amount) AS amount
		  FROM salesorder.report_sales
		  WHERE month < (SELECT salesorder.report_current_month())
		  GROUP BY region, month) m
	GROUP BY m.region;

CREATE OR REPLACE VIEW salesorder.report_forecast_region AS
	WITH monthly AS (
		SELECT region, month, pg_catalog.sum(amount) AS amount
		FROM salesorder.report_sales
		WHERE month < (SELECT salesorder.report_current_month())
		GROUP BY region, month),
	spans AS (
		SELECT region,
			   (EXTRACT(year FROM pg_catalog.age(pg_catalog.max(month), pg_catalog.min(month))) * 12
				+ EXTRACT(month FROM pg_catalog.age(pg_catalog.max(month), pg_catalog.min(month))))::integer + 1
				AS months
		FROM monthly GROUP BY region)
	SELECT s.region, f.step, f.bucket AS month, f.forecast, f.lower, f.upper,
		   CASE WHEN s.months >= 24 THEN 12 ELSE 0 END AS season
	FROM spans s
	CROSS JOIN LATERAL (
		SELECT salesorder.sales_forecast(m.month::timestamptz, m.amount, 'month', 6,
			   CASE WHEN s.months >= 24 THEN 12 ELSE 0 END) AS points
		FROM monthly m WHERE m.region = s.region) x
	CROSS JOIN LATERAL pg_catalog.unnest(x.points) f
	WHERE s.months >= 3;

COMMENT ON FUNCTION salesorder.at_risk_days() IS
	'The session''s salesorder.at_risk_days: an order promised within this many days is at risk';
COMMENT ON FUNCTION salesorder.report_current_month() IS 'The first day of the month under way in the report time zone; earlier months are complete';
COMMENT ON VIEW salesorder.report_trend_region IS 'Monthly sales trend per region, over complete months';
COMMENT ON VIEW salesorder.report_forecast_region IS 'Six-month sales forecast per region with 95 % bounds, from complete months';

-- The report rows: from the rollup and its deltas while the rollup is in the
-- session's report time zone, else from the raw tables.  A function and not
-- a UNION of both behind opposite filters, because the planner costs the
-- raw branch it will never run at millions of rows, and that cost alone
-- makes every call JIT-compile the plan and start parallel workers (about
-- a second, against milliseconds for the rollup).
CREATE FUNCTION salesorder.report_sales_rows()
RETURNS TABLE (month date, region text, segment text, category text,
			   orders bigint, lines bigint, quantity numeric, amount numeric)
LANGUAGE plpgsql STABLE PARALLEL RESTRICTED SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $fn$
BEGIN
	IF salesorder.rollup_current() THEN
		RETURN QUERY
		SELECT r.month, r.region, r.segment, r.category,
			   pg_catalog.sum(r.orders)::bigint, pg_catalog.sum(r.lines)::bigint,
			   pg_catalog.sum(r.quantity), pg_catalog.sum(r.amount)
		FROM (SELECT u.month, u.region, u.segment, u.category, u.orders, u.lines,
					 u.quantity, u.amount
			  FROM salesorder.sales_rollup u
			  UNION ALL
			  SELECT d.month, d.region, d.segment, d.category, d.orders, d.lines,
					 d.quantity, d.amount
			  FROM salesorder.sales_rollup_delta d) r
		GROUP BY r.month, r.region, r.segment, r.category
		HAVING pg_catalog.sum(r.orders) <> 0 OR pg_catalog.sum(r.lines) <> 0;
	ELSE
		RETURN QUERY
		SELECT w.month, w.region, w.segment, w.category, w.orders, w.lines,
			   w.quantity, w.amount
		FROM salesorder.report_sales_raw w;
	END IF;
END
$fn$;

CREATE OR REPLACE VIEW salesorder.report_sales AS
	SELECT month, region, segment, category, orders, lines, quantity, amount
	FROM salesorder.report_sales_rows();
REVOKE EXECUTE ON FUNCTION salesorder.report_sales_rows() FROM PUBLIC;
COMMENT ON FUNCTION salesorder.report_sales_rows() IS
	'The rows of report_sales: the rollup and its deltas, or the raw tables when the session reports in another time zone';

-- create_roles() grants the new functions; run it again where the
-- roles exist, so that they keep working with the views.
CREATE OR REPLACE FUNCTION salesorder.create_roles()
RETURNS SETOF text
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
	r text;
BEGIN
	-- Role names are constants of this function, never user input.
	FOREACH r IN ARRAY ARRAY['salesorder_reporting', 'salesorder_sales',
							 'salesorder_approver', 'salesorder_warehouse',
							 'salesorder_admin']
	LOOP
		IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = r) THEN
			EXECUTE pg_catalog.format('CREATE ROLE %I NOLOGIN', r);
			RETURN NEXT r;
		END IF;
	END LOOP;

	GRANT USAGE ON SCHEMA salesorder TO salesorder_reporting, salesorder_sales,
		salesorder_approver, salesorder_warehouse, salesorder_admin;

	-- Reporting: the report views, and the functions they call.
	-- (The report views show every order, as management reports do: they are
	-- for reporting and admins; the operational roles read the views that
	-- follow row-level security instead.)
	GRANT SELECT ON salesorder.report_sales, salesorder.report_trend_region,
		salesorder.report_forecast_region, salesorder.report_pipeline,
		salesorder.report_approvals, salesorder.report_delayed,
		salesorder.report_low_stock
		TO salesorder_reporting;
	-- report_sales' rows: the whole company's sales, for reporting only.
	GRANT EXECUTE ON FUNCTION salesorder.report_sales_rows() TO salesorder_reporting;
	GRANT EXECUTE ON FUNCTION salesorder.rollup_current(),
		salesorder.report_current_month(), salesorder.at_risk_days(),
		salesorder.order_health(salesorder.order_status, date, text, date),
		salesorder.bucket_start(timestamptz, text),
		salesorder.sales_trend(timestamptz, numeric, text),
		salesorder.sales_trend(timestamptz, numeric),
		salesorder.sales_forecast(timestamptz, numeric, text, integer, integer),
		salesorder.sales_forecast(timestamptz, numeric, text, integer)
		TO salesorder_reporting, salesorder_sales, salesorder_approver,
		salesorder_warehouse;

	-- Everybody who works on orders reads master data and orders.
	GRANT SELECT ON salesorder.customer, salesorder.product, salesorder.warehouse,
		salesorder.stock, salesorder.sales_order, salesorder.order_line,
		salesorder.order_status_history, salesorder.status_transition,
		salesorder.stock_movement, salesorder.low_stock,
		salesorder.approval_rule, salesorder.approval_step,
		salesorder.approval_queue, salesorder.change_request,
		salesorder.order_revision, salesorder.order_changes,
		salesorder.order_event, salesorder.order_tracking,
		salesorder.production_stage, salesorder.delay_flag
		TO salesorder_sales, salesorder_approver, salesorder_warehouse;
	GRANT EXECUTE ON FUNCTION salesorder.credit_exposure(bigint, bigint),
		salesorder.order_snapshot(bigint),
		salesorder.order_at_revision(bigint, integer),
		salesorder.order_health(salesorder.order_status, date, text, date),
		salesorder.events_since(bigint, integer),
		salesorder.event_horizon()
		TO salesorder_sales, salesorder_approver, salesorder_warehouse;

	-- Sales: enter and manage orders; edit draft headers and lines directly.
	GRANT EXECUTE ON FUNCTION salesorder.create_order(bigint, jsonb, jsonb),
		salesorder.copy_order(bigint, jsonb),
		salesorder.submit_order(bigint),
		salesorder.cancel(bigint, text),
		salesorder.hold(bigint, text),
		salesorder.release_hold(bigint),
		salesorder.revise(bigint),
		salesorder.request_change(bigint, jsonb, text)
		TO salesorder_sales;
	GRANT UPDATE (warehouse_id, ship_to, requested_date, promised_date,
				  special_requirements, notes)
		ON salesorder.sales_order TO salesorder_sales;
	GRANT INSERT, UPDATE (product_id, qty, unit_price, discount_pct, note), DELETE
		ON salesorder.order_line TO salesorder_sales;

	-- Approvers: decide the steps routed to their roles; hold while reviewing.
	GRANT EXECUTE ON FUNCTION salesorder.approve(bigint, text),
		salesorder.reject(bigint, text),
		salesorder.approve_change(bigint, text),
		salesorder.reject_change(bigint, text),
		salesorder.hold(bigint, text),
		salesorder.release_hold(bigint)
		TO salesorder_approver;

	-- Warehouse: production stages, fulfilment and stock.
	GRANT EXECUTE ON FUNCTION salesorder.set_stage(bigint, text, text),
		salesorder.ship(bigint, jsonb),
		salesorder.receive_stock(bigint, bigint, numeric, text),
		salesorder.adjust_stock(bigint, bigint, numeric, text),
		salesorder.verify_stock(),
		salesorder.deliver(bigint),
		salesorder.complete(bigint),
		salesorder.hold(bigint, text),
		salesorder.release_hold(bigint)
		TO salesorder_warehouse;

	-- Admin: everything the others can do, plus master data and the state machine.
	FOREACH r IN ARRAY ARRAY['salesorder_sales', 'salesorder_approver',
							 'salesorder_warehouse', 'salesorder_reporting']
	LOOP
		IF NOT pg_catalog.pg_has_role('salesorder_admin', r, 'MEMBER') THEN
			EXECUTE pg_catalog.format('GRANT %I TO salesorder_admin', r);
		END IF;
	END LOOP;
	GRANT SELECT, INSERT, UPDATE, DELETE ON salesorder.customer,
		salesorder.product, salesorder.warehouse, salesorder.status_transition,
		salesorder.approval_rule, salesorder.production_stage
		TO salesorder_admin;
	GRANT EXECUTE ON FUNCTION salesorder.flag_delays(timestamptz),
		salesorder.compact_rollup(), salesorder.rebuild_rollup()
		TO salesorder_admin;
	GRANT INSERT, UPDATE (reorder_point) ON salesorder.stock TO salesorder_admin;
	GRANT USAGE ON ALL SEQUENCES IN SCHEMA salesorder TO salesorder_admin;
	GRANT EXECUTE ON FUNCTION salesorder.deliver(bigint),
		salesorder.complete(bigint), salesorder.ship(bigint, jsonb),
		salesorder.receive_stock(bigint, bigint, numeric, text),
		salesorder.adjust_stock(bigint, bigint, numeric, text),
		salesorder.verify_stock() TO salesorder_admin;
	RETURN;
END
$fn$;

REVOKE EXECUTE ON FUNCTION salesorder.create_roles() FROM PUBLIC;

DO $$
BEGIN
	IF EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = 'salesorder_reporting') THEN
		PERFORM salesorder.create_roles();
	END IF;
END
$$;
