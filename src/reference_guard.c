/*-------------------------------------------------------------------------
 *
 * reference_guard.c
 *	  The references order entry checks itself instead of by foreign key.
 *
 * Two foreign keys were dropped from the hot path of create_order, after
 * measuring them (10-line orders, 8 clients, 10,000 products, 2 cores:
 * about 2,400 tps with them, 3,200 without):
 *	  order_line.product_id -> product: one referential-integrity query per
 *		line, and a FOR KEY SHARE lock on the product row, which concurrent
 *		orders of a best-seller turn into a MultiXact;
 *	  stock_movement (warehouse_id, product_id) -> stock: one query per
 *		ledger row, for a stock row the same statement has just updated.
 * The functions guarantee both references when they write: a line's
 * product is looked up (and must be active) before the line is inserted,
 * also for a user's direct edit of a draft (line_guard), and a ledger row
 * is appended by the one statement that updates its stock row, which is
 * locked.  What the foreign keys also did -- refuse to delete or renumber a
 * referenced row -- is done here: product_guard refuses to delete a product
 * that order lines name, or to change any product's id; stock_guard refuses
 * to delete a stock row that has ledger rows, and any TRUNCATE of stock.
 *
 * The race a foreign key's row lock closed is closed by table locks: every
 * writer of order lines holds order_line's RowExclusiveLock from before it
 * looks its products up until it commits (so_lock_order_lines), and
 * product_guard takes order_line's ShareLock, which waits for those writers
 * and keeps new ones out, before it counts the lines with a fresh snapshot.
 * Product deletes are rare; order entry never waits for anything here.
 * verify_stock() reports a line whose product is missing and a ledger pair
 * without its stock row, should a superuser bypass all of this.
 *
 * The foreign keys between the order-side tables (order_line and the
 * history to sales_order) stay: they cost little (the referenced row was
 * inserted by the same transaction), carry ON DELETE CASCADE for drafts, and
 * keep the customer_id that co-locates the order's rows.
 *
 *-------------------------------------------------------------------------
 */
#include "salesorder.h"

#include "access/htup_details.h"
#include "access/xact.h"
#include "catalog/pg_type.h"
#include "commands/trigger.h"
#include "fmgr.h"
#include "storage/lmgr.h"
#include "utils/builtins.h"
#include "utils/rel.h"

PG_FUNCTION_INFO_V1(so_product_guard);

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

static SoPlan product_lines_plan = {
	"SELECT pg_catalog.count(*) FROM salesorder.order_line l WHERE l.product_id = $1",
	1, {INT8OID}
};

static Datum
product_lines_work(void *arg)
{
	Datum		id = *(Datum *) arg;

	/* Not read-only: a snapshot taken after the lock, seeing every writer. */
	so_execute(&product_lines_plan, &id, NULL, false, 1);
	return Int64GetDatum(so_getint64(0, 1));
}

/*
 * BEFORE DELETE OR UPDATE OF id ON product FOR EACH ROW: ids never change,
 * and a product that order lines name is never deleted (23503, as its
 * foreign key did).
 */
Datum
so_product_guard(PG_FUNCTION_ARGS)
{
	TriggerData *trigdata = (TriggerData *) fcinfo->context;
	TupleDesc	desc;
	HeapTuple	old;
	int			id_att;
	bool		isnull;
	Datum		id;
	int64		lines;

	if (!CALLED_AS_TRIGGER(fcinfo) || !TRIGGER_FIRED_BEFORE(trigdata->tg_event) ||
		!TRIGGER_FIRED_FOR_ROW(trigdata->tg_event) ||
		TRIGGER_FIRED_BY_INSERT(trigdata->tg_event))
		elog(ERROR, "product_guard: must be fired BEFORE UPDATE OR DELETE FOR EACH ROW");
	desc = trigdata->tg_relation->rd_att;
	old = trigdata->tg_trigtuple;
	id_att = SPI_fnumber(desc, "id");
	id = heap_getattr(old, id_att, desc, &isnull);

	if (TRIGGER_FIRED_BY_UPDATE(trigdata->tg_event))
	{
		bool		newnull;
		Datum		newid = heap_getattr(trigdata->tg_newtuple, id_att, desc, &newnull);

		if (newnull || DatumGetInt64(newid) != DatumGetInt64(id))
			ereport(ERROR,
					(errcode(ERRCODE_FOREIGN_KEY_VIOLATION),
					 errmsg("the id of product %lld cannot change", (long long) DatumGetInt64(id)),
					 errdetail("Order lines, stock and the ledger refer to products by id.")));
		return PointerGetDatum(trigdata->tg_newtuple);
	}

	/*
	 * Wait for the writers of order lines and keep new ones out; under a
	 * transaction snapshot the count could still miss a line committed
	 * meanwhile, so the check wants READ COMMITTED.
	 */
	if (IsolationUsesXactSnapshot())
		ereport(ERROR,
				(errcode(ERRCODE_T_R_SERIALIZATION_FAILURE),
				 errmsg("products are deleted at READ COMMITTED"),
				 errdetail("The check that no order line names the product needs a snapshot taken after order entry has been held off."),
				 errhint("Run the DELETE outside a REPEATABLE READ or SERIALIZABLE transaction.")));
	LockRelationOid(so_relid("order_line"), ShareLock);
	lines = DatumGetInt64(so_run_as_owner(product_lines_work, &id, INT8OID));
	if (lines > 0)
		ereport(ERROR,
				(errcode(ERRCODE_FOREIGN_KEY_VIOLATION),
				 errmsg("product %lld cannot be deleted: %lld order line%s name%s it",
						(long long) DatumGetInt64(id), (long long) lines,
						lines == 1 ? "" : "s", lines == 1 ? "s" : ""),
				 errhint("Set the product's active flag to false: it can no longer be ordered.")));
	return PointerGetDatum(old);
}

static SoPlan stock_ledger_plan = {
	"SELECT EXISTS (SELECT 1 FROM salesorder.stock_movement m"
	"               WHERE m.warehouse_id = $1 AND m.product_id = $2)",
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
