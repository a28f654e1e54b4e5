-- salesorder.report_pipeline as of 1.2
CREATE VIEW salesorder.report_pipeline AS
	SELECT x.status, x.health,
		   pg_catalog.sum(x.orders)::bigint AS orders,
		   pg_catalog.sum(x.amount)::numeric(20,2) AS amount,
		   pg_catalog.min(x.oldest) AS oldest,
		   pg_catalog.max(x.newest) AS newest
	FROM (
		SELECT o.status,
			   salesorder.order_health(o.status, o.promised_date, o.stage) AS health,
			   1::bigint AS orders, o.total_amount::numeric AS amount,
			   o.created_at AS oldest, o.created_at AS newest
		FROM salesorder.sales_order o
		WHERE o.status = ANY (salesorder.statuses_not_closed())
		UNION ALL
		SELECT o.status,
			   salesorder.order_health(o.status, o.promised_date, o.stage),
			   1, o.total_amount, o.created_at, o.created_at
		FROM salesorder.sales_order o
		WHERE o.status = ANY (salesorder.statuses_closed())
		  AND o.status_changed_at >= salesorder.pipeline_folded_to()
		UNION ALL
		SELECT p.status, p.health, p.orders, p.amount, p.oldest, p.newest
		FROM salesorder.pipeline_closed p
	) x
	GROUP BY x.status, x.health;
