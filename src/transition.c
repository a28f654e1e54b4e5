/*-------------------------------------------------------------------------
 *
 * transition.c
 *	  The one place where an order changes status: the check of a move
 *	  against salesorder.status_transition, and the table of what entering
 *	  or leaving a status does.
 *
 * Every function that moves an order asks so_move_order() (order.c: submit,
 * hold, release, cancel, deliver, complete; approval.c: approve, reject,
 * revise; ship.c; change.c).  It updates the row -- the order_guard trigger
 * checks the move there, for the functions and for a user's plain UPDATE
 * alike, and the order_history trigger writes the history row and its
 * event -- and then does what the move's effects say:
 *
 *	effect			when								what
 *	REPORT_IN		into the report's set				the order's rollup +1
 *	REPORT_OUT		out of the report's set				the order's rollup -1
 *	RELEASE			from a status holding stock to		its reservations go
 *					cancelled, rejected, completed		back to stock
 *	CLOSE_STEPS		to cancelled or rejected			open approval steps closed
 *	CLOSE_CHANGES	to cancelled or completed			pending change requests
 *														closed
 *	STOP_WAITING	to cancelled, rejected, completed	needs_stock cleared
 *
 * The credit exposure follows every order locked with so_lock_order()
 * (exposure.c), so it is no effect here.  A plain UPDATE may make the moves
 * status_transition allows directly (direct_ok; the trigger refuses the
 * rest, naming the function), and the order_history trigger then does
 * what the same table says: completing a shipped order by UPDATE closes
 * its pending change requests as complete() does.
 *
 *-------------------------------------------------------------------------
 */
#include "sqlstate.h"
#include "spi_util.h"
#include "approval_steps.h"
#include "order_row.h"
#include "rollup.h"
#include "status.h"
#include "stock.h"
#include "transition.h"

#include "catalog/pg_type.h"
#include "utils/builtins.h"

/* ---- the effects of a move ---- */

/*
 * What moving from -> to does beyond the order row (see the table at the
 * top).
 */
SoEffects
so_move_effects(SoStatus from, SoStatus to)
{
	SoEffects	e = 0;
	bool		in_before = (SO_SET_IN_REPORT & SO_SET(from)) != 0;
	bool		in_after = (SO_SET_IN_REPORT & SO_SET(to)) != 0;
	SoStatusSet ends = SO_SET(SO_CANCELLED) | SO_SET(SO_REJECTED) | SO_SET(SO_COMPLETED);

	if (!in_before && in_after)
		e |= SO_EFFECT_REPORT_IN;
	if (in_before && !in_after)
		e |= SO_EFFECT_REPORT_OUT;
	if ((SO_SET_IN_FLIGHT & SO_SET(from)) && (ends & SO_SET(to)))
		e |= SO_EFFECT_RELEASE;
	if (to == SO_CANCELLED || to == SO_REJECTED)
		e |= SO_EFFECT_CLOSE_STEPS;
	if (to == SO_CANCELLED || to == SO_COMPLETED)
		e |= SO_EFFECT_CLOSE_CHANGES;
	if (ends & SO_SET(to))
		e |= SO_EFFECT_STOP_WAITING;
	return e;
}

/* Why, in the words the stock and the steps record. */
static const char *
release_reason(SoStatus to)
{
	switch (to)
	{
		case SO_CANCELLED:
			return "order cancelled";
		case SO_REJECTED:
			return "order rejected";
		default:
			return "order short-closed";
	}
}

/*
 * Do what the move from -> to of an order (locked, its row updated) does.
 * so_move_order() calls it for the functions' moves, the order_history
 * trigger for a user's plain UPDATE: the same table for both.
 */
void
so_apply_move_effects(int64 order_id, int64 customer_id, int64 warehouse_id,
					  const char *from, const char *to)
{
	SoStatus	t = so_status_parse(to);
	SoEffects	e = so_move_effects(so_status_parse(from), t);
	const char *closed = psprintf("closed: the order was %s", to);

	if (e & SO_EFFECT_REPORT_IN)
		so_rollup_order(order_id, 1);
	if (e & SO_EFFECT_REPORT_OUT)
		so_rollup_order(order_id, -1);
	if (e & SO_EFFECT_RELEASE)
		so_release_order(order_id, customer_id, warehouse_id, release_reason(t));
	if (e & SO_EFFECT_CLOSE_STEPS)
		so_close_steps(order_id, closed);
	if (e & SO_EFFECT_CLOSE_CHANGES)
		so_close_change_requests(order_id, closed);
	if (e & SO_EFFECT_STOP_WAITING)
		so_set_needs_stock(order_id, false);
}

/* ---- the move ---- */

static SoPlan set_status_plan = {
	"UPDATE salesorder.sales_order"
	" SET status = $2::salesorder.order_status, status_reason = $3,"
	"     submitted_at = CASE WHEN $2 OPERATOR(pg_catalog.=) ANY ('{pending_approval,approved}')"
	"                         AND status = 'draft' THEN pg_catalog.now()"
	"                         ELSE submitted_at END"
	" WHERE id = $1 RETURNING status",
	3, {INT8OID, TEXTOID, TEXTOID}
};

/*
 * Move a locked order to status to, with its reason, and do what the move
 * does.  The row is updated first: the order_guard trigger checks the move
 * there, so a refused move has done nothing.  Returns the new status (an
 * order_status datum).  SPI connected, as the owner.
 */
Datum
so_move_order(const SoLockedOrder *o, const char *to, const char *reason)
{
	Datum		args[3];
	char		nulls[3] = {' ', ' ', reason ? ' ' : 'n'};
	bool		isnull;
	Datum		result;

	/* The trigger sees no change when from == to: report it here. */
	if (strcmp(o->status, to) == 0)
		so_check_transition(o->order_no, o->status, to, o->hold_from, false);

	args[0] = Int64GetDatum(o->id);
	args[1] = CStringGetTextDatum(to);
	args[2] = reason ? CStringGetTextDatum(reason) : (Datum) 0;
	so_execute(&set_status_plan, args, nulls, false, 0);
	result = so_getdatum(0, 1, &isnull);
	so_apply_move_effects(o->id, o->customer_id, o->warehouse_id, o->status, to);
	return result;
}

/* ---- the check ---- */

/*
 * Legal when a row from -> to exists.  Leaving on_hold additionally needs
 * the target to be the held state itself, or cancelled where the held state
 * could be cancelled: a hold is never a shortcut around the graph.
 */
static SoPlan legal_plan = {
	"SELECT t.direct_ok, t.made_by FROM salesorder.status_transition t"
	" WHERE t.from_status = $1::salesorder.order_status"
	"   AND t.to_status = $2::salesorder.order_status"
	"   AND ($1 OPERATOR(pg_catalog.<>) 'on_hold' OR $2 OPERATOR(pg_catalog.=) $3"
	"        OR $2 OPERATOR(pg_catalog.=) 'cancelled' AND EXISTS ("
	"          SELECT 1 FROM salesorder.status_transition h"
	"          WHERE h.from_status = $3::salesorder.order_status"
	"            AND h.to_status = $2::salesorder.order_status))",
	3, {TEXTOID, TEXTOID, TEXTOID}
};

static SoPlan next_plan = {
	"SELECT pg_catalog.string_agg(t.to_status::text, ', ' ORDER BY t.to_status)"
	" FROM salesorder.status_transition t"
	" WHERE t.from_status = $1::salesorder.order_status"
	"   AND ($1 OPERATOR(pg_catalog.<>) 'on_hold' OR t.to_status::text OPERATOR(pg_catalog.=) $2"
	"        OR t.to_status = 'cancelled' AND EXISTS (SELECT 1 FROM salesorder.status_transition h"
	"          WHERE h.from_status = $2::salesorder.order_status"
	"            AND h.to_status = t.to_status))",
	2, {TEXTOID, TEXTOID}
};

/*
 * Raise SO002 unless from -> to is legal.  SPI must be connected.
 * hold_from is the held state when from is on_hold, else NULL.  For a plain
 * UPDATE by a user (direct), a legal move that has effects beyond the order
 * row is refused with SO006 and the name of the function that makes it.
 */
void
so_check_transition(const char *order_no, const char *from, const char *to,
					const char *hold_from, bool direct)
{
	Datum		args[3];
	char		nulls[3] = {' ', ' ', hold_from ? ' ' : 'n'};
	bool		isnull;
	char	   *next;

	if (strcmp(from, to) != 0)
	{
		args[0] = CStringGetTextDatum(from);
		args[1] = CStringGetTextDatum(to);
		args[2] = hold_from ? CStringGetTextDatum(hold_from) : (Datum) 0;
		if (so_execute(&legal_plan, args, nulls, true, 1) == 1)
		{
			if (!direct || DatumGetBool(so_getdatum(0, 1, &isnull)))
				return;
			ereport(ERROR,
					(errcode(ERRCODE_SO_NOT_EDITABLE),
					 errmsg("the move %s -> %s of order %s cannot be made by a plain UPDATE",
							from, to, order_no),
					 errdetail("It has effects beyond the order row (stock, shipments or approval steps)."),
					 errhint("Use salesorder.%s.", so_gettext(0, 2))));
		}
	}

	args[0] = CStringGetTextDatum(from);
	args[1] = hold_from ? CStringGetTextDatum(hold_from) : (Datum) 0;
	nulls[1] = hold_from ? ' ' : 'n';
	so_execute(&next_plan, args, nulls, true, 1);
	next = so_gettext(0, 1);

	ereport(ERROR,
			(errcode(ERRCODE_SO_ILLEGAL_TRANSITION),
			 strcmp(from, to) == 0 ?
			 errmsg("order %s is already %s", order_no, to) :
			 errmsg("illegal status transition for order %s: %s -> %s",
					order_no, from, to),
			 next ?
			 errhint("Legal next states from %s: %s.", from, next) :
			 errhint("%s is a terminal state: the order cannot change any more.",
					 from)));
}
