-- salesorder.report_delayed as of 1.2
-- Orders late or at risk.  Management reports see every order, so these
-- read the tables themselves rather than the row-level-secured views.
CREATE VIEW salesorder.report_delayed AS
	SELECT o.id AS order_id, o.order_no, c.code AS customer_code, c.name AS customer,
		   c.region, o.status, o.stage,
		   salesorder.order_health(o.status, o.promised_date, o.stage) AS health,
		   o.promised_date,
		   CASE WHEN o.promised_date < CURRENT_DATE THEN CURRENT_DATE - o.promised_date
				ELSE 0 END AS days_late,
		   (o.promised_date >= CURRENT_DATE
			AND o.promised_date <= CURRENT_DATE
				+ (SELECT salesorder.at_risk_days()))
			AS at_risk,
		   (SELECT COALESCE(pg_catalog.sum(l.qty - l.shipped_qty), 0)
			FROM salesorder.order_line l WHERE l.order_id = o.id)::numeric(20,3) AS open_qty,
		   o.total_amount, o.sales_rep
	FROM salesorder.sales_order o
	JOIN salesorder.customer c ON c.id = o.customer_id
	WHERE o.status = ANY (salesorder.statuses_in_flight())
	  AND o.promised_date <= CURRENT_DATE
			+ (SELECT salesorder.at_risk_days());
