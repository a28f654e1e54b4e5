/*-------------------------------------------------------------------------
 *
 * status.c
 *	  The order state machine: transition check and history.
 *
 * The legal moves are rows of salesorder.status_transition.  The check is
 * called by the order_guard trigger for every status change, whether it
 * comes from one of the functions or from a plain UPDATE, so there is one
 * rule and one place that enforces it.
 *
 *-------------------------------------------------------------------------
 */
#include "salesorder.h"
#include "events.h"
#include "status.h"

#include "access/htup_details.h"
#include "catalog/pg_enum.h"
#include "catalog/pg_type.h"
#include "utils/builtins.h"
#include "utils/timestamp.h"
#include "utils/syscache.h"

/* ---- the sets of statuses the rules speak of ---- */

/*
 * The sets are the SO_STATUSES_* lists of status.h, which the C plans also
 * use (SO_STATUS_IN); the SQL side has the same sets as the IMMUTABLE
 * functions salesorder.statuses_*() (extension/schema.sql), and regression
 * test status_sets compares the two through so_status_sets().
 */
static bool
in_set(const char *status, const char *set)
{
	size_t		len = strlen(status);
	const char *p = set;

	while ((p = strstr(p, status)) != NULL)
	{
		if ((p == set || p[-1] == ',') && (p[len] == ',' || p[len] == '\0'))
			return true;
		p += len;
	}
	return false;
}

/* In flight and not on hold. */
bool
so_status_in_progress(const char *status)
{
	return in_set(status, SO_STATUSES_IN_PROGRESS);
}

/* Counted by the sales report (rollup.c). */
bool
so_status_in_report(const char *status)
{
	return in_set(status, SO_STATUSES_IN_REPORT);
}

/* ship() may take reserved stock out. */
bool
so_status_shippable(const char *status)
{
	return in_set(status, SO_STATUSES_SHIPPABLE);
}

/*
 * salesorder.status_sets(): every set as the C side has it, one row a set,
 * for the test that compares it with the SQL functions.
 */
PG_FUNCTION_INFO_V1(so_status_sets);

Datum
so_status_sets(PG_FUNCTION_ARGS)
{
	static const char *const sets[][2] = {
		{"in_flight", SO_STATUSES_IN_FLIGHT},
		{"in_progress", SO_STATUSES_IN_PROGRESS},
		{"closed", SO_STATUSES_CLOSED},
		{"in_report", SO_STATUSES_IN_REPORT},
		{"shippable", SO_STATUSES_SHIPPABLE},
	};

	return so_return_text_pairs(fcinfo, sets, lengthof(sets));
}

/* The label of an order_status value. */
char *
so_status_label(Datum enum_value)
{
	HeapTuple	tup;
	char	   *label;

	tup = SearchSysCache1(ENUMOID, enum_value);
	if (!HeapTupleIsValid(tup))
		elog(ERROR, "cache lookup failed for enum value %u",
			 DatumGetObjectId(enum_value));
	label = pstrdup(NameStr(((Form_pg_enum) GETSTRUCT(tup))->enumlabel));
	ReleaseSysCache(tup);
	return label;
}

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

/*
 * One history row and its outbox event, in one statement.  The event kind
 * follows the history: created, submitted, status_changed, decision,
 * stage_changed, change.
 */
static SoPlan history_plan = {
	"WITH h AS (INSERT INTO salesorder.order_status_history"
	"   (order_id, customer_id, from_status, to_status, changed_by, reason, kind,"
	"    changed_at)"
	"   VALUES ($1, $2, $3::salesorder.order_status, $4::salesorder.order_status,"
	"           $5, $6, $7, $9) RETURNING id)"
	" INSERT INTO salesorder.order_event (order_id, customer_id, kind, payload)"
	" SELECT $1, $2, $8, pg_catalog.jsonb_build_object('from', $3, 'to', $4,"
	"   'by', $5, 'reason', $6, 'history_id', h.id) FROM h"
	" RETURNING id",
	9, {INT8OID, INT8OID, TEXTOID, TEXTOID, TEXTOID, TEXTOID, TEXTOID, TEXTOID,
	TIMESTAMPTZOID}
};

static const char *
event_kind(const char *history_kind, const char *from, const char *to)
{
	if (strcmp(history_kind, "status") != 0)
		return strcmp(history_kind, "stage") == 0 ? "stage_changed" : history_kind;
	if (from == NULL)
		return "created";
	if (strcmp(from, "draft") == 0 &&
		(strcmp(to, "pending_approval") == 0 || strcmp(to, "approved") == 0))
		return "submitted";
	return "status_changed";
}

static void write_history(int64 order_id, int64 customer_id, const char *from,
						  const char *to, const char *kind, const char *ekind,
						  const char *reason, TimestampTz changed_at);

/*
 * The order whose status moves write no history row for now: an order that
 * create_order() inserts as a draft and submits in the same call gets one
 * row for both steps, which create_order() writes once the order has landed
 * (see so_defer_history).  0: none.
 */
static int64 history_deferred_for = 0;

/*
 * Defer the history of an order's status moves (order_id), or stop
 * deferring (0).  The caller writes the one row itself.  An error between
 * the two calls aborts the transaction that created the order, so the id,
 * which no other order can have, never matches again.
 */
void
so_defer_history(int64 order_id)
{
	history_deferred_for = order_id;
}

/*
 * One status-move row of the history, under the acting user.  changed_at is
 * the order's status_changed_at as the state machine stamped it: one clock
 * reading for both, so that the history ends where the order says it does.
 */
void
so_write_history(int64 order_id, int64 customer_id, const char *from,
				 const char *to, const char *reason, TimestampTz changed_at)
{
	if (order_id == history_deferred_for)
		return;
	write_history(order_id, customer_id, from, to, "status",
				  event_kind("status", from, to), reason, changed_at);
}

/*
 * One history row of any kind (status, decision, stage, change), recorded
 * under the acting user, with its event in the outbox.  SPI must be
 * connected.
 */
void
so_write_history_kind(int64 order_id, int64 customer_id, const char *from,
					  const char *to, const char *kind, const char *reason)
{
	so_write_history_event(order_id, customer_id, from, to, kind,
						   event_kind(kind, from, to), reason);
}

/*
 * The same with an explicit event kind (change_requested, ...).  Stamped
 * with the clock, as status moves are (see so_write_history), so that the
 * rows of one order never go back in time: a row written after a move in
 * the same transaction is later than the move's stamp.
 */
void
so_write_history_event(int64 order_id, int64 customer_id, const char *from,
					   const char *to, const char *kind, const char *ekind,
					   const char *reason)
{
	write_history(order_id, customer_id, from, to, kind, ekind, reason,
				  GetCurrentTimestamp());
}

static void
write_history(int64 order_id, int64 customer_id, const char *from,
			  const char *to, const char *kind, const char *ekind,
			  const char *reason, TimestampTz changed_at)
{
	Datum		args[9];
	char		nulls[9] = {' ', ' ', from ? ' ' : 'n', ' ', ' ', reason ? ' ' : 'n', ' ', ' ', ' '};

	so_prepare_events();
	args[0] = Int64GetDatum(order_id);
	args[1] = Int64GetDatum(customer_id);
	args[2] = from ? CStringGetTextDatum(from) : (Datum) 0;
	args[3] = CStringGetTextDatum(to);
	args[4] = CStringGetTextDatum(so_acting_user_name());
	args[5] = reason ? CStringGetTextDatum(reason) : (Datum) 0;
	args[6] = CStringGetTextDatum(kind);
	args[7] = CStringGetTextDatum(ekind);
	args[8] = TimestampTzGetDatum(changed_at);
	so_execute(&history_plan, args, nulls, false, 1);
}
