/*-------------------------------------------------------------------------
 *
 * tracking.c
 *	  Production stages and delay detection: set_stage, flag_delays.
 *
 *-------------------------------------------------------------------------
 */
#include "sqlstate.h"
#include "settings.h"
#include "privilege.h"
#include "spi_util.h"
#include "events.h"
#include "order_row.h"
#include "history.h"
#include "status.h"
#include "transition.h"
#include "tracking.h"

#include "access/xact.h"
#include "catalog/pg_type.h"
#include "executor/tuptable.h"
#include "fmgr.h"
#include "utils/builtins.h"
#include "utils/date.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/timestamp.h"

PG_FUNCTION_INFO_V1(so_set_stage);
PG_FUNCTION_INFO_V1(so_flag_delays);
PG_FUNCTION_INFO_V1(so_at_risk_days_fn);
PG_FUNCTION_INFO_V1(so_tracking_since_fn);
PG_FUNCTION_INFO_V1(so_order_health);

static SoPlan stage_plan = {
	"SELECT s.description,"
	"  (SELECT pg_catalog.string_agg(x.stage, ', ' ORDER BY x.sort_order)"
	"   FROM salesorder.production_stage x)"
	" FROM (SELECT 1) one LEFT JOIN salesorder.production_stage s ON s.stage = $1",
	1, {TEXTOID}
};

static SoPlan set_stage_plan = {
	"UPDATE salesorder.sales_order SET stage = $2, stage_changed_at = pg_catalog.now()"
	" WHERE id = $1",
	2, {INT8OID, TEXTOID}
};

typedef struct SoStageCall
{
	int64		order_id;
	const char *stage;
	const char *note;
} SoStageCall;

static Datum
set_stage_work(void *arg)
{
	SoStageCall *call = (SoStageCall *) arg;
	SoLockedOrder o;
	Datum		sarg = CStringGetTextDatum(call->stage);
	Datum		args[2];
	char	   *description;

	so_execute(&stage_plan, &sarg, NULL, false, 1);
	description = so_gettext(0, 1);
	if (description == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_SO_NOT_FOUND),
				 errmsg("stage \"%s\" does not exist", call->stage),
				 errhint("Known stages: %s.", so_gettext(0, 2))));

	so_lock_order(call->order_id, &o);
	if (strcmp(o.status, "approved") == 0)
		(void) so_move_order(&o, "in_production", "production started");
	else if (strcmp(o.status, "in_production") != 0)
		ereport(ERROR,
				(errcode(ERRCODE_SO_ILLEGAL_TRANSITION),
				 errmsg("order %s is %s: stages are recorded while it is in production",
						o.order_no, o.status)));

	args[0] = Int64GetDatum(o.id);
	args[1] = sarg;
	so_execute(&set_stage_plan, args, NULL, false, 0);
	so_write_history_event(o.id, o.customer_id, "in_production", "in_production",
						   "stage", "stage_changed",
						   psprintf("stage: %s%s%s", call->stage,
									call->note ? " -- " : "",
									call->note ? call->note : ""));
	return so_order_status(o.id);
}

/*
 * salesorder.set_stage(order_id bigint, stage text, note text DEFAULT NULL)
 */
Datum
so_set_stage(PG_FUNCTION_ARGS)
{
	SoStageCall call;

	so_require_args(fcinfo, 2, "order_id", "stage");
	call.order_id = PG_GETARG_INT64(0);
	call.stage = text_to_cstring(PG_GETARG_TEXT_PP(1));
	call.note = PG_ARGISNULL(2) ? NULL : text_to_cstring(PG_GETARG_TEXT_PP(2));
	PG_RETURN_DATUM(so_run_as_owner(set_stage_work, &call, SO_RESULT_BYVAL));
}

/*
 * Open orders (held ones too, as report_delayed shows them) whose promised
 * date has passed (late) or comes within salesorder.at_risk_days (at risk),
 * not flagged yet for that date and severity: flag them, at most $3 of them
 * (NULL: all), in one statement that returns what it flagged.  Flagged ones
 * are left out before the limit, so that batches make progress.
 */
static SoPlan flag_plan = {
	"INSERT INTO salesorder.delay_flag"
	" (order_id, customer_id, promised_date, severity, as_of)"
	" SELECT o.id, o.customer_id, o.promised_date, x.severity, $1"
	" FROM salesorder.sales_order o"
	" CROSS JOIN LATERAL (SELECT CASE WHEN o.promised_date < ($1::timestamptz)::date"
	"                            THEN 'late' ELSE 'at_risk' END AS severity) x"
	" WHERE " SO_STATUS_IN("o.status", SO_STATUSES_IN_FLIGHT)
	"   AND o.promised_date <= ($1::timestamptz)::date + $2"
	"   AND NOT EXISTS (SELECT 1 FROM salesorder.delay_flag f"
	"                   WHERE f.order_id = o.id AND f.promised_date = o.promised_date"
	"                     AND f.severity = x.severity)"
	" ORDER BY o.promised_date, o.id"
	" LIMIT $3"
	" ON CONFLICT DO NOTHING"
	" RETURNING order_id, customer_id, promised_date::text, severity,"
	"   (SELECT so.order_no FROM salesorder.sales_order so WHERE so.id = order_id),"
	"   GREATEST(($1::timestamptz)::date - promised_date, 0)",
	3, {TIMESTAMPTZOID, INT4OID, INT4OID}
};

static SoPlan flag_event_plan = {
	"UPDATE salesorder.delay_flag SET event_id = $4"
	" WHERE order_id = $1 AND promised_date = $2::date AND severity = $3",
	4, {INT8OID, TEXTOID, TEXTOID, INT8OID}
};

/*
 * Flag at most limit orders (0: all) as of as_of; SPI connected, as the
 * extension owner.  Returns how many it flagged.
 */
int
so_flag_delays_batch(TimestampTz as_of, int limit)
{
	Datum		args[3] = {TimestampTzGetDatum(as_of), Int32GetDatum(so_at_risk_days),
	Int32GetDatum(limit)};
	char		nulls[3] = {' ', ' ', limit > 0 ? ' ' : 'n'};
	int			n = so_execute(&flag_plan, args, nulls, false, 0);
	SPITupleTable *flagged = SPI_tuptable;
	int			i;

	for (i = 0; i < n; i++)
	{
		HeapTuple	row = flagged->vals[i];
		TupleDesc	desc = flagged->tupdesc;
		bool		isnull;
		int64		order_id = DatumGetInt64(SPI_getbinval(row, desc, 1, &isnull));
		int64		customer_id = DatumGetInt64(SPI_getbinval(row, desc, 2, &isnull));
		char	   *promised = SPI_getvalue(row, desc, 3);
		char	   *severity = SPI_getvalue(row, desc, 4);
		char	   *order_no = SPI_getvalue(row, desc, 5);
		char	   *days_late = SPI_getvalue(row, desc, 6);
		int64		event_id;
		Datum		eargs[4];

		event_id = so_emit_event(order_id, customer_id, "delayed",
								 psprintf("{\"order_no\": \"%s\", \"promised_date\": \"%s\", "
										  "\"severity\": \"%s\", \"days_late\": %s}",
										  order_no, promised, severity, days_late));
		eargs[0] = Int64GetDatum(order_id);
		eargs[1] = CStringGetTextDatum(promised);
		eargs[2] = CStringGetTextDatum(severity);
		eargs[3] = Int64GetDatum(event_id);
		so_execute(&flag_event_plan, eargs, NULL, false, 0);
	}
	return n;
}

static Datum
flag_delays_work(void *arg)
{
	return Int32GetDatum(so_flag_delays_batch(DatumGetTimestampTz(*(Datum *) arg), 0));
}

/*
 * salesorder.flag_delays(as_of timestamptz DEFAULT now()): idempotent; a
 * second call for the same situation flags nothing and emits nothing.
 */
Datum
so_flag_delays(PG_FUNCTION_ARGS)
{
	Datum		as_of = PG_ARGISNULL(0) ?
		TimestampTzGetDatum(GetCurrentTransactionStartTimestamp()) : PG_GETARG_DATUM(0);

	PG_RETURN_DATUM(so_run_as_owner(flag_delays_work, &as_of, SO_RESULT_BYVAL));
}

/*
 * at_risk_days(): the session's salesorder.at_risk_days.  The views call
 * this rather than current_setting(), which is NULL in a session that has
 * not loaded the library yet (a BI tool's fresh connection): calling a C
 * function loads it, so the setting is defined, validated and defaulted.
 */
Datum
so_at_risk_days_fn(PG_FUNCTION_ARGS)
{
	PG_RETURN_INT32(so_at_risk_days);
}

/*
 * tracking_since(): order_tracking shows an order completed or cancelled
 * at or after this time -- salesorder.tracking_days before the transaction
 * began (a C function for the reason at_risk_days() is one).
 */
Datum
so_tracking_since_fn(PG_FUNCTION_ARGS)
{
	PG_RETURN_TIMESTAMPTZ(GetCurrentTransactionStartTimestamp()
						  - (TimestampTz) so_tracking_days * USECS_PER_DAY);
}

/*
 * The problem stages (production_stage.problem), read once per call site
 * and query: the table's few rows, scanned directly -- the report views
 * call order_health() as a reporting user, who may not read the table.
 */
typedef struct ProblemStages
{
	MemoryContext cxt;
	AttrNumber	stage_att;
	AttrNumber	problem_att;
	int			n;
	int			cap;
	char	  **stages;
} ProblemStages;

static void
read_problem_stage(TupleTableSlot *slot, void *arg)
{
	ProblemStages *ps = (ProblemStages *) arg;
	bool		isnull;
	Datum		problem = slot_getattr(slot, ps->problem_att, &isnull);
	Datum		stage;

	if (isnull || !DatumGetBool(problem))
		return;
	stage = slot_getattr(slot, ps->stage_att, &isnull);
	if (isnull)
		return;
	if (ps->n == ps->cap)
	{
		ps->cap *= 2;
		ps->stages = repalloc(ps->stages, sizeof(char *) * ps->cap);
	}
	ps->stages[ps->n++] = MemoryContextStrdup(ps->cxt, TextDatumGetCString(stage));
}

static ProblemStages *
problem_stages(FmgrInfo *flinfo)
{
	ProblemStages *ps = (ProblemStages *) flinfo->fn_extra;
	Oid			relid;

	if (ps != NULL)
		return ps;
	relid = so_relid("production_stage");
	ps = MemoryContextAllocZero(flinfo->fn_mcxt, sizeof(ProblemStages));
	ps->cxt = flinfo->fn_mcxt;
	ps->stage_att = get_attnum(relid, "stage");
	ps->problem_att = get_attnum(relid, "problem");
	ps->cap = 8;
	ps->stages = MemoryContextAlloc(ps->cxt, sizeof(char *) * ps->cap);
	so_scan_table("production_stage", read_problem_stage, ps);
	flinfo->fn_extra = ps;
	return ps;
}

/*
 * order_health(status, promised_date, stage, as_of DEFAULT CURRENT_DATE):
 * grey cancelled; green delivered or completed; red on hold, rejected, late
 * (promised date passed and not shipped) or in a problem stage; yellow
 * otherwise.  A NULL argument never matches the test it is in, as in SQL.
 * In C because the views call it for every row they return.
 */
Datum
so_order_health(PG_FUNCTION_ARGS)
{
	const char *status = NULL;
	const char *health = "yellow";

	if (!PG_ARGISNULL(0))
		status = so_status_label(PG_GETARG_DATUM(0));

	if (status && strcmp(status, "cancelled") == 0)
		health = "grey";
	else if (status && (strcmp(status, "delivered") == 0 ||
						strcmp(status, "completed") == 0))
		health = "green";
	else if (status && (strcmp(status, "on_hold") == 0 ||
						strcmp(status, "rejected") == 0))
		health = "red";
	else if (status && strcmp(status, "shipped") != 0 &&
			 !PG_ARGISNULL(1) && !PG_ARGISNULL(3) &&
			 PG_GETARG_DATEADT(1) < PG_GETARG_DATEADT(3))
		health = "red";
	else if (!PG_ARGISNULL(2))
	{
		ProblemStages *ps = problem_stages(fcinfo->flinfo);
		char	   *stage = text_to_cstring(PG_GETARG_TEXT_PP(2));
		int			i;

		for (i = 0; i < ps->n; i++)
			if (strcmp(ps->stages[i], stage) == 0)
			{
				health = "red";
				break;
			}
	}
	PG_RETURN_TEXT_P(cstring_to_text(health));
}
