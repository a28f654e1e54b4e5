-- salesorder 1.1 -> 1.2

\echo Use "ALTER EXTENSION salesorder UPDATE TO '1.2'" to load this file. \quit

-- Who acted: the login of the session beside the acting role.
--
-- The acting role (created_by, changed_by, requested_by, decided_by) is the
-- caller's current_user, so that an application pool that SET ROLEs per
-- request is recorded under the role it set.  The login (session_user) is
-- kept beside it: segregation of duties holds for the person, and a person
-- who SET ROLEs to a group role is still the login they came in with
-- (unless that login is one of salesorder.pool_logins).  The columns default
-- to session_user, which a privilege switch does not change.  NULL: written
-- before 1.2.

-- Added first and given their default after, so that rows written before
-- (on an upgrade) keep NULL rather than the upgrading session's login.
ALTER TABLE salesorder.sales_order ADD COLUMN created_login text;
ALTER TABLE salesorder.order_status_history ADD COLUMN changed_login text;
ALTER TABLE salesorder.change_request
	ADD COLUMN requested_login text,
	ADD COLUMN decided_login text;
ALTER TABLE salesorder.approval_step ADD COLUMN decided_login text;
ALTER TABLE salesorder.sales_order ALTER COLUMN created_login SET DEFAULT session_user;
ALTER TABLE salesorder.order_status_history ALTER COLUMN changed_login SET DEFAULT session_user;
ALTER TABLE salesorder.change_request ALTER COLUMN requested_login SET DEFAULT session_user;

COMMENT ON COLUMN salesorder.sales_order.created_login IS
	'The login (session_user) of the session that created the order; created_by is the acting role';
COMMENT ON COLUMN salesorder.order_status_history.changed_login IS
	'The login (session_user) of the session that made the change; changed_by is the acting role';
COMMENT ON COLUMN salesorder.change_request.requested_login IS
	'The login (session_user) of the session that requested the change';
COMMENT ON COLUMN salesorder.change_request.decided_login IS
	'The login (session_user) of the session that made the last decision';
COMMENT ON COLUMN salesorder.approval_step.decided_login IS
	'The login (session_user) of the session that decided the step; decided_by is the acting role';

-- Functions that take an order id refuse NULL (22004) instead of being
-- STRICT, which returned NULL as if something had happened.
ALTER FUNCTION salesorder.submit_order(bigint) CALLED ON NULL INPUT;
ALTER FUNCTION salesorder.release_hold(bigint) CALLED ON NULL INPUT;
ALTER FUNCTION salesorder.revise(bigint) CALLED ON NULL INPUT;
ALTER FUNCTION salesorder.deliver(bigint) CALLED ON NULL INPUT;
ALTER FUNCTION salesorder.complete(bigint) CALLED ON NULL INPUT;

-- Row-level security predicates answer for their caller only (C, no user
-- argument).  The policies are recreated on the new predicates.
DROP POLICY order_visibility ON salesorder.sales_order;
DROP POLICY order_visibility ON salesorder.order_line;
DROP POLICY order_visibility ON salesorder.order_status_history;
DROP POLICY order_visibility ON salesorder.approval_step;
DROP POLICY order_visibility ON salesorder.change_request;
DROP POLICY order_visibility ON salesorder.order_revision;
DROP POLICY order_visibility ON salesorder.order_event;
DROP POLICY order_visibility ON salesorder.delay_flag;
DROP POLICY order_visibility ON salesorder.stock_movement;
DROP FUNCTION salesorder.rls_sees_all(name);
DROP FUNCTION salesorder.rls_customers(name);
DROP FUNCTION salesorder.rls_routed_orders(name);

CREATE FUNCTION salesorder.rls_sees_all()
RETURNS boolean
AS 'MODULE_PATHNAME', 'so_rls_sees_all'
LANGUAGE C STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp;

CREATE FUNCTION salesorder.rls_customers()
RETURNS SETOF bigint
AS 'MODULE_PATHNAME', 'so_rls_customers'
LANGUAGE C STABLE PARALLEL RESTRICTED ROWS 100
SET search_path = pg_catalog, pg_temp;

CREATE FUNCTION salesorder.rls_routed_orders()
RETURNS SETOF bigint
AS 'MODULE_PATHNAME', 'so_rls_routed_orders'
LANGUAGE C STABLE PARALLEL RESTRICTED ROWS 100
SET search_path = pg_catalog, pg_temp;

-- The same visibility rule on every order-side table.
CREATE POLICY order_visibility ON salesorder.sales_order
	USING ((SELECT salesorder.rls_sees_all())
		   OR customer_id IN (SELECT salesorder.rls_customers())
		   OR id IN (SELECT salesorder.rls_routed_orders()));

CREATE POLICY order_visibility ON salesorder.order_line
	USING ((SELECT salesorder.rls_sees_all())
		   OR customer_id IN (SELECT salesorder.rls_customers())
		   OR order_id IN (SELECT salesorder.rls_routed_orders()));

CREATE POLICY order_visibility ON salesorder.order_status_history
	USING ((SELECT salesorder.rls_sees_all())
		   OR customer_id IN (SELECT salesorder.rls_customers())
		   OR order_id IN (SELECT salesorder.rls_routed_orders()));

CREATE POLICY order_visibility ON salesorder.approval_step
	USING ((SELECT salesorder.rls_sees_all())
		   OR customer_id IN (SELECT salesorder.rls_customers())
		   OR order_id IN (SELECT salesorder.rls_routed_orders()));

CREATE POLICY order_visibility ON salesorder.change_request
	USING ((SELECT salesorder.rls_sees_all())
		   OR customer_id IN (SELECT salesorder.rls_customers())
		   OR order_id IN (SELECT salesorder.rls_routed_orders()));

CREATE POLICY order_visibility ON salesorder.order_revision
	USING ((SELECT salesorder.rls_sees_all())
		   OR customer_id IN (SELECT salesorder.rls_customers())
		   OR order_id IN (SELECT salesorder.rls_routed_orders()));

CREATE POLICY order_visibility ON salesorder.order_event
	USING ((SELECT salesorder.rls_sees_all())
		   OR customer_id IN (SELECT salesorder.rls_customers())
		   OR order_id IN (SELECT salesorder.rls_routed_orders()));

CREATE POLICY order_visibility ON salesorder.delay_flag
	USING ((SELECT salesorder.rls_sees_all())
		   OR customer_id IN (SELECT salesorder.rls_customers())
		   OR order_id IN (SELECT salesorder.rls_routed_orders()));

-- The ledger rows of orders follow their order; receipts and adjustments
-- (no order) are stock information, visible to whoever may read the ledger.
CREATE POLICY order_visibility ON salesorder.stock_movement
	USING (order_id IS NULL
		   OR (SELECT salesorder.rls_sees_all())
		   OR customer_id IN (SELECT salesorder.rls_customers())
		   OR order_id IN (SELECT salesorder.rls_routed_orders()));

-- As a fresh install does: revoked from PUBLIC, then granted back.
REVOKE EXECUTE ON FUNCTION salesorder.rls_sees_all(), salesorder.rls_customers(),
	salesorder.rls_routed_orders() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION salesorder.rls_sees_all(), salesorder.rls_customers(),
	salesorder.rls_routed_orders() TO PUBLIC;
COMMENT ON FUNCTION salesorder.rls_sees_all() IS
	'Row-level security: whether the current user sees every order (admin, warehouse, owner, BYPASSRLS)';
COMMENT ON FUNCTION salesorder.rls_customers() IS
	'Row-level security: the customers assigned to the current user (customer.sales_rep)';
COMMENT ON FUNCTION salesorder.rls_routed_orders() IS
	'Row-level security: the orders with an approval step routed to a role of the current user';

-- Credit exposure of a customer: the open (unshipped) amount of its
-- submitted orders, optionally leaving one order out.  credit_exposure_of
-- is the computation, for the extension's own use (never granted):
-- SECURITY DEFINER, the exposure counts every open order of the customer
-- whatever the caller may see of them.  credit_exposure is the public
-- entry, which first checks that the caller may see the customer: its rep,
-- the approvers of its orders, admins (else anybody could difference two
-- calls into another rep's order amounts).
CREATE FUNCTION salesorder.credit_exposure_of(customer_id bigint, except_order bigint DEFAULT NULL)
RETURNS numeric
LANGUAGE sql STABLE PARALLEL SAFE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
	SELECT coalesce(sum(
		CASE WHEN o.status = 'partially_shipped' OR o.hold_from = 'partially_shipped'
			 THEN (SELECT coalesce(sum(round(l.amount * (l.qty - l.shipped_qty) / l.qty, 2)), 0)
				   FROM salesorder.order_line l WHERE l.order_id = o.id)
			 ELSE o.total_amount END), 0)::numeric(14,2)
	FROM salesorder.sales_order o
	WHERE o.customer_id = credit_exposure_of.customer_id
	  AND o.id IS DISTINCT FROM except_order
	  AND (o.status IN ('pending_approval', 'approved', 'in_production', 'partially_shipped')
		   OR o.status = 'on_hold' AND o.hold_from IN
			  ('pending_approval', 'approved', 'in_production', 'partially_shipped'))
$$;

CREATE OR REPLACE FUNCTION salesorder.credit_exposure(customer_id bigint, except_order bigint DEFAULT NULL)
RETURNS numeric
AS 'MODULE_PATHNAME', 'so_credit_exposure'
LANGUAGE C STABLE PARALLEL RESTRICTED SECURITY INVOKER
SET search_path = pg_catalog, pg_temp;
REVOKE EXECUTE ON FUNCTION salesorder.credit_exposure_of(bigint, bigint) FROM PUBLIC;
COMMENT ON FUNCTION salesorder.credit_exposure(bigint, bigint) IS
	'Open (unshipped) amount of the customer''s submitted orders; for its rep, the approvers of its orders and admins';
COMMENT ON FUNCTION salesorder.credit_exposure_of(bigint, bigint) IS
	'Internal: the credit exposure computation, without the access check (not granted)';

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

