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
 * Prepared transactions end their virtual id at PREPARE but commit later:
 * while one is pending in the database a cut is not ready (a caller that
 * would wait is told to finish it; the worker logs it and tries again).
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
#include "salesorder.h"
#include "checkpoint.h"

#include "commands/extension.h"
#include "miscadmin.h"
#include "storage/lock.h"
#include "storage/proc.h"
#include "storage/procarray.h"
#include "utils/timestamp.h"

static SoPlan ledger_last_plan = {
	"SELECT pg_catalog.pg_sequence_last_value("
	"'salesorder.stock_movement_id_seq'::pg_catalog.regclass)",
	0, {InvalidOid}
};

static SoPlan prepared_plan = {
	"SELECT pg_catalog.count(*) FROM pg_catalog.pg_prepared_xacts p"
	" WHERE p.database = pg_catalog.current_database()",
	0, {InvalidOid}
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
 * Whether every transaction noted by the cut has ended (and no prepared
 * one is pending); with wait, waits for them.  SPI connected.
 */
bool
so_cut_ready(SoCut *cut, bool wait)
{
	VirtualTransactionId *vxids = (VirtualTransactionId *) cut->vxids;
	int			i;
	int64		prepared;

	for (i = 0; i < cut->nvxids; i++)
	{
		if (!VirtualTransactionIdIsValid(vxids[i]))
			continue;
		if (!VirtualXactLock(vxids[i], wait))
			return false;
		/* Ended: not asked about again. */
		SetInvalidVirtualTransactionId(vxids[i]);
	}

	so_execute(&prepared_plan, NULL, NULL, true, 1);
	prepared = so_getint64(0, 1);
	if (prepared == 0)
		return true;
	ereport(wait ? ERROR : LOG,
			(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
			 errmsg("a checkpoint cannot be taken while a prepared transaction is pending"),
			 errdetail("%lld prepared transactions of this database may still commit rows the checkpoint would leave out.",
					   (long long) prepared),
			 errhint("Finish them with COMMIT PREPARED or ROLLBACK PREPARED (see pg_prepared_xacts).")));
	return false;
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
