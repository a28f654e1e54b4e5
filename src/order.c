/*-------------------------------------------------------------------------
 *
 * order.c
 *	  The order lifecycle: create_order, copy_order, submit_order, hold,
 *	  release_hold, cancel, deliver, complete.
 *
 * Each entry point validates its arguments before touching a table, then
 * runs as the extension owner on behalf of the acting user (privilege.c).
 * Lock order, the same for every operation: the customer row (credit
 * exposure) before the order row, the order row before its stock rows.
 * Status changes are plain UPDATEs that the order_guard trigger checks, so
 * the functions and a user's UPDATE obey the same state machine.
 *
 * Money: a line's gross is round(qty * unit_price, 2) and its amount is
 * round(qty * unit_price * (100 - discount_pct) / 100, 2), both computed
 * exactly in numeric and rounded once, half away from zero.  The order's
 * gross_amount and total_amount are the sums of its lines' gross and amount;
 * discount_amount is their difference.
 *
 *-------------------------------------------------------------------------
 */
#include "sqlstate.h"
#include "json_input.h"
#include "privilege.h"
#include "spi_util.h"
#include "visibility.h"
#include "approval_steps.h"
#include "change.h"
#include "events.h"
#include "exposure.h"
#include "order_row.h"
#include "reference_guard.h"
#include "rollup.h"
#include "history.h"
#include "status.h"
#include "transition.h"
#include "stock.h"

#include "access/xact.h"

#include "catalog/pg_type.h"
#include "fmgr.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/fmgrprotos.h"
#include "utils/lsyscache.h"
#include "utils/numeric.h"

PG_FUNCTION_INFO_V1(so_create_order);
PG_FUNCTION_INFO_V1(so_copy_order);
PG_FUNCTION_INFO_V1(so_submit_order);
PG_FUNCTION_INFO_V1(so_hold);
PG_FUNCTION_INFO_V1(so_release_hold);
PG_FUNCTION_INFO_V1(so_cancel);
PG_FUNCTION_INFO_V1(so_deliver);
PG_FUNCTION_INFO_V1(so_complete);

/* What create_order_impl needs; copy_order fills it from the source order. */
typedef struct SoNewOrder
{
	int64		customer_id;
	SoLineInput *lines;
	int			nlines;
	SoOrderOptions opts;
	int64		source_order_id;	/* 0: none */
} SoNewOrder;


static void fill_copy_request(int64 source_id, SoNewOrder *req);
struct SoCustomer;
static Datum submit_locked(const SoLockedOrder *o, const struct SoCustomer *cust);

static void
check_amount(const char *what, Datum amount)
{
	if (so_numeric_cmp(amount, so_numeric(SO_MAX_AMOUNT)) >= 0)
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("%s of %s is too large", what,
						DatumGetCString(DirectFunctionCall1(numeric_out, amount))),
				 errdetail("Amounts must be less than %s.", SO_MAX_AMOUNT)));
}

/* ---- customer and warehouse ---- */

typedef struct SoCustomer
{
	char	   *code;
	char	   *sales_rep;
	char	   *default_ship_to;
	int64		default_warehouse_id;
	bool		active;
	bool		on_credit_hold;
	char	   *region;
	char	   *segment;
} SoCustomer;

/*
 * The first lock of every operation that weighs credit: the customer row.
 * Two orders of one customer serialize here, never on anything else first.
 */
static SoPlan lock_customer_plan = {
	"SELECT c.code, c.sales_rep, c.default_ship_to, c.default_warehouse_id,"
	"       c.active, c.on_credit_hold, c.region, c.segment"
	" FROM salesorder.customer c WHERE c.id = $1 FOR NO KEY UPDATE",
	1, {INT8OID}
};

static void
lock_customer(int64 customer_id, SoCustomer *cust)
{
	Datum		arg = Int64GetDatum(customer_id);
	bool		isnull;

	if (so_execute(&lock_customer_plan, &arg, NULL, false, 1) == 0)
		ereport(ERROR,
				(errcode(ERRCODE_SO_NOT_FOUND),
				 errmsg("customer %lld does not exist", (long long) customer_id)));
	cust->code = so_gettext(0, 1);
	cust->sales_rep = so_gettext(0, 2);
	cust->default_ship_to = so_gettext(0, 3);
	cust->default_warehouse_id = DatumGetInt64(so_getdatum(0, 4, &isnull));
	if (isnull)
		cust->default_warehouse_id = 0;
	cust->active = DatumGetBool(so_getdatum(0, 5, &isnull));
	cust->on_credit_hold = DatumGetBool(so_getdatum(0, 6, &isnull));
	cust->region = so_gettext(0, 7);
	cust->segment = so_gettext(0, 8);

	so_check_access(cust->sales_rep, customer_id, 0, NULL);
}

static void
check_credit_hold(const SoCustomer *cust)
{
	if (cust->on_credit_hold)
		ereport(ERROR,
				(errcode(ERRCODE_SO_CREDIT_HOLD),
				 errmsg("customer %s is on credit hold", cust->code),
				 errdetail("Orders of a customer on credit hold cannot be submitted."),
				 errhint("Save the order as a draft ({\"draft\": true}) until an administrator releases the hold.")));
}

/*
 * The order's warehouse exists and is active.  The order names it without
 * a foreign key (see reference_guard.c): sales_order's RowExclusiveLock
 * first, so that a warehouse delete cannot slip in between the look-up and
 * the insert.
 */
static void
check_warehouse(int64 warehouse_id)
{
	bool		isnull;

	so_lock_orders();
	if (so_look_up_warehouse(warehouse_id) == 0)
		ereport(ERROR,
				(errcode(ERRCODE_SO_NOT_FOUND),
				 errmsg("warehouse %lld does not exist", (long long) warehouse_id)));
	if (!DatumGetBool(so_getdatum(0, 1, &isnull)))
		ereport(ERROR,
				(errcode(ERRCODE_SO_INACTIVE),
				 errmsg("warehouse %s is inactive", so_gettext(0, 2))));
}

/* ---- create ---- */

static SoPlan idempotency_plan = {
	"SELECT o.id FROM salesorder.sales_order o"
	" WHERE o.customer_id = $1 AND o.idempotency_key = $2",
	2, {INT8OID, TEXTOID}
};

static SoPlan insert_order_plan = {
	"INSERT INTO salesorder.sales_order AS o"
	" (id, order_no, customer_id, status, status_reason, warehouse_id, ship_to,"
	"  sales_rep, requested_date, promised_date, special_requirements, notes,"
	"  line_count, last_line_no, gross_amount, discount_amount, total_amount,"
	"  idempotency_key, source_order_id, created_by, submitted_at, allow_backorder)"
	" SELECT n.id,"
	"  'SO-' OPERATOR(pg_catalog.||) pg_catalog.to_char(pg_catalog.now(), 'YYYY')"
	"   OPERATOR(pg_catalog.||) '-' OPERATOR(pg_catalog.||)"
	"   pg_catalog.lpad(n.id::text, GREATEST(6, pg_catalog.length(n.id::text)), '0'),"
	"  $1, $2::salesorder.order_status, $3, $4, $5, $6, $7, $8, $9, $10,"
	"  $11, $11, $12, $13 OPERATOR(pg_catalog.-) $14, $14, $15, $16, $17,"
	"  CASE WHEN $2 OPERATOR(pg_catalog.=) 'draft' THEN NULL ELSE pg_catalog.now() END,"
	"  $18"
	" FROM (SELECT pg_catalog.nextval('salesorder.sales_order_id_seq'::pg_catalog.regclass) AS id) n"
	" ON CONFLICT (customer_id, idempotency_key) WHERE idempotency_key IS NOT NULL DO NOTHING"
	" RETURNING o.id, o.order_no",
	18, {INT8OID, TEXTOID, TEXTOID, INT8OID, TEXTOID, TEXTOID, DATEOID, DATEOID,
		TEXTOID, TEXTOID, INT4OID, NUMERICOID, NUMERICOID, NUMERICOID, TEXTOID,
	INT8OID, TEXTOID, BOOLOID}
};

static SoPlan insert_lines_plan = {
	"INSERT INTO salesorder.order_line"
	" (order_id, customer_id, line_no, product_id, qty, unit_price, discount_pct,"
	"  amount, note, reserved_qty)"
	" SELECT $1, $2, u.ord, u.pid, u.qty, u.price, u.disc, u.amount, u.note,"
	"  CASE WHEN $9 THEN u.qty ELSE 0 END"
	" FROM ROWS FROM (pg_catalog.unnest($3::pg_catalog.int8[]),"
	"      pg_catalog.unnest($4::pg_catalog.numeric[]),"
	"      pg_catalog.unnest($5::pg_catalog.numeric[]),"
	"      pg_catalog.unnest($6::pg_catalog.numeric[]),"
	"      pg_catalog.unnest($7::pg_catalog.numeric[]),"
	"      pg_catalog.unnest($8::pg_catalog.text[]))"
	"      WITH ORDINALITY AS u(pid, qty, price, disc, amount, note, ord)",
	9, {INT8OID, INT8OID, INT8ARRAYOID, NUMERICARRAYOID, NUMERICARRAYOID,
	NUMERICARRAYOID, NUMERICARRAYOID, TEXTARRAYOID, BOOLOID}
};

/*
 * The history row of a new order and its outbox event, in one statement:
 * one of each, from no status to the one the order lands in, even when it
 * was submitted in the same call (the reason names both steps).
 */
static SoPlan creation_history_plan = {
	"WITH h AS (INSERT INTO salesorder.order_status_history"
	"   (order_id, customer_id, from_status, to_status, changed_by, reason)"
	"   VALUES ($1, $2, NULL, $4::salesorder.order_status, $3, $5) RETURNING id)"
	" INSERT INTO salesorder.order_event (order_id, customer_id, kind, payload)"
	" SELECT $1, $2, 'created',"
	"   pg_catalog.jsonb_build_object('from', NULL, 'to', $4, 'by', $3, 'reason', $5,"
	"     'order_no', $6, 'total_amount', $7, 'history_id', h.id)"
	" FROM h",
	7, {INT8OID, INT8OID, TEXTOID, TEXTOID, TEXTOID, TEXTOID, NUMERICOID}
};

/*
 * Where a new order submitted in the same call landed, and why.  The order
 * got that status when it was created -- one operation, one history row at
 * created_at -- so status_changed_at says so too, as on the fast path.
 */
static SoPlan landed_plan = {
	"UPDATE salesorder.sales_order o SET status_changed_at = o.created_at"
	" WHERE o.id = $1 RETURNING o.status::text, o.status_reason",
	1, {INT8OID}
};

#define SUBMIT_REASON "submitted; no approval required"

/*
 * One INSERT for all lines.  A submitted order's lines are written as fully
 * reserved, the common case, so that the reservation that follows only has
 * to touch the lines it could not cover.
 */
static void
insert_lines(int64 order_id, int64 customer_id, SoLine *lines, int n,
			 bool reserved)
{
	Datum	   *cols[6];
	bool	   *note_nulls = palloc(sizeof(bool) * n);
	Datum		args[9];
	int			c,
				i;

	for (c = 0; c < 6; c++)
		cols[c] = palloc(sizeof(Datum) * n);
	for (i = 0; i < n; i++)
	{
		cols[0][i] = Int64GetDatum(lines[i].product_id);
		cols[1][i] = lines[i].qty;
		cols[2][i] = lines[i].unit_price;
		cols[3][i] = lines[i].discount_pct;
		cols[4][i] = lines[i].amount;
		note_nulls[i] = lines[i].note == NULL;
		cols[5][i] = lines[i].note ? CStringGetTextDatum(lines[i].note) : (Datum) 0;
	}
	args[0] = Int64GetDatum(order_id);
	args[1] = Int64GetDatum(customer_id);
	args[2] = so_make_array(cols[0], NULL, n, INT8OID);
	for (c = 1; c <= 4; c++)
		args[2 + c] = so_make_array(cols[c], NULL, n, NUMERICOID);
	args[7] = so_make_array(cols[5], note_nulls, n, TEXTOID);
	args[8] = BoolGetDatum(reserved);
	so_execute(&insert_lines_plan, args, NULL, false, 0);
}

/*
 * The creation row of the history: "created" for a draft, "created and
 * submitted; ..." (the submission's reason) for an order submitted at once.
 */
static void
insert_creation_history(int64 order_id, int64 customer_id, const char *status,
						const char *reason, const char *order_no, Datum total)
{
	Datum		args[7];

	so_prepare_events();
	args[0] = Int64GetDatum(order_id);
	args[1] = Int64GetDatum(customer_id);
	args[2] = CStringGetTextDatum(so_acting_user_name());
	args[3] = CStringGetTextDatum(status);
	args[4] = CStringGetTextDatum(strcmp(status, "draft") == 0 ? "created" :
								  psprintf("created and %s", reason ? reason : "submitted"));
	args[5] = CStringGetTextDatum(order_no);
	args[6] = total;
	so_execute(&creation_history_plan, args, NULL, false, 0);
}

static int64
find_idempotent_order(int64 customer_id, const char *key)
{
	Datum		args[2] = {Int64GetDatum(customer_id), CStringGetTextDatum(key)};

	if (so_execute(&idempotency_plan, args, NULL, false, 1) == 0)
		return 0;
	return so_getint64(0, 1);
}

/* The customer's defaults where the options give none, checked. */
static void
resolve_destination(const SoOrderOptions *opts, const SoCustomer *cust,
					int64 *warehouse_id, const char **ship_to)
{
	*warehouse_id = opts->warehouse_id ? opts->warehouse_id : cust->default_warehouse_id;
	if (*warehouse_id == 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("no warehouse for the order of customer %s", cust->code),
				 errdetail("The customer has no default warehouse."),
				 errhint("Pass options.warehouse_id, or set customer.default_warehouse_id.")));
	check_warehouse(*warehouse_id);

	*ship_to = opts->ship_to ? opts->ship_to : cust->default_ship_to;
	if (*ship_to == NULL || (*ship_to)[0] == '\0')
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("no ship-to address for the order of customer %s", cust->code),
				 errdetail("The customer has no default ship-to address."),
				 errhint("Pass options.ship_to, or set customer.default_ship_to.")));
}

/* What a new order adds up to, each amount checked against its bound. */
typedef struct SoOrderTotals
{
	Datum		gross;			/* numeric */
	Datum		total;			/* numeric */
	Datum		max_discount;	/* numeric: the largest line discount */
} SoOrderTotals;

static SoOrderTotals
sum_lines(const SoNewOrder *req, const SoLine *lines)
{
	SoOrderTotals t = {so_numeric("0"), so_numeric("0"), so_numeric("0")};
	int			i;

	for (i = 0; i < req->nlines; i++)
	{
		char		what[48];

		snprintf(what, sizeof(what), "the amount of lines[%d]", req->lines[i].index);
		check_amount(what, lines[i].gross);
		t.gross = DirectFunctionCall2(numeric_add, t.gross, lines[i].gross);
		t.total = DirectFunctionCall2(numeric_add, t.total, lines[i].amount);
		if (so_numeric_cmp(lines[i].discount_pct, t.max_discount) > 0)
			t.max_discount = lines[i].discount_pct;
	}
	check_amount("the order total", t.gross);
	return t;
}

/*
 * INSERT the order row; returns its id and number, or 0 when a concurrent
 * call with the same idempotency key committed first (the row is theirs).
 */
static int64
insert_order(const SoNewOrder *req, const SoCustomer *cust, int64 warehouse_id,
			 const char *ship_to, const char *status, const char *status_reason,
			 const SoOrderTotals *t, char **order_no)
{
	const SoOrderOptions *opts = &req->opts;
	Datum		args[18];
	char		nulls[18];

	memset(nulls, ' ', sizeof(nulls));
	args[0] = Int64GetDatum(req->customer_id);
	args[1] = CStringGetTextDatum(status);
	args[2] = status_reason ? CStringGetTextDatum(status_reason) : (Datum) 0;
	nulls[2] = status_reason ? ' ' : 'n';
	args[3] = Int64GetDatum(warehouse_id);
	args[4] = CStringGetTextDatum(ship_to);
	args[5] = cust->sales_rep ? CStringGetTextDatum(cust->sales_rep) : (Datum) 0;
	nulls[5] = cust->sales_rep ? ' ' : 'n';
	args[6] = DateADTGetDatum(opts->requested_date);
	nulls[6] = opts->has_requested_date ? ' ' : 'n';
	args[7] = DateADTGetDatum(opts->promised_date);
	nulls[7] = opts->has_promised_date ? ' ' : 'n';
	args[8] = opts->special_requirements ?
		CStringGetTextDatum(opts->special_requirements) : (Datum) 0;
	nulls[8] = opts->special_requirements ? ' ' : 'n';
	args[9] = opts->notes ? CStringGetTextDatum(opts->notes) : (Datum) 0;
	nulls[9] = opts->notes ? ' ' : 'n';
	args[10] = Int32GetDatum(req->nlines);
	args[11] = t->gross;
	args[12] = t->gross;
	args[13] = t->total;
	args[14] = opts->idempotency_key ?
		CStringGetTextDatum(opts->idempotency_key) : (Datum) 0;
	nulls[14] = opts->idempotency_key ? ' ' : 'n';
	args[15] = Int64GetDatum(req->source_order_id);
	nulls[15] = req->source_order_id ? ' ' : 'n';
	args[16] = CStringGetTextDatum(so_acting_user_name());
	args[17] = BoolGetDatum(opts->backorder);

	if (so_execute(&insert_order_plan, args, nulls, false, 0) == 0)
		return 0;
	*order_no = so_gettext(0, 2);
	return so_getint64(0, 1);
}

/*
 * Reserve a submitted order's lines.  Stock last: its row locks are the
 * contended ones, so they are taken as late as possible and held only until
 * commit.  The lines went in as fully reserved; a shortage is an error here.
 */
static void
reserve_new_lines(int64 order_id, int64 customer_id, int64 warehouse_id,
				  const SoLine *lines, int n)
{
	SoStockLine *sl = palloc(sizeof(SoStockLine) * n);
	int			i;

	for (i = 0; i < n; i++)
	{
		sl[i].line_no = i + 1;
		sl[i].product_id = lines[i].product_id;
		sl[i].want = lines[i].qty;
	}
	so_reserve_all(order_id, customer_id, warehouse_id, sl, n);
}

/*
 * Create an order.  Run by so_run_as_owner() (SPI connected, as the owner).
 * The stages: the customer locked and checked, the defaults, the lines
 * priced and summed, the rules, the rows written, the stock reserved last.
 *
 * All checks and computations come before the first write.  On the fast
 * path -- submitted at once, no backorders allowed -- the approval rules
 * are evaluated before the order row exists, so it is inserted with its
 * final status and creation costs one INSERT per table.  An order that may
 * backorder is inserted as a draft and submitted like any draft, since the
 * backorder rule depends on what the reservation finds.
 */
static int64
create_order_impl(SoNewOrder *req)
{
	SoOrderOptions *opts = &req->opts;
	bool		fast = !opts->draft && !opts->backorder;
	SoCustomer	cust;
	SoLine	   *lines;
	SoOrderTotals totals;
	int64		warehouse_id;
	const char *ship_to;
	const char *status = "draft";
	const char *status_reason = NULL;
	SoFiredRule *fired = NULL;
	int			nfired = 0;
	char	   *order_no = NULL;
	int64		order_id;

	lock_customer(req->customer_id, &cust);
	if (!cust.active)
		ereport(ERROR,
				(errcode(ERRCODE_SO_INACTIVE),
				 errmsg("customer %s is inactive", cust.code)));

	/* Same key, same customer: the same order, and nothing written. */
	if (opts->idempotency_key)
	{
		order_id = find_idempotent_order(req->customer_id, opts->idempotency_key);
		if (order_id != 0)
			return order_id;
	}

	if (!opts->draft)
		check_credit_hold(&cust);
	resolve_destination(opts, &cust, &warehouse_id, &ship_to);
	lines = so_resolve_lines(req->lines, req->nlines);
	totals = sum_lines(req, lines);

	if (fast)
	{
		SoSubmission sub = {0, req->customer_id, totals.total, totals.max_discount,
		opts->special_requirements, false};

		nfired = so_evaluate_rules(&sub, &fired);
		status = nfired ? "pending_approval" : "approved";
		status_reason = nfired ? so_steps_summary(fired, nfired) : SUBMIT_REASON;
	}

	order_id = insert_order(req, &cust, warehouse_id, ship_to, status,
							status_reason, &totals, &order_no);
	if (order_id == 0)
	{
		/*
		 * A concurrent call with the same key committed first; we waited for
		 * it on the unique index.  Under READ COMMITTED its order is visible
		 * now (under REPEATABLE READ the insert raised a serialization
		 * failure instead, and the client retries).
		 */
		order_id = find_idempotent_order(req->customer_id, opts->idempotency_key);
		if (order_id == 0)
			elog(ERROR, "idempotency key conflict without a visible order");
		return order_id;
	}

	so_insert_steps(order_id, req->customer_id, 0, 1, fired, nfired);
	insert_lines(order_id, req->customer_id, lines, req->nlines, fast);
	if (fast || opts->draft)
		insert_creation_history(order_id, req->customer_id, status, status_reason,
								order_no, totals.total);
	/* A submitted order adds to its customer's exposure (exposure.c). */
	if (fast)
		so_exposure_track_new(order_id, req->customer_id, totals.total);
	/* Its report contribution, from the lines in hand (no re-join). */
	if (fast)
		so_rollup_lines(cust.region, cust.segment, lines, req->nlines);

	if (fast)
		reserve_new_lines(order_id, req->customer_id, warehouse_id, lines,
						  req->nlines);
	else if (!opts->draft)
	{
		SoLockedOrder o;
		Datum		arg = Int64GetDatum(order_id);

		/*
		 * Submitted like a draft, but the history gets one row for both
		 * steps, written once the order has landed where the rules and the
		 * stock sent it.
		 */
		so_lock_order(order_id, &o);
		so_defer_history(order_id);
		(void) submit_locked(&o, &cust);
		so_defer_history(0);
		so_execute(&landed_plan, &arg, NULL, false, 1);
		insert_creation_history(order_id, req->customer_id, so_gettext(0, 1),
								so_gettext(0, 2), order_no, totals.total);
	}
	return order_id;
}

/* A create_order or copy_order call, run by so_run_as_owner(). */
typedef struct SoCreateCall
{
	SoNewOrder *req;
	int64		copy_from;		/* copy_order's source, or 0 */
} SoCreateCall;

static Datum
create_order_work(void *arg)
{
	SoCreateCall *call = (SoCreateCall *) arg;

	if (call->copy_from != 0)
		fill_copy_request(call->copy_from, call->req);
	return Int64GetDatum(create_order_impl(call->req));
}

static int64
create_order_as_owner(SoNewOrder *req, int64 copy_from)
{
	SoCreateCall call = {req, copy_from};

	return DatumGetInt64(so_run_as_owner(create_order_work, &call, SO_RESULT_BYVAL));
}

/*
 * salesorder.create_order(customer_id bigint, lines jsonb, options jsonb)
 */
Datum
so_create_order(PG_FUNCTION_ARGS)
{
	SoNewOrder	req;

	so_require_args(fcinfo, 2, "customer_id", "lines");

	memset(&req, 0, sizeof(req));
	req.customer_id = PG_GETARG_INT64(0);
	req.lines = so_parse_lines(PG_GETARG_JSONB_P(1), &req.nlines);
	so_parse_order_options(PG_ARGISNULL(2) ? NULL : PG_GETARG_JSONB_P(2),
						   &req.opts);

	PG_RETURN_INT64(create_order_as_owner(&req, 0));
}

/* ---- copy ---- */

static SoPlan source_order_plan = {
	"SELECT o.customer_id, o.warehouse_id, o.ship_to, o.special_requirements,"
	"       o.notes, c.sales_rep"
	" FROM salesorder.sales_order o"
	" JOIN salesorder.customer c ON c.id = o.customer_id"
	" WHERE o.id = $1",
	1, {INT8OID}
};

static SoPlan source_lines_plan = {
	"SELECT l.product_id, l.qty, l.discount_pct, l.note"
	" FROM salesorder.order_line l WHERE l.order_id = $1 ORDER BY l.line_no",
	1, {INT8OID}
};

/*
 * A reorder: the source order's customer, warehouse, ship-to, special
 * requirements, notes and lines (product, quantity, discount, note), each
 * unless the options say otherwise.  Prices are today's list prices: a
 * reorder is a new sale.  Dates are not copied.
 */
static void
fill_copy_request(int64 source_id, SoNewOrder *req)
{
	SoOrderOptions *opts = &req->opts;
	Datum		arg = Int64GetDatum(source_id);
	bool		isnull;
	int			n,
				i;

	if (so_execute(&source_order_plan, &arg, NULL, false, 1) == 0)
		ereport(ERROR,
				(errcode(ERRCODE_SO_NOT_FOUND),
				 errmsg("order %lld does not exist", (long long) source_id)));
	req->customer_id = so_getint64(0, 1);
	so_check_access(so_gettext(0, 6), req->customer_id, source_id,
					psprintf("%lld", (long long) source_id));
	if (opts->warehouse_id == 0)
		opts->warehouse_id = so_getint64(0, 2);
	if (opts->ship_to == NULL)
		opts->ship_to = so_gettext(0, 3);
	if (!opts->has_special_requirements)
		opts->special_requirements = so_gettext(0, 4);
	if (!opts->has_notes)
		opts->notes = so_gettext(0, 5);
	req->source_order_id = source_id;

	n = so_execute(&source_lines_plan, &arg, NULL, false, 0);
	if (n == 0)
		ereport(ERROR,
				(errcode(ERRCODE_SO_NOT_EDITABLE),
				 errmsg("order %lld has no lines to copy", (long long) source_id)));
	if (n > SO_MAX_LINES)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("order %lld has %d lines; an order can have at most %d",
						(long long) source_id, n, SO_MAX_LINES),
				 errhint("Copy it in parts with create_order().")));
	req->lines = palloc0(sizeof(SoLineInput) * n);
	req->nlines = n;
	for (i = 0; i < n; i++)
	{
		SoLineInput *l = &req->lines[i];

		l->index = i + 1;
		l->product_id = so_getint64(i, 1);
		l->qty = so_getdatum(i, 2, &isnull);
		l->discount_pct = so_getdatum(i, 3, &isnull);
		l->note = so_gettext(i, 4);
	}
}

/*
 * salesorder.copy_order(order_id bigint, options jsonb)
 */
Datum
so_copy_order(PG_FUNCTION_ARGS)
{
	SoNewOrder	req;

	so_require_args(fcinfo, 1, "order_id");
	memset(&req, 0, sizeof(req));
	so_parse_order_options(PG_ARGISNULL(1) ? NULL : PG_GETARG_JSONB_P(1),
						   &req.opts);
	PG_RETURN_INT64(create_order_as_owner(&req, PG_GETARG_INT64(0)));
}

/* ---- status moves ---- */

static SoPlan order_customer_plan = {
	"SELECT o.customer_id FROM salesorder.sales_order o WHERE o.id = $1",
	1, {INT8OID}
};

static SoPlan open_lines_plan = {
	"SELECT l.line_no, l.product_id, l.qty - l.shipped_qty"
	" FROM salesorder.order_line l WHERE l.order_id = $1 ORDER BY l.line_no",
	1, {INT8OID}
};

/*
 * Reserve the open quantity of every line of a locked order being
 * submitted, store it on the lines and flag the order if it waits for stock.
 */
static bool
reserve_order(const SoLockedOrder *o)
{
	Datum		arg = Int64GetDatum(o->id);
	int			n = so_execute(&open_lines_plan, &arg, NULL, false, 0);
	SoStockLine *lines = palloc(sizeof(SoStockLine) * Max(n, 1));
	bool		isnull;
	bool		short_any;
	int			i;

	for (i = 0; i < n; i++)
	{
		lines[i].line_no = DatumGetInt32(so_getdatum(i, 1, &isnull));
		lines[i].product_id = so_getint64(i, 2);
		lines[i].want = SPI_datumTransfer(so_getdatum(i, 3, &isnull), false, -1);
	}
	short_any = so_reserve_lines(o->id, o->customer_id, o->warehouse_id,
								 lines, n, o->allow_backorder);
	so_store_reservations(o->id, lines, n);
	so_set_needs_stock(o->id, short_any);
	return short_any;
}

static SoPlan submission_plan = {
	"SELECT o.total_amount, o.special_requirements,"
	"       (SELECT COALESCE(pg_catalog.max(l.discount_pct), 0)"
	"        FROM salesorder.order_line l WHERE l.order_id = o.id)"
	" FROM salesorder.sales_order o WHERE o.id = $1",
	1, {INT8OID}
};

/*
 * Submit a locked draft whose customer is locked too: reserve its stock,
 * evaluate the approval rules on what it now is, open a new round of steps,
 * and move it to pending_approval, or straight to approved when no rule
 * fires.
 */
static Datum
submit_locked(const SoLockedOrder *o, const struct SoCustomer *cust)
{
	SoSubmission sub;
	SoFiredRule *fired;
	Datum		arg = Int64GetDatum(o->id);
	bool		isnull;
	int			n;

	if (strcmp(o->status, "draft") != 0)
		ereport(ERROR,
				(errcode(ERRCODE_SO_ILLEGAL_TRANSITION),
				 errmsg("order %s is %s: only a draft can be submitted",
						o->order_no, o->status)));
	if (o->line_count == 0)
		ereport(ERROR,
				(errcode(ERRCODE_SO_NOT_EDITABLE),
				 errmsg("order %s has no lines and cannot be submitted",
						o->order_no)));
	check_credit_hold(cust);

	memset(&sub, 0, sizeof(sub));
	sub.backordered = reserve_order(o);
	so_execute(&submission_plan, &arg, NULL, false, 1);
	sub.order_id = o->id;
	sub.customer_id = o->customer_id;
	sub.total = SPI_datumTransfer(so_getdatum(0, 1, &isnull), false, -1);
	sub.special_requirements = so_gettext(0, 2);
	sub.max_discount = SPI_datumTransfer(so_getdatum(0, 3, &isnull), false, -1);

	n = so_evaluate_rules(&sub, &fired);
	/* The move puts the order into the report (transition.c). */
	if (n == 0)
		return so_move_order(o, "approved", SUBMIT_REASON);
	so_insert_steps(o->id, o->customer_id, 0, so_next_round(o->id), fired, n);
	return so_move_order(o, "pending_approval", so_steps_summary(fired, n));
}

typedef enum SoMove
{
	MOVE_SUBMIT,
	MOVE_HOLD,
	MOVE_RELEASE,
	MOVE_CANCEL,
	MOVE_DELIVER,
	MOVE_COMPLETE
} SoMove;

static Datum
move_order_impl(int64 order_id, SoMove move, const char *reason)
{
	SoLockedOrder o;

	if (move == MOVE_SUBMIT)
	{
		SoCustomer	cust;
		Datum		arg = Int64GetDatum(order_id);

		/* Customer row first, then the order row: the global lock order. */
		if (so_execute(&order_customer_plan, &arg, NULL, false, 1) == 0)
			ereport(ERROR,
					(errcode(ERRCODE_SO_NOT_FOUND),
					 errmsg("order %lld does not exist", (long long) order_id)));
		lock_customer(so_getint64(0, 1), &cust);
		so_lock_order(order_id, &o);
		return submit_locked(&o, &cust);
	}

	so_lock_order(order_id, &o);
	switch (move)
	{
		case MOVE_HOLD:
			return so_move_order(&o, "on_hold", reason);
		case MOVE_RELEASE:
			if (o.hold_from == NULL)
				ereport(ERROR,
						(errcode(ERRCODE_SO_ILLEGAL_TRANSITION),
						 errmsg("order %s is %s, not on hold", o.order_no, o.status)));
			return so_move_order(&o, o.hold_from, "hold released");
		case MOVE_CANCEL:
			/* Out of the report, stock released, steps and requests closed. */
			return so_move_order(&o, "cancelled", reason);
		case MOVE_DELIVER:
			return so_move_order(&o, "delivered", "delivery confirmed");
		case MOVE_COMPLETE:
			/* A short close gives back what was reserved for the rest. */
			return so_move_order(&o, "completed",
								 strcmp(o.status, "partially_shipped") == 0 ?
								 "short-closed: the rest is not shipped" : "closed");
		default:
			elog(ERROR, "unexpected move %d", (int) move);
	}
	return (Datum) 0;			/* keep compiler quiet */
}

typedef struct SoMoveCall
{
	int64		order_id;
	SoMove		move;
	const char *reason;
} SoMoveCall;

static Datum
move_order_work(void *arg)
{
	SoMoveCall *call = (SoMoveCall *) arg;

	return move_order_impl(call->order_id, call->move, call->reason);
}

static Datum
move_order(int64 order_id, SoMove move, const char *reason)
{
	SoMoveCall	call = {order_id, move, reason};

	return so_run_as_owner(move_order_work, &call, SO_RESULT_BYVAL);
}

static char *
reason_arg(FunctionCallInfo fcinfo, int argno, const char *what)
{
	text	   *reason = PG_ARGISNULL(argno) ? NULL : PG_GETARG_TEXT_PP(argno);

	so_check_reason(what, reason);
	return text_to_cstring(reason);
}

Datum
so_submit_order(PG_FUNCTION_ARGS)
{
	so_require_args(fcinfo, 1, "order_id");
	PG_RETURN_DATUM(move_order(PG_GETARG_INT64(0), MOVE_SUBMIT, NULL));
}

Datum
so_hold(PG_FUNCTION_ARGS)
{
	char	   *reason;

	so_require_args(fcinfo, 1, "order_id");
	reason = reason_arg(fcinfo, 1, "put an order on hold");
	PG_RETURN_DATUM(move_order(PG_GETARG_INT64(0), MOVE_HOLD, reason));
}

Datum
so_release_hold(PG_FUNCTION_ARGS)
{
	so_require_args(fcinfo, 1, "order_id");
	PG_RETURN_DATUM(move_order(PG_GETARG_INT64(0), MOVE_RELEASE, NULL));
}

Datum
so_cancel(PG_FUNCTION_ARGS)
{
	char	   *reason;

	so_require_args(fcinfo, 1, "order_id");
	reason = reason_arg(fcinfo, 1, "cancel an order");
	PG_RETURN_DATUM(move_order(PG_GETARG_INT64(0), MOVE_CANCEL, reason));
}

Datum
so_deliver(PG_FUNCTION_ARGS)
{
	so_require_args(fcinfo, 1, "order_id");
	PG_RETURN_DATUM(move_order(PG_GETARG_INT64(0), MOVE_DELIVER, NULL));
}

Datum
so_complete(PG_FUNCTION_ARGS)
{
	so_require_args(fcinfo, 1, "order_id");
	PG_RETURN_DATUM(move_order(PG_GETARG_INT64(0), MOVE_COMPLETE, NULL));
}
