/*-------------------------------------------------------------------------
 *
 * change.c
 *	  Change requests: request_change, approve_change, reject_change.
 *
 * A change to a submitted order is a request.  It records the revision it
 * was made against and its computed effects, is routed through the change
 * rules (change_amount_over, change_qty, change_date) and applied, when the
 * last step approves it or at once when no rule fires, as one atomic step:
 * stock reserved or released, lines and header rewritten, totals
 * recomputed, the revision bumped, the old revision kept, the order's other
 * pending requests marked stale.
 *
 * Everything is validated against the order as it stands when the request
 * is made and again when it is applied, since shipments (which do not
 * change the revision) may have happened in between.
 *
 *-------------------------------------------------------------------------
 */
#include "sqlstate.h"
#include "json_input.h"
#include "privilege.h"
#include "spi_util.h"
#include "approval_steps.h"
#include "change.h"
#include "change_plan.h"
#include "rollup.h"
#include "history.h"
#include "status.h"
#include "transition.h"
#include "stock.h"

#include "catalog/pg_type.h"
#include "fmgr.h"
#include "utils/builtins.h"
#include "utils/date.h"
#include "utils/numeric.h"

PG_FUNCTION_INFO_V1(so_request_change);
PG_FUNCTION_INFO_V1(so_approve_change);
PG_FUNCTION_INFO_V1(so_reject_change);

/* ---- routing ---- */

/*
 * Every active change rule that fires.  $1 amount delta, $2 quantities or
 * lines change, $3 the order's status, $4 dates / ship-to / terms change,
 * $5 largest date shift (days), $6 total |quantity change|, $7 ship-to or
 * delivery terms change (a change_date threshold only spares small date
 * shifts, never a new address).
 */
static SoPlan change_rules_plan = {
	"SELECT r.id, r.level, r.department, r.approver_role, f.reason, f.figures"
	" FROM salesorder.approval_rule r"
	" CROSS JOIN LATERAL (SELECT"
	"   CASE r.kind"
	"     WHEN 'change_amount_over' THEN pg_catalog.abs($1) > r.threshold"
	"     WHEN 'change_qty' THEN $2 AND ($3 = 'in_production'"
	"                                    OR (r.threshold IS NOT NULL AND $6 > r.threshold))"
	"     WHEN 'change_date' THEN $4 AND (r.threshold IS NULL OR $5 > r.threshold OR $7)"
	"   END AS fired,"
	"   CASE r.kind"
	"     WHEN 'change_amount_over' THEN pg_catalog.format("
	"       'the change moves the order total by %s, more than %s', $1, r.threshold)"
	"     WHEN 'change_qty' THEN CASE WHEN $3 = 'in_production'"
	"       THEN 'quantities or lines change on an order in production'"
	"       ELSE pg_catalog.format('quantities change by %s, more than %s', $6, r.threshold) END"
	"     WHEN 'change_date' THEN 'dates, ship-to or delivery terms change'"
	"   END AS reason,"
	"   pg_catalog.jsonb_strip_nulls(pg_catalog.jsonb_build_object("
	"     'kind', r.kind, 'threshold', r.threshold, 'amount_delta', $1,"
	"     'qty_change', $6, 'date_shift_days', $5, 'order_status', $3)) AS figures) f"
	" WHERE r.active AND f.fired"
	"   AND " SO_KIND_IN("r.kind", SO_CHANGE_RULE_KINDS)
	" ORDER BY r.level, r.id",
	7, {NUMERICOID, BOOLOID, TEXTOID, BOOLOID, INT4OID, NUMERICOID, BOOLOID}
};

static int
route_change(SoChangePlan *plan, SoFiredRule **fired)
{
	Datum		args[7];
	bool		isnull;
	int			n,
				i;
	SoFiredRule *out;

	args[0] = DirectFunctionCall2(numeric_sub, plan->new_total, plan->old_total);
	args[1] = BoolGetDatum(plan->kind_qty);
	args[2] = CStringGetTextDatum(plan->order.status);
	args[3] = BoolGetDatum(plan->kind_date);
	args[4] = Int32GetDatum(plan->date_shift);
	args[5] = plan->qty_change;
	args[6] = BoolGetDatum(plan->address_change);
	n = so_execute(&change_rules_plan, args, NULL, false, 0);
	out = palloc0(sizeof(SoFiredRule) * Max(n, 1));
	for (i = 0; i < n; i++)
	{
		out[i].rule_id = so_getint64(i, 1);
		out[i].level = DatumGetInt32(so_getdatum(i, 2, &isnull));
		out[i].department = so_gettext(i, 3);
		out[i].approver_role = so_gettext(i, 4);
		out[i].reason = so_gettext(i, 5);
		out[i].figures = so_change_xfer(i, 6);
	}
	*fired = out;
	return n;
}

/* ---- applying ---- */

static SoPlan snapshot_plan = {
	"INSERT INTO salesorder.order_revision"
	" (order_id, revision, customer_id, header, lines, superseded_by)"
	" SELECT o.id, o.revision, o.customer_id, x.s - 'lines', x.s -> 'lines', $2"
	" FROM salesorder.sales_order o,"
	"      LATERAL (SELECT salesorder.order_snapshot(o.id) AS s) x"
	" WHERE o.id = $1 ON CONFLICT DO NOTHING",
	2, {INT8OID, INT8OID}
};

static SoPlan update_line_plan = {
	"UPDATE salesorder.order_line SET qty = $3, unit_price = $4, discount_pct = $5,"
	"  amount = $6, reserved_qty = reserved_qty + $7, backorder_qty = backorder_qty + $8"
	" WHERE order_id = $1 AND line_no = $2",
	8, {INT8OID, INT4OID, NUMERICOID, NUMERICOID, NUMERICOID, NUMERICOID,
	NUMERICOID, NUMERICOID}
};

static SoPlan delete_line_plan = {
	"DELETE FROM salesorder.order_line WHERE order_id = $1 AND line_no = $2",
	2, {INT8OID, INT4OID}
};

static SoPlan add_line_plan = {
	"INSERT INTO salesorder.order_line (order_id, customer_id, line_no, product_id,"
	"  qty, unit_price, discount_pct, amount, note, reserved_qty, backorder_qty)"
	" VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
	11, {INT8OID, INT8OID, INT4OID, INT8OID, NUMERICOID, NUMERICOID, NUMERICOID,
	NUMERICOID, TEXTOID, NUMERICOID, NUMERICOID}
};

static SoPlan update_header_plan = {
	"UPDATE salesorder.sales_order o SET"
	"  requested_date = CASE WHEN $2 THEN $3 ELSE o.requested_date END,"
	"  promised_date = CASE WHEN $4 THEN $5 ELSE o.promised_date END,"
	"  ship_to = COALESCE($6, o.ship_to),"
	"  special_requirements = CASE WHEN $7 THEN $8 ELSE o.special_requirements END,"
	"  revision = o.revision + 1,"
	"  last_line_no = GREATEST(o.last_line_no, $9),"
	"  line_count = t.n, gross_amount = t.gross, total_amount = t.total,"
	"  discount_amount = t.gross - t.total, needs_stock = t.backorder > 0"
	" FROM (SELECT pg_catalog.count(*) AS n,"
	"         COALESCE(pg_catalog.sum(pg_catalog.round(l.qty * l.unit_price, 2)), 0) AS gross,"
	"         COALESCE(pg_catalog.sum(l.amount), 0) AS total,"
	"         COALESCE(pg_catalog.sum(l.backorder_qty), 0) AS backorder"
	"       FROM salesorder.order_line l WHERE l.order_id = $1) t"
	" WHERE o.id = $1 RETURNING o.revision,"
	"   (SELECT pg_catalog.bool_and(l.shipped_qty = l.qty)"
	"    FROM salesorder.order_line l WHERE l.order_id = $1)",
	9, {INT8OID, BOOLOID, DATEOID, BOOLOID, DATEOID, TEXTOID, BOOLOID, TEXTOID,
	INT4OID}
};

static SoPlan mark_applied_plan = {
	"UPDATE salesorder.change_request SET status = 'applied', applied_revision = $2,"
	"  decided_by = $3, decided_at = pg_catalog.now(),"
	"  decision_comment = COALESCE($4, decision_comment)"
	" WHERE id = $1",
	4, {INT8OID, INT4OID, TEXTOID, TEXTOID}
};

/* From 1.2: the login of whoever decided a request last. */
static SoPlan request_decided_login_plan = {
	"UPDATE salesorder.change_request SET decided_login = pg_catalog.\"session_user\"()"
	" WHERE id = $1",
	1, {INT8OID}
};

static void
record_decider_login(int64 change_id)
{
	Datum		arg = Int64GetDatum(change_id);

	if (so_records_logins())
		so_execute(&request_decided_login_plan, &arg, NULL, false, 0);
}

/* The order's other pending requests were made against an older revision. */
static SoPlan mark_stale_plan = {
	"WITH stale AS (UPDATE salesorder.change_request"
	"   SET status = 'stale', decided_at = pg_catalog.now(),"
	"       decision_comment = pg_catalog.format("
	"         'stale: change request %s was applied first (revision %s)', $2, $3)"
	"   WHERE order_id = $1 AND status = 'pending' AND id <> $2 RETURNING id)"
	" UPDATE salesorder.approval_step SET status = 'closed',"
	"   decided_at = pg_catalog.now(), comment = 'closed: the change request is stale'"
	" WHERE change_request_id IN (SELECT id FROM stale) AND status = 'pending'",
	3, {INT8OID, INT8OID, INT4OID}
};

/* Header, totals, revision; returns the new revision. */
static void
apply_header(SoChangePlan *plan, SoChangeInput *in, int *revision, bool *all_shipped)
{
	Datum		args[9];
	char		nulls[9];
	bool		isnull;

	memset(nulls, ' ', sizeof(nulls));
	args[0] = Int64GetDatum(plan->order.id);
	args[1] = BoolGetDatum(in->requested.given);
	args[2] = DateADTGetDatum(in->requested.value);
	nulls[2] = in->requested.given && !in->requested.clear ? ' ' : 'n';
	args[3] = BoolGetDatum(in->promised.given);
	args[4] = DateADTGetDatum(in->promised.value);
	nulls[4] = in->promised.given && !in->promised.clear ? ' ' : 'n';
	args[5] = in->ship_to ? CStringGetTextDatum(in->ship_to) : (Datum) 0;
	nulls[5] = in->ship_to ? ' ' : 'n';
	args[6] = BoolGetDatum(in->special_given);
	args[7] = in->special ? CStringGetTextDatum(in->special) : (Datum) 0;
	nulls[7] = in->special ? ' ' : 'n';
	args[8] = Int32GetDatum(plan->next_line_no + plan->nadded - 1);
	so_execute(&update_header_plan, args, nulls, false, 0);
	*revision = DatumGetInt32(so_getdatum(0, 1, &isnull));
	*all_shipped = DatumGetBool(so_getdatum(0, 2, &isnull)) && !isnull;
}

/* The stock a change gives back and needs, line by line. */
typedef struct SoChangeMoves
{
	SoStockMove *all;			/* every stock row touched, to lock first */
	int			nall;
	SoStockMove *releases;		/* reservations given back */
	int			nrel;
	SoStockLine *wants;			/* quantities to reserve: grown lines, then added */
	int			nwant;
	Datum	   *rel_reserved;	/* per current line: reservation given back */
	Datum	   *rel_backorder;	/* per current line: backorder given back */
	int		   *want_of;		/* per current line: its wants entry, or -1 */
} SoChangeMoves;

/*
 * What each line gives back or needs: a line that shrinks gives back its
 * backorder first, then its reservation; one that grows, and every added
 * line, wants stock.
 */
static void
plan_stock_moves(SoChangePlan *plan, SoChangeMoves *m)
{
	Datum		zero = so_numeric("0");
	int			n = plan->nlines;
	int			i;

	m->all = palloc(sizeof(SoStockMove) * (n + plan->nadded + 1));
	m->releases = palloc(sizeof(SoStockMove) * (n + 1));
	m->wants = palloc(sizeof(SoStockLine) * (n + plan->nadded + 1));
	m->rel_reserved = palloc(sizeof(Datum) * (n + 1));
	m->rel_backorder = palloc(sizeof(Datum) * (n + 1));
	m->want_of = palloc(sizeof(int) * (n + plan->nadded + 1));
	m->nall = m->nrel = m->nwant = 0;

	for (i = 0; i < n; i++)
	{
		SoCurLine  *l = &plan->lines[i];
		Datum		d = DirectFunctionCall2(numeric_sub, l->new_qty, l->qty);

		m->rel_reserved[i] = zero;
		m->rel_backorder[i] = zero;
		m->want_of[i] = -1;
		if (so_numeric_cmp(d, zero) < 0)
		{
			Datum		less = DirectFunctionCall1(numeric_uminus, d);
			Datum		b = so_numeric_cmp(less, l->backorder) < 0 ? less : l->backorder;
			Datum		r = DirectFunctionCall2(numeric_sub, less, b);

			if (so_numeric_cmp(r, l->reserved) > 0)
				r = l->reserved;
			m->rel_backorder[i] = b;
			m->rel_reserved[i] = r;
			if (so_numeric_cmp(r, zero) > 0)
			{
				SoStockMove *rel = &m->releases[m->nrel++];

				rel->product_id = l->product_id;
				rel->line_no = l->line_no;
				rel->on_hand_delta = zero;
				rel->reserved_delta = DirectFunctionCall1(numeric_uminus, r);
				m->all[m->nall++] = *rel;
			}
		}
		else if (so_numeric_cmp(d, zero) > 0)
		{
			m->want_of[i] = m->nwant;
			m->wants[m->nwant].line_no = l->line_no;
			m->wants[m->nwant].product_id = l->product_id;
			m->wants[m->nwant].want = d;
			m->all[m->nall].product_id = l->product_id;
			m->all[m->nall++].line_no = l->line_no;
			m->nwant++;
		}
	}
	for (i = 0; i < plan->nadded; i++)
	{
		m->wants[m->nwant].line_no = plan->next_line_no + i;
		m->wants[m->nwant].product_id = plan->added[i].product_id;
		m->wants[m->nwant].want = plan->added[i].qty;
		m->all[m->nall].product_id = plan->added[i].product_id;
		m->all[m->nall++].line_no = m->wants[m->nwant].line_no;
		m->nwant++;
	}
}

/* Write the lines: removed ones deleted, edited ones updated, new ones added. */
static void
write_lines(SoChangePlan *plan, const SoChangeMoves *m)
{
	SoLockedOrder *o = &plan->order;
	Datum		zero = so_numeric("0");
	Datum		args[11];
	char		nulls[11];
	int			i;

	for (i = 0; i < plan->nlines; i++)
	{
		SoCurLine  *l = &plan->lines[i];
		Datum		add_r = m->want_of[i] >= 0 ? m->wants[m->want_of[i]].reserved : zero;
		Datum		add_b = m->want_of[i] >= 0 ? m->wants[m->want_of[i]].backorder : zero;

		if (l->removed)
		{
			so_execute(&delete_line_plan,
					   (Datum[]) {Int64GetDatum(o->id), Int32GetDatum(l->line_no)},
					   NULL, false, 0);
			continue;
		}
		if (!l->edited)
			continue;
		args[0] = Int64GetDatum(o->id);
		args[1] = Int32GetDatum(l->line_no);
		args[2] = l->new_qty;
		args[3] = l->new_price;
		args[4] = l->new_discount;
		args[5] = l->new_amount;
		args[6] = DirectFunctionCall2(numeric_sub, add_r, m->rel_reserved[i]);
		args[7] = DirectFunctionCall2(numeric_sub, add_b, m->rel_backorder[i]);
		so_execute(&update_line_plan, args, NULL, false, 0);
	}
	for (i = 0; i < plan->nadded; i++)
	{
		SoLine	   *a = &plan->added[i];
		SoStockLine *w = &m->wants[m->nwant - plan->nadded + i];

		memset(nulls, ' ', sizeof(nulls));
		args[0] = Int64GetDatum(o->id);
		args[1] = Int64GetDatum(o->customer_id);
		args[2] = Int32GetDatum(w->line_no);
		args[3] = Int64GetDatum(a->product_id);
		args[4] = a->qty;
		args[5] = a->unit_price;
		args[6] = a->discount_pct;
		args[7] = a->amount;
		args[8] = a->note ? CStringGetTextDatum(a->note) : (Datum) 0;
		nulls[8] = a->note ? ' ' : 'n';
		args[9] = w->reserved;
		args[10] = w->backorder;
		so_execute(&add_line_plan, args, nulls, false, 0);
	}
}

/*
 * The request is applied: marked so (nobody decided one applied at once:
 * decided_by stays empty), the other pending requests of the order made
 * stale, the history written.
 */
static void
record_applied(SoLockedOrder *o, int64 change_id, int revision,
			   const char *comment, bool automatic, const char *cid)
{
	so_execute(&mark_applied_plan,
			   (Datum[]) {Int64GetDatum(change_id), Int32GetDatum(revision),
				   CStringGetTextDatum(so_acting_user_name()),
			   comment ? CStringGetTextDatum(comment) : (Datum) 0},
			   automatic ? "  nn" : (comment ? NULL : "   n"), false, 0);
	if (!automatic)
		record_decider_login(change_id);
	so_execute(&mark_stale_plan,
			   (Datum[]) {Int64GetDatum(o->id), Int64GetDatum(change_id),
			   Int32GetDatum(revision)}, NULL, false, 0);
	so_write_history_event(o->id, o->customer_id, o->status, o->status, "change",
						   "change_applied",
						   psprintf("%s applied: revision %d -> %d", cid,
									revision - 1, revision));
}

/*
 * Apply a planned change to its locked order: stock first (every touched
 * stock row locked in product order before any moves), then lines, header,
 * revision, and the request's status.  Returns the new revision.
 */
static int
apply_change(SoChangePlan *plan, SoChangeInput *in, int64 change_id,
			 const char *comment, bool automatic)
{
	SoLockedOrder *o = &plan->order;
	SoChangeMoves m;
	int			revision;
	bool		all_shipped;
	char	   *cid = psprintf("change request %lld", (long long) change_id);

	so_execute(&snapshot_plan, (Datum[]) {Int64GetDatum(o->id), Int64GetDatum(change_id)},
			   NULL, false, 0);
	/* The report sees the order leave as it was and come back as it is. */
	so_rollup_order(o->id, -1);

	plan_stock_moves(plan, &m);
	/* Every touched stock row, in product order, before any move. */
	so_lock_stock_for(o->warehouse_id, m.all, m.nall);
	so_move_stock(o->warehouse_id, o->id, o->customer_id, "release", cid,
				  m.releases, m.nrel);
	if (m.nwant > 0)
		(void) so_reserve_lines(o->id, o->customer_id, o->warehouse_id, m.wants,
								m.nwant, o->allow_backorder);
	write_lines(plan, &m);

	apply_header(plan, in, &revision, &all_shipped);
	so_rollup_order(o->id, 1);

	/* A change that takes the open rest away completes the shipping. */
	if (all_shipped && strcmp(o->status, "partially_shipped") == 0)
		(void) so_move_order(o, "shipped", "the rest was removed by a change request");

	record_applied(o, change_id, revision, comment, automatic, cid);
	return revision;
}

/* ---- the entry points ---- */

static SoPlan insert_request_plan = {
	"INSERT INTO salesorder.change_request (order_id, customer_id, base_revision,"
	"  changes, effects, kinds, reason, requested_by)"
	" VALUES ($1, $2, $3, $4, $5::pg_catalog.jsonb, $6, $7, $8) RETURNING id",
	8, {INT8OID, INT8OID, INT4OID, JSONBOID, TEXTOID, TEXTARRAYOID, TEXTOID, TEXTOID}
};

static Datum
kinds_array(SoChangePlan *plan)
{
	Datum		k[3];
	int			n = 0;

	if (plan->kind_amount)
		k[n++] = CStringGetTextDatum("amount");
	if (plan->kind_qty)
		k[n++] = CStringGetTextDatum("qty");
	if (plan->kind_date)
		k[n++] = CStringGetTextDatum("date");
	return so_make_array(k, NULL, n, TEXTOID);
}

typedef struct SoRequestCall
{
	int64		order_id;
	Jsonb	   *changes;
	SoChangeInput in;
	const char *reason;
} SoRequestCall;

static Datum
request_work(void *arg)
{
	SoRequestCall *call = (SoRequestCall *) arg;
	SoChangePlan plan;
	SoFiredRule *fired;
	Datum		args[8];
	int64		change_id;
	int			nfired;

	memset(&plan, 0, sizeof(plan));
	so_lock_order(call->order_id, &plan.order);
	so_plan_change(&plan, &call->in);

	args[0] = Int64GetDatum(plan.order.id);
	args[1] = Int64GetDatum(plan.order.customer_id);
	args[2] = Int32GetDatum(plan.revision);
	args[3] = JsonbPGetDatum(call->changes);
	args[4] = CStringGetTextDatum(plan.effects.data);
	args[5] = kinds_array(&plan);
	args[6] = CStringGetTextDatum(call->reason);
	args[7] = CStringGetTextDatum(so_acting_user_name());
	so_execute(&insert_request_plan, args, NULL, false, 1);
	change_id = so_getint64(0, 1);

	nfired = route_change(&plan, &fired);
	so_write_history_event(plan.order.id, plan.order.customer_id, plan.order.status,
						   plan.order.status, "change", "change_requested",
						   psprintf("change request %lld: %s%s", (long long) change_id,
									call->reason,
									nfired ? psprintf(" (%d approval step%s)", nfired,
													  nfired == 1 ? "" : "s") : ""));
	if (nfired > 0)
		so_insert_steps(plan.order.id, plan.order.customer_id, change_id, 1, fired, nfired);
	else
		(void) apply_change(&plan, &call->in, change_id, "applied at once: no rule fired",
							true);
	return Int64GetDatum(change_id);
}

/*
 * salesorder.request_change(order_id bigint, changes jsonb, reason text)
 */
Datum
so_request_change(PG_FUNCTION_ARGS)
{
	SoRequestCall call;

	so_require_args(fcinfo, 2, "order_id", "changes");
	so_check_reason("request a change", PG_ARGISNULL(2) ? NULL : PG_GETARG_TEXT_PP(2));
	call.order_id = PG_GETARG_INT64(0);
	call.changes = PG_GETARG_JSONB_P(1);
	call.reason = text_to_cstring(PG_GETARG_TEXT_PP(2));
	so_parse_changes(call.changes, &call.in);
	PG_RETURN_DATUM(so_run_as_owner(request_work, &call, SO_RESULT_BYVAL));
}

static SoPlan request_order_plan = {
	"SELECT cr.order_id FROM salesorder.change_request cr WHERE cr.id = $1",
	1, {INT8OID}
};

static SoPlan lock_request_plan = {
	"SELECT cr.status, cr.base_revision, cr.changes, cr.requested_by,"
	"       o.revision, pg_catalog.to_jsonb(cr) OPERATOR(pg_catalog.->>) 'requested_login',"
	"       cr.decision_comment"
	" FROM salesorder.change_request cr"
	" JOIN salesorder.sales_order o ON o.id = cr.order_id"
	" WHERE cr.id = $1 FOR UPDATE OF cr",
	1, {INT8OID}
};

static SoPlan reject_request_plan = {
	"UPDATE salesorder.change_request SET status = 'rejected', decided_by = $2,"
	"  decided_at = pg_catalog.now(), decision_comment = $3 WHERE id = $1",
	3, {INT8OID, TEXTOID, TEXTOID}
};

static SoPlan close_change_steps_plan = {
	"UPDATE salesorder.approval_step SET status = 'closed',"
	"  decided_at = pg_catalog.now(), comment = 'closed: the change request was rejected'"
	" WHERE change_request_id = $1 AND status = 'pending'",
	1, {INT8OID}
};

typedef struct SoChangeDecision
{
	int64		change_id;
	bool		approve;
	const char *comment;
} SoChangeDecision;

static Datum
change_decision_work(void *arg)
{
	SoChangeDecision *call = (SoChangeDecision *) arg;
	Datum		id = Int64GetDatum(call->change_id);
	SoChangePlan plan;
	char	   *status;
	char	   *requester;
	char	   *requester_login;
	char	   *subject = psprintf("change request %lld", (long long) call->change_id);
	Jsonb	   *changes;
	SoChangeInput in;
	bool		isnull;
	int			base_revision,
				revision;

	/* Order row first, then the request: the global lock order. */
	if (so_execute(&request_order_plan, &id, NULL, false, 1) == 0)
		ereport(ERROR,
				(errcode(ERRCODE_SO_NOT_FOUND),
				 errmsg("%s does not exist", subject)));
	memset(&plan, 0, sizeof(plan));
	so_lock_order_for(so_getint64(0, 1), &plan.order, false);
	so_execute(&lock_request_plan, &id, NULL, false, 1);
	status = so_gettext(0, 1);
	base_revision = DatumGetInt32(so_getdatum(0, 2, &isnull));
	changes = DatumGetJsonbP(so_change_xfer(0, 3));
	requester = so_gettext(0, 4);
	revision = DatumGetInt32(so_getdatum(0, 5, &isnull));
	requester_login = so_gettext(0, 6);

	if (strcmp(status, "stale") == 0)
		ereport(ERROR,
				(errcode(ERRCODE_SO_STALE_REVISION),
				 errmsg("%s of order %s is stale and can no longer be decided",
						subject, plan.order.order_no),
				 errdetail("%s", so_gettext(0, 7)),
				 errhint("Request the change again against the current order, if it still takes changes.")));
	if (strcmp(status, "pending") == 0 && revision != base_revision)
		ereport(ERROR,
				(errcode(ERRCODE_SO_STALE_REVISION),
				 errmsg("%s was made against revision %d of order %s, which is now at revision %d",
						subject, base_revision, plan.order.order_no, revision),
				 errhint("Request the change again against the current order.")));
	if (strcmp(status, "pending") != 0)
		ereport(ERROR,
				(errcode(ERRCODE_SO_ILLEGAL_TRANSITION),
				 errmsg("%s is %s: there is nothing to decide", subject, status)));

	{
		char	   *decided;
		int			left = so_decide_steps(plan.order.id, call->change_id, subject,
										   requester, requester_login,
										   call->approve, call->comment,
										   &decided);

		so_write_history_event(plan.order.id, plan.order.customer_id,
							   plan.order.status, plan.order.status, "decision",
							   "change_decision",
							   psprintf("%s: %s %s%s%s", subject,
										call->approve ? "approved" : "rejected", decided,
										call->comment ? " -- " : "",
										call->comment ? call->comment : ""));
		if (left > 0 && call->approve)
			return CStringGetTextDatum("pending");
	}

	if (!call->approve)
	{
		so_execute(&close_change_steps_plan, &id, NULL, false, 0);
		so_execute(&reject_request_plan,
				   (Datum[]) {id, CStringGetTextDatum(so_acting_user_name()),
				   CStringGetTextDatum(call->comment)}, NULL, false, 0);
		record_decider_login(call->change_id);
		so_write_history_event(plan.order.id, plan.order.customer_id, plan.order.status,
							   plan.order.status, "change", "change_rejected",
							   psprintf("%s rejected: %s", subject, call->comment));
		return CStringGetTextDatum("rejected");
	}

	/* The last approval applies the change, checked against the order now. */
	so_parse_changes(changes, &in);
	so_plan_change(&plan, &in);
	(void) apply_change(&plan, &in, call->change_id, call->comment, false);
	return CStringGetTextDatum("applied");
}

/*
 * salesorder.approve_change(change_id bigint, comment text DEFAULT NULL)
 */
Datum
so_approve_change(PG_FUNCTION_ARGS)
{
	SoChangeDecision call;

	so_require_args(fcinfo, 1, "change_id");
	call.change_id = PG_GETARG_INT64(0);
	call.approve = true;
	call.comment = PG_ARGISNULL(1) ? NULL : text_to_cstring(PG_GETARG_TEXT_PP(1));
	PG_RETURN_DATUM(so_run_as_owner(change_decision_work, &call, TEXTOID));
}

/*
 * salesorder.reject_change(change_id bigint, reason text)
 */
Datum
so_reject_change(PG_FUNCTION_ARGS)
{
	SoChangeDecision call;

	so_require_args(fcinfo, 1, "change_id");
	so_check_reason("reject a change request", PG_ARGISNULL(1) ? NULL : PG_GETARG_TEXT_PP(1));
	call.change_id = PG_GETARG_INT64(0);
	call.approve = false;
	call.comment = text_to_cstring(PG_GETARG_TEXT_PP(1));
	PG_RETURN_DATUM(so_run_as_owner(change_decision_work, &call, TEXTOID));
}
