/*-------------------------------------------------------------------------
 *
 * retention.c
 *	  Outbox retention: the consumers that record how far they have read,
 *	  and trimming the events that every one of them has read and that are
 *	  older than salesorder.event_retention.
 *
 * The outbox (order_event) would otherwise grow by two or more rows per
 * order forever.  A consumer that must not miss an event registers by
 * acknowledging what it has read, ack_events(name, last id); trim_events()
 * then keeps every event it has not acknowledged, however old.  Events no
 * registered consumer still needs go once they are older than the
 * retention (30 days by default; 0 keeps everything), so a consumer that
 * polls without registering has that long to catch up.  The background
 * worker trims every minute, in batches; without it, schedule
 * trim_events().
 *
 * A consumer's mark belongs to the role that registered it: only that
 * role (or an admin) moves it or drops it, so no other role can have
 * events trimmed that a consumer has not read.  A mark never moves back,
 * and never past the horizon (ids not handed out yet).
 *
 *-------------------------------------------------------------------------
 */
#include "sqlstate.h"
#include "settings.h"
#include "privilege.h"
#include "spi_util.h"
#include "visibility.h"
#include "events.h"
#include "retention.h"

#include "catalog/pg_type.h"
#include "fmgr.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/timestamp.h"

PG_FUNCTION_INFO_V1(so_ack_events);
PG_FUNCTION_INFO_V1(so_drop_event_consumer);
PG_FUNCTION_INFO_V1(so_trim_events);

static SoPlan consumer_plan = {
	"SELECT c.owner_role, c.last_id FROM salesorder.event_consumer c"
	" WHERE c.consumer = $1 FOR UPDATE",
	1, {TEXTOID}
};

static SoPlan register_plan = {
	"INSERT INTO salesorder.event_consumer (consumer, owner_role)"
	" VALUES ($1, $2) ON CONFLICT (consumer) DO NOTHING",
	2, {TEXTOID, TEXTOID}
};

static SoPlan ack_plan = {
	"UPDATE salesorder.event_consumer"
	" SET last_id = GREATEST(last_id, $2), acked_at = pg_catalog.now()"
	" WHERE consumer = $1 RETURNING last_id",
	2, {TEXTOID, INT8OID}
};

static SoPlan drop_plan = {
	"DELETE FROM salesorder.event_consumer WHERE consumer = $1",
	1, {TEXTOID}
};

/* A consumer name: not empty (22023). */
static char *
consumer_arg(FunctionCallInfo fcinfo)
{
	char	   *name = text_to_cstring(PG_GETARG_TEXT_PP(0));

	if (name[0] == '\0')
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("a consumer name must not be empty")));
	return name;
}

/*
 * Lock the consumer's row; false when it is not registered.  Its mark is
 * the registering role's: anybody else but an admin gets 42501.
 */
static bool
lock_consumer(const char *name, int64 *last_id)
{
	Datum		arg = CStringGetTextDatum(name);
	char	   *owner;

	if (so_execute(&consumer_plan, &arg, NULL, false, 1) == 0)
		return false;
	owner = so_gettext(0, 1);
	*last_id = so_getint64(0, 2);
	if (strcmp(owner, so_acting_user_name()) != 0 && !so_is_admin(so_acting_user()))
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("event consumer \"%s\" belongs to role \"%s\"", name, owner),
				 errdetail("Only the role that registered a consumer, or salesorder_admin, moves or drops its mark.")));
	return true;
}

typedef struct SoAck
{
	const char *consumer;
	int64		last_id;
} SoAck;

static Datum
ack_events_work(void *arg)
{
	SoAck	   *ack = (SoAck *) arg;
	int64		horizon = so_event_horizon_now();
	int64		mark;
	Datum		args[2];

	if (ack->last_id < 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("last_id must not be negative")));
	if (ack->last_id > horizon)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("event %lld has not been handed out yet", (long long) ack->last_id),
				 errdetail("The outbox horizon is %lld.", (long long) horizon),
				 errhint("Acknowledge the last id that events_since() returned.")));

	if (!lock_consumer(ack->consumer, &mark))
	{
		args[0] = CStringGetTextDatum(ack->consumer);
		args[1] = CStringGetTextDatum(so_acting_user_name());
		so_execute(&register_plan, args, NULL, false, 0);
		/* Registered now, by us or by a concurrent first call. */
		if (!lock_consumer(ack->consumer, &mark))
			elog(ERROR, "event consumer \"%s\" vanished", ack->consumer);
	}
	args[0] = CStringGetTextDatum(ack->consumer);
	args[1] = Int64GetDatum(ack->last_id);
	so_execute(&ack_plan, args, NULL, false, 1);
	return Int64GetDatum(so_getint64(0, 1));
}

/*
 * salesorder.ack_events(consumer text, last_id bigint) RETURNS bigint:
 * records that the consumer has read every event up to last_id, and
 * registers it on its first call.  Returns its mark, which never moves
 * back.
 */
Datum
so_ack_events(PG_FUNCTION_ARGS)
{
	SoAck		ack;

	so_require_args(fcinfo, 2, "consumer", "last_id");
	ack.consumer = consumer_arg(fcinfo);
	ack.last_id = PG_GETARG_INT64(1);
	PG_RETURN_DATUM(so_run_as_owner(ack_events_work, &ack, SO_RESULT_BYVAL));
}

static Datum
drop_consumer_work(void *arg)
{
	const char *name = (const char *) arg;
	Datum		d = CStringGetTextDatum(name);
	int64		mark;

	if (!lock_consumer(name, &mark))
		return BoolGetDatum(false);
	so_execute(&drop_plan, &d, NULL, false, 0);
	return BoolGetDatum(true);
}

/*
 * salesorder.drop_event_consumer(consumer text) RETURNS boolean: forgets a
 * consumer, whose unread events then age out like any other.
 */
Datum
so_drop_event_consumer(PG_FUNCTION_ARGS)
{
	so_require_args(fcinfo, 1, "consumer");
	PG_RETURN_DATUM(so_run_as_owner(drop_consumer_work, consumer_arg(fcinfo),
									SO_RESULT_BYVAL));
}

/*
 * The events to trim: among the $3 oldest that are handed out (at most the
 * horizon) and read by every registered consumer, those created before the
 * cut-off.  Ids follow time, so a batch looks at no more than $3 rows from
 * the low end of the primary key -- when nothing is old enough yet, it
 * stops there instead of scanning the whole outbox.
 */
static SoPlan trim_plan = {
	"DELETE FROM salesorder.order_event WHERE id IN ("
	" SELECT x.id FROM (SELECT e.id, e.created_at FROM salesorder.order_event e"
	"   WHERE e.id <= LEAST($1, (SELECT pg_catalog.min(c.last_id)"
	"                            FROM salesorder.event_consumer c))"
	"   ORDER BY e.id LIMIT $3) x"
	" WHERE x.created_at < $2)",
	3, {INT8OID, TIMESTAMPTZOID, INT4OID}
};

/*
 * Trim at most max_events events created more than keep_s seconds before
 * now; SPI connected, as the owner.  Returns how many went.
 */
int
so_trim_events_batch(int64 keep_s, int max_events)
{
	Datum		args[3];

	args[0] = Int64GetDatum(so_event_horizon_now());
	args[1] = TimestampTzGetDatum(GetCurrentTransactionStartTimestamp() -
								  keep_s * USECS_PER_SEC);
	args[2] = Int32GetDatum(max_events);
	return so_execute(&trim_plan, args, NULL, false, 0);
}

typedef struct SoTrim
{
	int64		keep_s;
	int			max_events;
} SoTrim;

static Datum
trim_events_work(void *arg)
{
	SoTrim	   *trim = (SoTrim *) arg;

	return Int32GetDatum(so_trim_events_batch(trim->keep_s, trim->max_events));
}

/*
 * salesorder.trim_events(keep interval DEFAULT NULL, max_events integer
 * DEFAULT 10000) RETURNS integer: deletes at most max_events events that
 * every registered consumer has read and that are older than keep
 * (NULL: salesorder.event_retention, and nothing when that is 0).
 */
Datum
so_trim_events(PG_FUNCTION_ARGS)
{
	SoTrim		trim;

	if (!so_maintenance_args(fcinfo, so_event_retention_s, "max_events",
							 &trim.keep_s, &trim.max_events))
		PG_RETURN_INT32(0);
	PG_RETURN_DATUM(so_run_as_owner(trim_events_work, &trim, SO_RESULT_BYVAL));
}
