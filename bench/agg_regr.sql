-- the built-in least-squares slope over the same rows: the reference
SELECT regr_slope(amount::float8, extract(epoch FROM ts)) FROM bench_lines;
