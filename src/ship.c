/*-------------------------------------------------------------------------
 *
 * ship.c
 *	  Shipping: ship(order_id, lines).
 *
 * A shipment takes reserved stock out of the warehouse: on_hand and reserved
 * go down together, the line's shipped quantity up.  Only what is reserved
 * can ship (a backordered quantity waits for a receipt), and never more than
 * is open on a line.  The first shipment that leaves something open moves
 * the order to partially_shipped, the one that ships the last unit to
 * shipped.
 *
 *-------------------------------------------------------------------------
 */
#include "sqlstate.h"
#include "json_input.h"
#include "privilege.h"
#include "spi_util.h"
#include "approval_steps.h"
#include "events.h"
#include "order_row.h"
#include "history.h"
#include "status.h"
#include "transition.h"
#include "stock.h"

#include "catalog/pg_type.h"
#include "fmgr.h"
#include "utils/builtins.h"
#include "utils/fmgrprotos.h"
#include "utils/numeric.h"

PG_FUNCTION_INFO_V1(so_ship);

/* An order line as it stands before the shipment. */
typedef struct SoShipLine
{
	int			line_no;
	int64		product_id;
	Datum		qty;
	Datum		reserved;
	Datum		shipped;
	Datum		ship;			/* what this shipment takes */
	bool		requested;
} SoShipLine;

#define SHIP_LINES_SQL(lock) \
	"SELECT l.line_no, l.product_id, l.qty, l.reserved_qty, l.shipped_qty" \
	" FROM salesorder.order_line l WHERE l.order_id = $1 ORDER BY l.line_no" lock

static SoPlan ship_lines_plan = {
	SHIP_LINES_SQL(""), 1, {INT8OID}
};

/*
 * Under a transaction snapshot the lines read may predate a shipment that
 * committed since: one of another line leaves the order row as it was
 * (its status does not move, and a line without an amount moves no
 * exposure), so nothing this shipment writes would conflict with it, and
 * the order would stay partially_shipped after its last unit.  Locking the
 * lines fails with a serialization error instead when any of them changed
 * after the snapshot.  At READ COMMITTED the order row lock is enough:
 * the lines are read after it, with a fresh snapshot.
 */
static SoPlan ship_lines_locked_plan = {
	SHIP_LINES_SQL(" FOR NO KEY UPDATE OF l"), 1, {INT8OID}
};

static SoPlan record_shipment_plan = {
	"UPDATE salesorder.order_line l"
	" SET shipped_qty = l.shipped_qty + u.q, reserved_qty = l.reserved_qty - u.q"
	" FROM ROWS FROM (pg_catalog.unnest($2::pg_catalog.int4[]),"
	"                 pg_catalog.unnest($3::pg_catalog.numeric[])) AS u(line_no, q)"
	" WHERE l.order_id = $1 AND l.line_no = u.line_no",
	3, {INT8OID, INT4ARRAYOID, NUMERICARRAYOID}
};

static int
find_line(SoShipLine *lines, int n, int line_no)
{
	int			lo = 0,
				hi = n - 1;

	while (lo <= hi)
	{
		int			mid = (lo + hi) / 2;

		if (lines[mid].line_no == line_no)
			return mid;
		if (lines[mid].line_no < line_no)
			lo = mid + 1;
		else
			hi = mid - 1;
	}
	return -1;
}

/* A quantity for a message, without trailing zeros. */
static char *
num(Datum d)
{
	return DatumGetCString(DirectFunctionCall1(numeric_out,
											   DirectFunctionCall1(numeric_trim_scale, d)));
}

/* Check one requested shipment line against its order line. */
static void
check_requested(const SoLockedOrder *o, SoShipInput *req, SoShipLine *line)
{
	Datum		open = DirectFunctionCall2(numeric_sub, line->qty, line->shipped);

	if (line->requested)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("lines[%d]: line %d of order %s is listed twice",
						req->index, req->line_no, o->order_no)));
	line->requested = true;
	if (so_numeric_cmp(req->qty, open) > 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("lines[%d]: cannot ship %s of line %d of order %s: only %s open",
						req->index, num(req->qty), req->line_no, o->order_no, num(open)),
				 errdetail("Ordered %s, shipped %s.", num(line->qty), num(line->shipped))));
	if (so_numeric_cmp(req->qty, line->reserved) > 0)
		ereport(ERROR,
				(errcode(ERRCODE_SO_INSUFFICIENT_STOCK),
				 errmsg("lines[%d]: cannot ship %s of line %d of order %s: only %s reserved",
						req->index, num(req->qty), req->line_no, o->order_no,
						num(line->reserved)),
				 errdetail("The rest of the line is backordered."),
				 errhint("Ship what is reserved; a receipt of the product fills the backorder.")));
	line->ship = req->qty;
}

static Datum
ship_impl(int64 order_id, SoShipInput *req, int nreq)
{
	SoLockedOrder o;
	Datum		arg = Int64GetDatum(order_id);
	Datum		zero = so_numeric("0");
	SoShipLine *lines;
	SoStockMove *moves;
	Datum	   *line_nos;
	Datum	   *qtys;
	Datum		args[3];
	int			n,
				nmoves = 0,
				i;
	bool		isnull;
	bool		complete = true;

	so_lock_order(order_id, &o);
	if (!so_status_shippable(o.status))
		ereport(ERROR,
				(errcode(ERRCODE_SO_ILLEGAL_TRANSITION),
				 errmsg("order %s is %s: it cannot ship", o.order_no, o.status),
				 errhint("Only approved, in-production or partially shipped orders ship.")));

	n = so_execute(IsolationUsesXactSnapshot() ? &ship_lines_locked_plan : &ship_lines_plan,
				   &arg, NULL, false, 0);
	lines = palloc0(sizeof(SoShipLine) * Max(n, 1));
	for (i = 0; i < n; i++)
	{
		lines[i].line_no = DatumGetInt32(so_getdatum(i, 1, &isnull));
		lines[i].product_id = so_getint64(i, 2);
		lines[i].qty = SPI_datumTransfer(so_getdatum(i, 3, &isnull), false, -1);
		lines[i].reserved = SPI_datumTransfer(so_getdatum(i, 4, &isnull), false, -1);
		lines[i].shipped = SPI_datumTransfer(so_getdatum(i, 5, &isnull), false, -1);
		lines[i].ship = req ? zero : lines[i].reserved;
	}

	for (i = 0; req && i < nreq; i++)
	{
		int			j = find_line(lines, n, req[i].line_no);

		if (j < 0)
			ereport(ERROR,
					(errcode(ERRCODE_SO_NOT_FOUND),
					 errmsg("lines[%d]: order %s has no line %d",
							req[i].index, o.order_no, req[i].line_no)));
		check_requested(&o, &req[i], &lines[j]);
	}

	moves = palloc(sizeof(SoStockMove) * Max(n, 1));
	line_nos = palloc(sizeof(Datum) * Max(n, 1));
	qtys = palloc(sizeof(Datum) * Max(n, 1));
	for (i = 0; i < n; i++)
	{
		Datum		after = DirectFunctionCall2(numeric_add, lines[i].shipped,
												lines[i].ship);

		if (so_numeric_cmp(after, lines[i].qty) < 0)
			complete = false;
		if (so_numeric_cmp(lines[i].ship, zero) <= 0)
			continue;
		moves[nmoves].product_id = lines[i].product_id;
		moves[nmoves].line_no = lines[i].line_no;
		moves[nmoves].on_hand_delta = DirectFunctionCall1(numeric_uminus, lines[i].ship);
		moves[nmoves].reserved_delta = moves[nmoves].on_hand_delta;
		line_nos[nmoves] = Int32GetDatum(lines[i].line_no);
		qtys[nmoves] = lines[i].ship;
		nmoves++;
	}
	if (nmoves == 0)
		ereport(ERROR,
				(errcode(ERRCODE_SO_INSUFFICIENT_STOCK),
				 errmsg("order %s has nothing reserved to ship", o.order_no),
				 errdetail("Every open quantity is backordered."),
				 errhint("A receipt of the products fills the backorders.")));

	/* Status first: it is checked by the trigger and needs no stock lock. */
	if (strcmp(o.status, complete ? "shipped" : "partially_shipped") != 0)
		(void) so_move_order(&o, complete ? "shipped" : "partially_shipped",
							 complete ? "shipped in full" : "partial shipment");
	if (complete)
		so_close_change_requests(order_id, "closed: the order shipped in full");

	args[0] = Int64GetDatum(order_id);
	args[1] = so_make_array(line_nos, NULL, nmoves, INT4OID);
	args[2] = so_make_array(qtys, NULL, nmoves, NUMERICOID);
	so_execute(&record_shipment_plan, args, NULL, false, 0);

	so_lock_stock_for(o.warehouse_id, moves, nmoves);
	so_move_stock(o.warehouse_id, order_id, o.customer_id, "shipment", NULL,
				  moves, nmoves);

	{
		StringInfoData payload;

		initStringInfo(&payload);
		appendStringInfo(&payload, "{\"order_no\": \"%s\", \"complete\": %s, \"lines\": [",
						 o.order_no, complete ? "true" : "false");
		for (i = 0; i < nmoves; i++)
			appendStringInfo(&payload, "%s{\"line_no\": %d, \"qty\": %s}", i ? ", " : "",
							 DatumGetInt32(line_nos[i]), num(qtys[i]));
		appendStringInfoString(&payload, "]}");
		so_emit_event(order_id, o.customer_id, "shipment", payload.data);
	}
	return so_order_status(order_id);
}

typedef struct SoShipCall
{
	int64		order_id;
	SoShipInput *req;
	int			nreq;
} SoShipCall;

static Datum
ship_work(void *arg)
{
	SoShipCall *call = (SoShipCall *) arg;

	return ship_impl(call->order_id, call->req, call->nreq);
}

/*
 * salesorder.ship(order_id bigint, lines jsonb DEFAULT NULL)
 */
Datum
so_ship(PG_FUNCTION_ARGS)
{
	SoShipCall	call = {0, NULL, 0};

	so_require_args(fcinfo, 1, "order_id");
	call.order_id = PG_GETARG_INT64(0);
	if (!PG_ARGISNULL(1))
		call.req = so_parse_ship_lines(PG_GETARG_JSONB_P(1), &call.nreq);
	PG_RETURN_DATUM(so_run_as_owner(ship_work, &call, SO_RESULT_BYVAL));
}
