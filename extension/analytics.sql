-- Trend and forecast aggregates (C, parallel-safe, O(buckets) state).

CREATE TYPE salesorder.trend AS (
	buckets			integer,
	first_bucket	date,
	last_bucket		date,
	slope			double precision,
	intercept		double precision,
	r2				double precision,
	growth_pct		double precision,
	total			double precision,
	mean			double precision,
	rows			bigint
);
COMMENT ON TYPE salesorder.trend IS
	'Least-squares trend over bucket sums: slope per bucket, intercept at the first bucket, r2, growth_pct = slope / mean * 100';

CREATE TYPE salesorder.forecast_point AS (
	step		integer,
	bucket		date,
	forecast	double precision,
	lower		double precision,
	upper		double precision,
	alpha		double precision,
	beta		double precision,
	gamma		double precision
);
COMMENT ON TYPE salesorder.forecast_point IS
	'One forecast bucket: the point forecast and its 95 % prediction interval, with the fitted smoothing parameters';

CREATE FUNCTION salesorder.bucket_start(ts timestamptz, bucket text)
RETURNS date
AS 'MODULE_PATHNAME', 'so_bucket_start'
LANGUAGE C STABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION salesorder.bucket_start(timestamptz, text) IS
	'First day of the day/week/month/quarter/year bucket of a moment, in the session time zone';

-- Support functions.  They take and return internal: not callable from SQL.
CREATE FUNCTION salesorder.trend_accum(internal, timestamptz, numeric, text)
RETURNS internal AS 'MODULE_PATHNAME', 'so_trend_accum'
LANGUAGE C STABLE PARALLEL SAFE;
CREATE FUNCTION salesorder.trend_accum(internal, timestamptz, numeric)
RETURNS internal AS 'MODULE_PATHNAME', 'so_trend_accum_month'
LANGUAGE C STABLE PARALLEL SAFE;
CREATE FUNCTION salesorder.forecast_accum(internal, timestamptz, numeric, text, integer, integer)
RETURNS internal AS 'MODULE_PATHNAME', 'so_forecast_accum'
LANGUAGE C STABLE PARALLEL SAFE;
CREATE FUNCTION salesorder.forecast_accum(internal, timestamptz, numeric, text, integer)
RETURNS internal AS 'MODULE_PATHNAME', 'so_forecast_accum_noseason'
LANGUAGE C STABLE PARALLEL SAFE;
CREATE FUNCTION salesorder.bucket_combine(internal, internal)
RETURNS internal AS 'MODULE_PATHNAME', 'so_bucket_combine'
LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION salesorder.bucket_serialize(internal)
RETURNS bytea AS 'MODULE_PATHNAME', 'so_bucket_serialize'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION salesorder.bucket_deserialize(bytea, internal)
RETURNS internal AS 'MODULE_PATHNAME', 'so_bucket_deserialize'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION salesorder.trend_final(internal)
RETURNS salesorder.trend AS 'MODULE_PATHNAME', 'so_trend_final'
LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION salesorder.forecast_final(internal)
RETURNS salesorder.forecast_point[] AS 'MODULE_PATHNAME', 'so_forecast_final'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE AGGREGATE salesorder.sales_trend(ts timestamptz, amount numeric, bucket text) (
	SFUNC = salesorder.trend_accum,
	STYPE = internal,
	FINALFUNC = salesorder.trend_final,
	COMBINEFUNC = salesorder.bucket_combine,
	SERIALFUNC = salesorder.bucket_serialize,
	DESERIALFUNC = salesorder.bucket_deserialize,
	PARALLEL = SAFE
);
CREATE AGGREGATE salesorder.sales_trend(ts timestamptz, amount numeric) (
	SFUNC = salesorder.trend_accum,
	STYPE = internal,
	FINALFUNC = salesorder.trend_final,
	COMBINEFUNC = salesorder.bucket_combine,
	SERIALFUNC = salesorder.bucket_serialize,
	DESERIALFUNC = salesorder.bucket_deserialize,
	PARALLEL = SAFE
);
CREATE AGGREGATE salesorder.sales_forecast(ts timestamptz, amount numeric, bucket text,
		horizon integer, season integer) (
	SFUNC = salesorder.forecast_accum,
	STYPE = internal,
	FINALFUNC = salesorder.forecast_final,
	COMBINEFUNC = salesorder.bucket_combine,
	SERIALFUNC = salesorder.bucket_serialize,
	DESERIALFUNC = salesorder.bucket_deserialize,
	PARALLEL = SAFE
);
CREATE AGGREGATE salesorder.sales_forecast(ts timestamptz, amount numeric, bucket text,
		horizon integer) (
	SFUNC = salesorder.forecast_accum,
	STYPE = internal,
	FINALFUNC = salesorder.forecast_final,
	COMBINEFUNC = salesorder.bucket_combine,
	SERIALFUNC = salesorder.bucket_serialize,
	DESERIALFUNC = salesorder.bucket_deserialize,
	PARALLEL = SAFE
);

COMMENT ON AGGREGATE salesorder.sales_trend(timestamptz, numeric, text) IS
	'Sums amounts per bucket (day, week, month, quarter, year; session time zone) and fits a least-squares trend';
COMMENT ON AGGREGATE salesorder.sales_trend(timestamptz, numeric) IS
	'sales_trend by month';
COMMENT ON AGGREGATE salesorder.sales_forecast(timestamptz, numeric, text, integer, integer) IS
	'Forecast of the next horizon buckets: Holt (season 0) or additive Holt-Winters with the given period';
COMMENT ON AGGREGATE salesorder.sales_forecast(timestamptz, numeric, text, integer) IS
	'Forecast of the next horizon buckets by Holt''s linear method';
