/*-------------------------------------------------------------------------
 *
 * history.c
 *	  The order history: one row per status move, decision, stage or
 *	  change, each with its outbox event, written under the acting user.
 *
 * A status move's row is written by the order_history trigger, for the
 * functions' moves (transition.c) and for a user's plain UPDATE alike.
 *
 *-------------------------------------------------------------------------
 */
#include "sqlstate.h"
#include "privilege.h"
#include "spi_util.h"
#include "events.h"
#include "history.h"

#include "catalog/pg_type.h"
#include "utils/builtins.h"
#include "utils/timestamp.h"

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
