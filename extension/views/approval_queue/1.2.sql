-- salesorder.approval_queue as of 1.2
-- The reviewer's queue: every open step (pending, at the lowest pending
-- level of its round) that the current user may decide, with what a
-- reviewer needs to see -- for order submissions and for change requests.
CREATE VIEW salesorder.approval_queue WITH (security_barrier) AS
	SELECT s.id AS step_id, s.order_id, o.order_no, s.change_request_id,
		   CASE WHEN s.change_request_id IS NULL THEN 'order' ELSE 'change' END AS subject,
		   o.status AS order_status,
		   c.code AS customer_code, c.name AS customer, c.segment, c.region,
		   o.total_amount, o.special_requirements, o.needs_stock,
		   s.level, s.department, s.approver_role, s.reason, s.figures,
		   cr.effects AS change_effects, cr.reason AS change_reason,
		   c.credit_limit, c.on_credit_hold,
		   salesorder.credit_exposure(o.customer_id)::numeric(14,2) AS credit_exposure,
		   coalesce(cr.requested_by, o.created_by) AS requested_by,
		   coalesce(cr.requested_at, o.submitted_at) AS requested_at,
		   s.created_at AS waiting_since,
		   (SELECT pg_catalog.jsonb_agg(pg_catalog.jsonb_build_object(
				'line_no', l.line_no, 'sku', p.sku, 'qty', l.qty,
				'discount_pct', l.discount_pct, 'reserved', l.reserved_qty,
				'backorder', l.backorder_qty,
				'available_now', coalesce(st.on_hand - st.reserved, 0))
				ORDER BY l.line_no)
			FROM salesorder.order_line l
			JOIN salesorder.product p ON p.id = l.product_id
			LEFT JOIN salesorder.stock st
				ON st.warehouse_id = o.warehouse_id AND st.product_id = l.product_id
			WHERE l.order_id = o.id) AS lines
	FROM salesorder.approval_step s
	JOIN salesorder.sales_order o ON o.id = s.order_id
	JOIN salesorder.customer c ON c.id = o.customer_id
	LEFT JOIN salesorder.change_request cr ON cr.id = s.change_request_id
	WHERE s.status = 'pending'
	  AND (s.change_request_id IS NULL AND o.status = 'pending_approval'
		   OR cr.status = 'pending')
	  AND s.level = (SELECT pg_catalog.min(s2.level) FROM salesorder.approval_step s2
					 WHERE s2.order_id = s.order_id AND s2.round = s.round
					   AND s2.change_request_id IS NOT DISTINCT FROM s.change_request_id
					   AND s2.status = 'pending')
	  AND EXISTS (SELECT 1 FROM pg_catalog.pg_roles r
				  WHERE r.rolname = s.approver_role
					AND pg_catalog.pg_has_role(r.oid, 'MEMBER'));

COMMENT ON VIEW salesorder.approval_queue IS
	'Open approval steps (of orders and change requests) the current user may decide, with credit position and stock availability';
