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
 * What an order adds is salesorder.order_exposure(), the one definition (SQL, extension/approval.sql).  Rather than each function
 * working out by how much it moved the figure, an operation notes every
 * order it touches with what the order added before (so_exposure_track),
 * and when the operation ends -- the outermost so_run_as_owner(), see
 * privilege.c -- each noted order's figure now is compared with the one
 * noted, and the difference goes to its customer's row.  A function added
 * later therefore keeps the figure right without knowing about it, as long
 * as it locks its orders with so_lock_order() (or creates them).
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
#include "salesorder.h"
#include "exposure.h"

#include "catalog/namespace.h"
#include "catalog/pg_type.h"
#include "storage/proc.h"
#include "utils/builtins.h"
#include "utils/datum.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"

/* One order touched by the running operation. */
typedef struct SoTouchedOrder
{
	int64		order_id;
	int64		customer_id;
	Datum		before;			/* numeric, in TopTransactionContext */
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

/* What an order adds now. */
#define ORDER_EXPOSURE_NOW(id) \
	"(SELECT salesorder.order_exposure(o.status, o.hold_from, o.total_amount, o.id)" \
	" FROM salesorder.sales_order o WHERE o.id = " id ")"

static SoPlan exposure_now_plan = {
	"SELECT " ORDER_EXPOSURE_NOW("$1"),
	1, {INT8OID}
};

/* What an order added as the row stood (its lines unchanged since). */
static SoPlan exposure_of_row_plan = {
	"SELECT salesorder.order_exposure($1::salesorder.order_status,"
	"                                 $2::salesorder.order_status, $3, $4)",
	4, {TEXTOID, TEXTOID, NUMERICOID, INT8OID}
};

/*
 * Add what the order adds now, less what it added before, to its
 * customer's figure; nothing when they are equal (or the order is gone:
 * only drafts are deleted, and they add nothing).
 */
static SoPlan settle_plan = {
	"INSERT INTO salesorder.customer_exposure AS e (customer_id, open_amount)"
	" SELECT $1, d.delta"
	" FROM (SELECT " ORDER_EXPOSURE_NOW("$2") " - $3 AS delta) d"
	" WHERE d.delta <> 0"
	" ON CONFLICT (customer_id) DO UPDATE"
	" SET open_amount = e.open_amount + excluded.open_amount",
	3, {INT8OID, INT8OID, NUMERICOID}
};

static bool
touched_now(void)
{
	if (touched_lxid != MyProc->lxid)
	{
		touched = NULL;
		ntouched = maxtouched = 0;
		touched_lxid = MyProc->lxid;
	}
	return ntouched > 0;
}

/*
 * Whether the installed schema keeps the running figure: a server may run
 * this library over the previous release's schema until ALTER EXTENSION
 * UPDATE, and that release sums the orders instead.
 */
static bool
exposure_kept(void)
{
	Oid			nspid = get_namespace_oid("salesorder", true);

	return OidIsValid(nspid) &&
		OidIsValid(get_relname_relid("customer_exposure", nspid));
}

static bool
already_touched(int64 order_id)
{
	int			i;

	for (i = 0; i < ntouched; i++)
		if (touched[i].order_id == order_id)
			return true;
	return false;
}

/*
 * Note an order with what it adds before the operation changes it: known
 * (before) for an order just created, else read now (before_known false).
 * The first note of an order in an operation counts.  SPI connected.
 */
void
so_exposure_track(int64 order_id, int64 customer_id, Datum before,
				  bool before_known)
{
	MemoryContext old;
	bool		isnull = false;

	(void) touched_now();
	if (already_touched(order_id) || !exposure_kept())
		return;
	if (!before_known)
	{
		Datum		arg = Int64GetDatum(order_id);

		so_execute(&exposure_now_plan, &arg, NULL, false, 1);
		before = so_getdatum(0, 1, &isnull);
		if (isnull)
			elog(ERROR, "order %lld vanished", (long long) order_id);
	}

	old = MemoryContextSwitchTo(TopTransactionContext);
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
	ntouched++;
	MemoryContextSwitchTo(old);
}

/*
 * Note an order by the values its row had: a user's status UPDATE, noted
 * after the row changed (the lines did not).  SPI connected.
 */
void
so_exposure_track_row(int64 order_id, int64 customer_id, const char *status,
					  const char *hold_from, Datum total_amount)
{
	Datum		args[4];
	char		nulls[4] = {' ', hold_from ? ' ' : 'n', ' ', ' '};
	bool		isnull;
	Datum		before;

	args[0] = CStringGetTextDatum(status);
	args[1] = hold_from ? CStringGetTextDatum(hold_from) : (Datum) 0;
	args[2] = total_amount;
	args[3] = Int64GetDatum(order_id);
	so_execute(&exposure_of_row_plan, args, nulls, true, 1);
	before = so_getdatum(0, 1, &isnull);
	if (isnull)
		elog(ERROR, "no exposure for order %lld", (long long) order_id);
	so_exposure_track(order_id, customer_id, before, true);
}

/*
 * The operation ends: settle every noted order, in the order noted, and
 * forget them.  SPI connected.
 */
void
so_exposure_settle(void)
{
	int			i;

	if (!touched_now())
		return;
	for (i = 0; i < ntouched; i++)
	{
		Datum		args[3];

		args[0] = Int64GetDatum(touched[i].customer_id);
		args[1] = Int64GetDatum(touched[i].order_id);
		args[2] = touched[i].before;
		so_execute(&settle_plan, args, NULL, false, 0);
	}
	so_exposure_forget();
}

/* Forget the noted orders (the operation failed, or they are settled). */
void
so_exposure_forget(void)
{
	ntouched = 0;
}
