/*-------------------------------------------------------------------------
 *
 * ledger_checkpoint.c
 *	  Checkpoints of the append-only stock ledger, so that verify_stock()
 *	  sums only what was appended since the last one.
 *
 * salesorder.ledger_balance holds, per (warehouse, product), the sums of
 * the ledger rows up to id ledger_checkpoint.upto_id; verify_stock() adds
 * the rows after it (a range of the primary key) instead of summing the
 * ledger from the beginning of time.  verify_stock(true) still sums all of
 * it, and reports a checkpoint that disagrees.
 *
 * A checkpoint folds up to a cut (cut.c) once every transaction that might
 * still hold a ledger id below it has ended: checkpoint_ledger() waits
 * for them; the background worker notes the cut and folds in a later
 * round, never waiting.
 *
 *-------------------------------------------------------------------------
 */
#include "sqlstate.h"
#include "privilege.h"
#include "spi_util.h"
#include "cut.h"
#include "ledger_checkpoint.h"

#include "catalog/pg_type.h"
#include "fmgr.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/memutils.h"

PG_FUNCTION_INFO_V1(so_checkpoint_ledger);
PG_FUNCTION_INFO_V1(so_ledger_reset);

static SoPlan fold_lock_plan = {
	"SELECT c.upto_id FROM salesorder.ledger_checkpoint c FOR UPDATE",
	0, {InvalidOid}
};

/*
 * Lock the checkpoint row and return its id: folds and the archive, which
 * moves rows up to it, take turns here.  SPI connected.
 */
int64
so_lock_ledger_checkpoint(void)
{
	so_execute(&fold_lock_plan, NULL, NULL, false, 1);
	return so_getint64(0, 1);
}

static SoPlan fold_plan = {
	"INSERT INTO salesorder.ledger_balance AS b"
	" (warehouse_id, product_id, on_hand)"
	" SELECT m.warehouse_id, m.product_id, pg_catalog.sum(m.on_hand_delta)"
	" FROM salesorder.stock_movement m"
	" WHERE m.id > $1 AND m.id <= $2"
	" GROUP BY m.warehouse_id, m.product_id"
	" ON CONFLICT (warehouse_id, product_id) DO UPDATE SET"
	"  on_hand = b.on_hand + excluded.on_hand",
	2, {INT8OID, INT8OID}
};

static SoPlan fold_done_plan = {
	"UPDATE salesorder.ledger_checkpoint"
	" SET upto_id = $1, taken_at = pg_catalog.now()",
	1, {INT8OID}
};

/*
 * Phase 2: fold the rows after the checkpoint up to the cut, whose
 * transactions have all ended -- at most max_ids ids of them (0: all), so
 * that the worker's other tasks get their turn between batches.  SPI
 * connected, as the owner.  Returns the checkpoint's id; the cut is done
 * when that is its id.
 */
int64
so_ledger_cut_fold(SoCut *cut, int64 max_ids)
{
	int64		upto = so_lock_ledger_checkpoint();
	int64		to = cut->ledger_upto;
	Datum		args[2];

	if (to <= upto)
		return Max(upto, to);
	if (max_ids > 0 && to - upto > max_ids)
		to = upto + max_ids;
	args[0] = Int64GetDatum(upto);
	args[1] = Int64GetDatum(to);
	so_execute(&fold_plan, args, NULL, false, 0);
	so_execute(&fold_done_plan, &args[1], NULL, false, 0);
	return to;
}

static SoPlan checkpoint_id_plan = {
	"SELECT c.upto_id FROM salesorder.ledger_checkpoint c",
	0, {InvalidOid}
};

static SoPlan ledger_forget_plan = {
	"WITH gone AS (DELETE FROM salesorder.ledger_balance)"
	" UPDATE salesorder.ledger_checkpoint SET upto_id = 0, taken_at = pg_catalog.now()",
	0, {InvalidOid}
};

/*
 * AFTER INSERT ON stock_movement FOR EACH STATEMENT, enabled for replica
 * sessions only (pg_restore, logical replication): their rows keep ids no
 * cut accounted for, so the checkpoint starts again from the beginning.
 */
Datum
so_ledger_reset(PG_FUNCTION_ARGS)
{
	if (!CALLED_AS_TRIGGER(fcinfo))
		elog(ERROR, "ledger_reset: not called by trigger manager");
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	so_execute(&ledger_forget_plan, NULL, NULL, false, 0);
	SPI_finish();
	return PointerGetDatum(NULL);
}

static Datum
checkpoint_work(void *arg)
{
	SoCut		cut;

	/* The fold must see every row committed meanwhile. */
	so_require_read_committed("salesorder.checkpoint_ledger()",
							  "Under a transaction snapshot, ledger rows committed after the snapshot would be left out of the checkpoint.");

	if (!so_cut_manual())
	{
		/* Another session is checkpointing: what the checkpoint holds. */
		so_execute(&checkpoint_id_plan, NULL, NULL, false, 1);
		return Int64GetDatum(so_getint64(0, 1));
	}
	so_cut_begin(&cut, CurrentMemoryContext);
	(void) so_cut_ready(&cut, true);
	return Int64GetDatum(so_ledger_cut_fold(&cut, 0));
}

/*
 * salesorder.checkpoint_ledger() RETURNS bigint: folds the ledger into
 * ledger_balance up to the ids taken so far, after waiting for the
 * transactions that may still hold some of them; returns the checkpoint's
 * id.  The background worker does the same without waiting.
 */
Datum
so_checkpoint_ledger(PG_FUNCTION_ARGS)
{
	PG_RETURN_DATUM(so_run_as_owner(checkpoint_work, NULL, SO_RESULT_BYVAL));
}
