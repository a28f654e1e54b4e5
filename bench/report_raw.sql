-- the same report as a GROUP BY over the raw order lines
SELECT month, region, segment, sum(orders), sum(amount)
FROM salesorder.report_sales_raw
GROUP BY 1, 2, 3;
