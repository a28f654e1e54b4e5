-- Review and approval: rules as data, one step per rule that fires, levels
-- opened one after the other, decisions recorded.

CREATE TABLE salesorder.approval_rule (
	id				bigserial PRIMARY KEY,
	name			text NOT NULL,
	kind			text NOT NULL CHECK (kind IN
		('amount_over', 'discount_over', 'credit_exceeded', 'special_terms',
		 'backorder', 'segment', 'change_amount_over', 'change_qty', 'change_date')),
	threshold		numeric(14,2),
	segment			text,
	department		text NOT NULL,
	approver_role	text NOT NULL,
	level			integer NOT NULL DEFAULT 1 CHECK (level BETWEEN 1 AND 9),
	active			boolean NOT NULL DEFAULT true,
	created_at		timestamptz NOT NULL DEFAULT pg_catalog.now(),
	CHECK (kind NOT IN ('amount_over', 'discount_over', 'change_amount_over')
		   OR threshold IS NOT NULL),
	CHECK ((kind = 'segment') = (segment IS NOT NULL))
);

COMMENT ON TABLE salesorder.approval_rule IS
	'When an order or a change request needs approval, and by whom: one approval_step per rule that fires';
COMMENT ON COLUMN salesorder.approval_rule.kind IS
	'amount_over: total above threshold; discount_over: a line discount above threshold (%); credit_exceeded: exposure above the credit limit (plus threshold as tolerance); special_terms: special requirements given; backorder: a line backordered; segment: the customer is in segment; change_*: for change requests';
COMMENT ON COLUMN salesorder.approval_rule.approver_role IS
	'The role whose members decide the step (checked with pg_has_role)';
COMMENT ON COLUMN salesorder.approval_rule.level IS
	'Steps of level n open only when every step of the lower levels is approved';

CREATE TABLE salesorder.approval_step (
	id					bigserial PRIMARY KEY,
	order_id			bigint NOT NULL,
	customer_id			bigint NOT NULL,
	change_request_id	bigint,
	round				integer NOT NULL DEFAULT 1,
	rule_id				bigint REFERENCES salesorder.approval_rule (id),
	level				integer NOT NULL,
	department			text NOT NULL,
	approver_role		text NOT NULL,
	status				text NOT NULL DEFAULT 'pending'
		CHECK (status IN ('pending', 'approved', 'rejected', 'closed')),
	reason				text NOT NULL,
	figures				jsonb NOT NULL DEFAULT '{}',
	created_at			timestamptz NOT NULL DEFAULT pg_catalog.now(),
	decided_by			text,
	decided_at			timestamptz,
	comment				text,
	FOREIGN KEY (customer_id, order_id)
		REFERENCES salesorder.sales_order (customer_id, id) ON DELETE CASCADE,
	CHECK ((status = 'pending') = (decided_at IS NULL))
);
CREATE INDEX approval_step_order_idx ON salesorder.approval_step (order_id, round);
CREATE INDEX approval_step_pending_idx ON salesorder.approval_step (approver_role)
	WHERE status = 'pending';
-- Whether a user reviews a customer's orders (credit_exposure's access
-- check, for every row of approval_queue): a probe, not a scan of every
-- step ever decided.
CREATE INDEX approval_step_customer_idx ON salesorder.approval_step (customer_id);

COMMENT ON TABLE salesorder.approval_step IS
	'One row per approval rule that fired for an order submission (change_request_id NULL) or a change request';
COMMENT ON COLUMN salesorder.approval_step.round IS
	'The submission round: a revised and resubmitted order gets new steps; the old ones stay for audit';
COMMENT ON COLUMN salesorder.approval_step.reason IS 'Why the rule fired, with the figures';

SELECT pg_catalog.pg_extension_config_dump('salesorder.approval_rule', '');
SELECT pg_catalog.pg_extension_config_dump('salesorder.approval_rule_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('salesorder.approval_step', '');
SELECT pg_catalog.pg_extension_config_dump('salesorder.approval_step_id_seq', '');

CREATE FUNCTION salesorder.rule_guard()
RETURNS trigger
AS 'MODULE_PATHNAME', 'so_rule_guard'
LANGUAGE C
SET search_path = pg_catalog, pg_temp;

CREATE TRIGGER rule_guard
	BEFORE INSERT OR UPDATE ON salesorder.approval_rule
	FOR EACH ROW EXECUTE FUNCTION salesorder.rule_guard();

CREATE FUNCTION salesorder.approve(order_id bigint, comment text DEFAULT NULL)
RETURNS salesorder.order_status
AS 'MODULE_PATHNAME', 'so_approve'
LANGUAGE C VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp;

CREATE FUNCTION salesorder.reject(order_id bigint, reason text)
RETURNS salesorder.order_status
AS 'MODULE_PATHNAME', 'so_reject'
LANGUAGE C VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp;

CREATE FUNCTION salesorder.revise(order_id bigint)
RETURNS salesorder.order_status
AS 'MODULE_PATHNAME', 'so_revise'
LANGUAGE C VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp;

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

CREATE FUNCTION salesorder.credit_exposure(customer_id bigint, except_order bigint DEFAULT NULL)
RETURNS numeric
AS 'MODULE_PATHNAME', 'so_credit_exposure'
LANGUAGE C STABLE PARALLEL RESTRICTED
SET search_path = pg_catalog, pg_temp;

COMMENT ON FUNCTION salesorder.approve(bigint, text) IS
	'Approves the open step(s) of an order routed to a role the caller holds; the last approval approves the order';
COMMENT ON FUNCTION salesorder.reject(bigint, text) IS
	'Rejects an order under review with a reason; releases its stock and closes its open steps';
COMMENT ON FUNCTION salesorder.revise(bigint) IS
	'Returns a rejected order to draft for editing and resubmission';
COMMENT ON FUNCTION salesorder.credit_exposure(bigint, bigint) IS
	'Open (unshipped) amount of the customer''s submitted orders; for its rep, the approvers of its orders and admins';
COMMENT ON FUNCTION salesorder.credit_exposure_of(bigint, bigint) IS
	'Internal: the credit exposure computation, without the access check (not granted)';
COMMENT ON FUNCTION salesorder.rule_guard() IS
	'Trigger: an approval rule names an existing approver role';
