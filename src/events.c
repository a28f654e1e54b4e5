/*-------------------------------------------------------------------------
 *
 * events.c
 *	  The transactional outbox: every event written in the same transaction
 *	  as its change, and a consumer horizon that never hands out an id that
 *	  a running transaction can still precede.
 *
 * Writers never NOTIFY: a transaction that notifies takes PostgreSQL's
 * global notify lock at commit and holds it until its commit record is
 * flushed, which made every order commit in the cluster wait for the one
 * before.  The background worker (worker.c) watches the horizon and sends
 * one NOTIFY per advance instead; without it consumers poll.
 *
 * The problem: ids come from a sequence when the event is inserted, not
 * when its transaction commits.  A transaction may take id 7, another id 8
 * and commit first; a consumer that read 8 and remembered "last id 8"
 * would never see 7.
 *
 * The scheme: before a transaction takes its first event id, it reads the
 * sequence's last value v and takes a shared lock keyed on k = v, held
 * until it ends.  Every id it takes afterwards is > k: nextval() returns
 * more than the last value once the sequence has been called, and at least
 * its start (1) before, when pg_sequence_last_value() says NULL (read as
 * 0).  A consumer (events_since) first reads the sequence's last value L,
 * then looks at the advisory locks of every backend: with K the smallest
 * key held, every id <= min(L, K) belongs to a finished transaction -- a
 * writer that holds a lock has ids > its key, and a writer that had no
 * lock yet when the consumer looked takes its ids after L was read, so
 * they are > L.  The consumer then reads the committed events up to that
 * horizon with a snapshot taken afterwards (READ COMMITTED), and a
 * transaction that released its lock had already become visible.
 *
 * The horizon only advances.  Between reading v and taking its lock, a
 * writer is invisible; if other writers take ids meanwhile and a consumer
 * hands out a horizon h > v, the lock that appears next would pull the
 * next horizon back to v (not unsafe -- that writer's ids are > h -- but a
 * consumer that saw h would then be told less).  So a writer announces
 * itself first: it holds a second lock, the pending tag of its pid, from
 * before it reads v until its event lock is taken, and a consumer that sees
 * another backend's pending tag looks again a moment later.  Proof: let a
 * consumer C1 hand out h1 = min(L1, K1), having seen no pending tag, and a
 * later consumer C2 see the event lock of writer W with key k.  Either that
 * lock was there when C1 looked, so k >= K1 >= h1; or W took it after:
 * then W was not pending when C1 looked (C1 saw none) and had not taken its
 * event lock either, so it took its pending tag after C1 looked, and read
 * v after that: k = v >= L1 >= h1.  And L2 >= L1.  So h2 >= h1, for every
 * caller, preloaded library or not, with no state shared but the lock
 * table.  A consumer's own event lock counts like any other (it would
 * otherwise be told more than the others, while its own transaction is
 * open).  A writer waits for nothing it did not wait for before: the
 * pending tag is its own, and a consumer only reads the lock table.
 *
 * The sequence must not cache values (CACHE 1, the default), so that ids
 * are handed out in time order across backends.
 *
 * The lock is an advisory lock tag that SQL cannot produce: the
 * pg_advisory_* functions set the tag's fourth field to 1 or 2, ours sets
 * it to EVENT_LOCK_KIND.  So no login role can take one of these keys to
 * hold the horizon back, or to make a writer wait.
 *
 *-------------------------------------------------------------------------
 */
#include "sqlstate.h"
#include "privilege.h"
#include "spi_util.h"
#include "events.h"

#include "access/xact.h"
#include "catalog/pg_type.h"
#include "fmgr.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "storage/lock.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/fmgrprotos.h"
#include "utils/json.h"

PG_FUNCTION_INFO_V1(so_events_since);
PG_FUNCTION_INFO_V1(so_event_horizon);

/* Field 4 of our advisory lock tags ('SO'); SQL's are 1 and 2. */
#define EVENT_LOCK_KIND		0x534F
/*
 * Field 4 of a writer's pending tag ('SP'), keyed by its pid: SQL cannot
 * produce it either, so no login role can make consumers wait.
 */
#define EVENT_PENDING_KIND	0x5350

static void
set_event_locktag(LOCKTAG *tag, int64 k)
{
	SET_LOCKTAG_ADVISORY(*tag, MyDatabaseId, (uint32) ((uint64) k >> 32),
						 (uint32) k, EVENT_LOCK_KIND);
}

static void
set_pending_locktag(LOCKTAG *tag)
{
	SET_LOCKTAG_ADVISORY(*tag, MyDatabaseId, (uint32) MyProcPid, 0,
						 EVENT_PENDING_KIND);
}

/*
 * Whether this backend's transaction holds its event lock, and in which
 * subtransaction it was taken (an aborted subtransaction releases it).
 */
static bool lock_held = false;
static SubTransactionId lock_subid = InvalidSubTransactionId;

static void
event_xact_callback(XactEvent event, void *arg)
{
	switch (event)
	{
		case XACT_EVENT_COMMIT:
		case XACT_EVENT_PARALLEL_COMMIT:
		case XACT_EVENT_ABORT:
		case XACT_EVENT_PARALLEL_ABORT:
		case XACT_EVENT_PREPARE:
			lock_held = false;
			lock_subid = InvalidSubTransactionId;
			break;
		default:
			break;
	}
}

static void
event_subxact_callback(SubXactEvent event, SubTransactionId mySubid,
					   SubTransactionId parentSubid, void *arg)
{
	if (!lock_held)
		return;
	if (event == SUBXACT_EVENT_ABORT_SUB && lock_subid >= mySubid)
	{
		lock_held = false;
		lock_subid = InvalidSubTransactionId;
	}
	else if (event == SUBXACT_EVENT_COMMIT_SUB && lock_subid == mySubid)
		lock_subid = parentSubid;
}

void
so_events_init(void)
{
	RegisterXactCallback(event_xact_callback, NULL);
	RegisterSubXactCallback(event_subxact_callback, NULL);
}

/*
 * The event sequence's last value (0 before its first nextval), read by a
 * direct call of pg_sequence_last_value(): every writer does this once per
 * transaction, and a statement would cost an executor start-up.  The
 * caller must be allowed to read the sequence (the extension owner, or
 * the worker's superuser).
 */
static int64
sequence_last_value(void)
{
	LOCAL_FCINFO(fcinfo, 1);
	Datum		result;

	InitFunctionCallInfoData(*fcinfo, NULL, 1, InvalidOid, NULL, NULL);
	fcinfo->args[0].value = ObjectIdGetDatum(so_relid("order_event_id_seq"));
	fcinfo->args[0].isnull = false;
	result = pg_sequence_last_value(fcinfo);
	return fcinfo->isnull ? 0 : DatumGetInt64(result);
}

/*
 * Called before a transaction takes an event id; takes the lock once per
 * transaction (again after the subtransaction that took it aborted).
 */
static void
prepare_event_ids(void)
{
	LOCKTAG		pending;
	LOCKTAG		tag;

	if (lock_held)
		return;

	/*
	 * A first read takes the sequence's relation lock for the transaction,
	 * so that nothing while pending can wait for a lock (an ALTER SEQUENCE
	 * in progress): consumers wait while a writer is pending.
	 */
	(void) sequence_last_value();
	set_pending_locktag(&pending);
	(void) LockAcquire(&pending, ExclusiveLock, false, false);
	set_event_locktag(&tag, sequence_last_value());
	/* Shared, transaction-scoped: released at commit or (sub)abort. */
	(void) LockAcquire(&tag, ShareLock, false, false);
	if (!LockRelease(&pending, ExclusiveLock, false))
		elog(ERROR, "salesorder: pending event lock not held");
	lock_held = true;
	lock_subid = GetCurrentSubTransactionId();
}

static SoPlan insert_event_plan = {
	"INSERT INTO salesorder.order_event (order_id, customer_id, kind, payload)"
	" VALUES ($1, $2, $3, $4::pg_catalog.jsonb) RETURNING id",
	4, {INT8OID, INT8OID, TEXTOID, TEXTOID}
};

/*
 * Append one event to the outbox (order_id / customer_id 0: none).
 * payload is JSON text.  SPI must be connected.
 */
int64
so_emit_event(int64 order_id, int64 customer_id, const char *kind,
			  const char *payload)
{
	Datum		args[4];
	char		nulls[4] = {order_id ? ' ' : 'n', customer_id ? ' ' : 'n', ' ', ' '};
	int64		id;

	prepare_event_ids();
	args[0] = Int64GetDatum(order_id);
	args[1] = Int64GetDatum(customer_id);
	args[2] = CStringGetTextDatum(kind);
	args[3] = CStringGetTextDatum(payload ? payload : "{}");
	so_execute(&insert_event_plan, args, nulls, false, 1);
	id = so_getint64(0, 1);
	return id;
}

/* For statements that insert events themselves (order creation). */
void
so_prepare_events(void)
{
	prepare_event_ids();
}

/*
 * The largest event id that no running transaction can still precede (see
 * the top of the file).  Run as the extension owner (see event_horizon):
 * the sequence's last value is not readable by the roles that consume
 * events.
 */
static Datum
event_horizon_work(void *arg)
{
	long		nap_us = 50;

	for (;;)
	{
		int64		horizon = sequence_last_value();
		bool		pending = false;
		LockData   *locks = GetLockStatusData();
		int			i;

		for (i = 0; i < locks->nelements; i++)
		{
			LockInstanceData *l = &locks->locks[i];

			if (l->locktag.locktag_type != LOCKTAG_ADVISORY ||
				l->locktag.locktag_field1 != MyDatabaseId ||
				l->holdMask == 0)
				continue;

			/*
			 * Only our tags.  A session still running the 1.1 library
			 * (loaded before the package was replaced) takes an old,
			 * SQL-reachable key, which is not honoured -- honouring it
			 * would let any login role hold the horizon back: after
			 * installing a new build, restart the server (as the preloaded
			 * worker needs anyway).
			 */
			if (l->locktag.locktag_field4 == EVENT_LOCK_KIND)
				horizon = Min(horizon,
							  (int64) (((uint64) l->locktag.locktag_field2 << 32) |
									   l->locktag.locktag_field3));
			else if (l->locktag.locktag_field4 == EVENT_PENDING_KIND &&
					 l->pid != MyProcPid)
				pending = true;
		}
		pfree(locks->locks);
		pfree(locks);
		if (!pending)
			return Int64GetDatum(horizon);

		/*
		 * A writer is between reading the sequence and taking its lock, a
		 * few microseconds (longer while our own scan of the lock table
		 * holds it up): look again in a moment.
		 */
		CHECK_FOR_INTERRUPTS();
		pg_usleep(nap_us);
		nap_us = Min(nap_us * 2, 1000);
	}
}

/*
 * The horizon, for whoever may call events_since() or event_horizon(): the
 * sequence is read with the owner's rights, the events themselves with the
 * caller's (row-level security shows each consumer its own orders).
 */
static int64
event_horizon(void)
{
	return DatumGetInt64(so_run_as_owner(event_horizon_work, NULL, INT8OID));
}

/* The horizon, for the background worker (SPI connected, superuser). */
int64
so_event_horizon_now(void)
{
	return DatumGetInt64(event_horizon_work(NULL));
}

/*
 * salesorder.event_horizon(): the largest id events_since() would hand out
 * now (for monitoring a consumer's lag).
 */
Datum
so_event_horizon(PG_FUNCTION_ARGS)
{
	PG_RETURN_INT64(event_horizon());
}

/*
 * Every kind of event the extension writes: status.c (created, submitted,
 * status_changed, stage_changed, and decision for approval.c), change.c,
 * ship.c, tracking.c and stock.c.  events_since() refuses any other in its
 * filter: a misspelt kind would match nothing, for ever, in silence.  A new
 * kind goes here too (regression test events checks that the filter
 * accepts every kind the outbox holds).
 */
static const char *const event_kinds[] = {
	"created", "submitted", "status_changed", "decision", "stage_changed",
	"change_requested", "change_decision", "change_applied",
	"change_rejected", "shipment", "delayed", "low_stock"
};

/* The kinds filter of events_since(): each a known kind (22023). */
static void
check_event_kinds(ArrayType *kinds)
{
	Datum	   *elems;
	bool	   *nulls;
	int			n,
				i,
				k;

	deconstruct_array(kinds, TEXTOID, -1, false, TYPALIGN_INT,
					  &elems, &nulls, &n);
	for (i = 0; i < n; i++)
	{
		char	   *kind;

		if (nulls[i])
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("kinds must not contain NULL"),
					 errhint("Pass NULL instead of the array for events of every kind.")));
		kind = TextDatumGetCString(elems[i]);
		for (k = 0; k < lengthof(event_kinds); k++)
			if (strcmp(kind, event_kinds[k]) == 0)
				break;
		if (k == lengthof(event_kinds))
		{
			StringInfoData known;

			initStringInfo(&known);
			for (k = 0; k < lengthof(event_kinds); k++)
				appendStringInfo(&known, "%s%s", k ? ", " : "", event_kinds[k]);
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("unknown event kind \"%s\"", kind),
					 errdetail("The kinds of events are: %s.", known.data)));
		}
	}
}

static SoPlan events_plan = {
	"SELECT e FROM salesorder.order_event e"
	" WHERE e.id > $1 AND e.id <= $2"
	"   AND ($4::pg_catalog.text[] IS NULL OR e.kind = ANY ($4))"
	"   AND ($5::pg_catalog.int8 IS NULL OR e.customer_id = $5)"
	" ORDER BY e.id LIMIT $3",
	5, {INT8OID, INT8OID, INT4OID, TEXTARRAYOID, INT8OID}
};

/*
 * salesorder.events_since(last_id bigint, max_events integer DEFAULT 1000,
 *						   kinds text[] DEFAULT NULL,
 *						   customer_id bigint DEFAULT NULL)
 *
 * The outbox rows after last_id, in id order, up to the horizon, of the
 * given kinds and customer (NULL: any).  The horizon is computed first and
 * the rows are read with a snapshot taken afterwards, so every event up to
 * it that committed is seen.
 */
Datum
so_events_since(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	int64		last_id;
	int32		max_events = PG_ARGISNULL(1) ? 1000 : PG_GETARG_INT32(1);
	Datum		args[5];
	char		nulls[5] = {' ', ' ', ' ', ' ', ' '};
	int			n,
				i;

	/* NULL is not "from the start" (0 is): a consumer that lost its mark. */
	so_require_args(fcinfo, 1, "last_id");
	last_id = PG_GETARG_INT64(0);
	so_require_read_committed("salesorder.events_since()",
							  "Under a transaction snapshot, events committed after the snapshot could be skipped.");
	if (max_events < 1 || max_events > 100000)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("max_events must be between 1 and 100000, not %d", max_events)));
	if (PG_NARGS() > 2 && !PG_ARGISNULL(2))
		check_event_kinds(PG_GETARG_ARRAYTYPE_P(2));

	InitMaterializedSRF(fcinfo, 0);
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	args[0] = Int64GetDatum(last_id);
	args[1] = Int64GetDatum(event_horizon());
	args[2] = Int32GetDatum(max_events);
	args[3] = PG_NARGS() > 2 && !PG_ARGISNULL(2) ? PG_GETARG_DATUM(2) : (Datum) 0;
	nulls[3] = PG_NARGS() > 2 && !PG_ARGISNULL(2) ? ' ' : 'n';
	args[4] = PG_NARGS() > 3 && !PG_ARGISNULL(3) ? PG_GETARG_DATUM(3) : (Datum) 0;
	nulls[4] = PG_NARGS() > 3 && !PG_ARGISNULL(3) ? ' ' : 'n';
	n = so_execute(&events_plan, args, nulls, false, 0);
	for (i = 0; i < n; i++)
	{
		bool		isnull;
		HeapTupleHeader row = DatumGetHeapTupleHeader(so_getdatum(i, 1, &isnull));
		HeapTupleData tuple;

		tuple.t_len = HeapTupleHeaderGetDatumLength(row);
		ItemPointerSetInvalid(&tuple.t_self);
		tuple.t_tableOid = InvalidOid;
		tuple.t_data = row;
		tuplestore_puttuple(rsinfo->setResult, &tuple);
	}
	SPI_finish();
	return (Datum) 0;
}
