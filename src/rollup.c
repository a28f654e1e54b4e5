/*-------------------------------------------------------------------------
 *
 * rollup.c
 *	  The incrementally kept sales rollup behind report_sales.
 *
 * An order counts in the report while it is submitted (not draft,
 * cancelled or rejected).  Whenever that set or a counted order's lines
 * change, the functions append the order's contribution -- one row per
 * (month, region, segment, category) it touches, with orders = 1 -- with a
 * sign: +1 when it starts counting, -1 when it stops, -1 then +1 around a
 * change.  Nothing is ever updated in the delta table, so concurrent
 * orders for the same region and day never wait on each other;
 * compact_rollup() folds the deltas into sales_rollup now and then.
 *
 * A delta row is one change of one (month, region, segment): its
 * categories and their figures are arrays of one length, so that creating
 * or cancelling an order appends one row whatever its categories (2.0).
 * Every writer groups by category in a subquery and aggregates the groups
 * into the arrays (AGGREGATE_GROUPS); readers unnest them.
 *
 *-------------------------------------------------------------------------
 */
#include "sqlstate.h"
#include "privilege.h"
#include "spi_util.h"
#include "order_row.h"
#include "rollup.h"
#include "status.h"

#include "catalog/pg_type.h"
#include "commands/trigger.h"
#include "fmgr.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"

/*
 * The category groups g (category, orders, lines, quantity, amount) of one
 * delta row, as its arrays.
 */
#define AGGREGATE_GROUPS \
	" pg_catalog.array_agg(g.category ORDER BY g.category)," \
	" pg_catalog.array_agg(g.orders ORDER BY g.category)," \
	" pg_catalog.array_agg(g.lines ORDER BY g.category)," \
	" pg_catalog.array_agg(g.quantity ORDER BY g.category)," \
	" pg_catalog.array_agg(g.amount ORDER BY g.category)"

/*
 * The plan for the installed schema: the library is replaced before ALTER
 * EXTENSION salesorder UPDATE runs in each database, and until the update
 * to 2.0 the delta table has a row per category (scalar columns).
 */
bool
so_rollup_delta_1x(void)
{
	Oid			delta = so_relid("sales_rollup_delta");

	return get_atttype(delta, get_attnum(delta, "category")) == TEXTOID;
}

static SoPlan *
for_schema(SoPlan *plan, SoPlan *plan_1x)
{
	return so_rollup_delta_1x() ? plan_1x : plan;
}

#define ROLLUP_INSERT_SQL \
	"INSERT INTO salesorder.sales_rollup_delta" \
	" (month, region, segment, category, orders, lines, quantity, amount)"

/*
 * 2.0: into the partition order entry appends to (rollup_compact.c).  The
 * slot may be read in any statement of the transaction: the worker folds
 * the other partition only after every transaction that was running when
 * it switched has ended.
 */
#define ROLLUP_INSERT_SLOT_SQL \
	"INSERT INTO salesorder.sales_rollup_delta" \
	" (slot, month, region, segment, category, orders, lines, quantity, amount)"
#define WRITER_SLOT "(SELECT w.writer_slot FROM salesorder.rollup_config w)"

PG_FUNCTION_INFO_V1(so_rebuild_rollup);
PG_FUNCTION_INFO_V1(so_rollup_regroup);

/*
 * The contribution of one order, signed, in the rollup's time zone.  The
 * product is probed per line (LATERAL, OFFSET 0): as a plain join the kept
 * generic plan hashed the whole product table for every order.
 */
#define CONTRIBUTION_GROUPS \
	"(SELECT (pg_catalog.date_trunc('month', o.created_at AT TIME ZONE cfg.timezone))::date AS month," \
	"              c.region, c.segment, p.category, $2::pg_catalog.int8 AS orders," \
	"              $2 * pg_catalog.count(*) AS lines, $2 * pg_catalog.sum(l.qty) AS quantity," \
	"              $2 * pg_catalog.sum(l.amount) AS amount" \
	"       FROM salesorder.sales_order o" \
	"       JOIN salesorder.customer c ON c.id = o.customer_id" \
	"       JOIN salesorder.order_line l ON l.order_id = o.id" \
	"       CROSS JOIN LATERAL (SELECT p1.category FROM salesorder.product p1" \
	"                           WHERE p1.id = l.product_id OFFSET 0) p" \
	"       CROSS JOIN salesorder.rollup_config cfg" \
	"       WHERE o.id = $1" \
	"       GROUP BY 1, 2, 3, 4) g"

static SoPlan contribution_plan = {
	ROLLUP_INSERT_SLOT_SQL
	" SELECT " WRITER_SLOT ", g.month, g.region, g.segment," AGGREGATE_GROUPS
	" FROM " CONTRIBUTION_GROUPS
	" GROUP BY g.month, g.region, g.segment",
	2, {INT8OID, INT4OID}
};

/* The same into the delta table of 1.x (before the update to 2.0). */
static SoPlan contribution_plan_1x = {
	ROLLUP_INSERT_SQL
	" SELECT g.month, g.region, g.segment, g.category, g.orders, g.lines, g.quantity, g.amount"
	" FROM " CONTRIBUTION_GROUPS,
	2, {INT8OID, INT4OID}
};

/*
 * The contribution of an order being created, from its lines in hand,
 * dated now (the order's created_at) in the rollup's time zone: equal to
 * contribution_plan with sign +1 for the new order.  In 2.0 the lines are
 * grouped in C (so_rollup_lines); this is 1.x's table, a row per category.
 */
#define NEW_CONTRIBUTION_GROUPS \
	"(SELECT (pg_catalog.date_trunc('month', pg_catalog.now() AT TIME ZONE cfg.timezone))::date AS month," \
	"              u.category, 1::pg_catalog.int8 AS orders, pg_catalog.count(*) AS lines," \
	/* The lines' column types, so that the sums look as the join's do. */ \
	"              pg_catalog.sum(u.qty::pg_catalog.numeric(14,3)) AS quantity," \
	"              pg_catalog.sum(u.amount::pg_catalog.numeric(14,2)) AS amount" \
	"       FROM ROWS FROM (pg_catalog.unnest($3::pg_catalog.text[])," \
	"                       pg_catalog.unnest($4::pg_catalog.numeric[])," \
	"                       pg_catalog.unnest($5::pg_catalog.numeric[])) AS u(category, qty, amount)" \
	"       CROSS JOIN salesorder.rollup_config cfg" \
	"       GROUP BY 1, u.category) g"

static SoPlan new_contribution_plan_1x = {
	ROLLUP_INSERT_SQL
	" SELECT g.month, $1, $2, g.category, g.orders, g.lines, g.quantity, g.amount"
	" FROM " NEW_CONTRIBUTION_GROUPS,
	5, {TEXTOID, TEXTOID, TEXTARRAYOID, NUMERICARRAYOID, NUMERICARRAYOID}
};

/* The contribution of a new order into the delta table of 1.x. */
static void
rollup_lines_1x(const char *region, const char *segment, const SoLine *lines,
				int n)
{
	Datum	   *cats = palloc(sizeof(Datum) * n);
	bool	   *cat_nulls = palloc(sizeof(bool) * n);
	Datum	   *qtys = palloc(sizeof(Datum) * n);
	Datum	   *amounts = palloc(sizeof(Datum) * n);
	Datum		args[5];
	char		nulls[5] = {region ? ' ' : 'n', segment ? ' ' : 'n', ' ', ' ', ' '};
	int			i;

	for (i = 0; i < n; i++)
	{
		cat_nulls[i] = lines[i].category == NULL;
		cats[i] = lines[i].category ? CStringGetTextDatum(lines[i].category) : (Datum) 0;
		qtys[i] = lines[i].qty;
		amounts[i] = lines[i].amount;
	}
	args[0] = region ? CStringGetTextDatum(region) : (Datum) 0;
	args[1] = segment ? CStringGetTextDatum(segment) : (Datum) 0;
	args[2] = so_make_array(cats, cat_nulls, n, TEXTOID);
	args[3] = so_make_array(qtys, NULL, n, NUMERICOID);
	args[4] = so_make_array(amounts, NULL, n, NUMERICOID);
	so_execute(&new_contribution_plan_1x, args, nulls, false, 0);
}

/*
 * A new order's delta row from its categories grouped in C (the lines are
 * in hand): no unnest and grouping in SQL for every order.
 */
static SoPlan new_order_row_plan = {
	ROLLUP_INSERT_SLOT_SQL
	" SELECT cfg.writer_slot, (pg_catalog.date_trunc('month', pg_catalog.now() AT TIME ZONE cfg.timezone))::date,"
	"        $1, $2, $3, $4, $5, $6, $7"
	" FROM salesorder.rollup_config cfg",
	7, {TEXTOID, TEXTOID, TEXTARRAYOID, INT8ARRAYOID, INT8ARRAYOID,
	NUMERICARRAYOID, NUMERICARRAYOID}
};

static int
cmp_line_category(const void *a, const void *b)
{
	return strcmp((*(const SoLine *const *) a)->category,
				  (*(const SoLine *const *) b)->category);
}

/* A value in the type of a line column (numeric(14,3) / (14,2)). */
static Datum
as_column(Datum value, int precision, int scale)
{
	return DirectFunctionCall2(numeric, value,
							   Int32GetDatum(((precision << 16) | scale) + VARHDRSZ));
}

void
so_rollup_lines(const char *region, const char *segment, const SoLine *lines,
				int n)
{
	const SoLine **sorted = palloc(sizeof(SoLine *) * Max(n, 1));
	Datum	   *cats = palloc(sizeof(Datum) * Max(n, 1));
	Datum	   *orders = palloc(sizeof(Datum) * Max(n, 1));
	Datum	   *counts = palloc(sizeof(Datum) * Max(n, 1));
	Datum	   *qtys = palloc(sizeof(Datum) * Max(n, 1));
	Datum	   *amounts = palloc(sizeof(Datum) * Max(n, 1));
	int64	   *nlines = palloc(sizeof(int64) * Max(n, 1));
	Datum		args[7];
	char		nulls[7] = {region ? ' ' : 'n', segment ? ' ' : 'n', ' ', ' ', ' ', ' ', ' '};
	int			g = -1;
	int			i;

	if (so_rollup_delta_1x())
	{
		rollup_lines_1x(region, segment, lines, n);
		return;
	}
	for (i = 0; i < n; i++)
	{
		if (lines[i].category == NULL)
			elog(ERROR, "a line of product %lld has no category",
				 (long long) lines[i].product_id);
		sorted[i] = &lines[i];
	}
	qsort(sorted, n, sizeof(SoLine *), cmp_line_category);
	for (i = 0; i < n; i++)
	{
		Datum		qty = as_column(sorted[i]->qty, 14, 3);
		Datum		amount = as_column(sorted[i]->amount, 14, 2);

		if (g < 0 || strcmp(sorted[i]->category, sorted[i - 1]->category) != 0)
		{
			g++;
			cats[g] = CStringGetTextDatum(sorted[i]->category);
			orders[g] = Int64GetDatum(1);
			nlines[g] = 0;
			qtys[g] = qty;
			amounts[g] = amount;
		}
		else
		{
			qtys[g] = DirectFunctionCall2(numeric_add, qtys[g], qty);
			amounts[g] = DirectFunctionCall2(numeric_add, amounts[g], amount);
		}
		nlines[g]++;
	}
	for (i = 0; i <= g; i++)
		counts[i] = Int64GetDatum(nlines[i]);
	args[0] = region ? CStringGetTextDatum(region) : (Datum) 0;
	args[1] = segment ? CStringGetTextDatum(segment) : (Datum) 0;
	args[2] = so_make_array(cats, NULL, g + 1, TEXTOID);
	args[3] = so_make_array(orders, NULL, g + 1, INT8OID);
	args[4] = so_make_array(counts, NULL, g + 1, INT8OID);
	args[5] = so_make_array(qtys, NULL, g + 1, NUMERICOID);
	args[6] = so_make_array(amounts, NULL, g + 1, NUMERICOID);
	so_execute(&new_order_row_plan, args, nulls, false, 0);
}

/*
 * Add (sign +1) or take out (-1) an order's contribution to the report, as
 * the order stands now.  SPI must be connected.
 */
void
so_rollup_order(int64 order_id, int sign)
{
	Datum		args[2] = {Int64GetDatum(order_id), Int32GetDatum(sign)};

	so_execute(for_schema(&contribution_plan, &contribution_plan_1x), args, NULL, false, 0);
}

static SoPlan rebuild_plans[] = {
	{"LOCK TABLE salesorder.sales_rollup_delta IN SHARE ROW EXCLUSIVE MODE", 0, {InvalidOid}},
	{"DELETE FROM salesorder.sales_rollup_delta", 0, {InvalidOid}},
	{"DELETE FROM salesorder.sales_rollup", 0, {InvalidOid}},
	{"UPDATE salesorder.rollup_config SET timezone ="
		" coalesce(pg_catalog.current_setting('salesorder.report_timezone', true), 'UTC'),"
		" rebuilt_at = pg_catalog.now(), compacted_at = pg_catalog.now()", 0, {InvalidOid}},
	{"INSERT INTO salesorder.sales_rollup"
		" SELECT month, region, segment, category, orders, lines, quantity, amount"
		" FROM salesorder.report_sales_raw", 0, {InvalidOid}},
};

static SoPlan unfold_plan = {
	"UPDATE salesorder.rollup_config SET folded_slot = NULL", 0, {InvalidOid}
};

static Datum
rebuild_work(void *arg)
{
	int			i;
	int64		groups = 0;

	so_xact_lock(ROLLUP_LOCK_KIND, 0, ExclusiveLock);
	for (i = 0; i < lengthof(rebuild_plans); i++)
		groups = so_execute(&rebuild_plans[i], NULL, NULL, false, 0);
	/* Every delta is gone: none is folded (2.0). */
	if (!so_rollup_delta_1x())
		so_execute(&unfold_plan, NULL, NULL, false, 0);
	return Int64GetDatum(groups);
}

/*
 * salesorder.rebuild_rollup(): recompute the rollup from the orders, in the
 * session's salesorder.report_timezone; returns the number of groups.  For
 * bulk loads that bypass the functions, after a restore, or to change the
 * report's time zone.  Order entry waits while it runs.
 */
Datum
so_rebuild_rollup(PG_FUNCTION_ARGS)
{
	return so_run_as_owner(rebuild_work, NULL, SO_RESULT_BYVAL);
}

/*
 * A customer moved to another region or segment: its counted orders leave
 * the old group and join the new one.
 */
#define REGROUP_CUSTOMER_GROUPS \
	"(SELECT g0.month, x.region, x.segment, g0.category, x.sign * g0.orders AS orders," \
	"        x.sign * g0.lines AS lines, x.sign * g0.quantity AS quantity," \
	"        x.sign * g0.amount AS amount" \
	" FROM (SELECT (pg_catalog.date_trunc('month', o.created_at AT TIME ZONE cfg.timezone))::date AS month," \
	"              p.category, pg_catalog.count(DISTINCT o.id) AS orders," \
	"              pg_catalog.count(*) AS lines, pg_catalog.sum(l.qty) AS quantity," \
	"              pg_catalog.sum(l.amount) AS amount" \
	"       FROM salesorder.sales_order o" \
	"       JOIN salesorder.order_line l ON l.order_id = o.id" \
	"       JOIN salesorder.product p ON p.id = l.product_id" \
	"       CROSS JOIN salesorder.rollup_config cfg" \
	"       WHERE o.customer_id = $1" \
	"         AND " SO_STATUS_IN("o.status", SO_STATUSES_IN_REPORT) \
	"       GROUP BY 1, 2) g0" \
	" CROSS JOIN (VALUES (-1, $2, $3), (1, $4, $5)) AS x(sign, region, segment)) g"

static SoPlan regroup_customer_plan = {
	ROLLUP_INSERT_SLOT_SQL
	" SELECT " WRITER_SLOT ", g.month, g.region, g.segment," AGGREGATE_GROUPS
	" FROM " REGROUP_CUSTOMER_GROUPS
	" GROUP BY g.month, g.region, g.segment",
	5, {INT8OID, TEXTOID, TEXTOID, TEXTOID, TEXTOID}
};

/* The same into the delta table of 1.x (before the update to 2.0). */
static SoPlan regroup_customer_plan_1x = {
	ROLLUP_INSERT_SQL
	" SELECT g.month, g.region, g.segment, g.category, g.orders, g.lines, g.quantity, g.amount"
	" FROM " REGROUP_CUSTOMER_GROUPS,
	5, {INT8OID, TEXTOID, TEXTOID, TEXTOID, TEXTOID}
};

/*
 * A product moved to another category: every counted order holding it is
 * taken out with the old category and put back with the new one (an order
 * counts once per category, so this is done per order, not per line).
 */
#define REGROUP_PRODUCT_GROUPS \
	"(SELECT (pg_catalog.date_trunc('month', o.created_at AT TIME ZONE cfg.timezone))::date AS month," \
	"        c.region, c.segment," \
	"        CASE WHEN l.product_id = $1 AND x.sign < 0 THEN $2 ELSE p.category END AS category," \
	"        x.sign * pg_catalog.count(DISTINCT o.id) AS orders, x.sign * pg_catalog.count(*) AS lines," \
	"        x.sign * pg_catalog.sum(l.qty) AS quantity, x.sign * pg_catalog.sum(l.amount) AS amount" \
	" FROM salesorder.sales_order o" \
	" JOIN salesorder.customer c ON c.id = o.customer_id" \
	" JOIN salesorder.order_line l ON l.order_id = o.id" \
	" JOIN salesorder.product p ON p.id = l.product_id" \
	" CROSS JOIN salesorder.rollup_config cfg" \
	" CROSS JOIN (VALUES (-1), (1)) AS x(sign)" \
	" WHERE " SO_STATUS_IN("o.status", SO_STATUSES_IN_REPORT) \
	"   AND o.id IN (SELECT l2.order_id FROM salesorder.order_line l2 WHERE l2.product_id = $1)" \
	" GROUP BY 1, 2, 3, 4, x.sign) g"

static SoPlan regroup_product_plan = {
	ROLLUP_INSERT_SLOT_SQL
	" SELECT " WRITER_SLOT ", g.month, g.region, g.segment," AGGREGATE_GROUPS
	" FROM " REGROUP_PRODUCT_GROUPS
	" GROUP BY g.month, g.region, g.segment",
	2, {INT8OID, TEXTOID}
};

/* The same into the delta table of 1.x (before the update to 2.0). */
static SoPlan regroup_product_plan_1x = {
	ROLLUP_INSERT_SQL
	" SELECT g.month, g.region, g.segment, g.category, g.orders, g.lines, g.quantity, g.amount"
	" FROM " REGROUP_PRODUCT_GROUPS,
	2, {INT8OID, TEXTOID}
};

static Datum
rollup_regroup_work(void *arg)
{
	TriggerData *trigdata = (TriggerData *) arg;
	TupleDesc	desc = trigdata->tg_relation->rd_att;
	HeapTuple	oldtup = trigdata->tg_trigtuple;
	HeapTuple	newtup = trigdata->tg_newtuple;
	bool		isnull;
	Datum		id = heap_getattr(newtup, SPI_fnumber(desc, "id"), desc, &isnull);

	if (strcmp(RelationGetRelationName(trigdata->tg_relation), "customer") == 0)
	{
		Datum		args[5];

		args[0] = id;
		args[1] = heap_getattr(oldtup, SPI_fnumber(desc, "region"), desc, &isnull);
		args[2] = heap_getattr(oldtup, SPI_fnumber(desc, "segment"), desc, &isnull);
		args[3] = heap_getattr(newtup, SPI_fnumber(desc, "region"), desc, &isnull);
		args[4] = heap_getattr(newtup, SPI_fnumber(desc, "segment"), desc, &isnull);
		so_execute(for_schema(&regroup_customer_plan, &regroup_customer_plan_1x), args, NULL, false, 0);
	}
	else
	{
		Datum		args[2];

		args[0] = id;
		args[1] = heap_getattr(oldtup, SPI_fnumber(desc, "category"), desc, &isnull);
		so_execute(for_schema(&regroup_product_plan, &regroup_product_plan_1x), args, NULL, false, 0);
	}
	return (Datum) 0;
}

/*
 * AFTER UPDATE OF region, segment ON customer / OF category ON product.
 */
Datum
so_rollup_regroup(PG_FUNCTION_ARGS)
{
	TriggerData *trigdata = (TriggerData *) fcinfo->context;

	if (!CALLED_AS_TRIGGER(fcinfo) || !TRIGGER_FIRED_AFTER(trigdata->tg_event) ||
		!TRIGGER_FIRED_FOR_ROW(trigdata->tg_event) ||
		!TRIGGER_FIRED_BY_UPDATE(trigdata->tg_event))
		elog(ERROR, "rollup_regroup: must be fired AFTER UPDATE FOR EACH ROW");
	(void) so_run_as_owner(rollup_regroup_work, trigdata, SO_RESULT_BYVAL);
	return PointerGetDatum(NULL);
}
