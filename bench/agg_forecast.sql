-- a six-month forecast with a 12-month season over the same rows
SELECT salesorder.sales_forecast(ts, amount, 'month', 6, 12) FROM bench_lines;
