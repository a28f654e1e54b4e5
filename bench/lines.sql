-- bench/lines.sql -- the data of the aggregate benchmark: bench_lines with
-- :agg_rows rows (psql variable, default 10 million) of (ts, amount) over
-- two years in time order, amounts growing by half over the period plus
-- hash noise, so the trend has something to find.
--
-- UNLOGGED: the benchmark reads it, and 10 million rows of WAL would only
-- cost load time.  VACUUM sets the hint bits and the visibility map now, so
-- that no timed query pays for them.  (bench/run.sh loads it into
-- shared_buffers with pg_prewarm right before the timed runs.)

\if :{?agg_rows}
\else
\set agg_rows 10000000
\endif

DROP TABLE IF EXISTS bench_lines;
CREATE UNLOGGED TABLE bench_lines (ts timestamptz NOT NULL, amount numeric(14,2) NOT NULL);

INSERT INTO bench_lines
SELECT timestamptz '2024-01-01 00:00 UTC' + interval '730 days' * (g::float8 / :agg_rows),
	   round((20 + 10.0 * g / :agg_rows + (hashint8(g) & 1023) / 25.6)::numeric, 2)
FROM generate_series(0, :agg_rows - 1) g;

VACUUM (ANALYZE) bench_lines;
