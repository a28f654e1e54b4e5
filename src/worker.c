/*-------------------------------------------------------------------------
 *
 * worker.c
 *	  The background worker: wake-ups for event consumers, rollup
 *	  compaction and delay flagging, so that no writer has to NOTIFY and
 *	  nobody has to schedule the upkeep.
 *
 * Registered when salesorder is in shared_preload_libraries: one worker per
 * database named in salesorder.database (default postgres).  Each loop it
 * checks that the extension is installed in its database (else it only
 * waits) and runs what is due, each in a transaction of its own:
 *
 *	  notifier (salesorder.notify_interval, 100 ms): computes the outbox
 *		horizon -- the largest event id no running transaction can still
 *		precede, as events_since() hands out -- and, when it advanced, sends
 *		one NOTIFY salesorder_events whose payload is the new horizon.  Only
 *		this worker takes the notify lock at commit; order entry never does.
 *	  compaction (salesorder.compact_interval, 1 s): compact_rollup(), which
 *		folds the append-only report deltas; it touches no row order entry
 *		writes or waits for.
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
 * It leaves a database that is being dropped, renamed or copied, which
 * would otherwise wait for it and fail (see database_free()), and is not
 * started at all in binary-upgrade mode, where pg_upgrade drops and makes
 * the databases.
 *
 * Its statements run with a short lock_timeout, so that it never waits
 * long for a lock; an error in one task is logged, the task is tried again
 * in 10 seconds, and the loop goes on.  Each task's next run is counted
 * from the end of the last one, so a slow task never runs back to back.
 * SIGTERM ends it cleanly (exit code 1, so that the postmaster starts it
 * again after bgw_restart_time unless the server is shutting down); after a
 * crash the postmaster starts it again too.  What it does is logged at
 * DEBUG1.
 *
 * The design follows PostgreSQL's worker_spi module and pg_cron's launcher.
 *
 *-------------------------------------------------------------------------
 */
#include "salesorder.h"
#include "archive.h"
#include "checkpoint.h"
#include "events.h"
#include "retention.h"
#include "tracking.h"
#include "worker.h"

#include "access/xact.h"
#include "catalog/pg_database.h"
#include "catalog/pg_extension.h"
#include "commands/async.h"
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

PGDLLEXPORT void so_worker_main(Datum main_arg);

#define EVENT_CHANNEL "salesorder_events"

/* Settings (salesorder.c defines them). */
char	   *so_worker_databases = NULL;
int			so_notify_interval_ms = 100;
int			so_compact_interval_ms = 1000;
int			so_flag_delays_interval_s = 900;
int			so_checkpoint_interval_s = 300;

/* How long the worker waits for a lock before it gives up until next time. */
#define WORKER_LOCK_TIMEOUT "200ms"
#define WORKER_RESTART_SECONDS 10
/* The longest the worker sleeps: how often it sees that it must leave. */
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
 * Register one worker per database of salesorder.database (from _PG_init,
 * while shared_preload_libraries is processed).
 */
void
so_register_workers(void)
{
	char	   *list = pstrdup(so_worker_databases ? so_worker_databases : "");
	List	   *names;
	ListCell   *lc;

	/*
	 * pg_upgrade starts the new server in binary-upgrade mode and drops and
	 * creates its databases (postgres among them), which no other backend
	 * may be connected to; nothing is there to serve yet anyway.
	 */
	if (IsBinaryUpgrade)
		return;
	if (!SplitIdentifierString(list, ',', &names))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("salesorder.database must be a list of database names")));
	foreach(lc, names)
	{
		const char *db = (const char *) lfirst(lc);
		BackgroundWorker worker;

		if (strlen(db) >= BGW_EXTRALEN)
			ereport(ERROR,
					(errcode(ERRCODE_NAME_TOO_LONG),
					 errmsg("database name \"%s\" in salesorder.database is too long", db)));
		memset(&worker, 0, sizeof(worker));
		worker.bgw_flags = BGWORKER_SHMEM_ACCESS |
			BGWORKER_BACKEND_DATABASE_CONNECTION;
		worker.bgw_start_time = BgWorkerStart_RecoveryFinished;
		worker.bgw_restart_time = WORKER_RESTART_SECONDS;
		snprintf(worker.bgw_library_name, BGW_MAXLEN, "salesorder");
		snprintf(worker.bgw_function_name, BGW_MAXLEN, "so_worker_main");
		snprintf(worker.bgw_name, BGW_MAXLEN, "salesorder worker for %s", db);
		snprintf(worker.bgw_type, BGW_MAXLEN, "salesorder worker");
		strlcpy(worker.bgw_extra, db, BGW_EXTRALEN);
		worker.bgw_main_arg = (Datum) 0;
		worker.bgw_notify_pid = 0;
		RegisterBackgroundWorker(&worker);
	}
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

/* Only when there is something to fold: an idle database writes nothing. */
static SoPlan compact_plan = {
	"SELECT salesorder.compact_rollup()"
	" WHERE EXISTS (SELECT 1 FROM salesorder.sales_rollup_delta)",
	0, {InvalidOid}
};

static void
compact_task(void)
{
	if (so_execute(&compact_plan, NULL, NULL, false, 1) == 1)
		elog(DEBUG1, "salesorder worker: compacted " INT64_FORMAT " rollup deltas",
			 so_getint64(0, 1));
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
	BackgroundWorkerInitializeConnection(dbname, NULL, 0);
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
			proc_exit(1);
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
			/* Not installed here (yet): look again in a while. */
			last_notified = -1;
			next_notify = next_compact = next_flag = next_trim = next_checkpoint =
				next_archive = TimestampTzPlusMilliseconds(now, 5000);
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

	/*
	 * Exit code 1: the postmaster starts the worker again after
	 * bgw_restart_time (an exit code of 0 would unregister it until the
	 * server restarts); at shutdown it is not restarted anyway.
	 */
	elog(LOG, "salesorder worker for database \"%s\" stopping", dbname);
	proc_exit(1);
}
