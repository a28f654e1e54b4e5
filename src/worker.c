/*-------------------------------------------------------------------------
 *
 * worker.c
 *	  The background worker: wake-ups for event consumers, rollup
 *	  compaction and delay flagging, so that no writer has to NOTIFY and
 *	  nobody has to schedule the upkeep.
 *
 * With salesorder in shared_preload_libraries the postmaster starts the
 * launcher, which connects to no database and starts one worker per
 * database named in salesorder.database (default postgres) -- a dynamic
 * background worker each, connected by OID -- once the database exists,
 * and starts it again when it ends, as PostgreSQL's logical replication
 * launcher does for its apply workers.  Each loop a worker checks that the
 * extension is installed in its database (else it only waits) and runs
 * what is due, each in a transaction of its own:
 *
 *	  notifier (salesorder.notify_interval, 100 ms): computes the outbox
 *		horizon -- the largest event id no running transaction can still
 *		precede, as events_since() hands out -- and, when it advanced, sends
 *		one NOTIFY salesorder_events whose payload is the new horizon.  Only
 *		this worker takes the notify lock at commit; order entry never does.
 *	  compaction (salesorder.compact_interval, 1 s): a step of the cycle that
 *		folds the append-only report deltas and empties their partitions by
 *		turns (rollup_compact.c); it touches no row order entry writes or
 *		waits for.
 *	  delay flagging (salesorder.flag_delays_interval, 15 min): what
 *		flag_delays() does, in batches of FLAG_BATCH orders a transaction.
 *	  outbox trimming (every minute, or as often as salesorder.event_retention
 *		when that is shorter; never when it is 0): what trim_events() does,
 *		TRIM_BATCH events a transaction.
 *	  checkpoints (salesorder.checkpoint_interval, 5 min): what
 *		checkpoint_ledger() and checkpoint_pipeline() do, in two rounds --
 *		one notes the cut and the transactions running, a later one folds
 *		once they have all ended -- so that the worker never waits for
 *		them; LEDGER_BATCH ledger ids a transaction, so that a long
 *		interval's fold never holds back the wake-ups.
 *	  archiving (every 10 minutes, or as often as salesorder.archive_after
 *		when that is shorter; never when it is 0):
 *		what archive_history() does, ARCHIVE_BATCH rows of each table a
 *		transaction.
 *
 * A worker leaves a database that is being dropped, renamed or copied,
 * which would otherwise wait for it and fail (see database_free()), and the
 * launcher starts none there until that is over.  A database that does not
 * exist (or takes no connections) is logged once, with a hint, and looked
 * for every second.  Nothing is started in binary-upgrade mode, where
 * pg_upgrade drops and makes the databases.
 *
 * Its transactions run with a search_path of pg_catalog and the
 * extension's schema only (see worker_settings_plan) and a short
 * lock_timeout, so that it never waits long for a lock; an error in one task is logged, the task is tried again
 * in 10 seconds, and the loop goes on.  Each task's next run is counted
 * from the end of the last one, so a slow task never runs back to back.
 * SIGTERM ends a worker cleanly, and the launcher starts it again (at most
 * once a second per database) unless the server is shutting down.  SIGTERM
 * ends the launcher with its workers; the postmaster starts it again after
 * LAUNCHER_RESTART_SECONDS.  After a crash the postmaster starts the
 * launcher again at once.  What a worker does is logged at DEBUG1.
 *
 * The design follows PostgreSQL's worker_spi module and pg_cron's launcher.
 *
 *-------------------------------------------------------------------------
 */
#include "sqlstate.h"
#include "settings.h"
#include "spi_util.h"
#include "archive.h"
#include "cut.h"
#include "ledger_checkpoint.h"
#include "pipeline.h"
#include "events.h"
#include "retention.h"
#include "rollup_compact.h"
#include "tracking.h"
#include "worker.h"

#include "access/heapam.h"
#include "access/table.h"
#include "access/tableam.h"
#include "access/xact.h"
#include "catalog/pg_database.h"
#include "catalog/pg_extension.h"
#include "commands/async.h"
#include "commands/dbcommands.h"
#include "commands/extension.h"
#include "fmgr.h"
#include "miscadmin.h"
#include "pgstat.h"
#include "postmaster/bgworker.h"
#include "postmaster/interrupt.h"
#include "storage/ipc.h"
#include "storage/latch.h"
#include "storage/lock.h"
#include "storage/proc.h"
#include "tcop/tcopprot.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/memutils.h"
#include "utils/snapmgr.h"
#include "utils/timestamp.h"
#include "utils/varlena.h"

PGDLLEXPORT void so_launcher_main(Datum main_arg);
PGDLLEXPORT void so_worker_main(Datum main_arg);

#define EVENT_CHANNEL "salesorder_events"

/* How long the worker waits for a lock before it gives up until next time. */
#define WORKER_LOCK_TIMEOUT "200ms"
/* After the launcher ended (not after a crash: then at once). */
#define LAUNCHER_RESTART_SECONDS 5
/*
 * The longest the launcher and a worker sleep: how often the launcher looks
 * for the databases and a worker sees that it must leave; also the least
 * time between two starts of a database's worker.
 */
#define WORKER_CHECK_MS 1000
/* A task that failed is tried again this soon (or at its interval). */
#define WORKER_RETRY_MS 10000

static volatile sig_atomic_t got_sigterm = false;

static void
worker_sigterm(SIGNAL_ARGS)
{
	int			save_errno = errno;

	got_sigterm = true;
	SetLatch(MyLatch);
	errno = save_errno;
}

/*
 * salesorder.database as a list of names (truncated to NAMEDATALEN - 1
 * bytes, as SQL identifiers are); ERROR when it is not one.
 */
static List *
configured_databases(void)
{
	char	   *list = pstrdup(so_worker_databases ? so_worker_databases : "");
	List	   *names;

	if (!SplitIdentifierString(list, ',', &names))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("salesorder.database must be a list of database names")));
	return names;
}

/*
 * Register the launcher (from _PG_init, while shared_preload_libraries is
 * processed), which starts the workers; a bad salesorder.database stops the
 * server from starting.
 */
void
so_register_workers(void)
{
	BackgroundWorker launcher;

	/*
	 * pg_upgrade starts the new server in binary-upgrade mode and drops and
	 * creates its databases (postgres among them), which no other backend
	 * may be connected to; nothing is there to serve yet anyway.
	 */
	if (IsBinaryUpgrade)
		return;
	if (configured_databases() == NIL)
		return;

	memset(&launcher, 0, sizeof(launcher));
	launcher.bgw_flags = BGWORKER_SHMEM_ACCESS |
		BGWORKER_BACKEND_DATABASE_CONNECTION;
	launcher.bgw_start_time = BgWorkerStart_RecoveryFinished;
	launcher.bgw_restart_time = LAUNCHER_RESTART_SECONDS;
	snprintf(launcher.bgw_library_name, BGW_MAXLEN, "salesorder");
	snprintf(launcher.bgw_function_name, BGW_MAXLEN, "so_launcher_main");
	snprintf(launcher.bgw_name, BGW_MAXLEN, "salesorder launcher");
	snprintf(launcher.bgw_type, BGW_MAXLEN, "salesorder launcher");
	launcher.bgw_main_arg = (Datum) 0;
	launcher.bgw_notify_pid = 0;
	RegisterBackgroundWorker(&launcher);
}

/* ---- one task, in a transaction of its own ---- */

typedef void (*SoTask) (void);

static int64 last_notified = -1;

/* Set by a task that has more to do at once (a full batch). */
static bool task_again = false;

/*
 * Every transaction of the worker: the short lock timeout, and a search_path
 * of schemas only superusers can create objects in.  The worker is a
 * superuser, and the server's or the database's search_path may name a
 * schema that others can write to -- in PostgreSQL 15 the owner of the
 * database owns public -- where an operator on the extension's types would
 * win over pg_catalog's and run as the worker.  pg_temp comes last, named,
 * so that it is not searched first.
 */
#define WORKER_SEARCH_PATH "pg_catalog, salesorder, pg_temp"

static SoPlan worker_settings_plan = {
	"SELECT pg_catalog.set_config('search_path', '" WORKER_SEARCH_PATH "', true),"
	" pg_catalog.set_config('lock_timeout', '" WORKER_LOCK_TIMEOUT "', true)",
	0, {InvalidOid}
};

typedef enum SoTaskResult
{
	TASK_DONE,
	TASK_FAILED,
	TASK_NOT_INSTALLED			/* no salesorder in this database (yet) */
} SoTaskResult;

/*
 * Run task in a transaction with SPI.  An error is logged, the transaction
 * rolled back, and the worker goes on.
 */
static SoTaskResult
run_task(SoTask task, const char *what)
{
	MemoryContext oldcxt = CurrentMemoryContext;
	volatile SoTaskResult result = TASK_DONE;

	pgstat_report_activity(STATE_RUNNING, what);
	PG_TRY();
	{
		SetCurrentStatementStartTimestamp();
		StartTransactionCommand();
		/*
		 * Whatever default_transaction_isolation says: a checkpoint's fold
		 * must see what committed while the cut was waited for.
		 */
		XactIsoLevel = XACT_READ_COMMITTED;
		PushActiveSnapshot(GetTransactionSnapshot());
		if (!OidIsValid(get_extension_oid("salesorder", true)))
			result = TASK_NOT_INSTALLED;
		else
		{
			if (SPI_connect() != SPI_OK_CONNECT)
				elog(ERROR, "SPI_connect failed");
			so_execute(&worker_settings_plan, NULL, NULL, false, 1);
			task();
			SPI_finish();
		}
		PopActiveSnapshot();
		CommitTransactionCommand();
	}
	PG_CATCH();
	{
		/* Log it, clean up, and let the loop go on. */
		HOLD_INTERRUPTS();
		MemoryContextSwitchTo(oldcxt);
		EmitErrorReport();
		AbortOutOfAnyTransaction();
		FlushErrorState();
		RESUME_INTERRUPTS();
		result = TASK_FAILED;
	}
	PG_END_TRY();
	MemoryContextSwitchTo(oldcxt);
	pgstat_report_stat(false);
	pgstat_report_activity(STATE_IDLE, NULL);
	return result;
}

/*
 * Run a task if it is due; returns false when the extension is not
 * installed.  The next run is counted from now, after the task: every
 * interval_ms, or sooner after a failure.
 */
static bool
run_if_due(SoTask task, const char *what, int64 interval_ms, TimestampTz *next)
{
	SoTaskResult r;

	if (interval_ms <= 0 || GetCurrentTimestamp() < *next)
		return true;
	task_again = false;
	r = run_task(task, what);
	*next = TimestampTzPlusMilliseconds(GetCurrentTimestamp(),
										r == TASK_FAILED ?
										Min(interval_ms, WORKER_RETRY_MS) :
										task_again ? 0 : interval_ms);
	return r != TASK_NOT_INSTALLED;
}

/*
 * The notifier: one NOTIFY per advance of the horizon.  The payload is the
 * horizon only -- no order data, since any role may LISTEN -- and a consumer
 * reads events_since(its last id).  The first round after a start notifies
 * whatever the horizon is, so that consumers catch up after a restart.
 */
static void
notify_task(void)
{
	int64		horizon = so_event_horizon_now();

	if (horizon == last_notified)
		return;
	Async_Notify(EVENT_CHANNEL, psprintf(INT64_FORMAT, horizon));
	elog(DEBUG1, "salesorder worker: notified horizon " INT64_FORMAT, horizon);
	last_notified = horizon;
}

/*
 * The rollup's compaction cycle (rollup_compact.c): a step a round at most,
 * never waiting; an idle database writes nothing.
 */
static SoRollupCycle compact_cycle;

static void
compact_task(void)
{
	(void) so_rollup_cycle_round(&compact_cycle);
}

/*
 * Delay flagging in batches, a transaction each: the flags' foreign key
 * holds a key-share lock on every flagged order until commit, which the
 * order functions' FOR UPDATE waits for; a batch keeps that short however
 * many orders became late at once.  A full batch asks for another round
 * at once.
 */
#define FLAG_BATCH 200

static void
flag_task(void)
{
	int			flagged = so_flag_delays_batch(GetCurrentTransactionStartTimestamp(),
											   FLAG_BATCH);

	if (flagged > 0)
		elog(DEBUG1, "salesorder worker: flagged %d delayed orders", flagged);
	task_again = flagged == FLAG_BATCH;
}

/*
 * Outbox trimming in batches (see retention.c): a full batch asks for
 * another round at once.
 */
#define TRIM_BATCH 10000
#define TRIM_INTERVAL_MS 60000

/* Every minute; as often as the retention, when that is shorter. */
static int64
trim_interval_ms(void)
{
	return Min(TRIM_INTERVAL_MS, (int64) so_event_retention_s * 1000);
}

static void
trim_task(void)
{
	int			trimmed = so_trim_events_batch(so_event_retention_s, TRIM_BATCH);

	if (trimmed > 0)
		elog(DEBUG1, "salesorder worker: trimmed %d events from the outbox", trimmed);
	task_again = trimmed == TRIM_BATCH;
}

/*
 * Checkpoints of the ledger and of the closed orders (see cut.c): a round
 * either notes a cut, or folds the noted one once every transaction
 * running at the cut has ended -- the ledger a batch at a time, then the
 * closed orders -- and then asks for the next cut at once.
 */
#define LEDGER_BATCH 100000
static SoCut checkpoint_cut;
static bool checkpoint_cut_noted = false;

static void
checkpoint_task(void)
{
	int64		upto;

	/* A cut of an installation dropped since is no cut of this one. */
	if (checkpoint_cut_noted &&
		checkpoint_cut.extension != get_extension_oid("salesorder", false))
		checkpoint_cut_noted = false;
	if (!checkpoint_cut_noted)
	{
		if (checkpoint_cut.vxids)
			pfree(checkpoint_cut.vxids);
		checkpoint_cut.vxids = NULL;
		so_cut_begin(&checkpoint_cut, TopMemoryContext);
		checkpoint_cut_noted = true;
		return;
	}
	if (!so_cut_ready(&checkpoint_cut, false))
		return;
	/* (Not inside elog's arguments: they are evaluated only when logged.) */
	upto = so_ledger_cut_fold(&checkpoint_cut, LEDGER_BATCH);
	elog(DEBUG1, "salesorder worker: ledger checkpoint at id " INT64_FORMAT, upto);
	/* A batch at a time: the next one at once, the notifier in between. */
	if (upto < checkpoint_cut.ledger_upto)
	{
		task_again = true;
		return;
	}
	so_pipeline_fold(&checkpoint_cut);
	elog(DEBUG1, "salesorder worker: closed orders folded up to %s",
		 timestamptz_to_str(checkpoint_cut.closed_before));
	checkpoint_cut_noted = false;
}

/*
 * Archiving (see archive.c): a full batch asks for another round at once.
 */
#define ARCHIVE_BATCH 10000
#define ARCHIVE_INTERVAL_MS 600000

/* Every 10 minutes; as often as salesorder.archive_after, when shorter. */
static int64
archive_interval_ms(void)
{
	return Min(ARCHIVE_INTERVAL_MS, (int64) so_archive_after_s * 1000);
}

static void
archive_task(void)
{
	int64		moved = so_archive_batch(so_archive_after_s, ARCHIVE_BATCH);

	if (moved > 0)
		elog(DEBUG1, "salesorder worker: archived " INT64_FORMAT " history rows", moved);
	task_again = moved >= ARCHIVE_BATCH;
}

/*
 * Whether the database can be served: false while it is being dropped,
 * renamed, moved or copied (CREATE DATABASE ... TEMPLATE).  Those take a
 * lock on the database that conflicts with the one every new connection
 * takes (RowExclusiveLock) and then wait up to 5 seconds for the other
 * backends to leave; the worker looks at least once a second, without
 * waiting, and leaves, as autovacuum is made to.  A request that waits for
 * the lock counts too, so that the worker does not hold it back.
 */
static bool
database_free(Oid dboid)
{
	LOCKTAG		tag;

	SET_LOCKTAG_OBJECT(tag, InvalidOid, DatabaseRelationId, dboid, 0);
	if (LockAcquire(&tag, RowExclusiveLock, true, true) == LOCKACQUIRE_NOT_AVAIL)
		return false;
	LockRelease(&tag, RowExclusiveLock, true);
	return true;
}

/* Milliseconds from now until then (0 if past), capped at a minute. */
static long
ms_until(TimestampTz now, TimestampTz then)
{
	long		secs;
	int			usecs;

	if (then <= now)
		return 0;
	TimestampDifference(now, then, &secs, &usecs);
	return Min(secs * 1000 + usecs / 1000, 60000);
}

/*
 * One worker per database: a second one (the launcher started again while
 * its predecessor's workers still end) goes at once.  A session lock under
 * an advisory tag whose fourth field no SQL caller can set (see
 * spi_util.c), released when the worker exits.
 */
#define WORKER_LOCK_KIND 0x5357	/* 'SW' */

static bool
worker_only_one(void)
{
	LOCKTAG		tag;

	SET_LOCKTAG_ADVISORY(tag, MyDatabaseId, 0, 0, WORKER_LOCK_KIND);
	return LockAcquire(&tag, ExclusiveLock, true, true) != LOCKACQUIRE_NOT_AVAIL;
}

/*
 * Whether the database connected to is still the one named: a rename
 * between the launcher's look and the connection would leave the worker in
 * a database nobody named.
 */
static bool
worker_database_named(const char *dbname)
{
	char	   *name;
	bool		same;

	StartTransactionCommand();
	name = get_database_name(MyDatabaseId);
	same = name != NULL && strcmp(name, dbname) == 0;
	CommitTransactionCommand();
	return same;
}

void
so_worker_main(Datum main_arg)
{
	char		dbname[BGW_EXTRALEN];
	TimestampTz next_notify = 0,
				next_compact = 0,
				next_flag = 0,
				next_trim = 0,
				next_checkpoint = 0,
				next_archive = 0;

	strlcpy(dbname, MyBgworkerEntry->bgw_extra, sizeof(dbname));
	pqsignal(SIGHUP, SignalHandlerForConfigReload);
	pqsignal(SIGTERM, worker_sigterm);
	BackgroundWorkerUnblockSignals();
	BackgroundWorkerInitializeConnectionByOid(DatumGetObjectId(main_arg),
											  InvalidOid, 0);
	if (!worker_only_one())
	{
		elog(DEBUG1, "salesorder worker for database \"%s\": another one serves it",
			 dbname);
		proc_exit(0);
	}
	if (!worker_database_named(dbname))
	{
		ereport(LOG,
				(errmsg("salesorder worker for database \"%s\" leaving: the database was renamed",
						dbname)));
		proc_exit(0);
	}
	elog(LOG, "salesorder worker started for database \"%s\"", dbname);

	while (!got_sigterm)
	{
		TimestampTz now;
		long		wait_ms = WORKER_CHECK_MS;
		bool		installed;

		if (!database_free(MyDatabaseId))
		{
			ereport(LOG,
					(errmsg("salesorder worker for database \"%s\" leaving: the database is being dropped, renamed or copied",
							dbname)));
			proc_exit(0);
		}

		if (ConfigReloadPending)
		{
			ConfigReloadPending = false;
			ProcessConfigFile(PGC_SIGHUP);
			/* New intervals apply at once, not after the old ones ran out. */
			next_compact = next_flag = next_trim = next_checkpoint =
				next_archive = 0;
		}

		installed = run_if_due(notify_task, "salesorder: notify consumers",
							   so_notify_interval_ms, &next_notify) &&
			run_if_due(compact_task, "salesorder: compact the rollup",
					   so_compact_interval_ms, &next_compact) &&
			run_if_due(flag_task, "salesorder: flag delays",
					   (int64) so_flag_delays_interval_s * 1000, &next_flag) &&
			run_if_due(trim_task, "salesorder: trim the outbox",
					   trim_interval_ms(), &next_trim) &&
			run_if_due(checkpoint_task, "salesorder: checkpoints",
					   (int64) so_checkpoint_interval_s * 1000, &next_checkpoint) &&
			run_if_due(archive_task, "salesorder: archive history",
					   archive_interval_ms(), &next_archive);
		now = GetCurrentTimestamp();
		if (!installed)
		{
			/* Not installed here (yet): look again in a second. */
			last_notified = -1;
			next_notify = next_compact = next_flag = next_trim = next_checkpoint =
				next_archive = TimestampTzPlusMilliseconds(now, WORKER_CHECK_MS);
			checkpoint_cut_noted = false;
		}

		if (so_notify_interval_ms > 0)
			wait_ms = Min(wait_ms, ms_until(now, next_notify));
		if (so_compact_interval_ms > 0)
			wait_ms = Min(wait_ms, ms_until(now, next_compact));
		if (so_flag_delays_interval_s > 0)
			wait_ms = Min(wait_ms, ms_until(now, next_flag));
		if (trim_interval_ms() > 0)
			wait_ms = Min(wait_ms, ms_until(now, next_trim));
		if (so_checkpoint_interval_s > 0)
			wait_ms = Min(wait_ms, ms_until(now, next_checkpoint));
		if (archive_interval_ms() > 0)
			wait_ms = Min(wait_ms, ms_until(now, next_archive));

		(void) WaitLatch(MyLatch,
						 WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH,
						 Max(wait_ms, 1), PG_WAIT_EXTENSION);
		ResetLatch(MyLatch);
		CHECK_FOR_INTERRUPTS();
	}

	/* The launcher starts it again, unless the server is shutting down. */
	elog(LOG, "salesorder worker for database \"%s\" stopping", dbname);
	proc_exit(0);
}

/* ---- the launcher ---- */

/* Why a configured database is not served, once logged. */
typedef enum SoNotServed
{
	SERVED,
	NOT_THERE,					/* no such database */
	NO_CONNECTIONS,				/* datallowconn is false */
	NO_SLOT						/* no background worker slot free */
} SoNotServed;

typedef struct SoServed
{
	char		name[NAMEDATALEN];
	BackgroundWorkerHandle *handle; /* the worker, NULL when none runs */
	TimestampTz next_start;		/* not started again before */
	SoNotServed told;			/* what was logged last */
} SoServed;

static SoServed *served = NULL;
static int	nserved = 0;

/*
 * Ask every worker the launcher started to stop.  Also on an error exit
 * (before_shmem_exit): a launcher started again must not find its
 * predecessor's workers still serving (they would end at once, see
 * worker_only_one(), until those have gone).
 */
static void
launcher_stop_workers(int code, Datum arg)
{
	int			i;

	for (i = 0; i < nserved; i++)
		if (served[i].handle != NULL)
			TerminateBackgroundWorker(served[i].handle);
}

/* Log, once until it changes, why a database is not served. */
static void
tell(SoServed *s, SoNotServed why)
{
	if (s->told == why)
		return;
	s->told = why;
	switch (why)
	{
		case SERVED:
			break;
		case NOT_THERE:
			ereport(LOG,
					(errcode(ERRCODE_UNDEFINED_DATABASE),
					 errmsg("database \"%s\" named in salesorder.database does not exist",
							s->name),
					 errhint("Create it with CREATE DATABASE: its salesorder worker starts within a second. Or remove it from salesorder.database (server restart).")));
			break;
		case NO_CONNECTIONS:
			ereport(LOG,
					(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
					 errmsg("database \"%s\" named in salesorder.database does not allow connections",
							s->name),
					 errhint("ALTER DATABASE ... WITH ALLOW_CONNECTIONS true lets its salesorder worker start.")));
			break;
		case NO_SLOT:
			ereport(WARNING,
					(errcode(ERRCODE_CONFIGURATION_LIMIT_EXCEEDED),
					 errmsg("no background worker slot free for the salesorder worker of database \"%s\"",
							s->name),
					 errhint("Raise max_worker_processes (server restart); the launcher tries again every second.")));
			break;
	}
}

/* Start the worker of database s (OID dboid); false when no slot is free. */
static bool
start_worker(SoServed *s, Oid dboid)
{
	BackgroundWorker worker;
	MemoryContext old;
	bool		ok;

	memset(&worker, 0, sizeof(worker));
	worker.bgw_flags = BGWORKER_SHMEM_ACCESS |
		BGWORKER_BACKEND_DATABASE_CONNECTION;
	worker.bgw_start_time = BgWorkerStart_RecoveryFinished;
	/* The launcher starts it again, not the postmaster. */
	worker.bgw_restart_time = BGW_NEVER_RESTART;
	snprintf(worker.bgw_library_name, BGW_MAXLEN, "salesorder");
	snprintf(worker.bgw_function_name, BGW_MAXLEN, "so_worker_main");
	snprintf(worker.bgw_name, BGW_MAXLEN, "salesorder worker for %s", s->name);
	snprintf(worker.bgw_type, BGW_MAXLEN, "salesorder worker");
	strlcpy(worker.bgw_extra, s->name, BGW_EXTRALEN);
	worker.bgw_main_arg = ObjectIdGetDatum(dboid);
	worker.bgw_notify_pid = MyProcPid;

	/* The handle outlives the round. */
	old = MemoryContextSwitchTo(TopMemoryContext);
	ok = RegisterDynamicBackgroundWorker(&worker, &s->handle);
	MemoryContextSwitchTo(old);
	if (!ok)
		s->handle = NULL;
	return ok;
}

/*
 * Find the configured databases in pg_database: their OID (InvalidOid when
 * there is none of the name) and whether they take connections.  A heap
 * scan, as autovacuum's launcher reads it: an index scan would need the
 * relcache entry of pg_database's index, which a process connected to no
 * database cannot build until some backend has written the shared relcache
 * init file.  In a transaction.
 */
static void
find_databases(Oid *dboids, bool *allowconn, bool *invalid)
{
	Relation	rel;
	TableScanDesc scan;
	HeapTuple	tuple;
	int			i;

	for (i = 0; i < nserved; i++)
	{
		dboids[i] = InvalidOid;
		allowconn[i] = false;
		invalid[i] = false;
	}
	rel = table_open(DatabaseRelationId, AccessShareLock);
	scan = table_beginscan_catalog(rel, 0, NULL);
	while (HeapTupleIsValid(tuple = heap_getnext(scan, ForwardScanDirection)))
	{
		Form_pg_database db = (Form_pg_database) GETSTRUCT(tuple);

		for (i = 0; i < nserved; i++)
			if (strcmp(NameStr(db->datname), served[i].name) == 0)
			{
				dboids[i] = db->oid;
				allowconn[i] = db->datallowconn;
				/*
				 * Invalid: DROP DATABASE marks it so before it removes it,
				 * and one interrupted leaves it so.  A worker started there
				 * would FATAL at once, every round (launcher_round).
				 */
				invalid[i] = false;
#ifdef DATCONNLIMIT_INVALID_DB
				invalid[i] = database_is_invalid_form(db);
#endif
			}
	}
	table_endscan(scan);
	table_close(rel, AccessShareLock);
}

/*
 * One round: for each configured database whose worker is not running,
 * start it if the database exists, takes connections and is not being
 * dropped, renamed or copied.
 */
static void
launcher_round(void)
{
	TimestampTz now = GetCurrentTimestamp();
	Oid		   *dboids = palloc(sizeof(Oid) * nserved);
	bool	   *allowconn = palloc(sizeof(bool) * nserved);
	bool	   *invalid = palloc(sizeof(bool) * nserved);
	int			i;

	StartTransactionCommand();
	(void) GetTransactionSnapshot();
	find_databases(dboids, allowconn, invalid);
	CommitTransactionCommand();

	for (i = 0; i < nserved; i++)
	{
		SoServed   *s = &served[i];
		pid_t		pid;

		if (s->handle != NULL)
		{
			if (GetBackgroundWorkerPid(s->handle, &pid) != BGWH_STOPPED)
				continue;
			pfree(s->handle);
			s->handle = NULL;
		}
		if (now < s->next_start)
			continue;
		if (!OidIsValid(dboids[i]))
		{
			tell(s, NOT_THERE);
			continue;
		}
		if (!allowconn[i])
		{
			tell(s, NO_CONNECTIONS);
			continue;
		}
		/* Being dropped, renamed or copied: when it is over. */
		if (!database_free(dboids[i]))
			continue;
		/* Invalid and not being dropped: left so by a DROP interrupted. */
		if (invalid[i])
		{
			tell(s, NO_CONNECTIONS);
			continue;
		}
		if (!start_worker(s, dboids[i]))
		{
			tell(s, NO_SLOT);
			continue;
		}
		s->told = SERVED;
		s->next_start = TimestampTzPlusMilliseconds(now, WORKER_CHECK_MS);
	}
	pfree(dboids);
	pfree(allowconn);
	pfree(invalid);
}

void
so_launcher_main(Datum main_arg)
{
	List	   *names;
	ListCell   *lc;
	int			i;

	pqsignal(SIGHUP, SignalHandlerForConfigReload);
	pqsignal(SIGTERM, worker_sigterm);
	BackgroundWorkerUnblockSignals();
	/* No database: pg_database is a shared catalog. */
	BackgroundWorkerInitializeConnection(NULL, NULL, 0);

	/* The configured databases, each once. */
	names = configured_databases();
	served = MemoryContextAllocZero(TopMemoryContext,
									sizeof(SoServed) * Max(list_length(names), 1));
	foreach(lc, names)
	{
		const char *db = (const char *) lfirst(lc);

		for (i = 0; i < nserved; i++)
			if (strcmp(served[i].name, db) == 0)
				break;
		if (i < nserved)
			continue;
		strlcpy(served[nserved].name, db, NAMEDATALEN);
		served[nserved].told = SERVED;
		nserved++;
	}
	before_shmem_exit(launcher_stop_workers, (Datum) 0);
	elog(LOG, "salesorder launcher started");

	while (!got_sigterm)
	{
		if (ConfigReloadPending)
		{
			ConfigReloadPending = false;
			ProcessConfigFile(PGC_SIGHUP);
		}
		launcher_round();

		/* A worker that starts or ends sets the latch (bgw_notify_pid). */
		(void) WaitLatch(MyLatch,
						 WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH,
						 WORKER_CHECK_MS, PG_WAIT_EXTENSION);
		ResetLatch(MyLatch);
		CHECK_FOR_INTERRUPTS();
	}

	/*
	 * Stop the workers and wait for them, so that a launcher started again
	 * finds them gone.  Exit code 1: the postmaster starts the launcher
	 * again after LAUNCHER_RESTART_SECONDS (0 would unregister it until the
	 * server restarts); at shutdown it is not restarted anyway.
	 */
	elog(LOG, "salesorder launcher stopping");
	launcher_stop_workers(0, (Datum) 0);
	for (i = 0; i < nserved; i++)
		if (served[i].handle != NULL)
			(void) WaitForBackgroundWorkerShutdown(served[i].handle);
	proc_exit(1);
}
