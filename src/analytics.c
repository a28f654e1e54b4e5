/*-------------------------------------------------------------------------
 *
 * analytics.c
 *	  The aggregates sales_trend() and sales_forecast().
 *
 * Both sum amounts per time bucket (day, week, month, quarter, year in the
 * session time zone) in one pass over raw rows.  The state is one sum per
 * bucket between the first and the last bucket seen -- O(buckets), never
 * O(rows) -- and parallel workers (or Citus workers) combine partial
 * states through serialize/deserialize.  Empty buckets between the first
 * and the last count as zero sales.
 *
 * sales_trend fits y = intercept + slope * x by least squares over the
 * bucket sums, x = 0 for the first bucket.  It centres x and y before
 * forming the sums of squares and products, so no large-number
 * cancellation can occur.
 *
 * sales_forecast fits Holt's linear method (season = 0) or additive
 * Holt-Winters (season = period m > 0) to the bucket sums; see
 * forecast_fit().
 *
 *-------------------------------------------------------------------------
 */
#include "sqlstate.h"

#include <math.h>
#include <float.h>

#include "catalog/namespace.h"
#include "catalog/pg_type.h"
#include "fmgr.h"
#include "funcapi.h"
#include "libpq/pqformat.h"
#include "miscadmin.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/datetime.h"
#include "utils/fmgrprotos.h"
#include "utils/lsyscache.h"
#include "utils/numeric.h"
#include "utils/syscache.h"
#include "utils/timestamp.h"
#include "utils/typcache.h"

PG_FUNCTION_INFO_V1(so_trend_accum);
PG_FUNCTION_INFO_V1(so_trend_accum_month);
PG_FUNCTION_INFO_V1(so_forecast_accum);
PG_FUNCTION_INFO_V1(so_forecast_accum_noseason);
PG_FUNCTION_INFO_V1(so_bucket_combine);
PG_FUNCTION_INFO_V1(so_bucket_serialize);
PG_FUNCTION_INFO_V1(so_bucket_deserialize);
PG_FUNCTION_INFO_V1(so_trend_final);
PG_FUNCTION_INFO_V1(so_forecast_final);
PG_FUNCTION_INFO_V1(so_bucket_start);

/* More buckets than this (2,700 years of days) is a mistake, not data. */
#define MAX_BUCKETS 1000000
#define MAX_HORIZON 1000

typedef enum SoBucketKind
{
	BUCKET_DAY,
	BUCKET_WEEK,
	BUCKET_MONTH,
	BUCKET_QUARTER,
	BUCKET_YEAR
} SoBucketKind;

static const char *const bucket_names[] = {"day", "week", "month", "quarter", "year"};

/*
 * Sums per bucket for buckets lo .. hi (bucket numbers, see bucket_of),
 * stored from index lo - base.  Neumaier-compensated sums keep millions of
 * cents exact to the last digit that a double can hold.
 */
typedef struct SoBucketState
{
	int32		kind;
	int32		horizon;		/* forecast only */
	int32		season;			/* forecast only */
	int64		nrows;
	int32		base;			/* bucket number of sum[0] */
	int32		cap;
	int32		lo;				/* valid when nrows > 0 */
	int32		hi;
	double	   *sum;
	double	   *comp;
} SoBucketState;

/* ---- buckets ---- */

static SoBucketKind
parse_bucket(text *t)
{
	char	   *s = text_to_cstring(t);
	int			i;

	for (i = 0; i < lengthof(bucket_names); i++)
		if (pg_strcasecmp(s, bucket_names[i]) == 0)
			return (SoBucketKind) i;
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("unknown bucket \"%s\"", s),
			 errhint("Use day, week, month, quarter or year.")));
	return BUCKET_MONTH;		/* keep compiler quiet */
}

/* Days since 2000-01-03, a Monday, so that weeks start on Monday (ISO). */
#define MONDAY_OFFSET 2

/* The bucket number of a moment, in the session time zone. */
static int32
bucket_of(TimestampTz ts, SoBucketKind kind)
{
	struct pg_tm tm;
	fsec_t		fsec;
	int			tz;
	int			days;

	if (TIMESTAMP_NOT_FINITE(ts) ||
		timestamp2tm(ts, &tz, &tm, &fsec, NULL, NULL) != 0)
		ereport(ERROR,
				(errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE),
				 errmsg("timestamp out of range for a sales bucket")));
	switch (kind)
	{
		case BUCKET_DAY:
			return date2j(tm.tm_year, tm.tm_mon, tm.tm_mday) - POSTGRES_EPOCH_JDATE;
		case BUCKET_WEEK:
			days = date2j(tm.tm_year, tm.tm_mon, tm.tm_mday) - POSTGRES_EPOCH_JDATE - MONDAY_OFFSET;
			return days >= 0 ? days / 7 : -((-days + 6) / 7);
		case BUCKET_MONTH:
			return tm.tm_year * 12 + tm.tm_mon - 1;
		case BUCKET_QUARTER:
			return tm.tm_year * 4 + (tm.tm_mon - 1) / 3;
		case BUCKET_YEAR:
			return tm.tm_year;
	}
	return 0;					/* keep compiler quiet */
}

/* The first day of a bucket. */
static DateADT
bucket_start(int32 b, SoBucketKind kind)
{
	int			y;

	switch (kind)
	{
		case BUCKET_DAY:
			return b;
		case BUCKET_WEEK:
			return b * 7 + MONDAY_OFFSET;
		case BUCKET_MONTH:
			y = b >= 0 ? b / 12 : -((-b + 11) / 12);
			return date2j(y, b - y * 12 + 1, 1) - POSTGRES_EPOCH_JDATE;
		case BUCKET_QUARTER:
			y = b >= 0 ? b / 4 : -((-b + 3) / 4);
			return date2j(y, (b - y * 4) * 3 + 1, 1) - POSTGRES_EPOCH_JDATE;
		case BUCKET_YEAR:
			return date2j(b, 1, 1) - POSTGRES_EPOCH_JDATE;
	}
	return 0;					/* keep compiler quiet */
}

/*
 * salesorder.bucket_start(ts timestamptz, bucket text) -> date: the first
 * day of the bucket a moment falls in, the same bucketing as the
 * aggregates (for reports and tests).
 */
Datum
so_bucket_start(PG_FUNCTION_ARGS)
{
	SoBucketKind kind = parse_bucket(PG_GETARG_TEXT_PP(1));

	PG_RETURN_DATEADT(bucket_start(bucket_of(PG_GETARG_TIMESTAMPTZ(0), kind), kind));
}

/* ---- amounts ---- */

/*
 * A numeric as a double, without the text round trip of numeric_float8.
 * Reads the packed on-disk format (short form, base-10000 digits) of the
 * values that sales amounts are; anything else takes the slow path.
 */
#define NBASE_F 10000.0
#define NUMERIC_SIGN_MASK	0xC000
#define NUMERIC_NEG			0x4000
#define NUMERIC_SHORT		0x8000
#define NUMERIC_SPECIAL		0xC000
#define NUMERIC_SHORT_SIGN_MASK 0x2000
#define NUMERIC_SHORT_WEIGHT_SIGN_MASK 0x0040
#define NUMERIC_SHORT_WEIGHT_MASK 0x003F

static const double pow10000[] = {1.0, 1e4, 1e8, 1e12, 1e16, 1e20, 1e24, 1e28};

static double
amount_value(Datum d)
{
	struct varlena *v = (struct varlena *) DatumGetPointer(d);
	const char *data;
	int			len;
	uint16		header;
	int			weight;
	bool		neg;
	int			ndigits;
	int			i;
	double		acc = 0;
	int			exp10000;

	if (VARATT_IS_1B(v) && !VARATT_IS_1B_E(v))
	{
		data = VARDATA_1B(v);
		len = VARSIZE_1B(v) - VARHDRSZ_SHORT;
	}
	else if (VARATT_IS_4B_U(v))
	{
		data = VARDATA_4B(v);
		len = VARSIZE_4B(v) - VARHDRSZ;
	}
	else
		return DatumGetFloat8(DirectFunctionCall1(numeric_float8, d));

	memcpy(&header, data, sizeof(uint16));
	if ((header & NUMERIC_SIGN_MASK) != NUMERIC_SHORT)
	{
		if ((header & NUMERIC_SIGN_MASK) == NUMERIC_SPECIAL)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("a sales amount must be a finite number")));
		return DatumGetFloat8(DirectFunctionCall1(numeric_float8, d));
	}
	neg = (header & NUMERIC_SHORT_SIGN_MASK) != 0;
	weight = (header & NUMERIC_SHORT_WEIGHT_MASK) |
		((header & NUMERIC_SHORT_WEIGHT_SIGN_MASK) ? ~NUMERIC_SHORT_WEIGHT_MASK : 0);
	ndigits = (len - (int) sizeof(uint16)) / (int) sizeof(int16);
	if (ndigits > 4)			/* beyond 16 digits: not exact anyway */
		return DatumGetFloat8(DirectFunctionCall1(numeric_float8, d));
	for (i = 0; i < ndigits; i++)
	{
		int16		digit;

		memcpy(&digit, data + sizeof(uint16) + i * sizeof(int16), sizeof(int16));
		acc = acc * NBASE_F + digit;
	}
	/* acc is an exact integer; scale it by 10000^(weight - ndigits + 1). */
	exp10000 = weight - ndigits + 1;
	if (exp10000 < 0 && -exp10000 < (int) lengthof(pow10000))
		acc /= pow10000[-exp10000];
	else if (exp10000 > 0 && exp10000 < (int) lengthof(pow10000))
		acc *= pow10000[exp10000];
	else if (exp10000 != 0)
		acc *= pow(NBASE_F, exp10000);
	return neg ? -acc : acc;
}

/* ---- the state ---- */

static SoBucketState *
state_new(MemoryContext ctx, SoBucketKind kind)
{
	SoBucketState *s = MemoryContextAllocZero(ctx, sizeof(SoBucketState));

	s->kind = kind;
	return s;
}

/*
 * Make room for buckets lo_need .. hi_need (and those already held).  The
 * new array is twice the span, centred on it, so runs of new buckets on
 * either side rarely reallocate.
 */
static void
state_cover(SoBucketState *s, int32 lo_need, int32 hi_need, MemoryContext ctx)
{
	int32		lo = lo_need,
				hi = hi_need,
				newcap,
				newbase;
	double	   *sum,
			   *comp;

	if (s->cap > 0 && lo >= s->base && hi < s->base + s->cap)
		return;
	if (s->nrows > 0)
	{
		lo = Min(lo, s->lo);
		hi = Max(hi, s->hi);
	}
	if ((int64) hi - lo + 1 > MAX_BUCKETS)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("sales span more than %d %s buckets", MAX_BUCKETS,
						bucket_names[s->kind]),
				 errhint("Use a longer bucket, or filter out stray dates.")));
	newcap = Max(16, (hi - lo + 1) * 2);
	newbase = lo - (newcap - (hi - lo + 1)) / 2;
	sum = MemoryContextAllocZero(ctx, sizeof(double) * newcap);
	comp = MemoryContextAllocZero(ctx, sizeof(double) * newcap);
	if (s->nrows > 0)
	{
		memcpy(sum + (s->lo - newbase), s->sum + (s->lo - s->base),
			   sizeof(double) * (s->hi - s->lo + 1));
		memcpy(comp + (s->lo - newbase), s->comp + (s->lo - s->base),
			   sizeof(double) * (s->hi - s->lo + 1));
	}
	if (s->cap > 0)
	{
		pfree(s->sum);
		pfree(s->comp);
	}
	s->sum = sum;
	s->comp = comp;
	s->cap = newcap;
	s->base = newbase;
}

/* Neumaier's compensated addition into bucket b. */
static inline void
state_add(SoBucketState *s, int32 b, double x, double c)
{
	double	   *sum = &s->sum[b - s->base];
	double		t = *sum + x;

	if (fabs(*sum) >= fabs(x))
		s->comp[b - s->base] += (*sum - t) + x;
	else
		s->comp[b - s->base] += (x - t) + *sum;
	*sum = t;
	s->comp[b - s->base] += c;
}

static void
state_add_row(SoBucketState *s, TimestampTz ts, double amount, MemoryContext ctx)
{
	int32		b = bucket_of(ts, (SoBucketKind) s->kind);

	state_cover(s, b, b, ctx);
	state_add(s, b, amount, 0);
	if (s->nrows == 0 || b < s->lo)
		s->lo = b;
	if (s->nrows == 0 || b > s->hi)
		s->hi = b;
	s->nrows++;
}

static MemoryContext
agg_context(FunctionCallInfo fcinfo, const char *name)
{
	MemoryContext ctx;

	if (!AggCheckCallContext(fcinfo, &ctx))
		elog(ERROR, "%s called in non-aggregate context", name);
	return ctx;
}

/* The common transition: bucket kind from a text argument (or month). */
static Datum
accum(FunctionCallInfo fcinfo, int bucket_arg, int horizon_arg, int season_arg)
{
	MemoryContext ctx = agg_context(fcinfo, "sales aggregate");
	SoBucketState *s = PG_ARGISNULL(0) ? NULL : (SoBucketState *) PG_GETARG_POINTER(0);

	if (s == NULL)
	{
		SoBucketKind kind = BUCKET_MONTH;

		if (bucket_arg > 0)
		{
			if (PG_ARGISNULL(bucket_arg))
				ereport(ERROR,
						(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
						 errmsg("bucket must not be NULL")));
			kind = parse_bucket(PG_GETARG_TEXT_PP(bucket_arg));
		}
		s = state_new(ctx, kind);
		if (horizon_arg > 0)
		{
			if (PG_ARGISNULL(horizon_arg))
				ereport(ERROR,
						(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
						 errmsg("horizon must not be NULL")));
			s->horizon = PG_GETARG_INT32(horizon_arg);
			if (s->horizon < 1 || s->horizon > MAX_HORIZON)
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("horizon must be between 1 and %d, not %d",
								MAX_HORIZON, s->horizon)));
		}
		if (season_arg > 0 && !PG_ARGISNULL(season_arg))
		{
			s->season = PG_GETARG_INT32(season_arg);
			if (s->season < 0 || s->season > 366)
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("season must be between 0 (none) and 366 buckets, not %d",
								s->season)));
			if (s->season == 1)
				s->season = 0;	/* a period of one bucket is no season */
		}
	}

	if (!PG_ARGISNULL(1) && !PG_ARGISNULL(2))
		state_add_row(s, PG_GETARG_TIMESTAMPTZ(1), amount_value(PG_GETARG_DATUM(2)), ctx);
	PG_RETURN_POINTER(s);
}

/* sales_trend(ts, amount, bucket) */
Datum
so_trend_accum(PG_FUNCTION_ARGS)
{
	return accum(fcinfo, 3, 0, 0);
}

/* sales_trend(ts, amount): by month */
Datum
so_trend_accum_month(PG_FUNCTION_ARGS)
{
	return accum(fcinfo, 0, 0, 0);
}

/* sales_forecast(ts, amount, bucket, horizon, season) */
Datum
so_forecast_accum(PG_FUNCTION_ARGS)
{
	return accum(fcinfo, 3, 4, 5);
}

/* sales_forecast(ts, amount, bucket, horizon) */
Datum
so_forecast_accum_noseason(PG_FUNCTION_ARGS)
{
	return accum(fcinfo, 3, 4, 0);
}

/* Partial states of parallel workers: add b's buckets into a. */
Datum
so_bucket_combine(PG_FUNCTION_ARGS)
{
	MemoryContext ctx = agg_context(fcinfo, "so_bucket_combine");
	SoBucketState *a = PG_ARGISNULL(0) ? NULL : (SoBucketState *) PG_GETARG_POINTER(0);
	SoBucketState *b = PG_ARGISNULL(1) ? NULL : (SoBucketState *) PG_GETARG_POINTER(1);
	int32		i;

	if (b == NULL || b->nrows == 0)
		PG_RETURN_POINTER(a);
	if (a == NULL)
	{
		MemoryContext old = MemoryContextSwitchTo(ctx);

		a = state_new(ctx, (SoBucketKind) b->kind);
		a->horizon = b->horizon;
		a->season = b->season;
		MemoryContextSwitchTo(old);
	}
	if (a->kind != b->kind)
		elog(ERROR, "cannot combine sales states of different buckets");
	state_cover(a, b->lo, b->hi, ctx);
	for (i = b->lo; i <= b->hi; i++)
		state_add(a, i, b->sum[i - b->base], b->comp[i - b->base]);
	if (a->nrows == 0 || b->lo < a->lo)
		a->lo = b->lo;
	if (a->nrows == 0 || b->hi > a->hi)
		a->hi = b->hi;
	a->nrows += b->nrows;
	PG_RETURN_POINTER(a);
}

/* internal -> bytea: kind, horizon, season, rows, lo, hi, then the sums. */
Datum
so_bucket_serialize(PG_FUNCTION_ARGS)
{
	SoBucketState *s = (SoBucketState *) PG_GETARG_POINTER(0);
	StringInfoData buf;
	int32		i;

	agg_context(fcinfo, "so_bucket_serialize");
	pq_begintypsend(&buf);
	pq_sendint32(&buf, s->kind);
	pq_sendint32(&buf, s->horizon);
	pq_sendint32(&buf, s->season);
	pq_sendint64(&buf, s->nrows);
	pq_sendint32(&buf, s->lo);
	pq_sendint32(&buf, s->hi);
	if (s->nrows > 0)
		for (i = s->lo; i <= s->hi; i++)
		{
			pq_sendfloat8(&buf, s->sum[i - s->base]);
			pq_sendfloat8(&buf, s->comp[i - s->base]);
		}
	PG_RETURN_BYTEA_P(pq_endtypsend(&buf));
}

Datum
so_bucket_deserialize(PG_FUNCTION_ARGS)
{
	MemoryContext ctx = agg_context(fcinfo, "so_bucket_deserialize");
	bytea	   *bytes = PG_GETARG_BYTEA_PP(0);
	StringInfoData buf;
	SoBucketState *s;
	int32		kind,
				i;

	initStringInfo(&buf);
	appendBinaryStringInfo(&buf, VARDATA_ANY(bytes), VARSIZE_ANY_EXHDR(bytes));
	kind = pq_getmsgint(&buf, 4);
	if (kind < 0 || kind >= (int32) lengthof(bucket_names))
		elog(ERROR, "invalid sales state");
	s = state_new(ctx, (SoBucketKind) kind);
	s->horizon = pq_getmsgint(&buf, 4);
	s->season = pq_getmsgint(&buf, 4);
	s->nrows = pq_getmsgint64(&buf);
	s->lo = pq_getmsgint(&buf, 4);
	s->hi = pq_getmsgint(&buf, 4);
	if (s->nrows > 0)
	{
		int64		nrows = s->nrows;

		if ((int64) s->hi - s->lo + 1 > MAX_BUCKETS || s->hi < s->lo)
			elog(ERROR, "invalid sales state");
		s->nrows = 0;
		state_cover(s, s->lo, s->hi, ctx);
		s->nrows = nrows;
		for (i = s->lo; i <= s->hi; i++)
		{
			s->sum[i - s->base] = pq_getmsgfloat8(&buf);
			s->comp[i - s->base] = pq_getmsgfloat8(&buf);
		}
	}
	pq_getmsgend(&buf);
	PG_RETURN_POINTER(s);
}

/* The bucket sums from the first bucket to the last, empty ones as 0. */
static double *
series(SoBucketState *s, int *n)
{
	int			count = s->hi - s->lo + 1;
	double	   *y = palloc(sizeof(double) * count);
	int			i;

	for (i = 0; i < count; i++)
		y[i] = s->sum[s->lo - s->base + i] + s->comp[s->lo - s->base + i];
	*n = count;
	return y;
}

/* ---- the trend ---- */

/*
 * salesorder.trend: buckets, first_bucket, last_bucket, slope, intercept,
 * r2, growth_pct, total, mean, rows.  The same edge cases as PostgreSQL's
 * regr_*: one bucket gives no slope; constant sales an r2 of 1.
 */
Datum
so_trend_final(PG_FUNCTION_ARGS)
{
	SoBucketState *s = PG_ARGISNULL(0) ? NULL : (SoBucketState *) PG_GETARG_POINTER(0);
	TupleDesc	desc;
	Datum		values[10];
	bool		nulls[10] = {false};
	double	   *y;
	int			n,
				i;
	double		xbar,
				ybar = 0,
				sxx,
				sxy = 0,
				syy = 0,
				total = 0;

	if (s == NULL || s->nrows == 0)
		PG_RETURN_NULL();
	if (get_call_result_type(fcinfo, NULL, &desc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "sales_trend must return a composite type");
	desc = BlessTupleDesc(desc);

	y = series(s, &n);
	for (i = 0; i < n; i++)
		total += y[i];
	ybar = total / n;
	xbar = (n - 1) / 2.0;
	sxx = (double) n * ((double) n * n - 1) / 12.0;
	for (i = 0; i < n; i++)
	{
		sxy += (i - xbar) * (y[i] - ybar);
		syy += (y[i] - ybar) * (y[i] - ybar);
	}

	values[0] = Int32GetDatum(n);
	values[1] = DateADTGetDatum(bucket_start(s->lo, (SoBucketKind) s->kind));
	values[2] = DateADTGetDatum(bucket_start(s->hi, (SoBucketKind) s->kind));
	if (n < 2)
	{
		nulls[3] = nulls[4] = nulls[5] = nulls[6] = true;
	}
	else
	{
		double		slope = sxy / sxx;

		values[3] = Float8GetDatum(slope);
		values[4] = Float8GetDatum(ybar - slope * xbar);
		values[5] = Float8GetDatum(syy == 0 ? 1.0 : (sxy * sxy) / (sxx * syy));
		if (ybar != 0)
			values[6] = Float8GetDatum(100.0 * slope / ybar);
		else
			nulls[6] = true;
	}
	values[7] = Float8GetDatum(total);
	values[8] = Float8GetDatum(ybar);
	values[9] = Int64GetDatum(s->nrows);
	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(desc, values, nulls)));
}

/* ---- the forecast ---- */

/* salesorder.forecast_point, looked up by name (not cached: DDL can move it). */
static Oid
so_forecast_point_type(void)
{
	Oid			nsp = get_namespace_oid("salesorder", false);
	Oid			typid = GetSysCacheOid2(TYPENAMENSP, Anum_pg_type_oid,
										CStringGetDatum("forecast_point"),
										ObjectIdGetDatum(nsp));

	if (!OidIsValid(typid))
		elog(ERROR, "type salesorder.forecast_point does not exist");
	return typid;
}

typedef struct SoFit
{
	double		alpha;
	double		beta;
	double		gamma;
	double		sse;
	int			nerr;			/* one-step errors in sse */
	double		level;			/* the states after the last observation */
	double		trend;
	double	   *seasonal;		/* m values, indexed by bucket mod m */
} SoFit;

/*
 * Run the smoothing over y with the given parameters; sse is the sum of
 * squared one-step-ahead errors.  Holt (m == 0) starts from the first two
 * observations; Holt-Winters (m > 0) from the first two seasons: the level
 * from the first season's mean, the trend from the change between the two
 * seasons' means, the seasonal indices from the first season's deviations.
 */
static void
smooth(const double *y, int n, int m, SoFit *f)
{
	double		level,
				trend;
	int			t,
				start;

	f->sse = 0;
	f->nerr = 0;
	if (m == 0)
	{
		level = y[0];
		trend = y[1] - y[0];
		start = 1;
	}
	else
	{
		double		mean1 = 0,
					mean2 = 0;

		for (t = 0; t < m; t++)
		{
			mean1 += y[t];
			mean2 += y[t + m];
		}
		mean1 /= m;
		mean2 /= m;
		trend = (mean2 - mean1) / m;
		/* The first season's mean is its level at its middle. */
		level = mean1 + trend * (m - 1) / 2.0;
		for (t = 0; t < m; t++)
			f->seasonal[t] = y[t] - (mean1 + trend * (t - (m - 1) / 2.0));
		start = m;
	}

	for (t = start; t < n; t++)
	{
		double		s = m ? f->seasonal[t % m] : 0;
		double		predicted = level + trend + s;
		double		err = y[t] - predicted;
		double		new_level = f->alpha * (y[t] - s) + (1 - f->alpha) * (level + trend);

		f->sse += err * err;
		f->nerr++;
		trend = f->beta * (new_level - level) + (1 - f->beta) * trend;
		if (m)
			f->seasonal[t % m] = f->gamma * (y[t] - new_level) + (1 - f->gamma) * s;
		level = new_level;
	}
	f->level = level;
	f->trend = trend;
}

/*
 * Fit alpha, beta (and gamma) in [0.001, 0.999] by minimising the sum of
 * squared one-step-ahead errors: a coarse grid (steps of 0.1) finds the
 * basin, then a pattern search (Hooke-Jeeves) halves its step down to
 * 1e-4.
 */
static void
forecast_fit(const double *y, int n, int m, SoFit *best)
{
	SoFit		f;
	double		step;
	int			dims = m ? 3 : 2;
	double		a,
				b,
				g;

	f.seasonal = palloc(sizeof(double) * Max(m, 1));
	best->sse = DBL_MAX;
	for (a = 0.05; a < 1.0; a += 0.1)
		for (b = 0.05; b < 1.0; b += 0.1)
			for (g = (m ? 0.05 : 0.0); g < (m ? 1.0 : 0.01); g += 0.1)
			{
				f.alpha = a;
				f.beta = b;
				f.gamma = g;
				smooth(y, n, m, &f);
				if (f.sse < best->sse)
					*best = f;
			}

	for (step = 0.05; step >= 1e-4; step /= 2)
	{
		bool		improved = true;

		while (improved)
		{
			int			d;

			improved = false;
			for (d = 0; d < dims; d++)
			{
				int			sign;

				for (sign = -1; sign <= 1; sign += 2)
				{
					f = *best;
					if (d == 0)
						f.alpha = Min(Max(f.alpha + sign * step, 0.001), 0.999);
					else if (d == 1)
						f.beta = Min(Max(f.beta + sign * step, 0.001), 0.999);
					else
						f.gamma = Min(Max(f.gamma + sign * step, 0.001), 0.999);
					smooth(y, n, m, &f);
					if (f.sse < best->sse * (1 - 1e-12))
					{
						*best = f;
						improved = true;
					}
				}
			}
		}
	}
	/* Leave the final states of the best parameters in best. */
	best->seasonal = palloc(sizeof(double) * Max(m, 1));
	smooth(y, n, m, best);
}

/* Whether no bucket of the series is below zero. */
static bool
series_nonnegative(const double *y, int n)
{
	int			i;

	for (i = 0; i < n; i++)
		if (y[i] < 0)
			return false;
	return true;
}

/*
 * forecast_point[]: (step, bucket, forecast, lower, upper) for the next
 * horizon buckets.  The bounds are a 95 % prediction interval:
 * forecast +- 1.96 * sigma * sqrt(1 + sum_{j<h} c_j^2), sigma^2 the mean
 * squared one-step error (divided by errors - parameters when there are
 * more errors than parameters), c_j =
 * alpha * (1 + j * beta), plus gamma when j is a whole number of seasons
 * (Hyndman et al., the additive ETS models).
 */
Datum
so_forecast_final(PG_FUNCTION_ARGS)
{
	SoBucketState *s = PG_ARGISNULL(0) ? NULL : (SoBucketState *) PG_GETARG_POINTER(0);
	Oid			point_type = so_forecast_point_type();
	TupleDesc	desc;
	Datum	   *points;
	double	   *y;
	int			n,
				m,
				h,
				params;
	SoFit		fit;
	double		sigma2,
				varsum = 1.0;
	bool		nonnegative;
	int16		typlen;
	bool		typbyval;
	char		typalign;

	if (s == NULL || s->nrows == 0)
		PG_RETURN_NULL();
	y = series(s, &n);
	m = s->season;
	if (m == 0 && n < 3)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("a forecast needs at least 3 %s buckets of history, not %d",
						bucket_names[s->kind], n)));
	if (m > 0 && n < 2 * m)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("a seasonal forecast needs at least two seasons of history (%d %s buckets), not %d",
						2 * m, bucket_names[s->kind], n),
				 errhint("Pass a shorter season, or 0 for a trend without season.")));

	forecast_fit(y, n, m, &fit);
	/*
	 * The unbiased variance divides by the errors left after the fitted
	 * parameters; with too short a history for that (two years of months
	 * and a yearly season leave 12 errors for 15 parameters) it is the
	 * plain mean.
	 */
	params = m ? 3 + m : 2;
	sigma2 = fit.sse / (fit.nerr > params ? fit.nerr - params : fit.nerr);
	nonnegative = series_nonnegative(y, n);

	desc = lookup_rowtype_tupdesc(point_type, -1);
	points = palloc(sizeof(Datum) * s->horizon);
	for (h = 1; h <= s->horizon; h++)
	{
		Datum		values[8];
		bool		nulls[8] = {false};
		double		f = fit.level + h * fit.trend + (m ? fit.seasonal[(n - 1 + h) % m] : 0);
		double		half = 1.959963984540054 * sqrt(sigma2 * varsum);
		double		lower = f - half;
		double		upper = f + half;
		double		c;

		/* Sales that were never negative are not forecast below zero. */
		if (nonnegative)
		{
			f = Max(f, 0);
			lower = Max(lower, 0);
			upper = Max(upper, 0);
		}

		values[0] = Int32GetDatum(h);
		values[1] = DateADTGetDatum(bucket_start(s->hi + h, (SoBucketKind) s->kind));
		values[2] = Float8GetDatum(f);
		values[3] = Float8GetDatum(lower);
		values[4] = Float8GetDatum(upper);
		values[5] = Float8GetDatum(fit.alpha);
		values[6] = Float8GetDatum(fit.beta);
		values[7] = Float8GetDatum(fit.gamma);
		if (m == 0)
			nulls[7] = true;
		points[h - 1] = HeapTupleGetDatum(heap_form_tuple(desc, values, nulls));
		/* The variance of the next step adds c_h^2. */
		c = fit.alpha * (1 + h * fit.beta) + (m && h % m == 0 ? fit.gamma : 0);
		varsum += c * c;
	}
	ReleaseTupleDesc(desc);
	get_typlenbyvalalign(point_type, &typlen, &typbyval, &typalign);
	PG_RETURN_ARRAYTYPE_P(construct_array(points, s->horizon, point_type,
										  typlen, typbyval, typalign));
}
