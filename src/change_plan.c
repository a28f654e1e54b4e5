/*-------------------------------------------------------------------------
 *
 * change_plan.c
 *	  A change request parsed and planned: what it asks (the JSON), and what
 *	  it does to the order as it stands (lines, header, totals, stock, the
 *	  effects), every check before anything is written.  change.c routes
 *	  and applies the plan.
 *
 *-------------------------------------------------------------------------
 */
#include "sqlstate.h"
#include "json_input.h"
#include "spi_util.h"
#include "change_plan.h"
#include "status.h"
#include "stock.h"

#include "catalog/pg_type.h"
#include "fmgr.h"
#include "utils/builtins.h"
#include "mb/pg_wchar.h"
#include "utils/date.h"
#include "utils/datetime.h"
#include "utils/json.h"
#include "utils/numeric.h"

#define CHANGE_KEYS "lines, add_lines, remove_lines, requested_date, " \
	"promised_date, ship_to, special_requirements"

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
void
so_parse_changes(Jsonb *changes, SoChangeInput *in)
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
	plan->old_total = so_change_xfer(0, 6);
	plan->next_line_no = DatumGetInt32(so_getdatum(0, 7, &isnull));

	plan->nlines = so_execute(&lines_plan, &arg, NULL, false, 0);
	plan->lines = palloc0(sizeof(SoCurLine) * Max(plan->nlines, 1));
	for (i = 0; i < plan->nlines; i++)
	{
		SoCurLine  *l = &plan->lines[i];

		l->line_no = DatumGetInt32(so_getdatum(i, 1, &isnull));
		l->product_id = so_getint64(i, 2);
		l->sku = so_gettext(i, 3);
		l->qty = so_change_xfer(i, 4);
		l->unit_price = so_change_xfer(i, 5);
		l->discount_pct = so_change_xfer(i, 6);
		l->amount = so_change_xfer(i, 7);
		l->reserved = so_change_xfer(i, 8);
		l->backorder = so_change_xfer(i, 9);
		l->shipped = so_change_xfer(i, 10);
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
	if (!so_status_is(o->status, SO_SET_CHANGEABLE))
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
void
so_plan_change(SoChangePlan *plan, SoChangeInput *in)
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

