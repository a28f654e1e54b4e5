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

CREATE FUNCTION salesorder.create_roles()
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
							 'salesorder_admin', 'salesorder_consumer']
	LOOP
		IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = r) THEN
			EXECUTE pg_catalog.format('CREATE ROLE %I NOLOGIN', r);
			RETURN NEXT r;
		END IF;
	END LOOP;

	GRANT USAGE ON SCHEMA salesorder TO salesorder_reporting, salesorder_sales,
		salesorder_approver, salesorder_warehouse, salesorder_admin,
		salesorder_consumer;

	-- Event consumers (integrations): the outbox, whole, and nothing else.
	GRANT SELECT ON salesorder.order_event, salesorder.event_horizon_holders
		TO salesorder_consumer;
	GRANT EXECUTE ON FUNCTION
		salesorder.events_since(bigint, integer, text[], bigint),
		salesorder.event_horizon(),
		salesorder.ack_events(text, bigint),
		salesorder.drop_event_consumer(text)
		TO salesorder_consumer;

	-- Reporting: the report views, and the functions they call.
	-- (The report views show every order, as management reports do: they are
	-- for reporting and admins; the operational roles read the views that
	-- follow row-level security instead.)
	GRANT SELECT ON salesorder.report_sales, salesorder.report_sales_raw,
		salesorder.report_trend_region,
		salesorder.report_forecast_region, salesorder.report_pipeline,
		salesorder.report_approvals, salesorder.report_delayed,
		salesorder.report_low_stock
		TO salesorder_reporting;
	-- report_sales' rows: the whole company's sales, for reporting only.
	GRANT EXECUTE ON FUNCTION salesorder.report_sales_rows() TO salesorder_reporting;
	GRANT EXECUTE ON FUNCTION salesorder.rollup_current(),
		salesorder.report_current_month(), salesorder.at_risk_days(),
		salesorder.tracking_since(), salesorder.pipeline_folded_to(),
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
		salesorder.approval_rule, salesorder.approval_rule_kind, salesorder.approval_step,
		salesorder.approval_queue, salesorder.change_request,
		salesorder.order_revision, salesorder.order_changes,
		salesorder.order_event, salesorder.order_tracking,
		salesorder.order_tracking_all,
		salesorder.production_stage, salesorder.delay_flag
		TO salesorder_sales, salesorder_approver, salesorder_warehouse;
	GRANT EXECUTE ON FUNCTION salesorder.credit_exposure(bigint, bigint),
		salesorder.order_snapshot(bigint),
		salesorder.order_at_revision(bigint, integer),
		salesorder.order_health(salesorder.order_status, date, text, date),
		salesorder.events_since(bigint, integer, text[], bigint),
		salesorder.event_horizon(),
		salesorder.ack_events(text, bigint),
		salesorder.drop_event_consumer(text)
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
		salesorder.verify_stock(boolean),
		salesorder.deliver(bigint),
		salesorder.complete(bigint),
		salesorder.hold(bigint, text),
		salesorder.release_hold(bigint)
		TO salesorder_warehouse;

	-- Admin: everything the others can do, plus master data and the state machine.
	FOREACH r IN ARRAY ARRAY['salesorder_sales', 'salesorder_approver',
							 'salesorder_warehouse', 'salesorder_reporting',
							 'salesorder_consumer']
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
		salesorder.compact_rollup(), salesorder.rebuild_rollup(),
		salesorder.trim_events(interval, integer),
		salesorder.archive_history(interval, integer)
		TO salesorder_admin;
	GRANT SELECT ON salesorder.event_consumer, salesorder.event_horizon_holders,
		salesorder.stock_movement_archive,
		salesorder.order_status_history_archive, salesorder.ledger_archive_balance,
		salesorder.customer_exposure
		TO salesorder_admin;
	GRANT INSERT, UPDATE (reorder_point) ON salesorder.stock TO salesorder_admin;
	GRANT USAGE ON ALL SEQUENCES IN SCHEMA salesorder TO salesorder_admin;
	GRANT EXECUTE ON FUNCTION salesorder.deliver(bigint),
		salesorder.complete(bigint), salesorder.ship(bigint, jsonb),
		salesorder.receive_stock(bigint, bigint, numeric, text),
		salesorder.adjust_stock(bigint, bigint, numeric, text),
		salesorder.verify_stock(boolean), salesorder.checkpoint_ledger(),
		salesorder.checkpoint_pipeline(), salesorder.verify_credit_exposure(),
		salesorder.rebuild_credit_exposure()
		TO salesorder_admin;
	RETURN;
END
$fn$;
COMMENT ON FUNCTION salesorder.create_roles() IS 'Creates the salesorder_* group roles if missing and grants them; run once by a DBA';

REVOKE EXECUTE ON FUNCTION salesorder.create_roles() FROM PUBLIC;
