-- salesorder.report_approvals as of 1.2
-- Every open approval step, whoever it is routed to.
CREATE VIEW salesorder.report_approvals AS
	SELECT s.id AS step_id, s.order_id, o.order_no, s.change_request_id,
		   c.code AS customer_code, c.name AS customer, o.total_amount,
		   s.level, s.department, s.approver_role, s.reason, s.created_at AS waiting_since,
		   pg_catalog.now() - s.created_at AS waiting_for,
		   pg_catalog.round((EXTRACT(epoch FROM pg_catalog.now() - s.created_at) / 3600)::numeric, 2)::numeric(12,2)
			AS waiting_hours
	FROM salesorder.approval_step s
	JOIN salesorder.sales_order o ON o.id = s.order_id
	JOIN salesorder.customer c ON c.id = o.customer_id
	WHERE s.status = 'pending';
