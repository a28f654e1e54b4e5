-- Privileges.
--
-- Nothing is granted to PUBLIC.  salesorder.create_roles(), run once by a DBA,
-- creates the NOLOGIN group roles and grants each what its job needs; the
-- C functions then check row-level rights (a sales rep acts only for the
-- customers assigned to them) before writing as the extension owner.

REVOKE ALL ON ALL TABLES IN SCHEMA salesorder FROM PUBLIC;
REVOKE ALL ON ALL SEQUENCES IN SCHEMA salesorder FROM PUBLIC;
REVOKE EXECUTE ON ALL FUNCTIONS IN SCHEMA salesorder FROM PUBLIC;
-- The row-level security policies apply to everybody who was granted a
-- table, so everybody may evaluate them (each answers for its caller only).
GRANT EXECUTE ON FUNCTION salesorder.rls_sees_all(), salesorder.rls_customers(),
	salesorder.rls_reads_outbox() TO PUBLIC;
GRANT SELECT ON salesorder.rls_routes TO PUBLIC;
-- The status sets are constants the views use; anybody may read them.
GRANT EXECUTE ON FUNCTION salesorder.statuses_in_flight(),
	salesorder.statuses_in_progress(), salesorder.statuses_closed(),
	salesorder.statuses_not_closed(), salesorder.statuses_in_report(),
	salesorder.statuses_shippable() TO PUBLIC;

-- What each group role may do, as data: create_roles() grants these rows,
-- so that a release that adds a function or a view adds rows here (in its
-- upgrade script) instead of redefining create_roles().  Built in: CREATE
-- EXTENSION writes the rows (not dumped).
CREATE TABLE salesorder.role_grant (
	role		text NOT NULL CHECK (role ~ '^salesorder_[a-z]+$'),
	privilege	text NOT NULL
		CHECK (privilege ~ '^[A-Z]+( \([a-z_, ]+\))?(, [A-Z]+( \([a-z_, ]+\))?)*$'),
	on_kind		text NOT NULL
		CHECK (on_kind IN ('TABLE', 'FUNCTION', 'SCHEMA', 'ALL SEQUENCES IN SCHEMA')),
	object		text NOT NULL,
	PRIMARY KEY (role, on_kind, object, privilege)
);
COMMENT ON TABLE salesorder.role_grant IS
	'What create_roles() grants each group role (built in; one row a privilege on an object)';
COMMENT ON COLUMN salesorder.role_grant.object IS
	'A table or view (regclass), a function with its argument types (regprocedure), or the schema';

INSERT INTO salesorder.role_grant (role, privilege, on_kind, object) VALUES
	('salesorder_reporting', 'USAGE', 'SCHEMA', 'salesorder'),
	('salesorder_sales', 'USAGE', 'SCHEMA', 'salesorder'),
	('salesorder_approver', 'USAGE', 'SCHEMA', 'salesorder'),
	('salesorder_warehouse', 'USAGE', 'SCHEMA', 'salesorder'),
	('salesorder_admin', 'USAGE', 'SCHEMA', 'salesorder'),
	('salesorder_consumer', 'USAGE', 'SCHEMA', 'salesorder'),
	-- Event consumers (integrations): the outbox, whole, and nothing else.
	-- Only they (and admins, members of every role) register and acknowledge
	-- consumers: a registered mark holds outbox trimming back, and its name
	-- belongs to whoever registered it first, so no order role may do either.
	('salesorder_consumer', 'SELECT', 'TABLE', 'salesorder.order_event'),
	('salesorder_consumer', 'SELECT', 'TABLE', 'salesorder.event_horizon_holders'),
	('salesorder_consumer', 'EXECUTE', 'FUNCTION', 'salesorder.events_since(bigint, integer, text[], bigint)'),
	('salesorder_consumer', 'EXECUTE', 'FUNCTION', 'salesorder.event_horizon()'),
	('salesorder_consumer', 'EXECUTE', 'FUNCTION', 'salesorder.ack_events(text, bigint)'),
	('salesorder_consumer', 'EXECUTE', 'FUNCTION', 'salesorder.drop_event_consumer(text)'),
	-- Reporting: the report views, and the functions they call.
	-- (The report views show every order, as management reports do: they are
	-- for reporting and admins; the operational roles read the views that
	-- follow row-level security instead.)
	('salesorder_reporting', 'SELECT', 'TABLE', 'salesorder.report_sales'),
	('salesorder_reporting', 'SELECT', 'TABLE', 'salesorder.report_sales_raw'),
	('salesorder_reporting', 'SELECT', 'TABLE', 'salesorder.report_trend_region'),
	('salesorder_reporting', 'SELECT', 'TABLE', 'salesorder.report_forecast_region'),
	('salesorder_reporting', 'SELECT', 'TABLE', 'salesorder.report_pipeline'),
	('salesorder_reporting', 'SELECT', 'TABLE', 'salesorder.report_approvals'),
	('salesorder_reporting', 'SELECT', 'TABLE', 'salesorder.report_delayed'),
	('salesorder_reporting', 'SELECT', 'TABLE', 'salesorder.report_low_stock'),
	-- report_sales' rows: the whole company's sales, for reporting only.
	('salesorder_reporting', 'EXECUTE', 'FUNCTION', 'salesorder.report_sales_rows()'),
	('salesorder_reporting', 'EXECUTE', 'FUNCTION', 'salesorder.rollup_current()'),
	('salesorder_sales', 'EXECUTE', 'FUNCTION', 'salesorder.rollup_current()'),
	('salesorder_approver', 'EXECUTE', 'FUNCTION', 'salesorder.rollup_current()'),
	('salesorder_warehouse', 'EXECUTE', 'FUNCTION', 'salesorder.rollup_current()'),
	('salesorder_reporting', 'EXECUTE', 'FUNCTION', 'salesorder.report_current_month()'),
	('salesorder_sales', 'EXECUTE', 'FUNCTION', 'salesorder.report_current_month()'),
	('salesorder_approver', 'EXECUTE', 'FUNCTION', 'salesorder.report_current_month()'),
	('salesorder_warehouse', 'EXECUTE', 'FUNCTION', 'salesorder.report_current_month()'),
	('salesorder_reporting', 'EXECUTE', 'FUNCTION', 'salesorder.at_risk_days()'),
	('salesorder_sales', 'EXECUTE', 'FUNCTION', 'salesorder.at_risk_days()'),
	('salesorder_approver', 'EXECUTE', 'FUNCTION', 'salesorder.at_risk_days()'),
	('salesorder_warehouse', 'EXECUTE', 'FUNCTION', 'salesorder.at_risk_days()'),
	('salesorder_reporting', 'EXECUTE', 'FUNCTION', 'salesorder.tracking_since()'),
	('salesorder_sales', 'EXECUTE', 'FUNCTION', 'salesorder.tracking_since()'),
	('salesorder_approver', 'EXECUTE', 'FUNCTION', 'salesorder.tracking_since()'),
	('salesorder_warehouse', 'EXECUTE', 'FUNCTION', 'salesorder.tracking_since()'),
	('salesorder_reporting', 'EXECUTE', 'FUNCTION', 'salesorder.pipeline_folded_to()'),
	('salesorder_sales', 'EXECUTE', 'FUNCTION', 'salesorder.pipeline_folded_to()'),
	('salesorder_approver', 'EXECUTE', 'FUNCTION', 'salesorder.pipeline_folded_to()'),
	('salesorder_warehouse', 'EXECUTE', 'FUNCTION', 'salesorder.pipeline_folded_to()'),
	('salesorder_reporting', 'EXECUTE', 'FUNCTION', 'salesorder.order_health(salesorder.order_status, date, text, date)'),
	('salesorder_sales', 'EXECUTE', 'FUNCTION', 'salesorder.order_health(salesorder.order_status, date, text, date)'),
	('salesorder_approver', 'EXECUTE', 'FUNCTION', 'salesorder.order_health(salesorder.order_status, date, text, date)'),
	('salesorder_warehouse', 'EXECUTE', 'FUNCTION', 'salesorder.order_health(salesorder.order_status, date, text, date)'),
	('salesorder_reporting', 'EXECUTE', 'FUNCTION', 'salesorder.bucket_start(timestamptz, text)'),
	('salesorder_sales', 'EXECUTE', 'FUNCTION', 'salesorder.bucket_start(timestamptz, text)'),
	('salesorder_approver', 'EXECUTE', 'FUNCTION', 'salesorder.bucket_start(timestamptz, text)'),
	('salesorder_warehouse', 'EXECUTE', 'FUNCTION', 'salesorder.bucket_start(timestamptz, text)'),
	('salesorder_reporting', 'EXECUTE', 'FUNCTION', 'salesorder.sales_trend(timestamptz, numeric, text)'),
	('salesorder_sales', 'EXECUTE', 'FUNCTION', 'salesorder.sales_trend(timestamptz, numeric, text)'),
	('salesorder_approver', 'EXECUTE', 'FUNCTION', 'salesorder.sales_trend(timestamptz, numeric, text)'),
	('salesorder_warehouse', 'EXECUTE', 'FUNCTION', 'salesorder.sales_trend(timestamptz, numeric, text)'),
	('salesorder_reporting', 'EXECUTE', 'FUNCTION', 'salesorder.sales_trend(timestamptz, numeric)'),
	('salesorder_sales', 'EXECUTE', 'FUNCTION', 'salesorder.sales_trend(timestamptz, numeric)'),
	('salesorder_approver', 'EXECUTE', 'FUNCTION', 'salesorder.sales_trend(timestamptz, numeric)'),
	('salesorder_warehouse', 'EXECUTE', 'FUNCTION', 'salesorder.sales_trend(timestamptz, numeric)'),
	('salesorder_reporting', 'EXECUTE', 'FUNCTION', 'salesorder.sales_forecast(timestamptz, numeric, text, integer, integer)'),
	('salesorder_sales', 'EXECUTE', 'FUNCTION', 'salesorder.sales_forecast(timestamptz, numeric, text, integer, integer)'),
	('salesorder_approver', 'EXECUTE', 'FUNCTION', 'salesorder.sales_forecast(timestamptz, numeric, text, integer, integer)'),
	('salesorder_warehouse', 'EXECUTE', 'FUNCTION', 'salesorder.sales_forecast(timestamptz, numeric, text, integer, integer)'),
	('salesorder_reporting', 'EXECUTE', 'FUNCTION', 'salesorder.sales_forecast(timestamptz, numeric, text, integer)'),
	('salesorder_sales', 'EXECUTE', 'FUNCTION', 'salesorder.sales_forecast(timestamptz, numeric, text, integer)'),
	('salesorder_approver', 'EXECUTE', 'FUNCTION', 'salesorder.sales_forecast(timestamptz, numeric, text, integer)'),
	('salesorder_warehouse', 'EXECUTE', 'FUNCTION', 'salesorder.sales_forecast(timestamptz, numeric, text, integer)'),
	-- Everybody who works on orders reads master data and orders.
	('salesorder_sales', 'SELECT', 'TABLE', 'salesorder.customer'),
	('salesorder_approver', 'SELECT', 'TABLE', 'salesorder.customer'),
	('salesorder_warehouse', 'SELECT', 'TABLE', 'salesorder.customer'),
	('salesorder_sales', 'SELECT', 'TABLE', 'salesorder.product'),
	('salesorder_approver', 'SELECT', 'TABLE', 'salesorder.product'),
	('salesorder_warehouse', 'SELECT', 'TABLE', 'salesorder.product'),
	('salesorder_sales', 'SELECT', 'TABLE', 'salesorder.warehouse'),
	('salesorder_approver', 'SELECT', 'TABLE', 'salesorder.warehouse'),
	('salesorder_warehouse', 'SELECT', 'TABLE', 'salesorder.warehouse'),
	('salesorder_sales', 'SELECT', 'TABLE', 'salesorder.stock'),
	('salesorder_approver', 'SELECT', 'TABLE', 'salesorder.stock'),
	('salesorder_warehouse', 'SELECT', 'TABLE', 'salesorder.stock'),
	('salesorder_sales', 'SELECT', 'TABLE', 'salesorder.sales_order'),
	('salesorder_approver', 'SELECT', 'TABLE', 'salesorder.sales_order'),
	('salesorder_warehouse', 'SELECT', 'TABLE', 'salesorder.sales_order'),
	('salesorder_sales', 'SELECT', 'TABLE', 'salesorder.order_line'),
	('salesorder_approver', 'SELECT', 'TABLE', 'salesorder.order_line'),
	('salesorder_warehouse', 'SELECT', 'TABLE', 'salesorder.order_line'),
	('salesorder_sales', 'SELECT', 'TABLE', 'salesorder.order_status_history'),
	('salesorder_approver', 'SELECT', 'TABLE', 'salesorder.order_status_history'),
	('salesorder_warehouse', 'SELECT', 'TABLE', 'salesorder.order_status_history'),
	('salesorder_sales', 'SELECT', 'TABLE', 'salesorder.status_transition'),
	('salesorder_approver', 'SELECT', 'TABLE', 'salesorder.status_transition'),
	('salesorder_warehouse', 'SELECT', 'TABLE', 'salesorder.status_transition'),
	('salesorder_sales', 'SELECT', 'TABLE', 'salesorder.stock_movement'),
	('salesorder_approver', 'SELECT', 'TABLE', 'salesorder.stock_movement'),
	('salesorder_warehouse', 'SELECT', 'TABLE', 'salesorder.stock_movement'),
	('salesorder_sales', 'SELECT', 'TABLE', 'salesorder.low_stock'),
	('salesorder_approver', 'SELECT', 'TABLE', 'salesorder.low_stock'),
	('salesorder_warehouse', 'SELECT', 'TABLE', 'salesorder.low_stock'),
	('salesorder_sales', 'SELECT', 'TABLE', 'salesorder.approval_rule'),
	('salesorder_approver', 'SELECT', 'TABLE', 'salesorder.approval_rule'),
	('salesorder_warehouse', 'SELECT', 'TABLE', 'salesorder.approval_rule'),
	('salesorder_sales', 'SELECT', 'TABLE', 'salesorder.approval_rule_kind'),
	('salesorder_approver', 'SELECT', 'TABLE', 'salesorder.approval_rule_kind'),
	('salesorder_warehouse', 'SELECT', 'TABLE', 'salesorder.approval_rule_kind'),
	('salesorder_sales', 'SELECT', 'TABLE', 'salesorder.approval_step'),
	('salesorder_approver', 'SELECT', 'TABLE', 'salesorder.approval_step'),
	('salesorder_warehouse', 'SELECT', 'TABLE', 'salesorder.approval_step'),
	('salesorder_sales', 'SELECT', 'TABLE', 'salesorder.approval_queue'),
	('salesorder_approver', 'SELECT', 'TABLE', 'salesorder.approval_queue'),
	('salesorder_warehouse', 'SELECT', 'TABLE', 'salesorder.approval_queue'),
	('salesorder_sales', 'SELECT', 'TABLE', 'salesorder.change_request'),
	('salesorder_approver', 'SELECT', 'TABLE', 'salesorder.change_request'),
	('salesorder_warehouse', 'SELECT', 'TABLE', 'salesorder.change_request'),
	('salesorder_sales', 'SELECT', 'TABLE', 'salesorder.order_revision'),
	('salesorder_approver', 'SELECT', 'TABLE', 'salesorder.order_revision'),
	('salesorder_warehouse', 'SELECT', 'TABLE', 'salesorder.order_revision'),
	('salesorder_sales', 'SELECT', 'TABLE', 'salesorder.order_changes'),
	('salesorder_approver', 'SELECT', 'TABLE', 'salesorder.order_changes'),
	('salesorder_warehouse', 'SELECT', 'TABLE', 'salesorder.order_changes'),
	('salesorder_sales', 'SELECT', 'TABLE', 'salesorder.order_event'),
	('salesorder_approver', 'SELECT', 'TABLE', 'salesorder.order_event'),
	('salesorder_warehouse', 'SELECT', 'TABLE', 'salesorder.order_event'),
	('salesorder_sales', 'SELECT', 'TABLE', 'salesorder.order_tracking'),
	('salesorder_approver', 'SELECT', 'TABLE', 'salesorder.order_tracking'),
	('salesorder_warehouse', 'SELECT', 'TABLE', 'salesorder.order_tracking'),
	('salesorder_sales', 'SELECT', 'TABLE', 'salesorder.order_tracking_all'),
	('salesorder_approver', 'SELECT', 'TABLE', 'salesorder.order_tracking_all'),
	('salesorder_warehouse', 'SELECT', 'TABLE', 'salesorder.order_tracking_all'),
	('salesorder_sales', 'SELECT', 'TABLE', 'salesorder.production_stage'),
	('salesorder_approver', 'SELECT', 'TABLE', 'salesorder.production_stage'),
	('salesorder_warehouse', 'SELECT', 'TABLE', 'salesorder.production_stage'),
	('salesorder_sales', 'SELECT', 'TABLE', 'salesorder.delay_flag'),
	('salesorder_approver', 'SELECT', 'TABLE', 'salesorder.delay_flag'),
	('salesorder_warehouse', 'SELECT', 'TABLE', 'salesorder.delay_flag'),
	('salesorder_sales', 'EXECUTE', 'FUNCTION', 'salesorder.credit_exposure(bigint, bigint)'),
	('salesorder_approver', 'EXECUTE', 'FUNCTION', 'salesorder.credit_exposure(bigint, bigint)'),
	('salesorder_warehouse', 'EXECUTE', 'FUNCTION', 'salesorder.credit_exposure(bigint, bigint)'),
	('salesorder_sales', 'EXECUTE', 'FUNCTION', 'salesorder.order_snapshot(bigint)'),
	('salesorder_approver', 'EXECUTE', 'FUNCTION', 'salesorder.order_snapshot(bigint)'),
	('salesorder_warehouse', 'EXECUTE', 'FUNCTION', 'salesorder.order_snapshot(bigint)'),
	('salesorder_sales', 'EXECUTE', 'FUNCTION', 'salesorder.order_at_revision(bigint, integer)'),
	('salesorder_approver', 'EXECUTE', 'FUNCTION', 'salesorder.order_at_revision(bigint, integer)'),
	('salesorder_warehouse', 'EXECUTE', 'FUNCTION', 'salesorder.order_at_revision(bigint, integer)'),
	('salesorder_sales', 'EXECUTE', 'FUNCTION', 'salesorder.events_since(bigint, integer, text[], bigint)'),
	('salesorder_approver', 'EXECUTE', 'FUNCTION', 'salesorder.events_since(bigint, integer, text[], bigint)'),
	('salesorder_warehouse', 'EXECUTE', 'FUNCTION', 'salesorder.events_since(bigint, integer, text[], bigint)'),
	('salesorder_sales', 'EXECUTE', 'FUNCTION', 'salesorder.event_horizon()'),
	('salesorder_approver', 'EXECUTE', 'FUNCTION', 'salesorder.event_horizon()'),
	('salesorder_warehouse', 'EXECUTE', 'FUNCTION', 'salesorder.event_horizon()'),
	-- Sales: enter and manage orders; edit draft headers and lines directly.
	('salesorder_sales', 'EXECUTE', 'FUNCTION', 'salesorder.create_order(bigint, jsonb, jsonb)'),
	('salesorder_sales', 'EXECUTE', 'FUNCTION', 'salesorder.copy_order(bigint, jsonb)'),
	('salesorder_sales', 'EXECUTE', 'FUNCTION', 'salesorder.submit_order(bigint)'),
	('salesorder_sales', 'EXECUTE', 'FUNCTION', 'salesorder.cancel(bigint, text)'),
	('salesorder_sales', 'EXECUTE', 'FUNCTION', 'salesorder.hold(bigint, text)'),
	('salesorder_sales', 'EXECUTE', 'FUNCTION', 'salesorder.release_hold(bigint)'),
	('salesorder_sales', 'EXECUTE', 'FUNCTION', 'salesorder.revise(bigint)'),
	('salesorder_sales', 'EXECUTE', 'FUNCTION', 'salesorder.request_change(bigint, jsonb, text)'),
	('salesorder_sales', 'UPDATE (warehouse_id, ship_to, requested_date, promised_date, special_requirements, notes)', 'TABLE', 'salesorder.sales_order'),
	('salesorder_sales', 'INSERT, UPDATE (product_id, qty, unit_price, discount_pct, note), DELETE', 'TABLE', 'salesorder.order_line'),
	-- Approvers: decide the steps routed to their roles; hold while reviewing.
	('salesorder_approver', 'EXECUTE', 'FUNCTION', 'salesorder.approve(bigint, text)'),
	('salesorder_approver', 'EXECUTE', 'FUNCTION', 'salesorder.reject(bigint, text)'),
	('salesorder_approver', 'EXECUTE', 'FUNCTION', 'salesorder.approve_change(bigint, text)'),
	('salesorder_approver', 'EXECUTE', 'FUNCTION', 'salesorder.reject_change(bigint, text)'),
	('salesorder_approver', 'EXECUTE', 'FUNCTION', 'salesorder.hold(bigint, text)'),
	('salesorder_approver', 'EXECUTE', 'FUNCTION', 'salesorder.release_hold(bigint)'),
	-- Warehouse: production stages, fulfilment and stock.
	('salesorder_warehouse', 'EXECUTE', 'FUNCTION', 'salesorder.set_stage(bigint, text, text)'),
	('salesorder_warehouse', 'EXECUTE', 'FUNCTION', 'salesorder.ship(bigint, jsonb)'),
	('salesorder_warehouse', 'EXECUTE', 'FUNCTION', 'salesorder.receive_stock(bigint, bigint, numeric, text)'),
	('salesorder_warehouse', 'EXECUTE', 'FUNCTION', 'salesorder.adjust_stock(bigint, bigint, numeric, text)'),
	('salesorder_warehouse', 'EXECUTE', 'FUNCTION', 'salesorder.verify_stock(boolean)'),
	('salesorder_warehouse', 'EXECUTE', 'FUNCTION', 'salesorder.deliver(bigint)'),
	('salesorder_warehouse', 'EXECUTE', 'FUNCTION', 'salesorder.complete(bigint)'),
	('salesorder_warehouse', 'EXECUTE', 'FUNCTION', 'salesorder.hold(bigint, text)'),
	('salesorder_warehouse', 'EXECUTE', 'FUNCTION', 'salesorder.release_hold(bigint)'),
	-- Admin: master data, the state machine, checks and maintenance (and, as a
	-- member of every other role, everything they can do).
	('salesorder_admin', 'SELECT, INSERT, UPDATE, DELETE', 'TABLE', 'salesorder.customer'),
	('salesorder_admin', 'SELECT, INSERT, UPDATE, DELETE', 'TABLE', 'salesorder.product'),
	('salesorder_admin', 'SELECT, INSERT, UPDATE, DELETE', 'TABLE', 'salesorder.warehouse'),
	('salesorder_admin', 'SELECT, INSERT, UPDATE, DELETE', 'TABLE', 'salesorder.status_transition'),
	('salesorder_admin', 'SELECT, INSERT, UPDATE, DELETE', 'TABLE', 'salesorder.approval_rule'),
	('salesorder_admin', 'SELECT, INSERT, UPDATE, DELETE', 'TABLE', 'salesorder.production_stage'),
	('salesorder_admin', 'EXECUTE', 'FUNCTION', 'salesorder.flag_delays(timestamptz)'),
	('salesorder_admin', 'EXECUTE', 'FUNCTION', 'salesorder.compact_rollup()'),
	('salesorder_admin', 'EXECUTE', 'FUNCTION', 'salesorder.rebuild_rollup()'),
	('salesorder_admin', 'EXECUTE', 'FUNCTION', 'salesorder.trim_events(interval, integer)'),
	('salesorder_admin', 'EXECUTE', 'FUNCTION', 'salesorder.archive_history(interval, integer)'),
	('salesorder_admin', 'SELECT', 'TABLE', 'salesorder.event_consumer'),
	('salesorder_admin', 'SELECT', 'TABLE', 'salesorder.event_horizon_holders'),
	('salesorder_admin', 'SELECT', 'TABLE', 'salesorder.stock_movement_archive'),
	('salesorder_admin', 'SELECT', 'TABLE', 'salesorder.order_status_history_archive'),
	('salesorder_admin', 'SELECT', 'TABLE', 'salesorder.ledger_archive_balance'),
	('salesorder_admin', 'SELECT', 'TABLE', 'salesorder.customer_exposure'),
	('salesorder_admin', 'SELECT', 'TABLE', 'salesorder.role_grant'),
	('salesorder_admin', 'INSERT, UPDATE (reorder_point)', 'TABLE', 'salesorder.stock'),
	('salesorder_admin', 'USAGE', 'ALL SEQUENCES IN SCHEMA', 'salesorder'),
	('salesorder_admin', 'EXECUTE', 'FUNCTION', 'salesorder.deliver(bigint)'),
	('salesorder_admin', 'EXECUTE', 'FUNCTION', 'salesorder.complete(bigint)'),
	('salesorder_admin', 'EXECUTE', 'FUNCTION', 'salesorder.ship(bigint, jsonb)'),
	('salesorder_admin', 'EXECUTE', 'FUNCTION', 'salesorder.receive_stock(bigint, bigint, numeric, text)'),
	('salesorder_admin', 'EXECUTE', 'FUNCTION', 'salesorder.adjust_stock(bigint, bigint, numeric, text)'),
	('salesorder_admin', 'EXECUTE', 'FUNCTION', 'salesorder.verify_stock(boolean)'),
	('salesorder_admin', 'EXECUTE', 'FUNCTION', 'salesorder.checkpoint_ledger()'),
	('salesorder_admin', 'EXECUTE', 'FUNCTION', 'salesorder.checkpoint_pipeline()'),
	('salesorder_admin', 'EXECUTE', 'FUNCTION', 'salesorder.verify_credit_exposure()'),
	('salesorder_admin', 'EXECUTE', 'FUNCTION', 'salesorder.rebuild_credit_exposure()');

CREATE FUNCTION salesorder.create_roles()
RETURNS SETOF text
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
	r text;
	g record;
BEGIN
	-- The roles are those role_grant names: constants of the extension,
	-- never user input, as are the objects (each checked by its reg* cast).
	FOR r IN SELECT DISTINCT x.role FROM salesorder.role_grant x ORDER BY 1
	LOOP
		IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = r) THEN
			EXECUTE pg_catalog.format('CREATE ROLE %I NOLOGIN', r);
			RETURN NEXT r;
		END IF;
	END LOOP;

	-- Only the extension's own objects (its schemas salesorder and
	-- salesorder_bi), whoever wrote the rows.
	IF EXISTS (SELECT 1 FROM salesorder.role_grant x
			   CROSS JOIN LATERAL (SELECT CASE x.on_kind
						 WHEN 'FUNCTION' THEN (SELECT p.pronamespace FROM pg_catalog.pg_proc p
											   WHERE p.oid = x.object::pg_catalog.regprocedure)
						 WHEN 'TABLE' THEN (SELECT c.relnamespace FROM pg_catalog.pg_class c
											WHERE c.oid = x.object::pg_catalog.regclass)
						 ELSE (SELECT n.oid FROM pg_catalog.pg_namespace n WHERE n.nspname = x.object)
					 END AS ns) o
			   WHERE o.ns IS NULL
				  OR o.ns OPERATOR(pg_catalog.<>) ALL (ARRAY['salesorder'::pg_catalog.regnamespace,
						 'salesorder_bi'::pg_catalog.regnamespace]::pg_catalog.oid[])) THEN
		RAISE EXCEPTION 'salesorder.role_grant names an object outside schemas salesorder and salesorder_bi'
			USING ERRCODE = 'insufficient_privilege';
	END IF;

	FOR g IN SELECT x.role, x.privilege, x.on_kind,
				 CASE x.on_kind
					 WHEN 'FUNCTION' THEN x.object::pg_catalog.regprocedure::text
					 WHEN 'TABLE' THEN x.object::pg_catalog.regclass::text
					 ELSE pg_catalog.quote_ident(x.object) END AS object
			 FROM salesorder.role_grant x
			 ORDER BY x.role, x.on_kind, x.object
	LOOP
		EXECUTE pg_catalog.format('GRANT %s ON %s %s TO %I',
								  g.privilege, g.on_kind, g.object, g.role);
	END LOOP;

	-- Admin: everything the others can do (plus its own rows above).
	FOR r IN SELECT DISTINCT x.role FROM salesorder.role_grant x
			 WHERE x.role <> 'salesorder_admin' ORDER BY 1
	LOOP
		IF NOT pg_catalog.pg_has_role('salesorder_admin', r, 'MEMBER') THEN
			EXECUTE pg_catalog.format('GRANT %I TO salesorder_admin', r);
		END IF;
	END LOOP;
	RETURN;
END
$fn$;
COMMENT ON FUNCTION salesorder.create_roles() IS 'Creates the salesorder_* group roles if missing and grants them; run once by a DBA';

REVOKE EXECUTE ON FUNCTION salesorder.create_roles() FROM PUBLIC;
