-- Row-level security: who sees which orders.
--
-- The functions write as the extension owner, which bypasses these policies
-- (and checks the acting user itself); the policies govern what a user
-- reads, and writes directly, through their own grants:
--   salesorder_admin, salesorder_warehouse: every order;
--   salesorder_sales: the orders of customers assigned to them
--     (customer.sales_rep is the user or a role they belong to);
--   salesorder_approver: the orders with an approval step routed to a role
--     they hold;
--   anyone else: nothing, whatever they were granted.
-- The policies are written for PUBLIC and look roles up by name, so that
-- they work whether or not create_roles() has run.

-- The predicates answer for the current user only, and are written in C
-- (visibility.c), which reads the assignments as the extension owner: a SQL
-- SECURITY DEFINER function cannot know who called it, and one that took a
-- user name answered for anybody.  The functions apply the same rule to
-- their caller (so_check_access).
#include "udfs/rls_sees_all/1.2.sql"

#include "udfs/rls_reads_outbox/1.2.sql"

#include "udfs/rls_customers/1.2.sql"

#include "views/rls_routes/1.2.sql"

-- The same visibility rule on every order-side table, written once: whoever
-- sees every order; the sales rep of the order's customer; the approvers it
-- is routed to.  Each part is shaped for the planner -- the first computed
-- once per query, the second hashed, the third an index probe -- which is
-- why it is a template expanded here and not a function called per row.
-- The outbox adds its consumers; the ledger shows rows of no order (receipts,
-- adjustments: stock information) to whoever may read it.
DO $do$
DECLARE
	t record;
BEGIN
	FOR t IN SELECT * FROM (VALUES
		('sales_order', 'id', NULL),
		('order_line', 'order_id', NULL),
		('order_status_history', 'order_id', NULL),
		('approval_step', 'order_id', NULL),
		('change_request', 'order_id', NULL),
		('order_revision', 'order_id', NULL),
		('order_event', 'order_id', '(SELECT salesorder.rls_reads_outbox())'),
		('delay_flag', 'order_id', NULL),
		('stock_movement', 'order_id', 'order_id IS NULL')) AS x(tbl, order_col, also)
	LOOP
		EXECUTE pg_catalog.format('ALTER TABLE salesorder.%I ENABLE ROW LEVEL SECURITY', t.tbl);
		EXECUTE pg_catalog.format(
			'CREATE POLICY order_visibility ON salesorder.%1$I USING (%3$s'
			'(SELECT salesorder.rls_sees_all())'
			' OR customer_id IN (SELECT salesorder.rls_customers())'
			' OR EXISTS (SELECT 1 FROM salesorder.rls_routes r WHERE r.order_id = %1$I.%2$I))',
			t.tbl, t.order_col, coalesce(t.also || ' OR ', ''));
	END LOOP;
END
$do$;

-- The operational views show each user what the policies let them see.
ALTER VIEW salesorder.order_tracking SET (security_invoker = true);
ALTER VIEW salesorder.order_tracking_all SET (security_invoker = true);
ALTER VIEW salesorder.approval_queue SET (security_invoker = true);
ALTER VIEW salesorder.order_changes SET (security_invoker = true);
ALTER VIEW salesorder.low_stock SET (security_invoker = true);

-- The report views show every order to the reporting role, through filters
-- of their own (submitted orders only, ...): security barriers, so that a
-- function in a reporting user's WHERE clause never sees a row the view
-- filters out.
ALTER VIEW salesorder.report_sales_raw SET (security_barrier = true);
ALTER VIEW salesorder.report_sales SET (security_barrier = true);
ALTER VIEW salesorder.report_trend_region SET (security_barrier = true);
ALTER VIEW salesorder.report_forecast_region SET (security_barrier = true);
ALTER VIEW salesorder.report_pipeline SET (security_barrier = true);
ALTER VIEW salesorder.report_approvals SET (security_barrier = true);
ALTER VIEW salesorder.report_delayed SET (security_barrier = true);
ALTER VIEW salesorder.report_low_stock SET (security_barrier = true);

COMMENT ON FUNCTION salesorder.rls_sees_all() IS
	'Row-level security: whether the current user sees every order (admin, warehouse, owner, BYPASSRLS)';
COMMENT ON FUNCTION salesorder.rls_reads_outbox() IS
	'Row-level security: whether the current user is an event consumer (salesorder_consumer), who reads the whole outbox';
COMMENT ON FUNCTION salesorder.rls_customers() IS
	'Row-level security: the customers assigned to the current user (customer.sales_rep)';
COMMENT ON VIEW salesorder.rls_routes IS
	'Row-level security: the orders with an approval step routed to a role of the current user';
COMMENT ON COLUMN salesorder.rls_routes.order_id IS 'An order routed to the current user';

-- Every column of the views, for the remarks BI tools show.
COMMENT ON COLUMN salesorder.rls_routes.order_id IS 'An order with an approval step routed to a role the current user holds';
