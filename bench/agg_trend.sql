-- sales_trend over every row of bench_lines, monthly buckets
SELECT salesorder.sales_trend(ts, amount, 'month') FROM bench_lines;
