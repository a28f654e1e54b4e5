/*-------------------------------------------------------------------------
 *
 * stock_reserve.c
 *	  A new order's stock reserved in full, or SO001: the common case of
 *	  create_order, in one statement.
 *
 * The global lock order puts stock rows in (warehouse_id, product_id)
 * order (stock.c).  The general way to keep it is to lock the rows first
 * with SELECT ... ORDER BY ... FOR NO KEY UPDATE and update them after;
 * but each of those row locks is a WAL record of its own (and the first
 * change of a page after a checkpoint, which carries the full page image),
 * ten of them for a ten-line order, before the updates that follow.  The
 * bare writes of an order do without: one UPDATE that joins the products,
 * sorted, to their stock rows, and updates each row as the join reaches it.
 * That keeps the lock order only if the join is driven by the sorted
 * products -- a nested loop or a hash join whose outer side is the list of
 * products -- and not, say, by a scan of the stock table in its physical
 * order (a hash join the other way round, which the planner may choose for
 * a small table).
 *
 * So the UPDATE is prepared with a generic plan only, and before each run
 * its plan is looked at (updates_in_input_order()): when the join is driven
 * by the products, the UPDATE runs alone; otherwise the rows are locked in
 * product order first, by a statement of their own, and the UPDATE follows
 * (and so always with salesorder.reserve_in_one_update off, for diagnosis
 * and for the tests of both ways).  The plan looked at is the plan run: the look takes the
 * plan's locks and accepts pending invalidations, and nothing in between
 * it and the run can accept another one (a relation lock already held and
 * cleared accepts none; see LockRelationOid()).  Were that ever to fail,
 * the cost would be a deadlock the server detects and breaks, never an
 * oversold unit: the available quantity is the UPDATE's own condition,
 * which READ COMMITTED re-checks on the newest version of a row another
 * order changed meanwhile.
 *
 * Either way the UPDATE adds each product's quantity to reserved where
 * enough is available, and what it reports makes the SO001 (every short
 * product, with what was available) and the low_stock events (a move that
 * took a row below its reorder point).  The lines carry their reservations
 * already (create_order writes them fully reserved).  The caller holds the
 * order row.
 *
 *-------------------------------------------------------------------------
 */
#include "sqlstate.h"
#include "settings.h"
#include "spi_util.h"
#include "stock.h"

#include "catalog/pg_type.h"
#include "nodes/plannodes.h"
#include "utils/builtins.h"
#include "utils/fmgrprotos.h"
#include "utils/numeric.h"
#include "utils/plancache.h"
#include "utils/resowner.h"

/* ---- the UPDATE driven by the sorted products ---- */

/*
 * $2 sorted and distinct, $3 the quantity of each: returns the rows it
 * reserved, with what is available after and the reorder point.
 */
static SoPlan reserve_ordered_plan = {
	"UPDATE salesorder.stock s SET reserved = s.reserved + u.want"
	" FROM ROWS FROM (pg_catalog.unnest($2::pg_catalog.int8[]),"
	"                 pg_catalog.unnest($3::pg_catalog.numeric[])) AS u(pid, want)"
	" WHERE s.warehouse_id = $1 AND s.product_id = u.pid"
	"   AND s.on_hand - s.reserved >= u.want"
	" RETURNING s.product_id, u.want, s.on_hand - s.reserved, s.reorder_point",
	3, {INT8OID, INT8ARRAYOID, NUMERICARRAYOID}, NULL, CURSOR_OPT_GENERIC_PLAN
};

/* What is available of the products an order could not reserve. */
static SoPlan available_plan = {
	"SELECT s.product_id, s.on_hand - s.reserved FROM salesorder.stock s"
	" WHERE s.warehouse_id = $1 AND s.product_id = ANY ($2)",
	2, {INT8OID, INT8ARRAYOID}
};

/* The list of products, as the join's outer side: the function scan. */
static bool
is_product_list(Plan *plan)
{
	while (plan != NULL && (IsA(plan, Material) || IsA(plan, Result)) &&
		   plan->righttree == NULL)
		plan = plan->lefttree;
	return plan != NULL && IsA(plan, FunctionScan);
}

/*
 * Whether a plan of reserve_ordered_plan updates the stock rows in the
 * order of its product list: a ModifyTable over a nested loop or a hash
 * join whose outer side is the list (one stock row matches each product,
 * by the primary key, so the join yields them in the list's order).
 */
static bool
updates_in_input_order(PlannedStmt *stmt)
{
	Plan	   *join;

	if (stmt->commandType != CMD_UPDATE || !IsA(stmt->planTree, ModifyTable))
		return false;
	join = stmt->planTree->lefttree;
	if (join == NULL || !(IsA(join, NestLoop) || IsA(join, HashJoin)))
		return false;
	return is_product_list(join->lefttree);
}

/* Whether the generic plan of the UPDATE, the one the next run uses, is. */
static bool
ordered_plan_is_safe(void)
{
	SPIPlanPtr	plan = so_prepared(&reserve_ordered_plan);
	CachedPlan *cplan = SPI_plan_get_cached_plan(plan);
	bool		safe;

	if (cplan == NULL)
		elog(ERROR, "SPI_plan_get_cached_plan failed: %s",
			 SPI_result_code_string(SPI_result));
	safe = list_length(cplan->stmt_list) == 1 &&
		updates_in_input_order(linitial_node(PlannedStmt, cplan->stmt_list));
	ReleaseCachedPlan(cplan, CurrentResourceOwner);
	return safe;
}

static int
cmp_by_product(const void *a, const void *b)
{
	int64		x = ((const SoStockLine *) a)->product_id;
	int64		y = ((const SoStockLine *) b)->product_id;

	return (x > y) - (x < y);
}

/*
 * The lines' products, sorted and distinct (ids, and pids as Datums for the
 * statements), with the quantity each takes (an order may name a product
 * on more than one line).  Returns the count.
 */
static int
sum_by_product(const SoStockLine *lines, int n, int64 *ids, Datum *pids,
			   Datum *wants)
{
	SoStockLine *sorted = palloc(sizeof(SoStockLine) * Max(n, 1));
	int			m = 0,
				i;

	memcpy(sorted, lines, sizeof(SoStockLine) * n);
	qsort(sorted, n, sizeof(SoStockLine), cmp_by_product);
	for (i = 0; i < n; i++)
	{
		if (m > 0 && ids[m - 1] == sorted[i].product_id)
			wants[m - 1] = DirectFunctionCall2(numeric_add, wants[m - 1],
											   sorted[i].want);
		else
		{
			ids[m] = sorted[i].product_id;
			pids[m] = Int64GetDatum(sorted[i].product_id);
			wants[m++] = sorted[i].want;
		}
	}
	return m;
}

/*
 * SO001 for the products of pids (sorted, wants their quantities) that the
 * UPDATE did not reserve: reserved[i] false.  What is available is read
 * now, after the UPDATE waited for whoever held the row.
 */
static void
raise_unreserved(int64 warehouse_id, int64 *ids, Datum *pids, Datum *wants,
				 const bool *reserved, int m)
{
	Datum		args[2];
	Datum	   *avail = palloc(sizeof(Datum) * m);
	StringInfoData detail;
	int			nshort = 0,
				rows,
				i;

	args[0] = Int64GetDatum(warehouse_id);
	args[1] = so_make_array(pids, NULL, m, INT8OID);
	rows = so_execute(&available_plan, args, NULL, true, 0);
	for (i = 0; i < m; i++)
		avail[i] = so_numeric("0");
	for (i = 0; i < rows; i++)
	{
		bool		isnull;

		avail[so_product_index(ids, m, so_getint64(i, 1))] = so_getdatum(i, 2, &isnull);
	}
	initStringInfo(&detail);
	for (i = 0; i < m; i++)
		if (!reserved[i])
			so_append_short(&detail, &nshort, ids[i], wants[i], avail[i]);
	so_raise_short(warehouse_id, nshort, detail.data);
}

static void
reserve_ordered(int64 order_id, int64 customer_id, int64 warehouse_id,
				int64 *ids, Datum *pids, Datum *wants, int m)
{
	Datum		args[3];
	bool	   *reserved = palloc0(sizeof(bool) * m);
	SPITupleTable *res;
	int			rows,
				j;

	args[0] = Int64GetDatum(warehouse_id);
	args[1] = so_make_array(pids, NULL, m, INT8OID);
	args[2] = so_make_array(wants, NULL, m, NUMERICOID);
	rows = so_execute(&reserve_ordered_plan, args, NULL, false, 0);
	res = SPI_tuptable;

	for (j = 0; j < rows; j++)
	{
		HeapTuple	tup = res->vals[j];
		bool		isnull;
		int64		pid = DatumGetInt64(SPI_getbinval(tup, res->tupdesc, 1, &isnull));
		Datum		want = SPI_getbinval(tup, res->tupdesc, 2, &isnull);
		Datum		after = SPI_getbinval(tup, res->tupdesc, 3, &isnull);
		Datum		point = SPI_getbinval(tup, res->tupdesc, 4, &isnull);
		Datum		before = DirectFunctionCall2(numeric_add, after, want);

		reserved[so_product_index(ids, m, pid)] = true;
		/* Below the reorder point now, and not before this order. */
		if (so_numeric_cmp(after, point) < 0 && so_numeric_cmp(before, point) >= 0)
			so_emit_low_stock(order_id, customer_id, warehouse_id, pid,
							  SPI_getvalue(tup, res->tupdesc, 3),
							  SPI_getvalue(tup, res->tupdesc, 4));
	}
	if (rows < m)
		raise_unreserved(warehouse_id, ids, pids, wants, reserved, m);
}

/* ---- the entry point ---- */

/*
 * For any plan of the UPDATE that does not visit the rows in product order
 * (or with salesorder.reserve_in_one_update off), the rows are locked in
 * that order first, by a statement of their own (so_lock_stock()); the
 * UPDATE, in a snapshot of its own, then finds them locked by this
 * transaction in whatever order its plan visits them.  (One statement that
 * locked the rows in a CTE and updated them in another was right only with
 * the BEFORE UPDATE trigger stock had until 2.0: without it, concurrent
 * orders of a scarce product took a row past its on_hand -- the CHECK
 * refused it -- in the crash test's traffic.)
 */
void
so_reserve_all(int64 order_id, int64 customer_id, int64 warehouse_id,
			   SoStockLine *lines, int n)
{
	int64	   *ids = palloc(sizeof(int64) * Max(n, 1));
	Datum	   *pids = palloc(sizeof(Datum) * Max(n, 1));
	Datum	   *wants = palloc(sizeof(Datum) * Max(n, 1));
	int			m,
				i;

	for (i = 0; i < n; i++)
	{
		lines[i].reserved = lines[i].want;
		lines[i].backorder = so_numeric("0");
	}
	m = sum_by_product(lines, n, ids, pids, wants);
	if (so_reserve_in_one_update && ordered_plan_is_safe())
		elog(DEBUG1, "salesorder: stock of order %lld reserved by one ordered UPDATE",
			 (long long) order_id);
	else
	{
		elog(DEBUG1, "salesorder: stock of order %lld locked first, then reserved",
			 (long long) order_id);
		(void) so_lock_stock(warehouse_id, ids, m);
	}
	reserve_ordered(order_id, customer_id, warehouse_id, ids, pids, wants, m);
}
