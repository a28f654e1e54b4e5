-- salesorder.report_sales as of 1.2
CREATE VIEW salesorder.report_sales AS
	SELECT month, region, segment, category, orders, lines,
		   quantity::numeric(20,3) AS quantity, amount::numeric(20,2) AS amount
	FROM salesorder.report_sales_rows();
