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
#include "salesorder.h"
#include "approval.h"
#include "change.h"
#include "order.h"
#include "rollup.h"
#include "status.h"
#include "stock.h"

#include "catalog/pg_type.h"
#include "fmgr.h"
#include "utils/builtins.h"
#include "mb/pg_wchar.h"
#include "utils/date.h"
#include "utils/datetime.h"
#include "utils/fmgrprotos.h"
#include "utils/json.h"
#include "utils/numeric.h"

PG_FUNCTION_INFO_V1(so_request_change);
PG_FUNCTION_INFO_V1(so_approve_change);
PG_FUNCTION_INFO_V1(so_reject_change);

#define CHANGE_KEYS "lines, add_lines, remove_lines, requested_date, " \
	"promised_date, ship_to, special_requirements"

/* An edit of an existing line. */
typedef struct SoLineEdit
{
	int			index;
	int			line_no;
	Datum		qty;			/* (Datum) 0: unchanged */
	Datum		unit_price;
	Datum		discount_pct;
} SoLineEdit;

/* A header field: absent, set to a value, or cleared (JSON null). */
typedef struct SoDateEdit
{
	bool		given;
	bool		clear;
	DateADT		value;
} SoDateEdit;

typedef struct SoChangeInput
{
	SoLineEdit *edits;
	int			nedits;
	SoLineInput *adds;
	int			nadds;
	int		   *removes;
	int			nremoves;
	SoDateEdit	requested;
	SoDateEdit	promised;
	char	   *ship_to;		/* NULL: unchanged */
	bool		special_given;
	char	   *special;
} SoChangeInput;

/* ---- parsing ---- */

static void
parse_edits(JsonbValue *arr, SoChangeInput *in)
{
	JsonbIterator *it;
	JsonbValue	v;
	JsonbIteratorToken tok;
	int			i = 0;

	if (arr->type != jbvBinary || !JsonContainerIsArray(arr->val.binary.data))
		so_json_wrong_type("changes.lines", "an array", arr);
	in->nedits = JsonContainerSize(arr->val.binary.data);
	in->edits = palloc0(sizeof(SoLineEdit) * Max(in->nedits, 1));
	it = JsonbIteratorInit(arr->val.binary.data);
	while ((tok = JsonbIteratorNext(&it, &v, true)) != WJB_DONE)
	{
		SoLineEdit *e;
		JsonbIterator *lit;
		JsonbValue	k,
					lv;
		char		where[64];

		if (tok != WJB_ELEM)
			continue;
		e = &in->edits[i];
		e->index = ++i;
		snprintf(where, sizeof(where), "changes.lines[%d]", e->index);
		if (v.type != jbvBinary || !JsonContainerIsObject(v.val.binary.data))
			so_json_wrong_type(where, "an object", &v);
		lit = JsonbIteratorInit(v.val.binary.data);
		while ((tok = JsonbIteratorNext(&lit, &k, true)) != WJB_DONE)
		{
			if (tok != WJB_KEY)
				continue;
			(void) JsonbIteratorNext(&lit, &lv, true);
			snprintf(where, sizeof(where), "changes.lines[%d].%.*s", e->index,
					 pg_mbcliplen(k.val.string.val, k.val.string.len, 30),
					 k.val.string.val);
			if (so_json_key_is(&k, "line_no"))
				e->line_no = so_json_line_no(where, &lv);
			else if (so_json_key_is(&k, "qty"))
				e->qty = so_json_number(where, &lv, 3, "0", true, SO_MAX_QTY, true);
			else if (so_json_key_is(&k, "unit_price"))
				e->unit_price = so_json_number(where, &lv, 4, "0", false, SO_MAX_PRICE, true);
			else if (so_json_key_is(&k, "discount_pct"))
				e->discount_pct = so_json_number(where, &lv, 2, "0", false, "100", false);
			else
			{
				snprintf(where, sizeof(where), "changes.lines[%d]", e->index);
				so_json_unknown_key(where, &k, "line_no, qty, unit_price, discount_pct");
			}
		}
		if (e->line_no == 0 ||
			(e->qty == (Datum) 0 && e->unit_price == (Datum) 0 &&
			 e->discount_pct == (Datum) 0))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("changes.lines[%d] needs \"line_no\" and at least one of \"qty\", \"unit_price\", \"discount_pct\"",
							e->index)));
	}
}

static void
parse_removes(JsonbValue *arr, SoChangeInput *in)
{
	JsonbIterator *it;
	JsonbValue	v;
	JsonbIteratorToken tok;
	int			i = 0;

	if (arr->type != jbvBinary || !JsonContainerIsArray(arr->val.binary.data))
		so_json_wrong_type("changes.remove_lines", "an array of line numbers", arr);
	in->nremoves = JsonContainerSize(arr->val.binary.data);
	in->removes = palloc0(sizeof(int) * Max(in->nremoves, 1));
	it = JsonbIteratorInit(arr->val.binary.data);
	while ((tok = JsonbIteratorNext(&it, &v, true)) != WJB_DONE)
	{
		char		where[48];

		if (tok != WJB_ELEM)
			continue;
		snprintf(where, sizeof(where), "changes.remove_lines[%d]", i + 1);
		in->removes[i++] = so_json_line_no(where, &v);
	}
}

static void
parse_date_edit(const char *where, JsonbValue *v, SoDateEdit *d)
{
	d->given = true;
	d->clear = v->type == jbvNull;
	if (!d->clear)
		d->value = so_json_date(where, v);
}

/* changes: a non-empty object; unknown keys are an error. */
static void
parse_changes(Jsonb *changes, SoChangeInput *in)
{
	JsonbIterator *it;
	JsonbValue	k,
				v;
	JsonbIteratorToken tok;
	int			nkeys = 0;

	memset(in, 0, sizeof(*in));
	if (!JB_ROOT_IS_OBJECT(changes))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("changes must be a JSON object"),
				 errhint("Allowed keys: %s.", CHANGE_KEYS)));
	it = JsonbIteratorInit(&changes->root);
	while ((tok = JsonbIteratorNext(&it, &k, true)) != WJB_DONE)
	{
		if (tok != WJB_KEY)
			continue;
		(void) JsonbIteratorNext(&it, &v, true);
		nkeys++;
		if (so_json_key_is(&k, "lines"))
			parse_edits(&v, in);
		else if (so_json_key_is(&k, "add_lines"))
		{
			if (v.type != jbvBinary)
				so_json_wrong_type("changes.add_lines", "an array", &v);
			in->adds = so_parse_lines_in(v.val.binary.data, "changes.add_lines",
										 &in->nadds);
		}
		else if (so_json_key_is(&k, "remove_lines"))
			parse_removes(&v, in);
		else if (so_json_key_is(&k, "requested_date"))
			parse_date_edit("changes.requested_date", &v, &in->requested);
		else if (so_json_key_is(&k, "promised_date"))
			parse_date_edit("changes.promised_date", &v, &in->promised);
		else if (so_json_key_is(&k, "ship_to"))
			in->ship_to = so_json_string("changes.ship_to", &v, false, 4000);
		else if (so_json_key_is(&k, "special_requirements"))
		{
			in->special_given = true;
			in->special = so_json_string("changes.special_requirements", &v, true, 4000);
		}
		else
			so_json_unknown_key("changes", &k, CHANGE_KEYS);
	}
	if (nkeys == 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("changes is empty: nothing to change"),
				 errhint("Allowed keys: %s.", CHANGE_KEYS)));
}

/* ---- the plan: the order as it is and as it would be ---- */

typedef struct SoCurLine
{
	int			line_no;
	int64		product_id;
	char	   *sku;
	Datum		qty;
	Datum		unit_price;
	Datum		discount_pct;
	Datum		amount;
	Datum		reserved;
	Datum		backorder;
	Datum		shipped;
	bool		removed;
	bool		edited;
	Datum		new_qty;
	Datum		new_price;
	Datum		new_discount;
	Datum		new_amount;
} SoCurLine;

typedef struct SoChangePlan
{
	SoLockedOrder order;
	int			revision;
	SoCurLine  *lines;
	int			nlines;
	SoLine	   *added;
	char	  **added_skus;
	int			nadded;
	int			next_line_no;
	/* header as it is */
	bool		requested_null;
	DateADT		requested;
	bool		promised_null;
	DateADT		promised;
	char	   *ship_to;
	char	   *special;
	Datum		old_total;
	Datum		new_total;
	/* what kind of change this is, for routing */
	bool		kind_amount;
	bool		kind_qty;
	bool		kind_date;
	bool		address_change;	/* ship-to or delivery terms */
	Datum		qty_change;		/* sum of |quantity changes| */
	int			date_shift;		/* largest |shift| in days */
	StringInfoData effects;
} SoChangePlan;

static SoPlan header_plan = {
	"SELECT o.revision, o.requested_date, o.promised_date, o.ship_to,"
	"       o.special_requirements, o.total_amount,"
	"       GREATEST(o.last_line_no, (SELECT COALESCE(pg_catalog.max(l.line_no), 0)"
	"                 FROM salesorder.order_line l WHERE l.order_id = o.id)) + 1"
	" FROM salesorder.sales_order o WHERE o.id = $1",
	1, {INT8OID}
};

static SoPlan lines_plan = {
	"SELECT l.line_no, l.product_id, p.sku, l.qty, l.unit_price, l.discount_pct,"
	"       l.amount, l.reserved_qty, l.backorder_qty, l.shipped_qty"
	" FROM salesorder.order_line l JOIN salesorder.product p ON p.id = l.product_id"
	" WHERE l.order_id = $1 ORDER BY l.line_no",
	1, {INT8OID}
};

static Datum
xfer(int row, int col)
{
	bool		isnull;

	return SPI_datumTransfer(so_getdatum(row, col, &isnull), false, -1);
}

static void
load_order(SoChangePlan *plan)
{
	Datum		arg = Int64GetDatum(plan->order.id);
	bool		isnull;
	int			i;

	so_execute(&header_plan, &arg, NULL, false, 1);
	plan->revision = DatumGetInt32(so_getdatum(0, 1, &isnull));
	plan->requested = DatumGetDateADT(so_getdatum(0, 2, &plan->requested_null));
	plan->promised = DatumGetDateADT(so_getdatum(0, 3, &plan->promised_null));
	plan->ship_to = so_gettext(0, 4);
	plan->special = so_gettext(0, 5);
	plan->old_total = xfer(0, 6);
	plan->next_line_no = DatumGetInt32(so_getdatum(0, 7, &isnull));

	plan->nlines = so_execute(&lines_plan, &arg, NULL, false, 0);
	plan->lines = palloc0(sizeof(SoCurLine) * Max(plan->nlines, 1));
	for (i = 0; i < plan->nlines; i++)
	{
		SoCurLine  *l = &plan->lines[i];

		l->line_no = DatumGetInt32(so_getdatum(i, 1, &isnull));
		l->product_id = so_getint64(i, 2);
		l->sku = so_gettext(i, 3);
		l->qty = xfer(i, 4);
		l->unit_price = xfer(i, 5);
		l->discount_pct = xfer(i, 6);
		l->amount = xfer(i, 7);
		l->reserved = xfer(i, 8);
		l->backorder = xfer(i, 9);
		l->shipped = xfer(i, 10);
		l->new_qty = l->qty;
		l->new_price = l->unit_price;
		l->new_discount = l->discount_pct;
		l->new_amount = l->amount;
	}
}

static SoCurLine *
find_line(SoChangePlan *plan, int line_no, const char *where)
{
	int			i;

	for (i = 0; i < plan->nlines; i++)
		if (plan->lines[i].line_no == line_no)
			return &plan->lines[i];
	ereport(ERROR,
			(errcode(ERRCODE_SO_NOT_FOUND),
			 errmsg("%s: order %s has no line %d", where, plan->order.order_no, line_no)));
	return NULL;				/* keep compiler quiet */
}

static char *
num(Datum d)
{
	return DatumGetCString(DirectFunctionCall1(numeric_out,
											   DirectFunctionCall1(numeric_trim_scale, d)));
}

/* An amount for the effects: always two decimals, as in the order. */
static char *
money(Datum d)
{
	return DatumGetCString(DirectFunctionCall1(numeric_out,
											   DirectFunctionCall2(numeric_round, d,
																   Int32GetDatum(2))));
}

static bool
num_eq(Datum a, Datum b)
{
	return so_numeric_cmp(a, b) == 0;
}

/* One {"field": ..., "old": ..., "new": ...} of the effects. */
static void
effect(SoChangePlan *plan, const char *field, const char *old_json,
	   const char *new_json)
{
	StringInfo	e = &plan->effects;

	appendStringInfo(e, "%s{\"field\": ", e->len > 1 ? ", " : "");
	escape_json(e, field);
	appendStringInfo(e, ", \"old\": %s, \"new\": %s}", old_json, new_json);
}

static char *
json_text(const char *s)
{
	StringInfoData buf;

	if (s == NULL)
		return "null";
	initStringInfo(&buf);
	escape_json(&buf, s);
	return buf.data;
}

/* A date as a JSON string, always ISO 8601 whatever the DateStyle. */
static char *
json_date(bool isnull, DateADT d)
{
	int			year,
				month,
				day;

	if (isnull)
		return "null";
	j2date(d + POSTGRES_EPOCH_JDATE, &year, &month, &day);
	return psprintf("\"%04d-%02d-%02d\"", year, month, day);
}

static void
change_date(SoChangePlan *plan, const char *field, SoDateEdit *edit,
			bool old_null, DateADT old)
{
	if (!edit->given || (edit->clear && old_null) ||
		(!edit->clear && !old_null && edit->value == old))
		return;
	effect(plan, field, json_date(old_null, old), json_date(edit->clear, edit->value));
	plan->kind_date = true;
	/* Setting or clearing a date is a change of date, but no shift. */
	if (!edit->clear && !old_null)
		plan->date_shift = Max(plan->date_shift, Abs(edit->value - old));
}

static void
check_changeable(const SoLockedOrder *o)
{
	if (strcmp(o->status, "approved") != 0 &&
		strcmp(o->status, "in_production") != 0 &&
		strcmp(o->status, "partially_shipped") != 0)
		ereport(ERROR,
				(errcode(ERRCODE_SO_ILLEGAL_TRANSITION),
				 errmsg("order %s is %s: it cannot take change requests",
						o->order_no, o->status),
				 strcmp(o->status, "draft") == 0 ?
				 errhint("Edit a draft directly: its lines and header are editable.") :
				 errhint("Changes are requested for approved, in-production or partially shipped orders.")));
}

/* Lines removed: none shipped, none listed twice. */
static void
plan_removals(SoChangePlan *plan, SoChangeInput *in)
{
	Datum		zero = so_numeric("0");
	int			i;

	for (i = 0; i < in->nremoves; i++)
	{
		char	   *where = psprintf("changes.remove_lines[%d]", i + 1);
		SoCurLine  *l = find_line(plan, in->removes[i], where);

		if (l->removed)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("%s: line %d is listed twice", where, l->line_no)));
		if (!num_eq(l->shipped, zero))
			ereport(ERROR,
					(errcode(ERRCODE_SO_NOT_EDITABLE),
					 errmsg("%s: line %d of order %s has shipped %s and cannot be removed",
							where, l->line_no, plan->order.order_no, num(l->shipped)),
					 errhint("Lower its quantity to what has shipped instead.")));
		l->removed = true;
		l->new_qty = zero;
		l->new_amount = zero;
		effect(plan, psprintf("line %d", l->line_no),
			   psprintf("{\"sku\": %s, \"qty\": %s, \"amount\": %s}", json_text(l->sku),
						num(l->qty), money(l->amount)), "null");
		plan->kind_qty = true;
	}
}

/* Lines edited: quantity not below what shipped, amounts recomputed. */
static void
plan_edits(SoChangePlan *plan, SoChangeInput *in)
{
	int			i;

	for (i = 0; i < in->nedits; i++)
	{
		SoLineEdit *e = &in->edits[i];
		char	   *where = psprintf("changes.lines[%d]", e->index);
		SoCurLine  *l = find_line(plan, e->line_no, where);
		Datum		gross;

		if (l->removed)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("%s: line %d is also removed", where, l->line_no)));
		if (l->edited)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("%s: line %d is listed twice", where, l->line_no)));
		l->edited = true;
		if (e->qty != (Datum) 0)
		{
			if (so_numeric_cmp(e->qty, l->shipped) < 0)
				ereport(ERROR,
						(errcode(ERRCODE_SO_NOT_EDITABLE),
						 errmsg("%s: the quantity of line %d of order %s cannot go below the %s already shipped",
								where, l->line_no, plan->order.order_no, num(l->shipped))));
			l->new_qty = e->qty;
		}
		if (e->unit_price != (Datum) 0)
			l->new_price = e->unit_price;
		if (e->discount_pct != (Datum) 0)
			l->new_discount = e->discount_pct;
		so_compute_line(l->new_qty, l->new_price, l->new_discount, &gross, &l->new_amount);

		if (!num_eq(l->new_qty, l->qty))
		{
			effect(plan, psprintf("line %d qty", l->line_no), num(l->qty), num(l->new_qty));
			plan->kind_qty = true;
		}
		if (!num_eq(l->new_price, l->unit_price))
		{
			effect(plan, psprintf("line %d unit_price", l->line_no),
				   num(l->unit_price), num(l->new_price));
			plan->kind_amount = true;
		}
		if (!num_eq(l->new_discount, l->discount_pct))
		{
			effect(plan, psprintf("line %d discount_pct", l->line_no),
				   num(l->discount_pct), num(l->new_discount));
			plan->kind_amount = true;
		}
	}
}

/* Lines added: products and prices resolved; the line limit kept. */
static void
plan_additions(SoChangePlan *plan, SoChangeInput *in)
{
	int			i;

	if (in->nadds > 0)
	{
		plan->added = so_resolve_lines(in->adds, in->nadds);
		plan->nadded = in->nadds;
		plan->added_skus = palloc(sizeof(char *) * in->nadds);
		for (i = 0; i < in->nadds; i++)
		{
			SoLine	   *a = &plan->added[i];

			plan->added_skus[i] = so_product_sku(a->product_id);
			effect(plan, psprintf("line %d", plan->next_line_no + i), "null",
				   psprintf("{\"sku\": %s, \"qty\": %s, \"unit_price\": %s, \"discount_pct\": %s, \"amount\": %s}",
							json_text(plan->added_skus[i]), num(a->qty),
							num(a->unit_price), num(a->discount_pct), money(a->amount)));
		}
		plan->kind_qty = true;
	}
	if (plan->nlines - in->nremoves + in->nadds > SO_MAX_LINES)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("the change would give order %s %d lines; an order can have at most %d",
						plan->order.order_no, plan->nlines - in->nremoves + in->nadds,
						SO_MAX_LINES),
				 errhint("Take the new lines in a new order.")));
}

/* Header fields: the dates, the ship-to, the special requirements. */
static void
plan_header(SoChangePlan *plan, SoChangeInput *in)
{
	change_date(plan, "requested_date", &in->requested, plan->requested_null, plan->requested);
	change_date(plan, "promised_date", &in->promised, plan->promised_null, plan->promised);
	if (in->ship_to && strcmp(in->ship_to, plan->ship_to) != 0)
	{
		effect(plan, "ship_to", json_text(plan->ship_to), json_text(in->ship_to));
		plan->kind_date = true;
		plan->address_change = true;
	}
	if (in->special_given &&
		!((in->special == NULL && plan->special == NULL) ||
		  (in->special && plan->special && strcmp(in->special, plan->special) == 0)))
	{
		effect(plan, "special_requirements", json_text(plan->special),
			   json_text(in->special));
		plan->kind_date = true;
		plan->address_change = true;
	}
}

/*
 * The order after the change: its total, how much quantity moves, the stock
 * per SKU; a change that leaves no line or changes nothing is refused.  Then
 * the effects are wrapped: {"fields": [...], "amount_delta": ..., ...}.
 */
static void
plan_outcome(SoChangePlan *plan, SoChangeInput *in)
{
	Datum		zero = so_numeric("0");
	Datum		total;
	Datum		qty_change = zero;
	StringInfoData stock;
	int			nstock = 0;
	int			i,
				j;

	total = zero;
	initStringInfo(&stock);
	for (i = 0; i < plan->nlines; i++)
	{
		SoCurLine  *l = &plan->lines[i];
		Datum		d = DirectFunctionCall2(numeric_sub, l->new_qty, l->qty);

		total = DirectFunctionCall2(numeric_add, total, l->new_amount);
		qty_change = DirectFunctionCall2(numeric_add, qty_change,
										 DirectFunctionCall1(numeric_abs, d));
		if (!num_eq(d, zero))
			appendStringInfo(&stock, "%s%s: %s", nstock++ ? ", " : "",
							 json_text(l->sku), num(d));
	}
	for (j = 0; j < plan->nadded; j++)
	{
		total = DirectFunctionCall2(numeric_add, total, plan->added[j].amount);
		qty_change = DirectFunctionCall2(numeric_add, qty_change, plan->added[j].qty);
		appendStringInfo(&stock, "%s%s: %s", nstock++ ? ", " : "",
						 json_text(plan->added_skus[j]), num(plan->added[j].qty));
	}
	if (plan->nlines - in->nremoves + plan->nadded == 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("the change would leave order %s without lines", plan->order.order_no),
				 errhint("Cancel the order instead.")));
	if (plan->effects.len == 2)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("the change request changes nothing on order %s", plan->order.order_no)));
	plan->new_total = total;
	plan->qty_change = qty_change;
	if (!num_eq(total, plan->old_total))
		plan->kind_amount = true;

	/* Wrap: {"fields": [...], "amount_delta": ..., ...} */
	{
		StringInfoData all;

		initStringInfo(&all);
		appendStringInfo(&all,
						 "{\"fields\": %s, \"old_total\": %s, \"new_total\": %s, "
						 "\"amount_delta\": %s, \"stock_delta\": {%s}, "
						 "\"date_shift_days\": %d, \"revision\": %d}",
						 plan->effects.data, money(plan->old_total), money(total),
						 money(DirectFunctionCall2(numeric_sub, total, plan->old_total)),
						 stock.data, plan->date_shift, plan->revision);
		plan->effects = all;
	}
}

/*
 * Validate a change against the locked order and work out what it does,
 * every check before anything is written: the lines removed, edited and
 * added, the header, and the order that results.  Fills plan (the new
 * lines, the kinds, the effects JSON).
 */
static void
plan_change(SoChangePlan *plan, SoChangeInput *in)
{
	check_changeable(&plan->order);
	load_order(plan);
	initStringInfo(&plan->effects);
	appendStringInfoChar(&plan->effects, '[');
	plan_removals(plan, in);
	plan_edits(plan, in);
	plan_additions(plan, in);
	plan_header(plan, in);
	appendStringInfoChar(&plan->effects, ']');
	plan_outcome(plan, in);
}

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
		out[i].figures = xfer(i, 6);
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

/*
 * The order left the statuses that take changes for good (cancelled,
 * completed, shipped in full): its pending requests can never apply, so
 * they become stale and their steps leave the approval queue.
 */
static SoPlan close_requests_plan = {
	"WITH stale AS (UPDATE salesorder.change_request"
	"   SET status = 'stale', decided_at = pg_catalog.now(), decision_comment = $2"
	"   WHERE order_id = $1 AND status = 'pending' RETURNING id)"
	" UPDATE salesorder.approval_step SET status = 'closed',"
	"   decided_at = pg_catalog.now(), comment = $2"
	" WHERE change_request_id IN (SELECT id FROM stale) AND status = 'pending'",
	2, {INT8OID, TEXTOID}
};

void
so_close_change_requests(int64 order_id, const char *why)
{
	Datum		args[2] = {Int64GetDatum(order_id), CStringGetTextDatum(why)};

	so_execute(&close_requests_plan, args, NULL, false, 0);
}

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
		(void) so_set_status(o, "shipped", "the rest was removed by a change request");

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
	plan_change(&plan, &call->in);

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
	parse_changes(call.changes, &call.in);
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
	changes = DatumGetJsonbP(xfer(0, 3));
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
	parse_changes(changes, &in);
	plan_change(&plan, &in);
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
