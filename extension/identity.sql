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
