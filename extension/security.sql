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

CREATE FUNCTION salesorder.rls_sees_all(username name)
RETURNS boolean
LANGUAGE sql STABLE PARALLEL SAFE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
	SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_roles r
				   WHERE r.rolname IN ('salesorder_admin', 'salesorder_warehouse')
					 AND pg_catalog.pg_has_role(username, r.oid, 'MEMBER'))
$$;

CREATE FUNCTION salesorder.rls_customers(username name)
RETURNS SETOF bigint
LANGUAGE sql STABLE PARALLEL SAFE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
	SELECT c.id FROM salesorder.customer c
	JOIN pg_catalog.pg_roles r ON r.rolname = c.sales_rep
	WHERE pg_catalog.pg_has_role(username, r.oid, 'MEMBER')
$$;

CREATE FUNCTION salesorder.rls_routed_orders(username name)
RETURNS SETOF bigint
LANGUAGE sql STABLE PARALLEL SAFE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
	SELECT DISTINCT s.order_id FROM salesorder.approval_step s
	JOIN pg_catalog.pg_roles r ON r.rolname = s.approver_role
	WHERE pg_catalog.pg_has_role(username, r.oid, 'MEMBER')
$$;

-- The same visibility rule on every order-side table.
ALTER TABLE salesorder.sales_order ENABLE ROW LEVEL SECURITY;
CREATE POLICY order_visibility ON salesorder.sales_order
	USING ((SELECT salesorder.rls_sees_all(current_user))
		   OR customer_id IN (SELECT salesorder.rls_customers(current_user))
		   OR id IN (SELECT salesorder.rls_routed_orders(current_user)));

ALTER TABLE salesorder.order_line ENABLE ROW LEVEL SECURITY;
CREATE POLICY order_visibility ON salesorder.order_line
	USING ((SELECT salesorder.rls_sees_all(current_user))
		   OR customer_id IN (SELECT salesorder.rls_customers(current_user))
		   OR order_id IN (SELECT salesorder.rls_routed_orders(current_user)));

ALTER TABLE salesorder.order_status_history ENABLE ROW LEVEL SECURITY;
CREATE POLICY order_visibility ON salesorder.order_status_history
	USING ((SELECT salesorder.rls_sees_all(current_user))
		   OR customer_id IN (SELECT salesorder.rls_customers(current_user))
		   OR order_id IN (SELECT salesorder.rls_routed_orders(current_user)));

ALTER TABLE salesorder.approval_step ENABLE ROW LEVEL SECURITY;
CREATE POLICY order_visibility ON salesorder.approval_step
	USING ((SELECT salesorder.rls_sees_all(current_user))
		   OR customer_id IN (SELECT salesorder.rls_customers(current_user))
		   OR order_id IN (SELECT salesorder.rls_routed_orders(current_user)));

ALTER TABLE salesorder.change_request ENABLE ROW LEVEL SECURITY;
CREATE POLICY order_visibility ON salesorder.change_request
	USING ((SELECT salesorder.rls_sees_all(current_user))
		   OR customer_id IN (SELECT salesorder.rls_customers(current_user))
		   OR order_id IN (SELECT salesorder.rls_routed_orders(current_user)));

ALTER TABLE salesorder.order_revision ENABLE ROW LEVEL SECURITY;
CREATE POLICY order_visibility ON salesorder.order_revision
	USING ((SELECT salesorder.rls_sees_all(current_user))
		   OR customer_id IN (SELECT salesorder.rls_customers(current_user))
		   OR order_id IN (SELECT salesorder.rls_routed_orders(current_user)));

ALTER TABLE salesorder.order_event ENABLE ROW LEVEL SECURITY;
CREATE POLICY order_visibility ON salesorder.order_event
	USING ((SELECT salesorder.rls_sees_all(current_user))
		   OR customer_id IN (SELECT salesorder.rls_customers(current_user))
		   OR order_id IN (SELECT salesorder.rls_routed_orders(current_user)));

ALTER TABLE salesorder.delay_flag ENABLE ROW LEVEL SECURITY;
CREATE POLICY order_visibility ON salesorder.delay_flag
	USING ((SELECT salesorder.rls_sees_all(current_user))
		   OR customer_id IN (SELECT salesorder.rls_customers(current_user))
		   OR order_id IN (SELECT salesorder.rls_routed_orders(current_user)));

-- The ledger rows of orders follow their order; receipts and adjustments
-- (no order) are stock information, visible to whoever may read the ledger.
ALTER TABLE salesorder.stock_movement ENABLE ROW LEVEL SECURITY;
CREATE POLICY order_visibility ON salesorder.stock_movement
	USING (order_id IS NULL
		   OR (SELECT salesorder.rls_sees_all(current_user))
		   OR customer_id IN (SELECT salesorder.rls_customers(current_user))
		   OR order_id IN (SELECT salesorder.rls_routed_orders(current_user)));

-- The operational views show each user what the policies let them see.
ALTER VIEW salesorder.order_tracking SET (security_invoker = true);
ALTER VIEW salesorder.approval_queue SET (security_invoker = true);
ALTER VIEW salesorder.order_changes SET (security_invoker = true);
ALTER VIEW salesorder.low_stock SET (security_invoker = true);

COMMENT ON FUNCTION salesorder.rls_sees_all(name) IS
	'Row-level security: whether a user sees every order (admin, warehouse)';
COMMENT ON FUNCTION salesorder.rls_customers(name) IS
	'Row-level security: the customers assigned to a user (customer.sales_rep)';
COMMENT ON FUNCTION salesorder.rls_routed_orders(name) IS
	'Row-level security: the orders with an approval step routed to a role of a user';
