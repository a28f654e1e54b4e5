/*-------------------------------------------------------------------------
 *
 * stock.c
 *	  Stock: reservations, releases, receipts and adjustments.
 *
 * Invariants, for every (warehouse, product):
 *	  0 <= reserved <= on_hand
 *	  on_hand  = sum of the ledger's on_hand_delta
 *	  reserved = sum of reserved_qty over the open lines of the warehouse's
 *				 orders
 * The ledger records what moves goods (receipts, shipments, adjustments);
 * a reservation or a release moves none and is no ledger row: the line's
 * reserved_qty is its record.  Every change of a stock row goes through
 * so_move_stock(), which updates the rows and appends the ledger rows of
 * the physical part in one statement, so the two can never disagree.
 *
 * Locking: stock rows are locked in (warehouse_id, product_id) order with
 * SELECT ... ORDER BY ... FOR NO KEY UPDATE, and after the order row, which
 * the caller already holds.  A receipt that fills backorders locks the
 * waiting orders first (in id order), then the stock row, then tries (SKIP
 * LOCKED, never waiting) the orders that began waiting meanwhile.  With one
 * global order no two operations can deadlock.
 *
 *-------------------------------------------------------------------------
 */
#include "sqlstate.h"
#include "json_input.h"
#include "privilege.h"
#include "spi_util.h"
#include "events.h"
#include "status.h"
#include "stock.h"

#include "catalog/pg_type.h"
#include "fmgr.h"
#include "utils/builtins.h"
#include "utils/fmgrprotos.h"
#include "utils/numeric.h"

PG_FUNCTION_INFO_V1(so_receive_stock);
PG_FUNCTION_INFO_V1(so_adjust_stock);

static int
cmp_int64(const void *a, const void *b)
{
	int64		x = *(const int64 *) a;
	int64		y = *(const int64 *) b;

	return (x > y) - (x < y);
}

/* Sorted distinct product ids of lines; returns the count. */
static int
distinct_products(SoStockLine *lines, int n, int64 **out)
{
	int64	   *ids = palloc(sizeof(int64) * Max(n, 1));
	int			i,
				m = 0;

	for (i = 0; i < n; i++)
		ids[i] = lines[i].product_id;
	qsort(ids, n, sizeof(int64), cmp_int64);
	for (i = 0; i < n; i++)
		if (m == 0 || ids[m - 1] != ids[i])
			ids[m++] = ids[i];
	*out = ids;
	return m;
}

/* Where id stands in the sorted ids (it must be there). */
int
so_product_index(int64 *ids, int m, int64 id)
{
	int64	   *hit = bsearch(&id, ids, m, sizeof(int64), cmp_int64);

	if (hit == NULL)
		elog(ERROR, "product %lld missing from the lock set", (long long) id);
	return (int) (hit - ids);
}

static SoPlan lock_stock_plan = {
	"SELECT s.product_id, s.on_hand - s.reserved"
	" FROM salesorder.stock s"
	" WHERE s.warehouse_id = $1 AND s.product_id = ANY ($2)"
	" ORDER BY s.product_id FOR NO KEY UPDATE OF s",
	2, {INT8OID, INT8ARRAYOID}
};

/*
 * Lock the stock rows of the given sorted products in one warehouse, in
 * product order, and return what is available of each (0 where a product
 * has no stock row there).
 */
Datum *
so_lock_stock(int64 warehouse_id, int64 *ids, int m)
{
	Datum	   *elems = palloc(sizeof(Datum) * Max(m, 1));
	Datum	   *available = palloc(sizeof(Datum) * Max(m, 1));
	Datum		args[2];
	int			rows,
				i;

	for (i = 0; i < m; i++)
	{
		elems[i] = Int64GetDatum(ids[i]);
		available[i] = so_numeric("0");
	}
	args[0] = Int64GetDatum(warehouse_id);
	args[1] = so_make_array(elems, NULL, m, INT8OID);
	rows = so_execute(&lock_stock_plan, args, NULL, false, 0);
	for (i = 0; i < rows; i++)
	{
		bool		isnull;

		available[so_product_index(ids, m, so_getint64(i, 1))] =
			SPI_datumTransfer(so_getdatum(i, 2, &isnull), false, -1);
	}
	return available;
}

/*
 * The single writer of stock rows: per line, add dh to on_hand and dr to
 * reserved (summed per product), and append one ledger row per line that
 * moves goods (dh <> 0).  The rows must exist and be locked by the caller.
 */
static SoPlan move_plan = {
	"WITH d AS MATERIALIZED ("
	"  SELECT u.pid, u.line_no, u.dh, u.dr"
	"  FROM ROWS FROM (pg_catalog.unnest($4::pg_catalog.int8[]),"
	"                  pg_catalog.unnest($5::pg_catalog.int4[]),"
	"                  pg_catalog.unnest($6::pg_catalog.numeric[]),"
	"                  pg_catalog.unnest($7::pg_catalog.numeric[]))"
	"       AS u(pid, line_no, dh, dr)),"
	" moved AS ("
	"  UPDATE salesorder.stock s"
	"  SET on_hand = s.on_hand + a.dh, reserved = s.reserved + a.dr"
	"  FROM (SELECT d.pid, pg_catalog.sum(d.dh) AS dh, pg_catalog.sum(d.dr) AS dr"
	"        FROM d GROUP BY d.pid) a"
	"  WHERE s.warehouse_id = $1 AND s.product_id = a.pid"
	"  RETURNING s.product_id, s.on_hand, s.reserved, s.reorder_point, a.dh, a.dr),"
	" led AS (INSERT INTO salesorder.stock_movement"
	" (warehouse_id, product_id, kind, on_hand_delta,"
	"  order_id, line_no, customer_id, note, created_by)"
	" SELECT $1, d.pid, $8, d.dh, $2, d.line_no, $3, $9, $10 FROM d"
	" WHERE d.dh OPERATOR(pg_catalog.<>) 0)"
	/* Stock rows this move takes below their reorder point. */
	" SELECT m.product_id, (m.on_hand - m.reserved)::text, m.reorder_point::text"
	" FROM moved m"
	" WHERE m.on_hand - m.reserved < m.reorder_point"
	"   AND (m.on_hand - m.dh) - (m.reserved - m.dr) >= m.reorder_point",
	10, {INT8OID, INT8OID, INT8OID, INT8ARRAYOID, INT4ARRAYOID,
		NUMERICARRAYOID, NUMERICARRAYOID, TEXTOID, TEXTOID, TEXTOID}
};

/* The outbox event of a stock row that a move took below its reorder point. */
void
so_emit_low_stock(int64 order_id, int64 customer_id, int64 warehouse_id,
			   int64 product_id, const char *available, const char *reorder_point)
{
	so_emit_event(order_id, customer_id, "low_stock",
				  psprintf("{\"warehouse_id\": " INT64_FORMAT ", \"product_id\": " INT64_FORMAT
						   ", \"available\": %s, \"reorder_point\": %s}",
						   warehouse_id, product_id, available, reorder_point));
}

void
so_move_stock(int64 warehouse_id, int64 order_id, int64 customer_id,
			  const char *kind, const char *note, SoStockMove *moves, int n)
{
	Datum	   *pids = palloc(sizeof(Datum) * n);
	Datum	   *line_nos = palloc(sizeof(Datum) * n);
	bool	   *line_nulls = palloc(sizeof(bool) * n);
	Datum	   *dh = palloc(sizeof(Datum) * n);
	Datum	   *dr = palloc(sizeof(Datum) * n);
	Datum		args[10];
	char		nulls[10];
	int			ncrossed;
	int			i;

	if (n == 0)
		return;
	for (i = 0; i < n; i++)
	{
		pids[i] = Int64GetDatum(moves[i].product_id);
		line_nos[i] = Int32GetDatum(moves[i].line_no);
		line_nulls[i] = moves[i].line_no == 0;
		dh[i] = moves[i].on_hand_delta;
		dr[i] = moves[i].reserved_delta;
	}
	memset(nulls, ' ', sizeof(nulls));
	args[0] = Int64GetDatum(warehouse_id);
	args[1] = Int64GetDatum(order_id);
	nulls[1] = order_id ? ' ' : 'n';
	args[2] = Int64GetDatum(customer_id);
	nulls[2] = customer_id ? ' ' : 'n';
	args[3] = so_make_array(pids, NULL, n, INT8OID);
	args[4] = so_make_array(line_nos, line_nulls, n, INT4OID);
	args[5] = so_make_array(dh, NULL, n, NUMERICOID);
	args[6] = so_make_array(dr, NULL, n, NUMERICOID);
	args[7] = CStringGetTextDatum(kind);
	args[8] = note ? CStringGetTextDatum(note) : (Datum) 0;
	nulls[8] = note ? ' ' : 'n';
	args[9] = CStringGetTextDatum(so_acting_user_name());
	ncrossed = so_execute(&move_plan, args, nulls, false, 0);
	if (ncrossed > 0)
	{
		SPITupleTable *crossed = SPI_tuptable;

		for (i = 0; i < ncrossed; i++)
		{
			bool		isnull;
			int64		product_id = DatumGetInt64(SPI_getbinval(crossed->vals[i],
																 crossed->tupdesc, 1, &isnull));

			so_emit_low_stock(order_id, customer_id, warehouse_id, product_id,
						   SPI_getvalue(crossed->vals[i], crossed->tupdesc, 2),
						   SPI_getvalue(crossed->vals[i], crossed->tupdesc, 3));
		}
	}
}

static SoPlan sku_plan = {
	"SELECT p.sku FROM salesorder.product p WHERE p.id = $1",
	1, {INT8OID}
};

char *
so_product_sku(int64 product_id)
{
	Datum		arg = Int64GetDatum(product_id);

	if (so_execute(&sku_plan, &arg, NULL, true, 1) == 0)
		return psprintf("product %lld", (long long) product_id);
	return so_gettext(0, 1);
}

/* A quantity for a message, without trailing zeros: "2", "1.5". */
static char *
numeric_text(Datum d)
{
	return DatumGetCString(DirectFunctionCall1(numeric_out,
											   DirectFunctionCall1(numeric_trim_scale, d)));
}

/* One short product in the detail of an SO001. */
void
so_append_short(StringInfo detail, int *nshort, int64 product_id, Datum wanted,
			 Datum available)
{
	appendStringInfo(detail, "%s%s: wanted %s, available %s",
					 (*nshort)++ ? "; " : "", so_product_sku(product_id),
					 numeric_text(wanted), numeric_text(available));
}

/* SO001 for the short products of an order (detail: one per product). */
void
so_raise_short(int64 warehouse_id, int nshort, const char *detail)
{
	ereport(ERROR,
			(errcode(ERRCODE_SO_INSUFFICIENT_STOCK),
			 errmsg("insufficient stock in warehouse %lld for %d product%s",
					(long long) warehouse_id, nshort, nshort == 1 ? "" : "s"),
			 errdetail("%s.", detail),
			 errhint("Order less, choose another warehouse, or pass {\"backorder\": true} to reserve what is there and backorder the rest.")));
}

/*
 * Reserve the `want` quantity of each line in the order's warehouse, lines
 * in their order (so the first of two lines of one product is served
 * first).  Fills reserved and backorder of every line.  Without
 * allow_backorder a shortage raises SO001 naming each short SKU; with it,
 * what is available is reserved and the rest backordered.  Returns true
 * when some quantity is backordered.  The caller holds the order row.
 */
bool
so_reserve_lines(int64 order_id, int64 customer_id, int64 warehouse_id,
				 SoStockLine *lines, int n, bool allow_backorder)
{
	int64	   *ids;
	int			m = distinct_products(lines, n, &ids);
	Datum	   *available;
	Datum	   *had;
	Datum	   *wanted;
	SoStockMove *moves = palloc(sizeof(SoStockMove) * n);
	int			nmoves = 0;
	bool		short_any = false;
	Datum		zero = so_numeric("0");
	int			i;

	available = so_lock_stock(warehouse_id, ids, m);
	had = palloc(sizeof(Datum) * Max(m, 1));
	wanted = palloc(sizeof(Datum) * Max(m, 1));
	for (i = 0; i < m; i++)
	{
		had[i] = available[i];
		wanted[i] = zero;
	}

	for (i = 0; i < n; i++)
	{
		int			p = so_product_index(ids, m, lines[i].product_id);
		Datum		take = lines[i].want;

		wanted[p] = DirectFunctionCall2(numeric_add, wanted[p], lines[i].want);
		if (so_numeric_cmp(take, available[p]) > 0)
		{
			take = available[p];
			short_any = true;
		}
		available[p] = DirectFunctionCall2(numeric_sub, available[p], take);
		lines[i].reserved = take;
		lines[i].backorder = DirectFunctionCall2(numeric_sub, lines[i].want, take);
		if (so_numeric_cmp(take, zero) > 0)
		{
			moves[nmoves].product_id = lines[i].product_id;
			moves[nmoves].line_no = lines[i].line_no;
			moves[nmoves].on_hand_delta = zero;
			moves[nmoves].reserved_delta = take;
			nmoves++;
		}
	}

	if (short_any && !allow_backorder)
	{
		StringInfoData detail;
		int			nshort = 0;

		initStringInfo(&detail);
		for (i = 0; i < m; i++)
		{
			if (so_numeric_cmp(wanted[i], had[i]) <= 0)
				continue;
			so_append_short(&detail, &nshort, ids[i], wanted[i], had[i]);
		}
		so_raise_short(warehouse_id, nshort, detail.data);
	}

	so_move_stock(warehouse_id, order_id, customer_id, "reservation", NULL,
				  moves, nmoves);
	return short_any;
}

/* Lock the stock rows that moves touch, in product order. */
void
so_lock_stock_for(int64 warehouse_id, SoStockMove *moves, int n)
{
	SoStockLine *lines = palloc(sizeof(SoStockLine) * Max(n, 1));
	int64	   *ids;
	int			m;
	int			i;

	for (i = 0; i < n; i++)
		lines[i].product_id = moves[i].product_id;
	m = distinct_products(lines, n, &ids);
	(void) so_lock_stock(warehouse_id, ids, m);
}

static SoPlan store_reservations_plan = {
	"UPDATE salesorder.order_line l SET reserved_qty = u.r, backorder_qty = u.b"
	" FROM ROWS FROM (pg_catalog.unnest($2::pg_catalog.int4[]),"
	"                 pg_catalog.unnest($3::pg_catalog.numeric[]),"
	"                 pg_catalog.unnest($4::pg_catalog.numeric[])) AS u(line_no, r, b)"
	" WHERE l.order_id = $1 AND l.line_no = u.line_no",
	4, {INT8OID, INT4ARRAYOID, NUMERICARRAYOID, NUMERICARRAYOID}
};

/* Write what so_reserve_lines() decided onto the order's lines. */
void
so_store_reservations(int64 order_id, SoStockLine *lines, int n)
{
	Datum	   *line_nos = palloc(sizeof(Datum) * n);
	Datum	   *r = palloc(sizeof(Datum) * n);
	Datum	   *b = palloc(sizeof(Datum) * n);
	Datum		args[4];
	int			i;

	for (i = 0; i < n; i++)
	{
		line_nos[i] = Int32GetDatum(lines[i].line_no);
		r[i] = lines[i].reserved;
		b[i] = lines[i].backorder;
	}
	args[0] = Int64GetDatum(order_id);
	args[1] = so_make_array(line_nos, NULL, n, INT4OID);
	args[2] = so_make_array(r, NULL, n, NUMERICOID);
	args[3] = so_make_array(b, NULL, n, NUMERICOID);
	so_execute(&store_reservations_plan, args, NULL, false, 0);
}

static SoPlan reserved_lines_plan = {
	"SELECT l.line_no, l.product_id, l.reserved_qty"
	" FROM salesorder.order_line l"
	" WHERE l.order_id = $1 AND l.reserved_qty > 0"
	" ORDER BY l.product_id, l.line_no",
	1, {INT8OID}
};

static SoPlan clear_lines_plan = {
	"UPDATE salesorder.order_line SET reserved_qty = 0, backorder_qty = 0"
	" WHERE order_id = $1 AND (reserved_qty > 0 OR backorder_qty > 0)",
	1, {INT8OID}
};

/*
 * Release every reservation of an order and forget its backorders (cancel,
 * reject, short close).  The caller holds the order row.
 */
void
so_release_order(int64 order_id, int64 customer_id, int64 warehouse_id,
				 const char *why)
{
	Datum		arg = Int64GetDatum(order_id);
	int			n = so_execute(&reserved_lines_plan, &arg, NULL, false, 0);
	SoStockLine *lines = palloc(sizeof(SoStockLine) * Max(n, 1));
	SoStockMove *moves = palloc(sizeof(SoStockMove) * Max(n, 1));
	Datum		zero = so_numeric("0");
	int64	   *ids;
	int			m;
	int			i;
	bool		isnull;

	for (i = 0; i < n; i++)
	{
		lines[i].line_no = DatumGetInt32(so_getdatum(i, 1, &isnull));
		lines[i].product_id = so_getint64(i, 2);
		moves[i].product_id = lines[i].product_id;
		moves[i].line_no = lines[i].line_no;
		moves[i].on_hand_delta = zero;
		moves[i].reserved_delta =
			DirectFunctionCall1(numeric_uminus,
								SPI_datumTransfer(so_getdatum(i, 3, &isnull), false, -1));
	}
	so_execute(&clear_lines_plan, &arg, NULL, false, 0);
	if (n == 0)
		return;
	m = distinct_products(lines, n, &ids);
	(void) so_lock_stock(warehouse_id, ids, m);
	so_move_stock(warehouse_id, order_id, customer_id, "release", why, moves, n);
}

/* ---- receipts and adjustments ---- */

static SoPlan ensure_stock_plan = {
	"INSERT INTO salesorder.stock (warehouse_id, product_id) VALUES ($1, $2)"
	" ON CONFLICT DO NOTHING",
	2, {INT8OID, INT8OID}
};

static SoPlan check_pair_plan = {
	"SELECT (SELECT w.code FROM salesorder.warehouse w WHERE w.id = $1),"
	"       (SELECT p.sku FROM salesorder.product p WHERE p.id = $2)",
	2, {INT8OID, INT8OID}
};

/* Orders of this warehouse waiting for this product, in id order. */
#define WAITING_ORDERS_SQL \
	"SELECT o.id FROM salesorder.sales_order o" \
	" WHERE o.id IN (SELECT l.order_id FROM salesorder.order_line l" \
	"                WHERE l.product_id = $2 AND l.backorder_qty > 0)" \
	"   AND o.warehouse_id = $1 AND " SO_STATUS_IN("o.status", SO_STATUSES_IN_FLIGHT) \
	" ORDER BY o.id FOR UPDATE OF o"

/* Locked before the stock row, waiting for them if need be. */
static SoPlan waiting_orders_plan = {
	WAITING_ORDERS_SQL,
	2, {INT8OID, INT8OID}
};

/*
 * The same after the stock row is locked, for backorders committed while we
 * waited for it.  Taking an order lock now would invert the lock order, so
 * it is only tried: SKIP LOCKED never waits, and an order busy elsewhere is
 * left for the next receipt.
 */
static SoPlan waiting_orders_late_plan = {
	WAITING_ORDERS_SQL " SKIP LOCKED",
	2, {INT8OID, INT8OID}
};

static SoPlan waiting_lines_plan = {
	"SELECT l.order_id, l.line_no, l.backorder_qty, o.customer_id"
	" FROM salesorder.order_line l"
	" JOIN salesorder.sales_order o ON o.id = l.order_id"
	" WHERE l.order_id = ANY ($1) AND l.product_id = $2 AND l.backorder_qty > 0"
	"   AND " SO_STATUS_IN("o.status", SO_STATUSES_IN_FLIGHT)
	" ORDER BY o.created_at, o.id, l.line_no",
	2, {INT8ARRAYOID, INT8OID}
};

static SoPlan fill_line_plan = {
	"UPDATE salesorder.order_line"
	" SET reserved_qty = reserved_qty + $3, backorder_qty = backorder_qty - $3"
	" WHERE order_id = $1 AND line_no = $2",
	3, {INT8OID, INT4OID, NUMERICOID}
};

static SoPlan stock_needed_plan = {
	"UPDATE salesorder.sales_order o SET needs_stock = false"
	" WHERE o.id = ANY ($1) AND o.needs_stock"
	"   AND NOT EXISTS (SELECT 1 FROM salesorder.order_line l"
	"                   WHERE l.order_id = o.id AND l.backorder_qty > 0)",
	1, {INT8ARRAYOID}
};

static SoPlan stock_row_plan = {
	"SELECT s FROM salesorder.stock s WHERE s.warehouse_id = $1 AND s.product_id = $2",
	2, {INT8OID, INT8OID}
};

/*
 * Add (or, with a negative delta, remove) stock and give what becomes
 * available to the backorders waiting for it, oldest order first.  Returns
 * the stock row as a composite datum (copied out of SPI).
 */
static Datum
change_stock(int64 warehouse_id, int64 product_id, Datum delta,
			 const char *kind, const char *note)
{
	Datum		args[2] = {Int64GetDatum(warehouse_id), Int64GetDatum(product_id)};
	Datum		zero = so_numeric("0");
	bool		increase = so_numeric_cmp(delta, zero) > 0;
	Datum		available;
	Datum		order_ids = (Datum) 0;
	int			norders = 0;
	int64		ids[1] = {product_id};
	SoStockMove move;
	bool		isnull;
	int			i;

	so_execute(&check_pair_plan, args, NULL, true, 1);
	so_getdatum(0, 1, &isnull);
	if (isnull)
		ereport(ERROR,
				(errcode(ERRCODE_SO_NOT_FOUND),
				 errmsg("warehouse %lld does not exist", (long long) warehouse_id)));
	so_getdatum(0, 2, &isnull);
	if (isnull)
		ereport(ERROR,
				(errcode(ERRCODE_SO_NOT_FOUND),
				 errmsg("product %lld does not exist", (long long) product_id)));

	/* Orders before stock: lock the waiting orders first. */
	if (increase)
		(void) so_execute(&waiting_orders_plan, args, NULL, false, 0);

	so_execute(&ensure_stock_plan, args, NULL, false, 0);
	available = so_lock_stock(warehouse_id, ids, 1)[0];

	if (increase)
	{
		norders = so_execute(&waiting_orders_late_plan, args, NULL, false, 0);
		if (norders > 0)
		{
			Datum	   *elems = palloc(sizeof(Datum) * norders);

			for (i = 0; i < norders; i++)
				elems[i] = Int64GetDatum(so_getint64(i, 1));
			order_ids = so_make_array(elems, NULL, norders, INT8OID);
		}
	}

	if (!increase &&
		so_numeric_cmp(DirectFunctionCall2(numeric_add, available, delta), zero) < 0)
		ereport(ERROR,
				(errcode(ERRCODE_SO_INSUFFICIENT_STOCK),
				 errmsg("cannot take %s of %s out of warehouse %lld: only %s are not reserved",
						numeric_text(DirectFunctionCall1(numeric_uminus, delta)),
						so_product_sku(product_id), (long long) warehouse_id,
						numeric_text(available)),
				 errdetail("Reserved stock belongs to its orders; on_hand can never go below reserved."),
				 errhint("Cancel or ship the orders holding the reservations first.")));

	move.product_id = product_id;
	move.line_no = 0;
	move.on_hand_delta = delta;
	move.reserved_delta = zero;
	so_move_stock(warehouse_id, 0, 0, kind, note, &move, 1);
	available = DirectFunctionCall2(numeric_add, available, delta);

	if (norders > 0 && so_numeric_cmp(available, zero) > 0)
	{
		Datum		fargs[2] = {order_ids, Int64GetDatum(product_id)};
		int			nlines = so_execute(&waiting_lines_plan, fargs, NULL, false, 0);
		SoStockMove *fills = palloc(sizeof(SoStockMove) * nlines);
		int64	   *fill_orders = palloc(sizeof(int64) * nlines);
		int64	   *fill_customers = palloc(sizeof(int64) * nlines);
		int			nfills = 0;

		for (i = 0; i < nlines && so_numeric_cmp(available, zero) > 0; i++)
		{
			Datum		take = SPI_datumTransfer(so_getdatum(i, 3, &isnull), false, -1);

			if (so_numeric_cmp(take, available) > 0)
				take = available;
			available = DirectFunctionCall2(numeric_sub, available, take);
			fill_orders[nfills] = so_getint64(i, 1);
			fill_customers[nfills] = so_getint64(i, 4);
			fills[nfills].product_id = product_id;
			fills[nfills].line_no = DatumGetInt32(so_getdatum(i, 2, &isnull));
			fills[nfills].on_hand_delta = zero;
			fills[nfills].reserved_delta = take;
			nfills++;
		}
		/* One ledger row per filled line, under its own order. */
		for (i = 0; i < nfills; i++)
		{
			Datum		largs[3] = {Int64GetDatum(fill_orders[i]),
				Int32GetDatum(fills[i].line_no), fills[i].reserved_delta};

			so_move_stock(warehouse_id, fill_orders[i], fill_customers[i],
						  "reservation", "backorder filled", &fills[i], 1);
			so_execute(&fill_line_plan, largs, NULL, false, 0);
		}
		so_execute(&stock_needed_plan, &order_ids, NULL, false, 0);
	}

	if (so_execute(&stock_row_plan, args, NULL, false, 1) != 1)
		elog(ERROR, "stock row vanished");
	return so_getdatum(0, 1, &isnull);
}

typedef struct SoStockCall
{
	int64		warehouse_id;
	int64		product_id;
	Datum		delta;
	const char *kind;
	const char *note;
} SoStockCall;

static Datum
change_stock_work(void *arg)
{
	SoStockCall *c = (SoStockCall *) arg;

	return change_stock(c->warehouse_id, c->product_id, c->delta, c->kind, c->note);
}

static Datum
change_stock_as_owner(int64 warehouse_id, int64 product_id, Datum delta,
					  const char *kind, const char *note)
{
	SoStockCall call = {warehouse_id, product_id, delta, kind, note};

	return so_run_as_owner(change_stock_work, &call, RECORDOID);
}

/*
 * salesorder.receive_stock(warehouse_id, product_id, qty, note)
 */
Datum
so_receive_stock(PG_FUNCTION_ARGS)
{
	Datum		qty;

	so_require_args(fcinfo, 3, "warehouse_id", "product_id", "qty");
	qty = so_check_quantity("qty", PG_GETARG_DATUM(2), false);
	return change_stock_as_owner(PG_GETARG_INT64(0), PG_GETARG_INT64(1), qty,
								 "receipt",
								 PG_ARGISNULL(3) ? NULL : text_to_cstring(PG_GETARG_TEXT_PP(3)));
}

/*
 * salesorder.adjust_stock(warehouse_id, product_id, delta, reason)
 */
Datum
so_adjust_stock(PG_FUNCTION_ARGS)
{
	Datum		delta;
	char	   *reason;

	so_require_args(fcinfo, 3, "warehouse_id", "product_id", "delta");
	delta = so_check_quantity("delta", PG_GETARG_DATUM(2), true);
	so_check_reason("adjust stock", PG_ARGISNULL(3) ? NULL : PG_GETARG_TEXT_PP(3));
	reason = text_to_cstring(PG_GETARG_TEXT_PP(3));
	return change_stock_as_owner(PG_GETARG_INT64(0), PG_GETARG_INT64(1), delta,
								 "adjustment", reason);
}
