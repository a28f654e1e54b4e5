-- salesorder.order_tracking_all as of 1.2
-- Every order ever written, one row each; filter it (order_id, customer,
-- created_at, status: all indexed).
CREATE VIEW salesorder.order_tracking_all AS
	SELECT o.id AS order_id, o.order_no, c.code AS customer_code, c.name AS customer,
		   c.region, o.status, o.stage, o.hold_from,
		   salesorder.order_health(o.status, o.promised_date, o.stage) AS health,
		   (o.status = ANY (salesorder.statuses_in_progress())
			AND o.promised_date IS NOT NULL
			AND o.promised_date >= CURRENT_DATE
			AND o.promised_date <= CURRENT_DATE
				+ (SELECT salesorder.at_risk_days()))
			AS at_risk,
		   o.requested_date, o.promised_date,
		   CASE WHEN o.status NOT IN ('shipped', 'delivered', 'completed', 'cancelled')
					 AND o.promised_date < CURRENT_DATE
				THEN CURRENT_DATE - o.promised_date ELSE 0 END AS days_late,
		   (SELECT COALESCE(pg_catalog.sum(l.qty - l.shipped_qty), 0)
			FROM salesorder.order_line l WHERE l.order_id = o.id
			  AND o.status NOT IN ('cancelled', 'completed', 'rejected'))::numeric(20,3) AS open_qty,
		   o.needs_stock, o.total_amount, o.sales_rep,
		   e.kind AS last_event, e.created_at AS last_event_at,
		   o.status_changed_at, o.created_at
	FROM salesorder.sales_order o
	JOIN salesorder.customer c ON c.id = o.customer_id
	LEFT JOIN LATERAL (SELECT ev.kind, ev.created_at FROM salesorder.order_event ev
					   WHERE ev.order_id = o.id ORDER BY ev.id DESC LIMIT 1) e ON true;
