-- the monthly region x segment report from the rollup-backed view
SELECT month, region, segment, sum(orders), sum(amount)
FROM salesorder.report_sales
GROUP BY 1, 2, 3;
