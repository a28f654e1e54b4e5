/*-------------------------------------------------------------------------
 *
 * cut.c
 *	  A cut through the append-only history: a point up to which a
 *	  checkpoint may fold what was written, once no transaction can still
 *	  write anything before it.
 *
 * Two checkpoints fold history so that daily operations do not read it
 * from the beginning of time: the ledger balance (ledger_checkpoint.c,
 * for verify_stock(), cut by ledger id) and the closed orders of
 * report_pipeline (pipeline.c, cut by the time an order was completed or
 * cancelled).  Both have the same difficulty: an id or a time is taken
 * when a row is written, not when its transaction commits, so a fold up
 * to the cut taken now could miss a row below the cut whose transaction
 * commits later, and no later fold would look below the cut again.
 *
 * So a cut has two phases, as CREATE INDEX CONCURRENTLY waits for older
 * transactions.  so_cut_begin() reads the cut -- the ledger sequence's
 * last value and the clock -- and then notes every transaction of the
 * database running at that moment (their virtual ids: a transaction can
 * take a ledger id or complete an order before it has an xid).
 * so_cut_ready() says whether every one of them has ended, and waits for
 * them if asked to.  Then every row below the cut was written by one of
 * those or by one that had ended already, and a fold in a new snapshot
 * sees each one committed or never:
 *
 *	- ledger ids: a transaction that took an id <= the sequence's value had
 *	  registered its virtual id before (the ledger's sequence does not
 *	  cache values, CACHE 1);
 *	- completion times: the state machine stamps status_changed_at with the
 *	  clock at the change (guard.c), read inside the transaction, so after
 *	  its virtual id was registered; a stamp earlier than the cut's clock
 *	  therefore comes from a transaction noted here or ended.
 *
 * A prepared transaction keeps the virtual id it had (lock.c waits for it
 * by that id until COMMIT or ROLLBACK PREPARED), so a cut notes it, or the
 * transaction noted prepares later; either way it may commit rows below
 * the cut whenever its transaction manager says so, which may be never.
 * A cut is not ready while one of its transactions is a prepared one, and
 * nobody waits for it: checkpoint_ledger() and checkpoint_pipeline() fail
 * at once, naming it, and the worker logs it and looks again next round.
 * Waiting for the others is done a second at a time (wait_a_while()), so
 * that one that prepares during the wait is seen within a second.
 *
 * Two callers that wait (checkpoint_ledger(), checkpoint_pipeline()) would
 * each note the other and wait for it: so_cut_manual() lets one at a time
 * take a cut, and a second returns at once -- the first is doing the work.
 * A cut the worker keeps across rounds is for one installation of the
 * extension (cut->extension): a DROP and CREATE EXTENSION in between
 * starts the sequence and the tables anew.
 *
 * Rows written with session_replication_role = replica (pg_restore, logical
 * replication) keep the ids and stamps they were written with, which no cut
 * accounts for: a statement trigger that fires only then forgets both
 * checkpoints (ledger_reset, pipeline_reset), to be folded again.
 *
 * The time cut assumes the clock does not step back between a stamp and
 * the cut (NTP slews; a backward step of more than the time between them
 * could leave an order out of report_pipeline's fold).
 *
 *-------------------------------------------------------------------------
 */
#include "sqlstate.h"
#include "spi_util.h"
#include "cut.h"

#include "access/twophase.h"
#include "access/xact.h"
#include "catalog/pg_type.h"
#include "commands/extension.h"
#include "miscadmin.h"
#include "storage/lock.h"
#include "storage/proc.h"
#include "storage/procarray.h"
#include "utils/guc.h"
#include "utils/resowner.h"
#include "utils/timestamp.h"

static SoPlan ledger_last_plan = {
	"SELECT pg_catalog.pg_sequence_last_value("
	"'salesorder.stock_movement_id_seq'::pg_catalog.regclass)",
	0, {InvalidOid}
};

/* The names of the prepared transactions a cut found, for the message. */
static SoPlan prepared_plan = {
	"SELECT pg_catalog.string_agg(pg_catalog.quote_literal(p.gid), ', ' ORDER BY p.gid)"
	" FROM pg_catalog.pg_prepared_xacts p WHERE p.transaction = ANY ($1)",
	1, {XIDARRAYOID}
};

/*
 * Phase 1: the cut, and the transactions that might still write below it.
 * SPI connected.  The vxids are kept in cxt (the worker keeps a cut across
 * rounds).
 */
void
so_cut_begin(SoCut *cut, MemoryContext cxt)
{
	bool		isnull;
	MemoryContext old;
	VirtualTransactionId *vxids;
	int			n;

	cut->extension = get_extension_oid("salesorder", false);
	so_execute(&ledger_last_plan, NULL, NULL, true, 1);
	cut->ledger_upto = DatumGetInt64(so_getdatum(0, 1, &isnull));
	if (isnull)
		cut->ledger_upto = 0;
	/* The clock before the transactions: see the header comment. */
	cut->closed_before = GetCurrentTimestamp();

	/* Every backend of this database, with or without a snapshot now. */
	vxids = GetCurrentVirtualXIDs(InvalidTransactionId, false, false,
								  PROC_IN_VACUUM, &n);
	old = MemoryContextSwitchTo(cxt);
	cut->vxids = palloc(sizeof(VirtualTransactionId) * Max(n, 1));
	if (n > 0)
		memcpy(cut->vxids, vxids, sizeof(VirtualTransactionId) * n);
	MemoryContextSwitchTo(old);
	cut->nvxids = n;
}

/*
 * The xid of a noted transaction that is now a prepared one, else
 * InvalidTransactionId.  One prepared before the server started has a
 * virtual id of its own (no backend, its xid as local id); one prepared
 * since keeps the id of the backend that prepared it.
 */
static TransactionId
prepared_xid(VirtualTransactionId vxid)
{
	bool		more = false;

	if (VirtualTransactionIdIsRecoveredPreparedXact(vxid))
		return (TransactionId) vxid.localTransactionId;
	return TwoPhaseGetXidByVirtualXID(vxid, &more);
}

/* How long a wait for a running transaction lasts before looking again. */
#define CUT_WAIT_SLICE_MS 1000

/*
 * Wait until a running transaction has ended, or for at most wait_ms.
 * VirtualXactLock() itself would go on waiting for the transaction as a
 * prepared one if it prepared meanwhile, so the wait runs in a
 * subtransaction with a lock_timeout of wait_ms, whose expiry rolls it
 * back; the caller then looks again.  Any other error -- a cancel, a
 * deadlock, the caller's statement_timeout, or (last) the caller's own
 * lock_timeout running out -- is the caller's.
 */
static void
wait_a_while(VirtualTransactionId vxid, int wait_ms, bool last)
{
	MemoryContext cxt = CurrentMemoryContext;
	ResourceOwner owner = CurrentResourceOwner;
	char		timeout[32];

	snprintf(timeout, sizeof(timeout), "%d", Max(wait_ms, 1));
	BeginInternalSubTransaction(NULL);
	MemoryContextSwitchTo(cxt);
	PG_TRY();
	{
		int			nest = NewGUCNestLevel();

		(void) set_config_option("lock_timeout", timeout, PGC_USERSET,
								 PGC_S_SESSION, GUC_ACTION_SAVE, true, 0,
								 false);
		(void) VirtualXactLock(vxid, true);
		AtEOXact_GUC(true, nest);
		ReleaseCurrentSubTransaction();
		MemoryContextSwitchTo(cxt);
		CurrentResourceOwner = owner;
	}
	PG_CATCH();
	{
		ErrorData  *edata;

		MemoryContextSwitchTo(cxt);
		edata = CopyErrorData();
		FlushErrorState();
		RollbackAndReleaseCurrentSubTransaction();
		MemoryContextSwitchTo(cxt);
		CurrentResourceOwner = owner;
		if (edata->sqlerrcode != ERRCODE_LOCK_NOT_AVAILABLE || last)
			ReThrowError(edata);
		FreeErrorData(edata);
	}
	PG_END_TRY();
}

/*
 * Whether every transaction noted by the cut has ended; with wait, waits
 * for them.  A prepared one among them is refused, with wait (a
 * checkpoint function) as an error, else (the worker) in the log: the
 * cut is then not ready.  SPI connected.
 */
bool
so_cut_ready(SoCut *cut, bool wait)
{
	VirtualTransactionId *vxids = (VirtualTransactionId *) cut->vxids;
	TimestampTz start = GetCurrentTimestamp();

	for (;;)
	{
		Datum	   *prepared = palloc(sizeof(Datum) * Max(cut->nvxids, 1));
		int			nprepared = 0;
		int			running = -1;
		int			i;
		int			wait_ms = CUT_WAIT_SLICE_MS;
		bool		last = false;

		for (i = 0; i < cut->nvxids; i++)
		{
			TransactionId xid;

			if (!VirtualTransactionIdIsValid(vxids[i]))
				continue;
			if (VirtualXactLock(vxids[i], false))
			{
				/* Ended: not asked about again. */
				SetInvalidVirtualTransactionId(vxids[i]);
				continue;
			}
			xid = prepared_xid(vxids[i]);
			if (TransactionIdIsValid(xid))
				prepared[nprepared++] = TransactionIdGetDatum(xid);
			else if (running < 0)
				running = i;
		}

		if (nprepared > 0)
		{
			Datum		arg = so_make_array(prepared, NULL, nprepared, XIDOID);
			char	   *names = NULL;

			if (so_execute(&prepared_plan, &arg, NULL, true, 1) == 1)
				names = so_gettext(0, 1);
			ereport(wait ? ERROR : LOG,
					(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
					 errmsg("a checkpoint cannot be taken while a prepared transaction is pending"),
					 names ?
					 errdetail_plural("Prepared transaction %s began before the checkpoint and may still commit rows the checkpoint would leave out.",
									  "Prepared transactions %s began before the checkpoint and may still commit rows the checkpoint would leave out.",
									  nprepared, names) :
					 errdetail("A prepared transaction began before the checkpoint and may still commit rows the checkpoint would leave out."),
					 wait ?
					 errhint("Commit or roll back the prepared transactions (COMMIT PREPARED or ROLLBACK PREPARED, see pg_prepared_xacts), then take the checkpoint again.") :
					 errhint("Commit or roll back the prepared transactions (COMMIT PREPARED or ROLLBACK PREPARED, see pg_prepared_xacts); the worker looks again in its next round.")));
			return false;
		}
		pfree(prepared);
		if (running < 0)
			return true;
		if (!wait)
			return false;

		/* The caller's lock_timeout bounds the whole wait. */
		if (LockTimeout > 0)
		{
			long		secs;
			int			usecs;
			int64		left;

			TimestampDifference(start, GetCurrentTimestamp(), &secs, &usecs);
			left = LockTimeout - (secs * 1000 + usecs / 1000);
			if (left <= wait_ms)
			{
				wait_ms = (int) Max(left, 1);
				last = true;
			}
		}
		wait_a_while(vxids[running], wait_ms, last);
	}
}

/*
 * Whether every transaction noted by the cut has ended or is a prepared
 * one.  A prepared transaction runs no statement any more: it appends
 * nothing and reads nothing.  For a caller whose fold sees the rows such a
 * transaction has left uncommitted by a lock (the rollup's compaction
 * cycle, rollup_compact.c); never waits, never logs.
 */
bool
so_cut_passed(SoCut *cut)
{
	VirtualTransactionId *vxids = (VirtualTransactionId *) cut->vxids;
	int			i;

	for (i = 0; i < cut->nvxids; i++)
	{
		if (!VirtualTransactionIdIsValid(vxids[i]))
			continue;
		if (!VirtualXactLock(vxids[i], false) &&
			!TransactionIdIsValid(prepared_xid(vxids[i])))
			return false;
		/* Ended or prepared: not asked about again. */
		SetInvalidVirtualTransactionId(vxids[i]);
	}
	return true;
}

/*
 * Whether this caller may take a waiting cut now: false when another
 * session's checkpoint function is taking one (the caller then returns
 * what the checkpoint holds).  Held until the end of the transaction.
 */
#define CUT_LOCK_KIND 0x5343	/* 'SC' */

bool
so_cut_manual(void)
{
	return so_xact_try_lock(CUT_LOCK_KIND, 0, ExclusiveLock);
}
