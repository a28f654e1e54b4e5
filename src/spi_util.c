/*-------------------------------------------------------------------------
 *
 * spi_util.c
 *	  SPI plans prepared once per backend, and small datum helpers.
 *
 * Every statement the extension runs is a static SoPlan with a constant,
 * schema-qualified SQL text and typed parameters: no SQL is ever built from
 * user values.  The first execution prepares and keeps the plan
 * (SPI_keepplan); the plan cache replans it by itself after DDL.
 *
 *-------------------------------------------------------------------------
 */
#include "sqlstate.h"
#include "spi_util.h"

#include "access/table.h"
#include "access/tableam.h"
#include "access/xact.h"
#include "catalog/namespace.h"
#include "miscadmin.h"
#include "storage/lock.h"
#include "fmgr.h"
#include "funcapi.h"
#include "utils/array.h"
#include "utils/lsyscache.h"
#include "utils/builtins.h"
#include "utils/fmgrprotos.h"
#include "utils/numeric.h"
#include "utils/snapmgr.h"

/* The statement's kept plan, prepared on first use. */
SPIPlanPtr
so_prepared(SoPlan *plan)
{
	if (plan->plan == NULL)
	{
		SPIPlanPtr	p = SPI_prepare_cursor(plan->sql, plan->nargs,
										   plan->argtypes,
										   plan->cursor_options);

		if (p == NULL)
			elog(ERROR, "SPI_prepare failed for \"%s\": %s",
				 plan->sql, SPI_result_code_string(SPI_result));
		if (SPI_keepplan(p) != 0)
			elog(ERROR, "SPI_keepplan failed");
		plan->plan = p;
	}
	return plan->plan;
}

/* Run a kept plan; SPI must be connected.  Returns SPI_processed. */
int
so_execute(SoPlan *plan, Datum *values, const char *nulls, bool read_only,
		   long count)
{
	int			rc;

	rc = SPI_execute_plan(so_prepared(plan), values, nulls, read_only, count);
	if (rc < 0)
		elog(ERROR, "SPI_execute_plan failed for \"%s\": %s",
			 plan->sql, SPI_result_code_string(rc));
	return (int) SPI_processed;
}

/* Column col (1-based) of result row row (0-based) of the last statement. */
Datum
so_getdatum(int row, int col, bool *isnull)
{
	return SPI_getbinval(SPI_tuptable->vals[row], SPI_tuptable->tupdesc,
						 col, isnull);
}

int64
so_getint64(int row, int col)
{
	bool		isnull;
	Datum		d = so_getdatum(row, col, &isnull);

	if (isnull)
		elog(ERROR, "unexpected NULL in column %d of an internal query", col);
	return DatumGetInt64(d);
}

/* Text value of a column as a palloc'd C string, or NULL. */
char *
so_gettext(int row, int col)
{
	bool		isnull;
	Datum		d = so_getdatum(row, col, &isnull);

	return isnull ? NULL : TextDatumGetCString(d);
}

Datum
so_numeric(const char *s)
{
	return DirectFunctionCall3(numeric_in, CStringGetDatum(s),
							   ObjectIdGetDatum(InvalidOid), Int32GetDatum(-1));
}

Datum
so_numeric_from_int64(int64 v)
{
	return NumericGetDatum(int64_to_numeric(v));
}

int
so_numeric_cmp(Datum a, Datum b)
{
	return DatumGetInt32(DirectFunctionCall2(numeric_cmp, a, b));
}

Datum
so_text_datum(const char *s)
{
	return CStringGetTextDatum(s);
}

/* A one-dimensional array of n elements (nulls may be NULL: none). */
Datum
so_make_array(Datum *elems, bool *nulls, int n, Oid elemtype)
{
	int16		typlen;
	bool		typbyval;
	char		typalign;
	int			dims[1] = {n};
	int			lbs[1] = {1};

	if (n == 0)
		return PointerGetDatum(construct_empty_array(elemtype));
	get_typlenbyvalalign(elemtype, &typlen, &typbyval, &typalign);
	return PointerGetDatum(construct_md_array(elems, nulls, 1, dims, lbs,
											  elemtype, typlen, typbyval,
											  typalign));
}

/*
 * A transaction-scoped lock on key under an advisory lock tag whose fourth
 * field is kind: the pg_advisory_* functions set that field to 1 or 2, so
 * no SQL caller can take or hold one of ours.  Released at commit or abort.
 */
static LockAcquireResult
xact_lock(uint16 kind, int64 key, LOCKMODE mode, bool dont_wait)
{
	LOCKTAG		tag;

	SET_LOCKTAG_ADVISORY(tag, MyDatabaseId, (uint32) ((uint64) key >> 32),
						 (uint32) key, kind);
	return LockAcquire(&tag, mode, false, dont_wait);
}

void
so_xact_lock(uint16 kind, int64 key, LOCKMODE mode)
{
	(void) xact_lock(kind, key, mode, false);
}

/* so_xact_lock without waiting: whether the lock was free. */
bool
so_xact_try_lock(uint16 kind, int64 key, LOCKMODE mode)
{
	return xact_lock(kind, key, mode, true) != LOCKACQUIRE_NOT_AVAIL;
}

/*
 * A function that reads what others committed after it started waiting or
 * reading runs at READ COMMITTED only (25000 otherwise); detail says what a
 * transaction snapshot would miss.
 */
void
so_require_read_committed(const char *function, const char *detail)
{
	if (IsolationUsesXactSnapshot())
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_TRANSACTION_STATE),
				 errmsg("%s must run at READ COMMITTED", function),
				 errdetail("%s", detail),
				 errhint("Call it outside an explicit REPEATABLE READ or SERIALIZABLE transaction.")));
}

/*
 * The OID of relation salesorder.relname, or InvalidOid when the installed
 * schema has none (a server runs this library over the previous release's
 * schema until ALTER EXTENSION UPDATE).
 */
Oid
so_relid_if_exists(const char *relname)
{
	Oid			nspid = get_namespace_oid("salesorder", true);

	return OidIsValid(nspid) ? get_relname_relid(relname, nspid) : InvalidOid;
}

/* The OID of relation salesorder.relname, which must exist. */
Oid
so_relid(const char *relname)
{
	Oid			relid = so_relid_if_exists(relname);

	if (!OidIsValid(relid))
		elog(ERROR, "relation salesorder.%s is missing", relname);
	return relid;
}

/*
 * Return n rows of two text columns from a set-returning function: the
 * lists of the C side that the tests compare with the SQL side.
 */
Datum
so_return_text_pairs(FunctionCallInfo fcinfo, const char *const pairs[][2], int n)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	int			i;

	InitMaterializedSRF(fcinfo, 0);
	for (i = 0; i < n; i++)
	{
		Datum		values[2] = {CStringGetTextDatum(pairs[i][0]),
		CStringGetTextDatum(pairs[i][1])};
		bool		nulls[2] = {false, false};

		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	return (Datum) 0;
}

/*
 * Every row of salesorder.relname, read directly -- no SPI, no privilege
 * check -- under the active snapshot (one taken now when there is none, as
 * while planning), row(slot, arg) called for each: for the few rows of a
 * table that functions called by any user, in any query, must read.
 */
void
so_scan_table(const char *relname, SoRowCallback row, void *arg)
{
	Relation	rel = table_open(so_relid(relname), AccessShareLock);
	bool		pushed = false;
	TableScanDesc scan;
	TupleTableSlot *slot;

	if (!ActiveSnapshotSet())
	{
		PushActiveSnapshot(GetTransactionSnapshot());
		pushed = true;
	}
	slot = table_slot_create(rel, NULL);
	scan = table_beginscan(rel, GetActiveSnapshot(), 0, NULL);
	while (table_scan_getnextslot(scan, ForwardScanDirection, slot))
		row(slot, arg);
	table_endscan(scan);
	ExecDropSingleTupleTableSlot(slot);
	table_close(rel, AccessShareLock);
	if (pushed)
		PopActiveSnapshot();
}

/* The first nargs arguments are required: NULL is an error (22004). */
void
so_require_args(FunctionCallInfo fcinfo, int nargs, ...)
{
	va_list		names;
	int			i;

	va_start(names, nargs);
	for (i = 0; i < nargs; i++)
	{
		const char *name = va_arg(names, const char *);

		if (PG_ARGISNULL(i))
		{
			va_end(names);
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("%s must not be NULL", name)));
		}
	}
	va_end(names);
}

/*
 * An age given as an interval, in seconds (a month counts 30 days); what
 * names the argument in the error when it is negative.
 */
static int64
so_interval_seconds(const Interval *age, const char *what)
{
	int64		secs = (age->time / USECS_PER_SEC) +
		(int64) age->day * SECS_PER_DAY +
		(int64) age->month * DAYS_PER_MONTH * SECS_PER_DAY;

	if (secs < 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s must not be negative", what)));
	/* Ages are subtracted from a timestamp in microseconds. */
	if (secs > (int64) 1000 * 366 * SECS_PER_DAY)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s must be at most 1000 years", what)));
	return secs;
}

/*
 * The (keep interval, max integer) arguments of a maintenance call such as
 * trim_events() or archive_history(): keep NULL means the setting
 * setting_s, and false (do nothing) when that is 0; max NULL means 10000,
 * else at least 1 (max_name names it in the error).
 */
bool
so_maintenance_args(FunctionCallInfo fcinfo, int64 setting_s,
					const char *max_name, int64 *keep_s, int *max)
{
	if (PG_ARGISNULL(0))
	{
		if (setting_s == 0)
			return false;
		*keep_s = setting_s;
	}
	else
		*keep_s = so_interval_seconds(PG_GETARG_INTERVAL_P(0), "keep");
	*max = PG_ARGISNULL(1) ? 10000 : PG_GETARG_INT32(1);
	if (*max < 1)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s must be at least 1", max_name)));
	return true;
}
