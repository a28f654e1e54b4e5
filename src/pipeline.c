/*-------------------------------------------------------------------------
 *
 * pipeline.c
 *	  The checkpoint of closed orders behind report_pipeline, so that the
 *	  report costs what is in flight, not every order ever written.
 *
 * completed and cancelled are terminal (status_transition has no move out
 * of them, and a CHECK keeps it so), their health is fixed (green, grey),
 * and an order in them never changes again.  So their counts, amounts and
 * oldest/newest creation times only ever grow, and can be folded once:
 * salesorder.pipeline_closed holds them for every order that was completed
 * or cancelled before pipeline_checkpoint.folded_to.  report_pipeline adds
 * the orders in every other status and those closed since folded_to, both
 * found through sales_order_status_idx (status, status_changed_at), and is
 * always equal to the same GROUP BY over sales_order.
 *
 * A fold runs up to a cut (cut.c): the clock when the cut was read, once
 * every transaction running then has ended.  checkpoint_pipeline() waits
 * for them; the background worker folds with the ledger checkpoint, never
 * waiting.  A TRUNCATE of sales_order forgets the fold, and so does a
 * write by a replica session (see cut.c).
 *
 *-------------------------------------------------------------------------
 */
#include "sqlstate.h"
#include "privilege.h"
#include "spi_util.h"
#include "cut.h"
#include "pipeline.h"
#include "status.h"

#include "catalog/pg_type.h"
#include "commands/trigger.h"
#include "executor/tuptable.h"
#include "fmgr.h"
#include "utils/lsyscache.h"
#include "utils/timestamp.h"

PG_FUNCTION_INFO_V1(so_checkpoint_pipeline);
PG_FUNCTION_INFO_V1(so_pipeline_folded_to);
PG_FUNCTION_INFO_V1(so_pipeline_reset);

static SoPlan pipeline_lock_plan = {
	"SELECT k.folded_to FROM salesorder.pipeline_checkpoint k FOR UPDATE",
	0, {InvalidOid}
};

static SoPlan pipeline_fold_plan = {
	"INSERT INTO salesorder.pipeline_closed AS p"
	" (status, health, orders, amount, oldest, newest)"
	" SELECT o.status, salesorder.order_health(o.status, o.promised_date, o.stage),"
	"        pg_catalog.count(*), pg_catalog.sum(o.total_amount),"
	"        pg_catalog.min(o.created_at), pg_catalog.max(o.created_at)"
	" FROM salesorder.sales_order o"
	" WHERE " SO_STATUS_IN("o.status", SO_STATUSES_CLOSED)
	"   AND o.status_changed_at >= $1 AND o.status_changed_at < $2"
	" GROUP BY 1, 2"
	" ON CONFLICT (status, health) DO UPDATE SET"
	"  orders = p.orders + excluded.orders,"
	"  amount = p.amount + excluded.amount,"
	"  oldest = LEAST(p.oldest, excluded.oldest),"
	"  newest = GREATEST(p.newest, excluded.newest)",
	2, {TIMESTAMPTZOID, TIMESTAMPTZOID}
};

static SoPlan pipeline_done_plan = {
	"UPDATE salesorder.pipeline_checkpoint"
	" SET folded_to = $1, taken_at = pg_catalog.now()",
	1, {TIMESTAMPTZOID}
};

/*
 * Fold the orders closed between the checkpoint and the cut, whose
 * transactions have all ended.  SPI connected, as the owner.  Returns the
 * checkpoint's time.
 */
TimestampTz
so_pipeline_fold(SoCut *cut)
{
	Datum		args[2];
	bool		isnull;

	so_execute(&pipeline_lock_plan, NULL, NULL, false, 1);
	args[0] = so_getdatum(0, 1, &isnull);
	if (isnull)
		elog(ERROR, "salesorder.pipeline_checkpoint.folded_to is null");
	if (DatumGetTimestampTz(args[0]) >= cut->closed_before)
		return DatumGetTimestampTz(args[0]);
	args[1] = TimestampTzGetDatum(cut->closed_before);
	so_execute(&pipeline_fold_plan, args, NULL, false, 0);
	so_execute(&pipeline_done_plan, &args[1], NULL, false, 0);
	return cut->closed_before;
}

static SoPlan pipeline_folded_plan = {
	"SELECT k.folded_to FROM salesorder.pipeline_checkpoint k",
	0, {InvalidOid}
};

static Datum
checkpoint_pipeline_work(void *arg)
{
	SoCut		cut;

	/* The fold must see every order closed meanwhile. */
	so_require_read_committed("salesorder.checkpoint_pipeline()",
							  "Under a transaction snapshot, orders closed after the snapshot would be left out of the checkpoint.");

	if (!so_cut_manual())
	{
		/* Another session is checkpointing: what the checkpoint holds. */
		bool		isnull;

		so_execute(&pipeline_folded_plan, NULL, NULL, false, 1);
		return so_getdatum(0, 1, &isnull);
	}
	so_cut_begin(&cut, CurrentMemoryContext);
	(void) so_cut_ready(&cut, true);
	return TimestampTzGetDatum(so_pipeline_fold(&cut));
}

/*
 * salesorder.checkpoint_pipeline() RETURNS timestamptz: folds the orders
 * completed or cancelled so far into pipeline_closed, after waiting for the
 * transactions that may still close some; returns the checkpoint's time.
 */
Datum
so_checkpoint_pipeline(PG_FUNCTION_ARGS)
{
	PG_RETURN_DATUM(so_run_as_owner(checkpoint_pipeline_work, NULL,
									SO_RESULT_BYVAL));
}

/*
 * salesorder.pipeline_folded_to() RETURNS timestamptz, STABLE: the
 * checkpoint's time, for report_pipeline's range of orders closed since.
 * A function rather than a subquery so that the planner, which evaluates
 * stable functions when it estimates, knows the range is the last few
 * minutes and reads it from the index (a subquery's value is unknown at
 * planning, estimated as a third of the closed orders: a full scan).  It
 * reads the one row directly, as the checkpoint's table is not granted to
 * the readers of the report, once per call site and query.
 */
typedef struct FoldedTo
{
	AttrNumber	att;
	bool		found;
	TimestampTz value;
} FoldedTo;

static void
read_folded_to(TupleTableSlot *slot, void *arg)
{
	FoldedTo   *f = (FoldedTo *) arg;
	bool		isnull;
	Datum		d = slot_getattr(slot, f->att, &isnull);

	if (!isnull)
	{
		f->found = true;
		f->value = DatumGetTimestampTz(d);
	}
}

Datum
so_pipeline_folded_to(PG_FUNCTION_ARGS)
{
	TimestampTz *cached = (TimestampTz *) fcinfo->flinfo->fn_extra;

	if (cached == NULL)
	{
		FoldedTo	f = {get_attnum(so_relid("pipeline_checkpoint"), "folded_to"),
		false, 0};

		so_scan_table("pipeline_checkpoint", read_folded_to, &f);
		if (!f.found)
			ereport(ERROR,
					(errcode(ERRCODE_DATA_CORRUPTED),
					 errmsg("salesorder.pipeline_checkpoint has no checkpoint row"),
					 errhint("Insert it again: INSERT INTO salesorder.pipeline_checkpoint DEFAULT VALUES, then SELECT salesorder.checkpoint_pipeline() after emptying salesorder.pipeline_closed.")));
		cached = MemoryContextAlloc(fcinfo->flinfo->fn_mcxt, sizeof(TimestampTz));
		*cached = f.value;
		fcinfo->flinfo->fn_extra = cached;
	}
	PG_RETURN_TIMESTAMPTZ(*cached);
}

static SoPlan pipeline_forget_plan = {
	"WITH gone AS (DELETE FROM salesorder.pipeline_closed)"
	" UPDATE salesorder.pipeline_checkpoint"
	" SET folded_to = '-infinity', taken_at = pg_catalog.now()",
	0, {InvalidOid}
};

/*
 * BEFORE TRUNCATE ON sales_order FOR EACH STATEMENT: the folded orders are
 * gone, so is their fold.  And AFTER INSERT OR UPDATE OR DELETE FOR EACH
 * STATEMENT, enabled for replica sessions only (pg_restore, logical
 * replication): their rows keep stamps no cut accounted for, so the fold
 * starts again from the beginning.
 */
Datum
so_pipeline_reset(PG_FUNCTION_ARGS)
{
	TriggerData *trigdata = (TriggerData *) fcinfo->context;

	if (!CALLED_AS_TRIGGER(fcinfo))
		elog(ERROR, "pipeline_reset: not called by trigger manager");
	if (!TRIGGER_FIRED_FOR_STATEMENT(trigdata->tg_event))
		elog(ERROR, "pipeline_reset: must be fired for each statement");

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	so_execute(&pipeline_forget_plan, NULL, NULL, false, 0);
	SPI_finish();
	return PointerGetDatum(NULL);
}
