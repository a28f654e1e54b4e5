-- Review and approval: rules as data, one step per rule that fires, levels
-- opened one after the other, decisions recorded.

-- The kinds of rule, as data: what each weighs (an order's submission or a
-- change request) and what it needs (a threshold, a segment).  What a kind
-- tests is code: src/approval_steps.c for orders, src/change.c for change
-- requests, whose lists of kinds (approval.h) regression test rule_kinds
-- compares with these rows, and fires one rule of every kind.  Built in:
-- CREATE EXTENSION writes the rows (not dumped; not granted but to read).
CREATE TABLE salesorder.approval_rule_kind (
	kind			text PRIMARY KEY,
	subject			text NOT NULL CHECK (subject IN ('order', 'change')),
	needs_threshold	boolean NOT NULL,
	needs_segment	boolean NOT NULL,
	description		text NOT NULL
);
INSERT INTO salesorder.approval_rule_kind
	(kind, subject, needs_threshold, needs_segment, description) VALUES
	('amount_over', 'order', true, false, 'the order total is above threshold'),
	('discount_over', 'order', true, false, 'a line discount is above threshold (%)'),
	('credit_exceeded', 'order', false, false,
	 'the customer''s credit exposure with this order is above its credit limit (plus threshold, if given, as a tolerance)'),
	('special_terms', 'order', false, false, 'the order has special requirements'),
	('backorder', 'order', false, false, 'some quantity of the order is backordered'),
	('segment', 'order', false, true, 'the customer is in segment'),
	('change_amount_over', 'change', true, false,
	 'the change moves the order total by more than threshold'),
	('change_qty', 'change', false, false,
	 'quantities or lines change on an order in production, or (with a threshold) by more than threshold in all'),
	('change_date', 'change', false, false,
	 'dates, ship-to or delivery terms change (with a threshold: a date shift of more than threshold days, or any address change)');

COMMENT ON TABLE salesorder.approval_rule_kind IS
	'The kinds of approval rule: what each weighs and needs (built in)';
COMMENT ON COLUMN salesorder.approval_rule_kind.subject IS
	'order: weighed when an order is submitted; change: when a change request is made';
COMMENT ON COLUMN salesorder.approval_rule_kind.needs_threshold IS
	'A rule of this kind must have a threshold';
COMMENT ON COLUMN salesorder.approval_rule_kind.needs_segment IS
	'A rule of this kind must name a segment (and only such a rule may)';

CREATE TABLE salesorder.approval_rule (
	id				bigserial PRIMARY KEY,
	name			text NOT NULL,
	kind			text NOT NULL REFERENCES salesorder.approval_rule_kind (kind),
	threshold		numeric(14,2),
	segment			text,
	department		text NOT NULL,
	approver_role	text NOT NULL,
	level			integer NOT NULL DEFAULT 1 CHECK (level BETWEEN 1 AND 9),
	active			boolean NOT NULL DEFAULT true,
	created_at		timestamptz NOT NULL DEFAULT pg_catalog.now()
);

COMMENT ON TABLE salesorder.approval_rule IS
	'When an order or a change request needs approval, and by whom: one approval_step per rule that fires';
COMMENT ON COLUMN salesorder.approval_rule.kind IS
	'What the rule tests: one of approval_rule_kind (amount_over, discount_over, credit_exceeded, special_terms, backorder, segment; change_amount_over, change_qty, change_date for change requests)';
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
	FOREIGN KEY (order_id) REFERENCES salesorder.sales_order (id) ON DELETE CASCADE,
	CHECK ((status = 'pending') = (decided_at IS NULL))
);
-- An order's steps by round: the decisions on it, the next round's number.
CREATE INDEX approval_step_order_idx ON salesorder.approval_step (order_id, round);
-- A role's open steps: approval_queue and the approver's row-level security.
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

#include "udfs/rule_kinds/1.2.sql"

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
-- submitted orders.
#include "udfs/order_exposure/1.2.sql"

-- The running sum per customer, kept by every function that moves it, in
-- the same transaction (src/exposure.c), while an active credit rule reads
-- it: a credit check reads one row whatever the customer has open.
-- verify_credit_exposure() compares it with the sum it replaces.
CREATE TABLE salesorder.customer_exposure (
	customer_id	bigint PRIMARY KEY
		REFERENCES salesorder.customer (id) ON DELETE CASCADE,
	open_amount	numeric(14,2) NOT NULL DEFAULT 0
) WITH (fillfactor = 50);
SELECT pg_catalog.pg_extension_config_dump('salesorder.customer_exposure', '');

#include "udfs/exposure_reset/1.2.sql"

#include "udfs/credit_exposure_kept/2.0.sql"

#include "udfs/credit_exposure_of/2.0.sql"

#include "udfs/verify_credit_exposure/2.0.sql"

#include "udfs/rebuild_credit_exposure/1.2.sql"

#include "udfs/credit_exposure/1.2.sql"

#include "udfs/exposure_follow_rules/2.0.sql"

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
COMMENT ON FUNCTION salesorder.order_exposure(salesorder.order_status, salesorder.order_status, numeric, bigint) IS
	'Internal: what one order adds to its customer''s credit exposure, from its row (not granted)';
COMMENT ON TABLE salesorder.customer_exposure IS
	'Each customer''s credit exposure as a running sum, kept by the order functions in the same transaction';
COMMENT ON COLUMN salesorder.customer_exposure.open_amount IS
	'The open (unshipped) amount of the customer''s submitted orders';
COMMENT ON FUNCTION salesorder.verify_credit_exposure() IS
	'Customers whose running credit exposure differs from the sum over their orders; no rows when healthy';
COMMENT ON FUNCTION salesorder.rebuild_credit_exposure() IS
	'Recomputes every customer''s running credit exposure from its orders; returns how many changed';
COMMENT ON FUNCTION salesorder.rule_guard() IS
	'Trigger: an approval rule names an existing kind with what the kind needs, and an existing approver role';
COMMENT ON FUNCTION salesorder.rule_kinds() IS
	'Internal: the rule kinds of the C functions, to check them against approval_rule_kind (not granted)';
