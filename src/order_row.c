/*-------------------------------------------------------------------------
 *
 * order_row.c
 *	  The order row and its lines as the other modules use them: a line's
 *	  amounts, the products and prices of requested lines, locking an
 *	  order, moving its status, reading it.
 *
 * Kept apart from order.c (the SQL-callable lifecycle functions) so that
 * the modules run one way: order.c, approval.c, change.c, ship.c and
 * stock.c use these; none of them is used from here.
 *
 *-------------------------------------------------------------------------
 */
#include "sqlstate.h"
#include "json_input.h"
#include "spi_util.h"
#include "visibility.h"
#include "exposure.h"
#include "order_row.h"
#include "reference_guard.h"
#include "status.h"

#include "catalog/pg_type.h"
#include "fmgr.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/fmgrprotos.h"
#include "utils/lsyscache.h"
#include "utils/numeric.h"

/*
 * gross = round(qty * price, 2); amount = round(qty * price * (100 - disc)
 * * 0.01, 2).  Multiplying by 0.01 instead of dividing by 100 keeps every
 * intermediate exact, so the single rounding is the only one.
 */
void
so_compute_line(Datum qty, Datum unit_price, Datum discount_pct,
				Datum *gross, Datum *amount)
{
	Datum		qp = DirectFunctionCall2(numeric_mul, qty, unit_price);
	Datum		factor = DirectFunctionCall2(numeric_sub, so_numeric("100"),
											 discount_pct);
	Datum		net = DirectFunctionCall2(numeric_mul,
										  DirectFunctionCall2(numeric_mul, qp, factor),
										  so_numeric("0.01"));

	*gross = DirectFunctionCall2(numeric_round, qp, Int32GetDatum(2));
	*amount = DirectFunctionCall2(numeric_round, net, Int32GetDatum(2));
}

/* ---- products ---- */

/*
 * One row per requested line, in the caller's order, with the product it
 * names (by id, or by sku when no id is given) or NULLs when there is none.
 */
#define PRODUCTS_SQL(lock) \
	"SELECT p.id, p.list_price, p.active, p.sku, p.category" \
	" FROM ROWS FROM (pg_catalog.unnest($1::pg_catalog.int8[])," \
	"                 pg_catalog.unnest($2::pg_catalog.text[]))" \
	"      WITH ORDINALITY AS u(pid, sku, ord)" \
	" LEFT JOIN LATERAL (SELECT p1.id, p1.list_price, p1.active, p1.sku, p1.category" \
	"      FROM salesorder.product p1" \
	"      WHERE p1.id = COALESCE(u.pid," \
	"            (SELECT p2.id FROM salesorder.product p2 WHERE p2.sku = u.sku))" \
	"      OFFSET 0" lock ") p ON true" \
	" ORDER BY u.ord"

/*
 * One index probe per line.  As a plain join the kept (generic) plan
 * hashes the whole product table for every order; OFFSET 0 keeps the
 * planner from flattening the lateral subquery back into that join.
 */
static SoPlan products_plan = {
	PRODUCTS_SQL(""), 2, {INT8ARRAYOID, TEXTARRAYOID}
};

/*
 * Under a transaction snapshot a product deleted meanwhile can still look
 * present: lock the rows (as a foreign key would), which then fails with a
 * serialization error instead.
 */
static SoPlan products_locked_plan = {
	PRODUCTS_SQL(" FOR KEY SHARE OF p1"), 2, {INT8ARRAYOID, TEXTARRAYOID}
};

/* Resolve products and prices, and compute every line's amounts. */
SoLine *
so_resolve_lines(SoLineInput *in, int n)
{
	Datum	   *pids = palloc(sizeof(Datum) * n);
	bool	   *pid_nulls = palloc(sizeof(bool) * n);
	Datum	   *skus = palloc(sizeof(Datum) * n);
	bool	   *sku_nulls = palloc(sizeof(bool) * n);
	Datum		args[2];
	SoLine	   *out = palloc0(sizeof(SoLine) * n);
	StringInfoData missing;
	StringInfoData inactive;
	int			nmissing = 0;
	int			ninactive = 0;
	int			i;

	for (i = 0; i < n; i++)
	{
		pid_nulls[i] = in[i].sku != NULL;
		pids[i] = Int64GetDatum(in[i].product_id);
		sku_nulls[i] = in[i].sku == NULL;
		skus[i] = in[i].sku ? CStringGetTextDatum(in[i].sku) : (Datum) 0;
	}
	args[0] = so_make_array(pids, pid_nulls, n, INT8OID);
	args[1] = so_make_array(skus, sku_nulls, n, TEXTOID);
	/*
	 * Lines will name these products: no product delete from here on (see
	 * reference_guard.c), and a fresh snapshot, taken after any wait for
	 * one that was under way (read_only false).
	 */
	so_lock_order_lines();
	if (so_execute(IsolationUsesXactSnapshot() ? &products_locked_plan : &products_plan,
				   args, NULL, false, 0) != n)
		elog(ERROR, "product look-up returned the wrong number of rows");

	initStringInfo(&missing);
	initStringInfo(&inactive);
	for (i = 0; i < n; i++)
	{
		bool		isnull;
		Datum		id = so_getdatum(i, 1, &isnull);

		if (isnull)
		{
			if (nmissing++ < 10)
			{
				if (in[i].sku)
					appendStringInfo(&missing, "%slines[%d]: sku \"%s\"",
									 nmissing > 1 ? "; " : "", in[i].index, in[i].sku);
				else
					appendStringInfo(&missing, "%slines[%d]: product_id %lld",
									 nmissing > 1 ? "; " : "", in[i].index,
									 (long long) in[i].product_id);
			}
			continue;
		}
		if (!DatumGetBool(so_getdatum(i, 3, &isnull)))
		{
			if (ninactive++ < 10)
				appendStringInfo(&inactive, "%slines[%d]: %s",
								 ninactive > 1 ? "; " : "", in[i].index,
								 so_gettext(i, 4));
			continue;
		}

		out[i].product_id = DatumGetInt64(id);
		out[i].category = so_gettext(i, 5);
		out[i].qty = in[i].qty;
		out[i].unit_price = in[i].has_price ? in[i].unit_price :
			so_getdatum(i, 2, &isnull);
		out[i].discount_pct = in[i].discount_pct;
		out[i].note = in[i].note;
		so_compute_line(out[i].qty, out[i].unit_price, out[i].discount_pct,
						&out[i].gross, &out[i].amount);
	}

	if (nmissing > 0)
		ereport(ERROR,
				(errcode(ERRCODE_SO_NOT_FOUND),
				 errmsg_plural("%d line names a product that does not exist",
							   "%d lines name products that do not exist",
							   nmissing, nmissing),
				 errdetail("%s%s", missing.data, nmissing > 10 ? "; ..." : "")));
	if (ninactive > 0)
		ereport(ERROR,
				(errcode(ERRCODE_SO_INACTIVE),
				 errmsg_plural("%d line names an inactive product",
							   "%d lines name inactive products",
							   ninactive, ninactive),
				 errdetail("%s%s", inactive.data, ninactive > 10 ? "; ..." : "")));
	return out;
}

/* ---- the order row ---- */

static SoPlan lock_order_plan = {
	"SELECT o.status::text, o.order_no, o.customer_id, o.hold_from::text,"
	"       c.sales_rep, o.line_count, o.warehouse_id, o.allow_backorder,"
	"       o.created_by, o.total_amount"
	" FROM salesorder.sales_order o"
	" JOIN salesorder.customer c ON c.id = o.customer_id"
	" WHERE o.id = $1 FOR UPDATE OF o",
	1, {INT8OID}
};


/*
 * Lock an order row (FOR UPDATE) and check that the acting user may act for
 * its customer.
 */
void
so_lock_order(int64 order_id, SoLockedOrder *o)
{
	so_lock_order_for(order_id, o, true);
}

/*
 * Lock an order row; check_access false is for approvers, whose right to act
 * is the step routed to their role, not the customer's rep.
 */
void
so_lock_order_for(int64 order_id, SoLockedOrder *o, bool check_access)
{
	Datum		arg = Int64GetDatum(order_id);
	Datum		total;
	bool		isnull;

	if (so_execute(&lock_order_plan, &arg, NULL, false, 1) == 0)
		ereport(ERROR,
				(errcode(ERRCODE_SO_NOT_FOUND),
				 errmsg("order %lld does not exist", (long long) order_id)));
	o->status = so_gettext(0, 1);
	o->order_no = so_gettext(0, 2);
	o->customer_id = so_getint64(0, 3);
	o->hold_from = so_gettext(0, 4);
	o->line_count = DatumGetInt32(so_getdatum(0, 6, &isnull));
	o->warehouse_id = so_getint64(0, 7);
	o->allow_backorder = DatumGetBool(so_getdatum(0, 8, &isnull));
	o->created_by = so_gettext(0, 9);
	o->id = order_id;
	total = SPI_datumTransfer(so_getdatum(0, 10, &isnull), false, -1);
	if (check_access)
		so_check_access(so_gettext(0, 5), o->customer_id, order_id, o->order_no);
	/* Whatever the operation does to it, the exposure follows (exposure.c). */
	so_exposure_track(order_id, o->customer_id, o->status, o->hold_from, total);
}

static SoPlan order_status_plan = {
	"SELECT o.status FROM salesorder.sales_order o WHERE o.id = $1",
	1, {INT8OID}
};

Datum
so_order_status(int64 order_id)
{
	Datum		arg = Int64GetDatum(order_id);
	bool		isnull;

	if (so_execute(&order_status_plan, &arg, NULL, false, 1) == 0)
		elog(ERROR, "order %lld vanished", (long long) order_id);
	return so_getdatum(0, 1, &isnull);
}

static SoPlan needs_stock_plan = {
	"UPDATE salesorder.sales_order SET needs_stock = $2"
	" WHERE id = $1 AND needs_stock IS DISTINCT FROM $2",
	2, {INT8OID, BOOLOID}
};

void
so_set_needs_stock(int64 order_id, bool needs_stock)
{
	Datum		args[2] = {Int64GetDatum(order_id), BoolGetDatum(needs_stock)};

	so_execute(&needs_stock_plan, args, NULL, false, 0);
}
