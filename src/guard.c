/*-------------------------------------------------------------------------
 *
 * guard.c
 *	  Triggers that guard the order tables and the stock ledger.
 *
 * The functions of order.c write with the internal-write flag set (see
 * privilege.c); everything else is a direct write by a user and is held to
 * the rules here:
 *	  - sales_order: rows are created by create_order()/copy_order() only;
 *		a status change must be a legal move (any writer, ourselves included);
 *		computed columns never change; header fields change only in draft;
 *		only drafts can be deleted.
 *	  - order_line: lines are edited only while their order is a draft; the
 *		trigger fills in prices and amounts and keeps the order totals.
 *	  - stock: quantities change only through the stock functions.
 *	  - stock_movement: written by the stock functions, append-only for all.
 *
 * Like contrib's triggers, each one first checks how it was fired.
 *
 *-------------------------------------------------------------------------
 */
#include "sqlstate.h"
#include "privilege.h"
#include "spi_util.h"
#include "visibility.h"
#include "archive.h"
#include "exposure.h"
#include "order_row.h"
#include "reference_guard.h"
#include "history.h"
#include "status.h"
#include "transition.h"

#include "access/htup_details.h"
#include "catalog/pg_type.h"
#include "commands/trigger.h"
#include "fmgr.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/datum.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"
#include "utils/timestamp.h"

PG_FUNCTION_INFO_V1(so_order_guard);
PG_FUNCTION_INFO_V1(so_order_history);
PG_FUNCTION_INFO_V1(so_line_guard);
PG_FUNCTION_INFO_V1(so_ledger_append_only);
PG_FUNCTION_INFO_V1(so_stock_guard);

/*
 * pg_restore copies rows straight into the tables, which these guards would
 * refuse.  A restore runs with session_replication_role = replica, under
 * which ordinary triggers do not fire; the message says so, because a plain
 * pg_restore is the first thing a DBA tries.
 */
#define RESTORE_DETAIL \
	"To restore a dump, run pg_restore with session_replication_role = replica."

static void
check_trigger_context(FunctionCallInfo fcinfo, const char *name, bool before,
					  bool row)
{
	TriggerData *trigdata;

	if (!CALLED_AS_TRIGGER(fcinfo))
		elog(ERROR, "%s: not called by trigger manager", name);
	trigdata = (TriggerData *) fcinfo->context;
	if (before != (TRIGGER_FIRED_BEFORE(trigdata->tg_event) != 0))
		elog(ERROR, "%s: must be fired %s", name, before ? "BEFORE" : "AFTER");
	if (row != (TRIGGER_FIRED_FOR_ROW(trigdata->tg_event) != 0))
		elog(ERROR, "%s: must be fired FOR EACH %s", name, row ? "ROW" : "STATEMENT");
}

static Datum
column(HeapTuple tuple, TupleDesc desc, const char *name, bool *isnull)
{
	int			attno = SPI_fnumber(desc, name);

	if (attno <= 0)
		elog(ERROR, "column \"%s\" not found", name);
	return heap_getattr(tuple, attno, desc, isnull);
}

static char *
column_text(HeapTuple tuple, TupleDesc desc, const char *name)
{
	bool		isnull;
	Datum		d = column(tuple, desc, name, &isnull);

	return isnull ? NULL : TextDatumGetCString(d);
}

static char *
column_status(HeapTuple tuple, TupleDesc desc, const char *name)
{
	bool		isnull;
	Datum		d = column(tuple, desc, name, &isnull);

	return isnull ? NULL : so_status_label(d);
}

static int64
column_int64(HeapTuple tuple, TupleDesc desc, const char *name)
{
	bool		isnull;
	Datum		d = column(tuple, desc, name, &isnull);

	return isnull ? 0 : DatumGetInt64(d);
}

/* Has column attno a different value in newtup than in oldtup? */
static bool
column_changed(HeapTuple oldtup, HeapTuple newtup, TupleDesc desc, int attno)
{
	Form_pg_attribute att = TupleDescAttr(desc, attno - 1);
	bool		oldnull,
				newnull;
	Datum		oldval = heap_getattr(oldtup, attno, desc, &oldnull);
	Datum		newval = heap_getattr(newtup, attno, desc, &newnull);

	if (oldnull || newnull)
		return oldnull != newnull;
	return !datumIsEqual(oldval, newval, att->attbyval, att->attlen);
}

static bool
name_in(const char *name, const char *const *list)
{
	for (; *list; list++)
		if (strcmp(name, *list) == 0)
			return true;
	return false;
}

/* Header fields a user may edit directly while the order is a draft. */
static const char *const draft_editable_columns[] = {
	"warehouse_id", "ship_to", "requested_date", "promised_date",
	"special_requirements", "notes", NULL
};

/*
 * Written by the state machine itself when the status moves (see
 * apply_status_change): a direct UPDATE never sets them, or a pending order
 * could be "held from approved" and released past its approval steps.
 */
static const char *const state_machine_columns[] = {
	"hold_from", "status_changed_at", NULL
};

static SoPlan order_customer_plan = {
	"SELECT c.sales_rep FROM salesorder.customer c WHERE c.id = $1",
	1, {INT8OID}
};

static void
check_direct_order_access(int64 customer_id)
{
	Datum		arg = Int64GetDatum(customer_id);

	if (so_execute(&order_customer_plan, &arg, NULL, false, 1) == 1)
		so_check_access(so_gettext(0, 1), customer_id, 0, NULL);
}

/*
 * A user's direct UPDATE of an order: computed columns never change, header
 * fields only in draft, the status only by a legal move (with its reason),
 * and what the state machine records of a move never directly.
 */
static void
check_direct_order_update(HeapTuple oldtup, HeapTuple newtup, TupleDesc desc,
						  const char *order_no, const char *old_status)
{
	int			attno;
	bool		status_moves = column_changed(oldtup, newtup, desc,
											  SPI_fnumber(desc, "status"));

	for (attno = 1; attno <= desc->natts; attno++)
	{
		const char *name;

		if (TupleDescAttr(desc, attno - 1)->attisdropped ||
			!column_changed(oldtup, newtup, desc, attno))
			continue;
		name = NameStr(TupleDescAttr(desc, attno - 1)->attname);
		/* A status move is checked by the state machine. */
		if (strcmp(name, "status") == 0)
			continue;
		if (name_in(name, state_machine_columns))
			ereport(ERROR,
					(errcode(ERRCODE_SO_NOT_EDITABLE),
					 errmsg("column \"%s\" of order %s cannot be changed directly",
							name, order_no),
					 errdetail("It is set by the state machine when the status moves."),
					 errhint("Use salesorder.hold() and salesorder.release_hold().")));
		/* The reason goes with a move, and only with one. */
		if (strcmp(name, "status_reason") == 0)
		{
			if (!status_moves)
				ereport(ERROR,
						(errcode(ERRCODE_SO_NOT_EDITABLE),
						 errmsg("column \"status_reason\" of order %s changes only with its status",
								order_no),
						 errdetail("It is the reason of the last status move, as the history records it.")));
			continue;
		}
		if (!name_in(name, draft_editable_columns))
			ereport(ERROR,
					(errcode(ERRCODE_SO_NOT_EDITABLE),
					 errmsg("column \"%s\" of order %s cannot be changed directly",
							name, order_no),
					 errdetail("It is maintained by the salesorder functions.")));
		if (strcmp(old_status, "draft") != 0)
			ereport(ERROR,
					(errcode(ERRCODE_SO_NOT_EDITABLE),
					 errmsg("order %s is %s: its \"%s\" can be edited only while it is a draft",
							order_no, old_status, name),
					 errhint("Use salesorder.request_change() to change an order after submission.")));
		/* What the warehouse's foreign key did (see reference_guard.c). */
		if (strcmp(name, "warehouse_id") == 0)
			so_check_order_warehouse(column_int64(newtup, desc, "warehouse_id"));
	}
}

/*
 * On a status change: check the move, remember where a hold came from, stamp
 * the change.  A status_reason not set by a user's UPDATE is cleared, so the
 * history never repeats an old reason.  Returns the tuple to store.
 */
static HeapTuple
apply_status_change(HeapTuple oldtup, HeapTuple newtup, TupleDesc desc,
					const char *order_no, const char *from, const char *to,
					bool internal)
{
	int			cols[4];
	Datum		values[4];
	bool		nulls[4] = {false, false, false, false};
	int			n = 0;
	bool		isnull;

	so_check_transition(order_no, from, to,
						column_status(oldtup, desc, "hold_from"), !internal);

	cols[n] = SPI_fnumber(desc, "hold_from");
	if (strcmp(to, "on_hold") == 0)
		values[n] = column(oldtup, desc, "status", &isnull);
	else
		nulls[n] = true;
	n++;

	/*
	 * The clock at the change, not the transaction's start: read inside
	 * the transaction, so that a checkpoint cut earlier than this stamp
	 * knows the transaction (see cut.c).
	 */
	cols[n] = SPI_fnumber(desc, "status_changed_at");
	values[n] = TimestampTzGetDatum(GetCurrentTimestamp());
	n++;

	/* Our functions always pass the reason of the move they make. */
	cols[n] = SPI_fnumber(desc, "status_reason");
	if (!internal && !column_changed(oldtup, newtup, desc, cols[n]))
	{
		nulls[n] = true;
		n++;
	}

	return heap_modify_tuple_by_cols(newtup, desc, n, cols, values, nulls);
}

static HeapTuple
order_guard_internal(TriggerData *trigdata)
{
	TupleDesc	desc = trigdata->tg_relation->rd_att;
	HeapTuple	oldtup = trigdata->tg_trigtuple;
	HeapTuple	newtup = trigdata->tg_newtuple;
	bool		internal = so_in_internal_write();
	char	   *order_no;
	char	   *from;
	char	   *to;
	HeapTuple	result;

	if (TRIGGER_FIRED_BY_INSERT(trigdata->tg_event))
	{
		if (!internal)
			ereport(ERROR,
					(errcode(ERRCODE_SO_NOT_EDITABLE),
					 errmsg("orders cannot be inserted directly"),
					 errdetail(RESTORE_DETAIL),
					 errhint("Use salesorder.create_order() or salesorder.copy_order().")));
		return oldtup;
	}

	order_no = column_text(oldtup, desc, "order_no");
	from = column_status(oldtup, desc, "status");

	if (TRIGGER_FIRED_BY_DELETE(trigdata->tg_event))
	{
		if (!internal)
		{
			check_direct_order_access(column_int64(oldtup, desc, "customer_id"));
			if (strcmp(from, "draft") != 0)
				ereport(ERROR,
						(errcode(ERRCODE_SO_NOT_EDITABLE),
						 errmsg("order %s is %s: only a draft can be deleted",
								order_no, from),
						 errhint("Use salesorder.cancel() with a reason.")));
		}
		return oldtup;
	}

	if (!internal)
	{
		check_direct_order_access(column_int64(oldtup, desc, "customer_id"));
		check_direct_order_update(oldtup, newtup, desc, order_no, from);
	}

	to = column_status(newtup, desc, "status");
	result = newtup;
	if (strcmp(from, to) != 0)
		result = apply_status_change(oldtup, newtup, desc, order_no, from, to,
									 internal);
	return result;
}

/*
 * BEFORE INSERT OR UPDATE OR DELETE ON sales_order FOR EACH ROW.
 */
Datum
so_order_guard(PG_FUNCTION_ARGS)
{
	TriggerData *trigdata = (TriggerData *) fcinfo->context;
	HeapTuple	result;

	check_trigger_context(fcinfo, "order_guard", true, true);

	/* Internal inserts need no look-ups: keep order entry cheap. */
	if (TRIGGER_FIRED_BY_INSERT(trigdata->tg_event) && so_in_internal_write())
		return PointerGetDatum(trigdata->tg_trigtuple);

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	result = order_guard_internal(trigdata);
	if (result != trigdata->tg_trigtuple && result != trigdata->tg_newtuple)
		result = SPI_copytuple(result);
	SPI_finish();
	return PointerGetDatum(result);
}

/*
 * AFTER UPDATE OF status ON sales_order FOR EACH ROW WHEN (status changed):
 * one history row per move, under the acting user, with the move's reason.
 */
typedef struct SoHistoryCall
{
	TriggerData *trigdata;
	bool		direct;			/* a user's UPDATE, not one of our functions */
} SoHistoryCall;

static Datum
order_history_work(void *arg)
{
	SoHistoryCall *call = (SoHistoryCall *) arg;
	TupleDesc	desc = call->trigdata->tg_relation->rd_att;
	HeapTuple	oldtup = call->trigdata->tg_trigtuple;
	HeapTuple	newtup = call->trigdata->tg_newtuple;
	bool		isnull;

	/*
	 * Our functions noted the order when they locked it.  A user's move is
	 * noted here with what the old row added, and settled when this
	 * trigger's so_run_as_owner() ends (exposure.c).
	 */
	if (call->direct)
	{
		so_exposure_track(column_int64(oldtup, desc, "id"),
						  column_int64(oldtup, desc, "customer_id"),
						  column_status(oldtup, desc, "status"),
						  column_status(oldtup, desc, "hold_from"),
						  column(oldtup, desc, "total_amount", &isnull));
	}
	so_write_history(column_int64(newtup, desc, "id"),
					 column_int64(newtup, desc, "customer_id"),
					 column_status(oldtup, desc, "status"),
					 column_status(newtup, desc, "status"),
					 column_text(newtup, desc, "status_reason"),
					 DatumGetTimestampTz(column(newtup, desc, "status_changed_at",
												&isnull)));
	/* What the move does, as the functions' moves do it (transition.c). */
	if (call->direct)
		so_apply_move_effects(column_int64(newtup, desc, "id"),
							  column_int64(newtup, desc, "customer_id"),
							  column_int64(newtup, desc, "warehouse_id"),
							  column_status(oldtup, desc, "status"),
							  column_status(newtup, desc, "status"));
	return (Datum) 0;
}

Datum
so_order_history(PG_FUNCTION_ARGS)
{
	SoHistoryCall call;

	check_trigger_context(fcinfo, "order_history", false, true);
	call.trigdata = (TriggerData *) fcinfo->context;
	if (!TRIGGER_FIRED_BY_UPDATE(call.trigdata->tg_event))
		elog(ERROR, "order_history: must be fired by UPDATE");
	call.direct = !so_in_internal_write();
	(void) so_run_as_owner(order_history_work, &call, SO_RESULT_BYVAL);
	return PointerGetDatum(NULL);
}

/* ---- order lines ---- */

static SoPlan line_order_plan = {
	"SELECT o.status::text, o.order_no, o.customer_id, c.sales_rep"
	" FROM salesorder.sales_order o"
	" JOIN salesorder.customer c ON c.id = o.customer_id"
	" WHERE o.id = $1 FOR NO KEY UPDATE OF o",
	1, {INT8OID}
};

static SoPlan line_product_plan = {
	"SELECT p.list_price, p.active, p.sku FROM salesorder.product p WHERE p.id = $1",
	1, {INT8OID}
};

/* Line numbers are never reused, also after a line was removed. */
static SoPlan next_line_no_plan = {
	"SELECT GREATEST(o.last_line_no,"
	"   (SELECT COALESCE(pg_catalog.max(l.line_no), 0)"
	"    FROM salesorder.order_line l WHERE l.order_id = o.id)) + 1"
	" FROM salesorder.sales_order o WHERE o.id = $1",
	1, {INT8OID}
};

static SoPlan order_totals_plan = {
	"UPDATE salesorder.sales_order SET"
	"  line_count = line_count + $2,"
	"  gross_amount = gross_amount + $3,"
	"  discount_amount = discount_amount + ($3 - $4),"
	"  total_amount = total_amount + $4,"
	"  last_line_no = GREATEST(last_line_no, $5)"
	" WHERE id = $1",
	5, {INT8OID, INT4OID, NUMERICOID, NUMERICOID, INT4OID}
};

/* Gross and net amount of a stored line, for the totals delta. */
static void
line_amounts(HeapTuple tup, TupleDesc desc, Datum *gross, Datum *amount)
{
	bool		n1,
				n2,
				n3;

	so_compute_line(column(tup, desc, "qty", &n1),
					column(tup, desc, "unit_price", &n2),
					column(tup, desc, "discount_pct", &n3),
					gross, amount);
}

/*
 * Fill in and check a line being inserted or updated in a draft: the
 * customer and line number come from the order, the price defaults to the
 * list price, the amount is computed, and fulfilment quantities stay zero.
 */
static HeapTuple
complete_draft_line(HeapTuple tup, TupleDesc desc, int64 order_id,
					int64 customer_id, bool is_insert, const char *order_no)
{
	int			cols[4];
	Datum		values[4];
	bool		nulls[4] = {false, false, false, false};
	int			n = 0;
	bool		isnull;
	Datum		arg;
	Datum		price;
	Datum		gross;
	Datum		amount;
	int64		product_id = column_int64(tup, desc, "product_id");
	const char *const fulfilment[] = {"reserved_qty", "backorder_qty", "shipped_qty", NULL};
	const char *const *f;

	arg = Int64GetDatum(product_id);
	if (so_execute(&line_product_plan, &arg, NULL, true, 1) == 0)
		ereport(ERROR,
				(errcode(ERRCODE_SO_NOT_FOUND),
				 errmsg("product %lld does not exist", (long long) product_id)));
	if (!DatumGetBool(so_getdatum(0, 2, &isnull)))
		ereport(ERROR,
				(errcode(ERRCODE_SO_INACTIVE),
				 errmsg("product %s is inactive and cannot be ordered",
						so_gettext(0, 3))));

	for (f = fulfilment; *f; f++)
	{
		Datum		q = column(tup, desc, *f, &isnull);

		if (!isnull && so_numeric_cmp(q, so_numeric("0")) != 0)
			ereport(ERROR,
					(errcode(ERRCODE_SO_NOT_EDITABLE),
					 errmsg("\"%s\" of a line of draft order %s must be 0", *f, order_no),
					 errdetail("Stock is reserved and shipped by the salesorder functions.")));
	}

	price = column(tup, desc, "unit_price", &isnull);
	if (isnull)
	{
		price = SPI_datumTransfer(so_getdatum(0, 1, &isnull), false, -1);
		cols[n] = SPI_fnumber(desc, "unit_price");
		values[n++] = price;
	}

	cols[n] = SPI_fnumber(desc, "customer_id");
	values[n++] = Int64GetDatum(customer_id);

	if (is_insert)
	{
		(void) column(tup, desc, "line_no", &isnull);
		if (isnull)
		{
			arg = Int64GetDatum(order_id);
			so_execute(&next_line_no_plan, &arg, NULL, false, 1);
			cols[n] = SPI_fnumber(desc, "line_no");
			values[n++] = so_getdatum(0, 1, &isnull);
		}
	}

	tup = heap_modify_tuple_by_cols(tup, desc, n, cols, values, nulls);

	/* The amount follows from the completed tuple. */
	line_amounts(tup, desc, &gross, &amount);
	cols[0] = SPI_fnumber(desc, "amount");
	values[0] = amount;
	return heap_modify_tuple_by_cols(tup, desc, 1, cols, values, nulls);
}

static HeapTuple
line_guard_internal(TriggerData *trigdata)
{
	TupleDesc	desc = trigdata->tg_relation->rd_att;
	HeapTuple	oldtup = NULL;
	HeapTuple	newtup = NULL;
	int64		order_id;
	int64		customer_id;
	char	   *status;
	char	   *order_no;
	Datum		arg;
	Datum		old_gross = so_numeric("0"),
				old_amount = so_numeric("0"),
				new_gross = so_numeric("0"),
				new_amount = so_numeric("0");
	Datum		args[5];
	int			count_delta = 0;
	int			line_no = 0;

	if (TRIGGER_FIRED_BY_INSERT(trigdata->tg_event))
		newtup = trigdata->tg_trigtuple;
	else if (TRIGGER_FIRED_BY_UPDATE(trigdata->tg_event))
	{
		oldtup = trigdata->tg_trigtuple;
		newtup = trigdata->tg_newtuple;
	}
	else
		oldtup = trigdata->tg_trigtuple;

	order_id = column_int64(newtup ? newtup : oldtup, desc, "order_id");
	if (oldtup && newtup &&
		(column_changed(oldtup, newtup, desc, SPI_fnumber(desc, "order_id")) ||
		 column_changed(oldtup, newtup, desc, SPI_fnumber(desc, "line_no"))))
		ereport(ERROR,
				(errcode(ERRCODE_SO_NOT_EDITABLE),
				 errmsg("a line cannot be moved to another order or line number")));

	arg = Int64GetDatum(order_id);
	if (so_execute(&line_order_plan, &arg, NULL, false, 1) == 0)
	{
		/* The order is gone: this is its cascading delete. */
		if (newtup == NULL)
			return oldtup;
		ereport(ERROR,
				(errcode(ERRCODE_SO_NOT_FOUND),
				 errmsg("order %lld does not exist", (long long) order_id)));
	}
	status = so_gettext(0, 1);
	order_no = so_gettext(0, 2);
	customer_id = so_getint64(0, 3);
	so_check_access(so_gettext(0, 4), customer_id, 0, NULL);

	if (strcmp(status, "draft") != 0)
		ereport(ERROR,
				(errcode(ERRCODE_SO_NOT_EDITABLE),
				 errmsg("order %s is %s: its lines can be edited only while it is a draft",
						order_no, status),
				 errhint("Use salesorder.request_change() to change an order after submission.")));

	if (newtup)
	{
		bool		isnull;

		newtup = complete_draft_line(newtup, desc, order_id, customer_id,
									 oldtup == NULL, order_no);
		line_amounts(newtup, desc, &new_gross, &new_amount);
		line_no = DatumGetInt32(column(newtup, desc, "line_no", &isnull));
		count_delta++;
	}
	if (oldtup)
	{
		line_amounts(oldtup, desc, &old_gross, &old_amount);
		count_delta--;
	}

	args[0] = Int64GetDatum(order_id);
	args[1] = Int32GetDatum(count_delta);
	args[2] = DirectFunctionCall2(numeric_sub, new_gross, old_gross);
	args[3] = DirectFunctionCall2(numeric_sub, new_amount, old_amount);
	args[4] = Int32GetDatum(line_no);
	so_execute(&order_totals_plan, args, NULL, false, 0);

	return newtup ? newtup : oldtup;
}

/*
 * BEFORE INSERT OR UPDATE OR DELETE ON order_line FOR EACH ROW.
 */
static Datum
line_guard_work(void *arg)
{
	TriggerData *trigdata = (TriggerData *) arg;
	HeapTuple	result = line_guard_internal(trigdata);

	/* A tuple built here lives in SPI memory: copy it out before SPI_finish. */
	if (result != trigdata->tg_trigtuple && result != trigdata->tg_newtuple)
		result = SPI_copytuple(result);
	return PointerGetDatum(result);
}

Datum
so_line_guard(PG_FUNCTION_ARGS)
{
	TriggerData *trigdata = (TriggerData *) fcinfo->context;

	check_trigger_context(fcinfo, "line_guard", true, true);

	/* Our own functions maintain lines and totals themselves. */
	if (so_in_internal_write())
		return PointerGetDatum(TRIGGER_FIRED_BY_UPDATE(trigdata->tg_event) ?
							   trigdata->tg_newtuple : trigdata->tg_trigtuple);

	return so_run_as_owner(line_guard_work, trigdata, SO_RESULT_BYVAL);
}

/*
 * BEFORE INSERT OR UPDATE OR DELETE (row) and BEFORE TRUNCATE (statement) on
 * stock_movement: the ledger is written by the stock functions only, and
 * never changed afterwards, not even by them.
 */
Datum
so_ledger_append_only(PG_FUNCTION_ARGS)
{
	TriggerData *trigdata = (TriggerData *) fcinfo->context;

	if (!CALLED_AS_TRIGGER(fcinfo))
		elog(ERROR, "ledger_append_only: not called by trigger manager");

	if (TRIGGER_FIRED_BY_INSERT(trigdata->tg_event))
	{
		if (so_in_internal_write())
			return PointerGetDatum(trigdata->tg_trigtuple);
		ereport(ERROR,
				(errcode(ERRCODE_SO_NOT_EDITABLE),
				 errmsg("the stock ledger is written by the stock functions only"),
				 errdetail(RESTORE_DETAIL),
				 errhint("Use salesorder.receive_stock() or salesorder.adjust_stock().")));
	}
	/* Old rows move to the archive, in one statement (archive.c). */
	if (TRIGGER_FIRED_BY_DELETE(trigdata->tg_event) && so_in_archive_move())
		return PointerGetDatum(trigdata->tg_trigtuple);
	ereport(ERROR,
			(errcode(ERRCODE_SO_NOT_EDITABLE),
			 errmsg("the stock ledger is append-only"),
			 errdetail("Rows of salesorder.stock_movement can be neither updated nor deleted."),
			 errhint("Correct stock with salesorder.adjust_stock(), which appends an adjustment.")));
	PG_RETURN_NULL();			/* keep compiler quiet */
}

static bool
is_zero(HeapTuple tup, TupleDesc desc, const char *name)
{
	bool		isnull;
	Datum		d = column(tup, desc, name, &isnull);

	return !isnull && so_numeric_cmp(d, so_numeric("0")) == 0;
}

/*
 * BEFORE INSERT OR DELETE and AFTER UPDATE ON stock FOR EACH ROW:
 * quantities move only through the stock functions, which write the ledger
 * with them.  A user may create an empty stock row, set its reorder point,
 * and drop it while it is empty.  Updates are checked after the row is
 * written, so that the server need not lock each row for the trigger
 * first (udfs/stock_guard/2.0.sql); the error undoes the statement.
 */
Datum
so_stock_guard(PG_FUNCTION_ARGS)
{
	TriggerData *trigdata = (TriggerData *) fcinfo->context;
	TupleDesc	desc;
	HeapTuple	tup;
	int			attno;

	/* The ledger refers to stock rows: they are never truncated away. */
	if (CALLED_AS_TRIGGER(fcinfo) && TRIGGER_FIRED_BY_TRUNCATE(trigdata->tg_event))
		ereport(ERROR,
				(errcode(ERRCODE_SO_NOT_EDITABLE),
				 errmsg("salesorder.stock cannot be truncated"),
				 errdetail("The stock ledger refers to its rows.")));
	/* Updates: AFTER since 2.0, BEFORE in a schema not updated yet. */
	if (CALLED_AS_TRIGGER(fcinfo) && TRIGGER_FIRED_BY_UPDATE(trigdata->tg_event))
		check_trigger_context(fcinfo, "stock_guard",
							  TRIGGER_FIRED_BEFORE(trigdata->tg_event) != 0, true);
	else
		check_trigger_context(fcinfo, "stock_guard", true, true);
	tup = TRIGGER_FIRED_BY_UPDATE(trigdata->tg_event) ?
		trigdata->tg_newtuple : trigdata->tg_trigtuple;
	if (so_in_internal_write())
		return PointerGetDatum(tup);

	desc = trigdata->tg_relation->rd_att;
	if (TRIGGER_FIRED_BY_DELETE(trigdata->tg_event))
	{
		if (!is_zero(tup, desc, "on_hand"))
			ereport(ERROR,
					(errcode(ERRCODE_SO_NOT_EDITABLE),
					 errmsg("a stock row with stock on hand cannot be deleted"),
					 errhint("Take the stock out with salesorder.adjust_stock() first.")));
		/* What the ledger's foreign key did (see reference_guard.c). */
		if (so_stock_has_ledger(column_int64(tup, desc, "warehouse_id"),
								column_int64(tup, desc, "product_id")))
			ereport(ERROR,
					(errcode(ERRCODE_FOREIGN_KEY_VIOLATION),
					 errmsg("stock row (%lld, %lld) cannot be deleted: the ledger has rows for it",
							(long long) column_int64(tup, desc, "warehouse_id"),
							(long long) column_int64(tup, desc, "product_id"))));
		return PointerGetDatum(tup);
	}
	if (TRIGGER_FIRED_BY_INSERT(trigdata->tg_event))
	{
		if (!is_zero(tup, desc, "on_hand") || !is_zero(tup, desc, "reserved"))
			ereport(ERROR,
					(errcode(ERRCODE_SO_NOT_EDITABLE),
					 errmsg("a new stock row starts empty"),
					 errdetail(RESTORE_DETAIL),
					 errhint("Use salesorder.receive_stock(), which also writes the ledger.")));
		return PointerGetDatum(tup);
	}
	for (attno = 1; attno <= desc->natts; attno++)
	{
		const char *name = NameStr(TupleDescAttr(desc, attno - 1)->attname);

		if (!TupleDescAttr(desc, attno - 1)->attisdropped &&
			strcmp(name, "reorder_point") != 0 &&
			column_changed(trigdata->tg_trigtuple, tup, desc, attno))
			ereport(ERROR,
					(errcode(ERRCODE_SO_NOT_EDITABLE),
					 errmsg("column \"%s\" of salesorder.stock cannot be changed directly", name),
					 errdetail("Stock quantities move only with a ledger row."),
					 errhint("Use salesorder.receive_stock(), adjust_stock() or ship().")));
	}
	return PointerGetDatum(tup);
}
