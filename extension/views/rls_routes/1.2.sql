-- salesorder.rls_routes as of 1.2
-- The orders with an approval step routed to a role the current user is a
-- member of.  A view, not a set-returning function: inside a policy's
-- EXISTS the planner probes it by order id (index approval_step_order_idx)
-- when few rows are checked -- one order read by its key costs the steps of
-- that order, not a set of every order ever routed to the user -- and
-- hashes it when many are.  It reads approval_step as its owner, so the
-- policy of approval_step does not apply to it (no recursion), and shows
-- each user only the orders routed to them.  Everybody may read it (the
-- policies read it with the rights of whoever queries the table), so it is
-- a security barrier: a function in a user's WHERE clause sees only the
-- user's own routes, never those the view filters out.  The probe stays:
-- the policy's order id comparison is leakproof, so it goes inside.
CREATE VIEW salesorder.rls_routes WITH (security_barrier = true) AS
	SELECT s.order_id
	FROM salesorder.approval_step s
	JOIN pg_catalog.pg_roles r ON r.rolname = s.approver_role
	WHERE pg_catalog.pg_has_role(r.oid, 'MEMBER');
