/*-------------------------------------------------------------------------
 *
 * exposure.c
 *	  Each customer's credit exposure, kept as a running figure.
 *
 * A credit check used to sum the customer's open orders; that costs what
 * the customer has open, one heap page per order.  customer_exposure keeps
 * the sum instead, and every write that moves it adds the difference in
 * the same transaction.
 *
 * What an order adds is so_order_exposure() here, the one definition (SQL
 * calls it as salesorder.order_exposure(), for verify_credit_exposure()).
 * Rather than each function working out by how much it moved the figure,
 * an operation notes every order it touches with what the order added
 * before (so_exposure_track*), and when the operation ends -- the
 * outermost so_run_as_owner(), see privilege.c -- each noted order's figure
 * now is compared with the one noted, and the difference goes to its
 * customer's row.  A function added later therefore keeps the figure right
 * without knowing about it, as long as it locks its orders with
 * so_lock_order() (or notes the orders it creates).
 *
 * The figure is kept only while a credit rule reads it (exposure_kept()):
 * an order entry that no rule weighs for credit writes no exposure row.
 * Without a credit rule credit_exposure() sums the open orders instead.
 *
 * Lock order: the exposure row is written last, after the order and stock
 * rows, and nothing is locked after it within the operation; so it cannot
 * close a cycle with the customer -> order -> stock order of DESIGN.  A
 * difference of zero (approve, hold, production) writes nothing.
 *
 * A plain UPDATE of an order's status by a user (a direct_ok move) is noted
 * and settled by the order_history AFTER trigger, which runs through
 * so_run_as_owner(), from the old row's values.
 *
 *-------------------------------------------------------------------------
 */
#include "sqlstate.h"
#include "privilege.h"
#include "spi_util.h"
#include "exposure.h"
#include "status.h"

#include "access/xact.h"
#include "catalog/pg_type.h"
#include "fmgr.h"
#include "storage/lmgr.h"
#include "storage/proc.h"
#include "utils/builtins.h"
#include "utils/datum.h"
#include "utils/fmgrprotos.h"
#include "utils/memutils.h"
#include "utils/numeric.h"

PG_FUNCTION_INFO_V1(so_order_exposure_sql);

/* ---- what one order adds ---- */

/* What is left of each line of a partially shipped order. */
static SoPlan open_lines_plan = {
	"SELECT COALESCE(pg_catalog.sum(pg_catalog.round("
	"   l.amount * (l.qty - l.shipped_qty) / l.qty, 2)), 0)::numeric(14,2)"
	" FROM salesorder.order_line l WHERE l.order_id = $1",
	1, {INT8OID}
};

/*
 * What an order adds to its customer's exposure, from its row: the whole
 * total while it is submitted and nothing has shipped, what is left of each
 * line once something has (read from its lines), nothing for drafts,
 * rejected and closed orders.  An order on hold adds what the state it came
 * from adds.  SPI connected; read_only as the caller's SPI reads (false
 * sees the lines this operation just wrote).
 */
Datum
so_order_exposure(const char *status, const char *hold_from, Datum total,
				  int64 order_id, bool read_only)
{
	const char *state = hold_from ? hold_from : status;

	if (strcmp(state, "partially_shipped") == 0)
	{
		Datum		arg = Int64GetDatum(order_id);
		bool		isnull;

		so_execute(&open_lines_plan, &arg, NULL, read_only, 1);
		return SPI_datumTransfer(so_getdatum(0, 1, &isnull), false, -1);
	}
	if (so_status_in_progress(state))
		return total;
	return so_numeric("0");
}

/*
 * salesorder.order_exposure(status, hold_from, total_amount, order_id)
 */
Datum
so_order_exposure_sql(PG_FUNCTION_ARGS)
{
	char	   *status;
	char	   *hold_from;
	Datum		result;

	if (PG_ARGISNULL(0) || PG_ARGISNULL(2) || PG_ARGISNULL(3))
		PG_RETURN_NULL();
	status = so_status_label(PG_GETARG_DATUM(0));
	hold_from = PG_ARGISNULL(1) ? NULL : so_status_label(PG_GETARG_DATUM(1));
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	result = so_order_exposure(status, hold_from, PG_GETARG_DATUM(2),
							   PG_GETARG_INT64(3), true);
	/* A zero is built in SPI's memory, which SPI_finish() frees. */
	result = SPI_datumTransfer(result, false, -1);
	SPI_finish();
	PG_RETURN_DATUM(result);
}

/* ---- the orders an operation touches ---- */

typedef struct SoTouchedOrder
{
	int64		order_id;
	int64		customer_id;
	Datum		before;			/* numeric, in TopTransactionContext */
	bool		after_known;	/* created: what it adds is known */
	Datum		after;
} SoTouchedOrder;

/*
 * The orders touched so far, for the transaction in touched_lxid only: a
 * list left over from an aborted transaction is ignored, never settled.
 * (One left by a statement rolled back to a savepoint is harmless: the
 * rollback restored the figure it noted, so it settles to nothing.)
 */
static SoTouchedOrder *touched = NULL;
static int	ntouched = 0;
static int	maxtouched = 0;
static LocalTransactionId touched_lxid = InvalidLocalTransactionId;

static SoPlan order_now_plan = {
	"SELECT o.status::text, o.hold_from::text, o.total_amount"
	" FROM salesorder.sales_order o WHERE o.id = $1",
	1, {INT8OID}
};

/*
 * Add delta to the customer's figure: a plain UPDATE, and an upsert only
 * the first time (ON CONFLICT locks the row before it updates it, one
 * more WAL record every time).
 */
static SoPlan add_plan = {
	"UPDATE salesorder.customer_exposure e SET open_amount = e.open_amount + $2"
	" WHERE e.customer_id = $1",
	2, {INT8OID, NUMERICOID}
};

static SoPlan add_first_plan = {
	"INSERT INTO salesorder.customer_exposure AS e (customer_id, open_amount)"
	" VALUES ($1, $2)"
	" ON CONFLICT (customer_id) DO UPDATE"
	" SET open_amount = e.open_amount + excluded.open_amount",
	2, {INT8OID, NUMERICOID}
};

static void
touched_reset_if_stale(void)
{
	if (touched_lxid != MyProc->lxid)
	{
		touched = NULL;
		ntouched = maxtouched = 0;
		touched_lxid = MyProc->lxid;
	}
}

/*
 * Whether the running figure is kept: while an active credit_exceeded rule
 * reads it (since 2.0; a schema without the trigger that rebuilds it when
 * such a rule appears keeps it always).  Asked once per transaction, after
 * taking sales_order's RowExclusiveLock, which the transaction keeps: a
 * rule that appears later rebuilds the figure after taking the table's
 * ShareLock (udfs/exposure_follow_rules/2.0.sql), so it waits for this
 * transaction and counts what it wrote, and a rule that appeared before is
 * committed and seen here (READ COMMITTED reads with a fresh snapshot).  A
 * transaction snapshot may predate the rule's commit: under REPEATABLE READ
 * and SERIALIZABLE the figure is always kept.
 */
static SoPlan kept_plan = {
	"SELECT pg_catalog.to_regprocedure('salesorder.exposure_follow_rules()') IS NULL"
	"    OR EXISTS (SELECT 1 FROM salesorder.approval_rule r"
	"               WHERE r.kind = 'credit_exceeded' AND r.active)",
	0, {InvalidOid}
};

static LocalTransactionId kept_lxid = InvalidLocalTransactionId;
static bool kept_in_lxid = true;

static bool
exposure_kept(void)
{
	bool		isnull;

	if (kept_lxid == MyProc->lxid)
		return kept_in_lxid;
	LockRelationOid(so_relid("sales_order"), RowExclusiveLock);
	if (IsolationUsesXactSnapshot())
		kept_in_lxid = true;
	else
	{
		so_execute(&kept_plan, NULL, NULL, false, 1);
		kept_in_lxid = DatumGetBool(so_getdatum(0, 1, &isnull));
	}
	kept_lxid = MyProc->lxid;
	return kept_in_lxid;
}

/*
 * Whether an order should be noted now: not yet in this operation (the
 * first note of an order counts), and the installed schema keeps the
 * running figure now (the 1.1 schema, which a server may run this library
 * over until ALTER EXTENSION UPDATE, sums the orders instead).
 */
static bool
to_note(int64 order_id)
{
	int			i;

	touched_reset_if_stale();
	for (i = 0; i < ntouched; i++)
		if (touched[i].order_id == order_id)
			return false;
	return OidIsValid(so_relid_if_exists("customer_exposure")) && exposure_kept();
}

static void
note(int64 order_id, int64 customer_id, Datum before, bool after_known,
	 Datum after)
{
	MemoryContext old = MemoryContextSwitchTo(TopTransactionContext);

	if (ntouched == maxtouched)
	{
		maxtouched = maxtouched ? maxtouched * 2 : 4;
		touched = touched ?
			repalloc(touched, sizeof(SoTouchedOrder) * maxtouched) :
			palloc(sizeof(SoTouchedOrder) * maxtouched);
	}
	touched[ntouched].order_id = order_id;
	touched[ntouched].customer_id = customer_id;
	touched[ntouched].before = datumCopy(before, false, -1);
	touched[ntouched].after_known = after_known;
	touched[ntouched].after = after_known ? datumCopy(after, false, -1) : (Datum) 0;
	ntouched++;
	MemoryContextSwitchTo(old);
}

/*
 * Note an order by its row as it stands before the operation changes it
 * (a locked order; a user's status UPDATE, from the old row: its lines did
 * not change).  SPI connected.
 */
void
so_exposure_track(int64 order_id, int64 customer_id, const char *status,
				  const char *hold_from, Datum total_amount)
{
	if (to_note(order_id))
		note(order_id, customer_id,
			 so_order_exposure(status, hold_from, total_amount, order_id, false),
			 false, (Datum) 0);
}

/* Note an order just created, which adds adds (it added nothing before). */
void
so_exposure_track_new(int64 order_id, int64 customer_id, Datum adds)
{
	if (to_note(order_id))
		note(order_id, customer_id, so_numeric("0"), true, adds);
}

/*
 * The operation ends: settle every noted order, in the order noted, and
 * forget them.  SPI connected.
 */
void
so_exposure_settle(void)
{
	int			i;

	touched_reset_if_stale();
	for (i = 0; i < ntouched; i++)
	{
		SoTouchedOrder *t = &touched[i];
		Datum		after = t->after;
		Datum		args[2];

		if (!t->after_known)
		{
			Datum		arg = Int64GetDatum(t->order_id);
			bool		isnull;

			/* Gone: only drafts are deleted, and they add nothing. */
			if (so_execute(&order_now_plan, &arg, NULL, false, 1) == 0)
				after = so_numeric("0");
			else
			{
				char	   *status = so_gettext(0, 1);
				char	   *hold_from = so_gettext(0, 2);

				after = so_order_exposure(status, hold_from,
										  so_getdatum(0, 3, &isnull),
										  t->order_id, false);
			}
		}
		if (so_numeric_cmp(after, t->before) == 0)
			continue;
		args[0] = Int64GetDatum(t->customer_id);
		args[1] = DirectFunctionCall2(numeric_sub, after, t->before);
		if (so_execute(&add_plan, args, NULL, false, 0) == 0)
			so_execute(&add_first_plan, args, NULL, false, 0);
	}
	so_exposure_forget();
}

/* Forget the noted orders (the operation failed, or they are settled). */
void
so_exposure_forget(void)
{
	ntouched = 0;
}

/* At the end of every operation (privilege.c): settle, or forget. */
static void
exposure_operation_end(bool done)
{
	if (done)
		so_exposure_settle();
	else
		so_exposure_forget();
}

/* Called once at load (_PG_init). */
void
so_exposure_init(void)
{
	so_on_operation_end(exposure_operation_end);
}
