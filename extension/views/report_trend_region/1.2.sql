-- salesorder.report_trend_region as of 1.2
-- Trend and forecast per region, from the complete months of the report:
-- the month under way would pull the trend down by however much of it is
-- still to come.
CREATE VIEW salesorder.report_trend_region AS
	SELECT m.region, (salesorder.sales_trend(m.month::timestamptz, m.amount, 'month')).*
	FROM (SELECT region, month, pg_catalog.sum(amount) AS amount
		  FROM salesorder.report_sales
		  WHERE month < (SELECT salesorder.report_current_month())
		  GROUP BY region, month) m
	GROUP BY m.region;
