/*-------------------------------------------------------------------------
 *
 * reference_guard.c
 *	  The references order entry checks itself instead of by foreign key.
 *
 * Three foreign keys were dropped from the hot path of create_order, after
 * measuring them (10-line orders, 8 clients, 10,000 products, 2 cores:
 * about 2,400 tps with the first two, 3,200 without):
 *	  order_line.product_id -> product: one referential-integrity query per
 *		line, and a FOR KEY SHARE lock on the product row, which concurrent
 *		orders of a best-seller turn into a MultiXact;
 *	  stock_movement (warehouse_id, product_id) -> stock: one query per
 *		ledger row, for a stock row the same statement has just updated;
 *	  sales_order.warehouse_id -> warehouse: every order took a FOR KEY
 *		SHARE lock on one of a handful of warehouse rows, so concurrent
 *		orders kept turning it into a new MultiXact -- 15,136 MultiXacts for
 *		18,283 orders at 8 clients, each a locked tuple rewritten and logged.
 * The functions guarantee the references when they write: a line's product
 * is looked up (and must be active) before the line is inserted, also for a
 * user's direct edit of a draft (line_guard); an order's warehouse is looked
 * up (and must be active) before the order is inserted, and a direct edit of
 * a draft's warehouse is checked by order_guard; a ledger row is appended by
 * the one statement that updates its stock row, which is locked.  What the
 * foreign keys also did -- refuse to delete or renumber a referenced row --
 * is done here: product_guard and warehouse_guard refuse to delete a product
 * that order lines name or a warehouse that orders name, or to change any
 * id; stock_guard refuses to delete a stock row that has ledger rows, and
 * any TRUNCATE of stock.
 *
 * The race a foreign key's row lock closed is closed by table locks: every
 * writer of order lines holds order_line's RowExclusiveLock from before it
 * looks its products up until it commits (so_lock_order_lines), every
 * writer of orders holds sales_order's from before it looks the warehouse
 * up (so_lock_orders), and the guards take the ShareLock of that table,
 * which waits for those writers and keeps new ones out, before they count
 * the referring rows with a fresh snapshot.  Product and warehouse deletes
 * are rare; order entry never waits for anything here.  verify_stock()
 * reports a line whose product is missing, an order whose warehouse is
 * missing and a ledger pair without its stock row, should a superuser
 * bypass all of this.
 *
 * The line -> order key went in 2.0 too: ten referential-integrity queries
 * per ten-line order (6 to 11 % of create_order's execution time, measured
 * with pg_stat_statements at one client), each a row lock on an order its
 * writer holds already (create_order inserted it; a change request and
 * line_guard lock it first, and line_guard refuses a line of an order that
 * does not exist).  Its ON DELETE CASCADE is the order_lines_cascade
 * trigger (udfs/order_lines_cascade/2.0.sql), which also truncates the lines
 * with the orders.  The other order-side keys (history, steps, change
 * requests) stay: they are written once per operation, not per line.
 *
 *-------------------------------------------------------------------------
 */
#include "sqlstate.h"
#include "privilege.h"
#include "spi_util.h"
#include "reference_guard.h"

#include "access/htup_details.h"
#include "access/xact.h"
#include "catalog/pg_type.h"
#include "commands/trigger.h"
#include "fmgr.h"
#include "storage/lmgr.h"
#include "utils/builtins.h"
#include "utils/rel.h"

PG_FUNCTION_INFO_V1(so_product_guard);
PG_FUNCTION_INFO_V1(so_warehouse_guard);

/*
 * Called by whatever is about to look products up for new order lines:
 * order_line's RowExclusiveLock (the one its INSERT takes anyway, a
 * fast-path lock that conflicts with no other writer), taken before the
 * look-up, so that a product delete cannot slip in between.
 */
void
so_lock_order_lines(void)
{
	LockRelationOid(so_relid("order_line"), RowExclusiveLock);
}

/* The same for writers of orders, before they look the warehouse up. */
void
so_lock_orders(void)
{
	LockRelationOid(so_relid("sales_order"), RowExclusiveLock);
}

/*
 * A delete of a referenced row, made safe by the table lock: the guards
 * run it at READ COMMITTED only, since under a transaction snapshot the
 * count could still miss a row committed while the lock was awaited.
 */
static void
require_read_committed(const char *what)
{
	if (IsolationUsesXactSnapshot())
		ereport(ERROR,
				(errcode(ERRCODE_T_R_SERIALIZATION_FAILURE),
				 errmsg("%s are deleted at READ COMMITTED", what),
				 errdetail("The check that nothing refers to the row needs a snapshot taken after order entry has been held off."),
				 errhint("Run the DELETE outside a REPEATABLE READ or SERIALIZABLE transaction.")));
}

/* The id column of a guarded row may never change (23503). */
static void
check_id_unchanged(TriggerData *trigdata, const char *what, const char *referrers)
{
	TupleDesc	desc = trigdata->tg_relation->rd_att;
	int			id_att = SPI_fnumber(desc, "id");
	bool		oldnull,
				newnull;
	Datum		id = heap_getattr(trigdata->tg_trigtuple, id_att, desc, &oldnull);
	Datum		newid = heap_getattr(trigdata->tg_newtuple, id_att, desc, &newnull);

	if (newnull || DatumGetInt64(newid) != DatumGetInt64(id))
		ereport(ERROR,
				(errcode(ERRCODE_FOREIGN_KEY_VIOLATION),
				 errmsg("the id of %s %lld cannot change", what, (long long) DatumGetInt64(id)),
				 errdetail("%s refer to %ss by id.", referrers, what)));
}

static void
check_guard_context(FunctionCallInfo fcinfo, const char *name)
{
	TriggerData *trigdata = (TriggerData *) fcinfo->context;

	if (!CALLED_AS_TRIGGER(fcinfo) || !TRIGGER_FIRED_BEFORE(trigdata->tg_event) ||
		!TRIGGER_FIRED_FOR_ROW(trigdata->tg_event) ||
		TRIGGER_FIRED_BY_INSERT(trigdata->tg_event))
		elog(ERROR, "%s: must be fired BEFORE UPDATE OR DELETE FOR EACH ROW", name);
}

static SoPlan warehouse_plan = {
	"SELECT w.active, w.code FROM salesorder.warehouse w WHERE w.id = $1",
	1, {INT8OID}
};

/*
 * Under a transaction snapshot a warehouse deleted meanwhile can still look
 * present: lock the row (as the foreign key did), which then fails with a
 * serialization error instead.
 */
static SoPlan warehouse_locked_plan = {
	"SELECT w.active, w.code FROM salesorder.warehouse w WHERE w.id = $1"
	" FOR KEY SHARE OF w",
	1, {INT8OID}
};

/*
 * Look up a warehouse an order is about to name: 1 row (active, code) in
 * SPI_tuptable, or 0 when there is none.  The caller holds sales_order's
 * RowExclusiveLock (so_lock_orders, or the UPDATE's own), so a warehouse
 * delete is either over or waits; a fresh snapshot (read_only false) sees
 * one that is over.  SPI connected.
 */
int
so_look_up_warehouse(int64 warehouse_id)
{
	Datum		arg = Int64GetDatum(warehouse_id);

	return so_execute(IsolationUsesXactSnapshot() ? &warehouse_locked_plan : &warehouse_plan,
					  &arg, NULL, false, 1);
}

static Datum
warehouse_exists_work(void *arg)
{
	return BoolGetDatum(so_look_up_warehouse(*(int64 *) arg) == 1);
}

/*
 * A user's direct edit of a draft's warehouse names an existing warehouse
 * (23503, as the foreign key did).  The UPDATE holds sales_order's
 * RowExclusiveLock already, so a warehouse delete is either over or waits.
 */
void
so_check_order_warehouse(int64 warehouse_id)
{
	if (!DatumGetBool(so_run_as_owner(warehouse_exists_work, &warehouse_id, SO_RESULT_BYVAL)))
		ereport(ERROR,
				(errcode(ERRCODE_FOREIGN_KEY_VIOLATION),
				 errmsg("warehouse %lld does not exist", (long long) warehouse_id),
				 errhint("Name one of the rows of salesorder.warehouse.")));
}

/*
 * A row that other rows name by id (a product, a warehouse): what names it,
 * and how its guard tells a user.
 */
typedef struct SoReferenced
{
	const char *guard;			/* the trigger function's name */
	const char *what;			/* "product" */
	const char *what_plural;	/* "products" */
	const char *referrers;		/* who refers to it by id, for the detail */
	const char *referring_table;	/* whose writers the guard holds off */
	const char *referrer;		/* one referring row, "order line" */
	SoPlan		count_plan;		/* $1 = id: how many rows name it */
	const char *hint;
} SoReferenced;

static SoReferenced referenced_product = {
	"product_guard", "product", "products", "Order lines, stock and the ledger",
	"order_line", "order line",
	{"SELECT pg_catalog.count(*) FROM salesorder.order_line l WHERE l.product_id = $1",
	1, {INT8OID}},
	"Set the product's active flag to false: it can no longer be ordered."
};

/*
 * There is no index on sales_order.warehouse_id (it would cost every order
 * an index entry for the sake of a rare delete): the count scans the
 * orders, holding order entry off meanwhile.  Stock rows still refer to
 * warehouses by foreign key.
 */
static SoReferenced referenced_warehouse = {
	"warehouse_guard", "warehouse", "warehouses", "Orders and stock",
	"sales_order", "order",
	{"SELECT pg_catalog.count(*) FROM salesorder.sales_order o WHERE o.warehouse_id = $1",
	1, {INT8OID}},
	"Set the warehouse's active flag to false: no new order can name it."
};

typedef struct SoReferenceCount
{
	SoPlan	   *plan;
	Datum		id;
} SoReferenceCount;

static Datum
reference_count_work(void *arg)
{
	SoReferenceCount *count = (SoReferenceCount *) arg;

	/* Not read-only: a snapshot taken after the lock, seeing every writer. */
	so_execute(count->plan, &count->id, NULL, false, 1);
	return Int64GetDatum(so_getint64(0, 1));
}

/*
 * BEFORE DELETE OR UPDATE OF id FOR EACH ROW on a referenced table: ids
 * never change, and a row that others name is never deleted (23503, as its
 * foreign key did).  The delete waits for the writers of the referring
 * table and keeps new ones out before it counts.
 */
static Datum
guard_referenced_row(FunctionCallInfo fcinfo, SoReferenced *ref)
{
	TriggerData *trigdata = (TriggerData *) fcinfo->context;
	SoReferenceCount count;
	bool		isnull;
	int64		n;

	check_guard_context(fcinfo, ref->guard);
	if (TRIGGER_FIRED_BY_UPDATE(trigdata->tg_event))
	{
		check_id_unchanged(trigdata, ref->what, ref->referrers);
		return PointerGetDatum(trigdata->tg_newtuple);
	}

	require_read_committed(ref->what_plural);
	LockRelationOid(so_relid(ref->referring_table), ShareLock);
	count.plan = &ref->count_plan;
	count.id = heap_getattr(trigdata->tg_trigtuple,
							SPI_fnumber(trigdata->tg_relation->rd_att, "id"),
							trigdata->tg_relation->rd_att, &isnull);
	n = DatumGetInt64(so_run_as_owner(reference_count_work, &count, INT8OID));
	if (n > 0)
		ereport(ERROR,
				(errcode(ERRCODE_FOREIGN_KEY_VIOLATION),
				 errmsg("%s %lld cannot be deleted: %lld %s%s name%s it",
						ref->what, (long long) DatumGetInt64(count.id), (long long) n,
						ref->referrer, n == 1 ? "" : "s", n == 1 ? "s" : ""),
				 errhint("%s", ref->hint)));
	return PointerGetDatum(trigdata->tg_trigtuple);
}

/* BEFORE DELETE OR UPDATE OF id ON product: order lines name products. */
Datum
so_product_guard(PG_FUNCTION_ARGS)
{
	return guard_referenced_row(fcinfo, &referenced_product);
}

/* BEFORE DELETE OR UPDATE OF id ON warehouse: orders name warehouses. */
Datum
so_warehouse_guard(PG_FUNCTION_ARGS)
{
	return guard_referenced_row(fcinfo, &referenced_warehouse);
}

static SoPlan stock_ledger_plan = {
	"SELECT EXISTS (SELECT 1 FROM salesorder.stock_movement m"
	"               WHERE m.warehouse_id = $1 AND m.product_id = $2)"
	"    OR EXISTS (SELECT 1 FROM salesorder.ledger_archive_balance a"
	"               WHERE a.warehouse_id = $1 AND a.product_id = $2)",
	2, {INT8OID, INT8OID}
};

typedef struct SoPair
{
	int64		warehouse_id;
	int64		product_id;
} SoPair;

static Datum
stock_ledger_work(void *arg)
{
	SoPair	   *pair = (SoPair *) arg;
	Datum		args[2] = {Int64GetDatum(pair->warehouse_id), Int64GetDatum(pair->product_id)};
	bool		isnull;

	so_execute(&stock_ledger_plan, args, NULL, false, 1);
	return so_getdatum(0, 1, &isnull);
}

/* Whether the ledger has rows for a stock row (which then stays). */
bool
so_stock_has_ledger(int64 warehouse_id, int64 product_id)
{
	SoPair		pair = {warehouse_id, product_id};

	return DatumGetBool(so_run_as_owner(stock_ledger_work, &pair, SO_RESULT_BYVAL));
}
