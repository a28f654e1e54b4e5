-- salesorder.report_forecast_region as of 1.2
CREATE VIEW salesorder.report_forecast_region AS
	WITH monthly AS (
		SELECT region, month, pg_catalog.sum(amount) AS amount
		FROM salesorder.report_sales
		WHERE month < (SELECT salesorder.report_current_month())
		GROUP BY region, month),
	spans AS (
		SELECT region,
			   (EXTRACT(year FROM pg_catalog.age(pg_catalog.max(month), pg_catalog.min(month))) * 12
				+ EXTRACT(month FROM pg_catalog.age(pg_catalog.max(month), pg_catalog.min(month))))::integer + 1
				AS months
		FROM monthly GROUP BY region)
	SELECT s.region, f.step, f.bucket AS month, f.forecast, f.lower, f.upper,
		   CASE WHEN s.months >= 24 THEN 12 ELSE 0 END AS season
	FROM spans s
	CROSS JOIN LATERAL (
		SELECT salesorder.sales_forecast(m.month::timestamptz, m.amount, 'month', 6,
			   CASE WHEN s.months >= 24 THEN 12 ELSE 0 END) AS points
		FROM monthly m WHERE m.region = s.region) x
	CROSS JOIN LATERAL pg_catalog.unnest(x.points) f
	WHERE s.months >= 3;
