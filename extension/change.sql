-- Change requests: a change to a submitted order is a request with its own
-- approval, applied as one atomic step that bumps the order's revision.

CREATE TABLE salesorder.change_request (
	id					bigserial PRIMARY KEY,
	order_id			bigint NOT NULL,
	customer_id			bigint NOT NULL,
	base_revision		integer NOT NULL,
	changes				jsonb NOT NULL,
	effects				jsonb NOT NULL,
	kinds				text[] NOT NULL,
	status				text NOT NULL DEFAULT 'pending'
		CHECK (status IN ('pending', 'applied', 'rejected', 'stale')),
	reason				text NOT NULL,
	requested_by		text NOT NULL,
	requested_at		timestamptz NOT NULL DEFAULT pg_catalog.now(),
	decided_by			text,
	decided_at			timestamptz,
	decision_comment	text,
	applied_revision	integer,
	FOREIGN KEY (order_id) REFERENCES salesorder.sales_order (id) ON DELETE CASCADE,
	CHECK ((status = 'applied') = (applied_revision IS NOT NULL))
);
CREATE INDEX change_request_order_idx ON salesorder.change_request (order_id, id);

ALTER TABLE salesorder.approval_step
	ADD FOREIGN KEY (change_request_id) REFERENCES salesorder.change_request (id)
	ON DELETE CASCADE;
CREATE INDEX approval_step_change_idx ON salesorder.approval_step (change_request_id)
	WHERE change_request_id IS NOT NULL;

-- The order as it was at each earlier revision, kept when a change applies.
CREATE TABLE salesorder.order_revision (
	order_id			bigint NOT NULL,
	revision			integer NOT NULL,
	customer_id			bigint NOT NULL,
	header				jsonb NOT NULL,
	lines				jsonb NOT NULL,
	superseded_at		timestamptz NOT NULL DEFAULT pg_catalog.now(),
	superseded_by		bigint REFERENCES salesorder.change_request (id),
	PRIMARY KEY (order_id, revision),
	FOREIGN KEY (order_id) REFERENCES salesorder.sales_order (id) ON DELETE CASCADE
);

SELECT pg_catalog.pg_extension_config_dump('salesorder.change_request', '');
SELECT pg_catalog.pg_extension_config_dump('salesorder.change_request_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('salesorder.order_revision', '');

CREATE FUNCTION salesorder.request_change(order_id bigint, changes jsonb, reason text)
RETURNS bigint
AS 'MODULE_PATHNAME', 'so_request_change'
LANGUAGE C VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp;

CREATE FUNCTION salesorder.approve_change(change_id bigint, comment text DEFAULT NULL)
RETURNS text
AS 'MODULE_PATHNAME', 'so_approve_change'
LANGUAGE C VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp;

CREATE FUNCTION salesorder.reject_change(change_id bigint, reason text)
RETURNS text
AS 'MODULE_PATHNAME', 'so_reject_change'
LANGUAGE C VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp;

-- The header and lines of an order as a jsonb document.
CREATE FUNCTION salesorder.order_snapshot(order_id bigint)
RETURNS jsonb
LANGUAGE sql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
	SELECT jsonb_build_object(
		'order_id', o.id, 'order_no', o.order_no, 'revision', o.revision,
		'status', o.status, 'header', jsonb_build_object(
			'warehouse_id', o.warehouse_id, 'ship_to', o.ship_to,
			'requested_date', o.requested_date, 'promised_date', o.promised_date,
			'special_requirements', o.special_requirements, 'notes', o.notes,
			'line_count', o.line_count, 'gross_amount', o.gross_amount,
			'discount_amount', o.discount_amount, 'total_amount', o.total_amount),
		'lines', coalesce((SELECT jsonb_agg(jsonb_build_object(
				'line_no', l.line_no, 'product_id', l.product_id, 'sku', p.sku,
				'qty', l.qty, 'unit_price', l.unit_price,
				'discount_pct', l.discount_pct, 'amount', l.amount,
				'shipped_qty', l.shipped_qty, 'note', l.note) ORDER BY l.line_no)
			FROM salesorder.order_line l JOIN salesorder.product p ON p.id = l.product_id
			WHERE l.order_id = o.id), '[]'))
	FROM salesorder.sales_order o WHERE o.id = order_snapshot.order_id
$$;

-- The order as it was at a revision: the kept snapshot of an earlier one,
-- or the order itself for its current revision; NULL for a revision it
-- never had.
CREATE FUNCTION salesorder.order_at_revision(order_id bigint, revision integer)
RETURNS jsonb
LANGUAGE sql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
	SELECT coalesce(
		(SELECT jsonb_build_object('order_id', r.order_id,
				'order_no', r.header ->> 'order_no', 'revision', r.revision,
				'status', r.header ->> 'status', 'header', r.header -> 'header',
				'lines', r.lines)
		 FROM salesorder.order_revision r
		 WHERE r.order_id = order_at_revision.order_id
		   AND r.revision = order_at_revision.revision),
		(SELECT salesorder.order_snapshot(o.id) FROM salesorder.sales_order o
		 WHERE o.id = order_at_revision.order_id
		   AND o.revision = order_at_revision.revision))
$$;

-- Every change request with its decision and approval steps.
CREATE VIEW salesorder.order_changes AS
	SELECT cr.id AS change_id, cr.order_id, o.order_no, cr.status,
		   cr.base_revision, cr.applied_revision, cr.kinds, cr.changes,
		   cr.effects, cr.reason, cr.requested_by, cr.requested_at,
		   cr.decided_by, cr.decided_at, cr.decision_comment,
		   (SELECT jsonb_agg(jsonb_build_object('level', s.level,
				'department', s.department, 'approver_role', s.approver_role,
				'status', s.status, 'reason', s.reason,
				'decided_by', s.decided_by, 'comment', s.comment) ORDER BY s.level, s.id)
			FROM salesorder.approval_step s WHERE s.change_request_id = cr.id) AS steps
	FROM salesorder.change_request cr
	JOIN salesorder.sales_order o ON o.id = cr.order_id;

#include "views/approval_queue/1.2.sql"

COMMENT ON TABLE salesorder.change_request IS
	'Requested changes to submitted orders, with their computed effects and decision';
COMMENT ON COLUMN salesorder.change_request.effects IS
	'Field-by-field old and new values, the amount delta, the stock delta per SKU, the date shift';
COMMENT ON TABLE salesorder.order_revision IS
	'Each earlier revision of an order, kept when a change request applies';
COMMENT ON FUNCTION salesorder.request_change(bigint, jsonb, text) IS
	'Requests a change to a submitted order; applied at once when no rule fires; returns the request id';
COMMENT ON FUNCTION salesorder.approve_change(bigint, text) IS
	'Approves the open step(s) of a change request routed to the caller; the last one applies it';
COMMENT ON FUNCTION salesorder.reject_change(bigint, text) IS
	'Rejects a change request with a reason';
COMMENT ON FUNCTION salesorder.order_snapshot(bigint) IS 'An order''s header and lines as jsonb';
COMMENT ON FUNCTION salesorder.order_at_revision(bigint, integer) IS
	'An order as it was at a revision';
COMMENT ON VIEW salesorder.order_changes IS 'Change requests with their decisions and steps';

-- Every column of the views, for the remarks BI tools show.
COMMENT ON COLUMN salesorder.approval_queue.step_id IS 'Approval step to decide';
COMMENT ON COLUMN salesorder.approval_queue.order_id IS 'Order';
COMMENT ON COLUMN salesorder.approval_queue.order_no IS 'Order number';
COMMENT ON COLUMN salesorder.approval_queue.change_request_id IS 'Change request the step decides, if any';
COMMENT ON COLUMN salesorder.approval_queue.subject IS 'order or change';
COMMENT ON COLUMN salesorder.approval_queue.order_status IS 'Order status';
COMMENT ON COLUMN salesorder.approval_queue.customer_code IS 'Customer code';
COMMENT ON COLUMN salesorder.approval_queue.customer IS 'Customer name';
COMMENT ON COLUMN salesorder.approval_queue.segment IS 'The customer''s segment';
COMMENT ON COLUMN salesorder.approval_queue.region IS 'The customer''s region';
COMMENT ON COLUMN salesorder.approval_queue.total_amount IS 'Order total after discount';
COMMENT ON COLUMN salesorder.approval_queue.special_requirements IS 'Special requirements of the order';
COMMENT ON COLUMN salesorder.approval_queue.needs_stock IS 'Some quantity is backordered';
COMMENT ON COLUMN salesorder.approval_queue.level IS 'Approval level (1 first)';
COMMENT ON COLUMN salesorder.approval_queue.department IS 'Department that decides';
COMMENT ON COLUMN salesorder.approval_queue.approver_role IS 'Role the step is routed to';
COMMENT ON COLUMN salesorder.approval_queue.reason IS 'Why the step exists (the rule that fired)';
COMMENT ON COLUMN salesorder.approval_queue.figures IS 'The rule''s figures (jsonb: threshold and the values it was checked against)';
COMMENT ON COLUMN salesorder.approval_queue.change_effects IS 'A change request''s effects on amount, quantities and dates (jsonb)';
COMMENT ON COLUMN salesorder.approval_queue.change_reason IS 'A change request''s reason';
COMMENT ON COLUMN salesorder.approval_queue.credit_limit IS 'The customer''s credit limit';
COMMENT ON COLUMN salesorder.approval_queue.on_credit_hold IS 'The customer is on credit hold';
COMMENT ON COLUMN salesorder.approval_queue.credit_exposure IS 'The customer''s open order amount';
COMMENT ON COLUMN salesorder.approval_queue.requested_by IS 'Who submitted the order or requested the change';
COMMENT ON COLUMN salesorder.approval_queue.requested_at IS 'When';
COMMENT ON COLUMN salesorder.approval_queue.waiting_since IS 'When the step was opened';
COMMENT ON COLUMN salesorder.approval_queue.lines IS 'Per line: sku, quantity, discount, reserved, backordered, available now (jsonb)';
COMMENT ON COLUMN salesorder.order_changes.change_id IS 'Change request';
COMMENT ON COLUMN salesorder.order_changes.order_id IS 'Order';
COMMENT ON COLUMN salesorder.order_changes.order_no IS 'Order number';
COMMENT ON COLUMN salesorder.order_changes.status IS 'pending, applied, rejected or stale';
COMMENT ON COLUMN salesorder.order_changes.base_revision IS 'Order revision the request was made against';
COMMENT ON COLUMN salesorder.order_changes.applied_revision IS 'Revision it produced, once applied';
COMMENT ON COLUMN salesorder.order_changes.kinds IS 'What it changes: amount, qty, lines, date, ship_to, terms';
COMMENT ON COLUMN salesorder.order_changes.changes IS 'The change as requested (jsonb)';
COMMENT ON COLUMN salesorder.order_changes.effects IS 'Its effects on amount, stock and dates (jsonb)';
COMMENT ON COLUMN salesorder.order_changes.reason IS 'Why it was requested';
COMMENT ON COLUMN salesorder.order_changes.requested_by IS 'Who requested it';
COMMENT ON COLUMN salesorder.order_changes.requested_at IS 'When';
COMMENT ON COLUMN salesorder.order_changes.decided_by IS 'Who decided it last';
COMMENT ON COLUMN salesorder.order_changes.decided_at IS 'When';
COMMENT ON COLUMN salesorder.order_changes.decision_comment IS 'The decision''s comment';
COMMENT ON COLUMN salesorder.order_changes.steps IS 'Its approval steps (jsonb)';
