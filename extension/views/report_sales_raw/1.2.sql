-- salesorder.report_sales_raw as of 1.2
-- The report as a GROUP BY over the raw tables: the definition the rollup
-- must always equal.
CREATE VIEW salesorder.report_sales_raw AS
	SELECT (pg_catalog.date_trunc('month', o.created_at AT TIME ZONE
			coalesce(pg_catalog.current_setting('salesorder.report_timezone', true), 'UTC')))::date
			AS month,
		   c.region, c.segment, p.category,
		   pg_catalog.count(DISTINCT o.id) AS orders,
		   pg_catalog.count(*) AS lines,
		   pg_catalog.sum(l.qty)::numeric(20,3) AS quantity,
		   pg_catalog.sum(l.amount)::numeric(20,2) AS amount
	FROM salesorder.sales_order o
	JOIN salesorder.customer c ON c.id = o.customer_id
	JOIN salesorder.order_line l ON l.order_id = o.id
	JOIN salesorder.product p ON p.id = l.product_id
	WHERE o.status = ANY (salesorder.statuses_in_report())
	GROUP BY 1, 2, 3, 4;
