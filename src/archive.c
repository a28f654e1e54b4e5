/*-------------------------------------------------------------------------
 *
 * archive.c
 *	  Moving old history out of the tables order entry works on:
 *	  archive_history() and the background worker.
 *
 * Two append-only tables grow with every order for as long as the business
 * runs: the stock ledger (stock_movement) and the status history.  Their old
 * rows are needed for audits, not for daily work, so once older than
 * salesorder.archive_after they move -- in the same statement, a batch at
 * a time -- into archives partitioned by month (stock_movement_archive,
 * order_status_history_archive), whose months a DBA can detach, dump and
 * drop.  What moves:
 *
 *	- ledger rows folded into the ledger checkpoint (id <= upto_id) that
 *	  belong to no order (receipts, adjustments) or to a completed or
 *	  cancelled one: an open order's reservations stay where verify_stock()
 *	  and the order's readers look for them.  Their sums move from
 *	  ledger_balance (the checkpoint, which holds the hot ledger's sums) to
 *	  ledger_archive_balance, which is dumped and which verify_stock() adds
 *	  to the ledger, so stock still balances when archived months are gone;
 *	- status history rows of completed or cancelled orders.
 *
 * The ledger's append-only trigger lets these deletes through (and only
 * these: so_archiving is set around the one statement); the archives'
 * guard lets only this code insert.
 *
 *-------------------------------------------------------------------------
 */
#include "sqlstate.h"
#include "settings.h"
#include "privilege.h"
#include "spi_util.h"
#include "archive.h"
#include "ledger_checkpoint.h"
#include "status.h"

#include "catalog/pg_type.h"
#include "commands/trigger.h"
#include "fmgr.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/timestamp.h"

PG_FUNCTION_INFO_V1(so_archive_history);
PG_FUNCTION_INFO_V1(so_archive_guard);

/* True while archive_history() moves rows (see the ledger's trigger). */
static bool so_archiving = false;

bool
so_in_archive_move(void)
{
	return so_archiving;
}

/*
 * One at a time (a SHARE ROW EXCLUSIVE lock conflicts with itself), and the
 * ledger checkpoint held still: a fold must not run between reading upto_id
 * and moving sums out of ledger_balance.
 */
static SoPlan archive_lock_plan = {
	"LOCK TABLE salesorder.ledger_archive_balance IN SHARE ROW EXCLUSIVE MODE",
	0, {InvalidOid}
};

/* The ledger rows to move: the oldest folded ones first, by primary key. */
static SoPlan ledger_candidates_plan = {
	"SELECT pg_catalog.array_agg(x.id),"
	"       pg_catalog.array_agg(DISTINCT pg_catalog.date_trunc('month', x.created_at AT TIME ZONE 'UTC'))"
	" FROM (SELECT m.id, m.created_at"
	"       FROM salesorder.stock_movement m"
	"       LEFT JOIN salesorder.sales_order o ON o.id = m.order_id"
	"       WHERE m.id <= $1 AND m.created_at < $2"
	"         AND (m.order_id IS NULL OR " SO_STATUS_IN("o.status", SO_STATUSES_CLOSED) ")"
	"       ORDER BY m.id LIMIT $3) x",
	3, {INT8OID, TIMESTAMPTZOID, INT4OID}
};

static SoPlan ledger_months_plan = {
	"SELECT salesorder.archive_months('salesorder.stock_movement_archive', $1)",
	1, {TIMESTAMPARRAYOID}
};

static SoPlan ledger_move_plan = {
	"WITH moved AS ("
	"  DELETE FROM salesorder.stock_movement m WHERE m.id = ANY ($1)"
	"  RETURNING m.id, m.warehouse_id, m.product_id, m.kind, m.on_hand_delta,"
	"            m.order_id, m.line_no, m.customer_id, m.note,"
	"            m.created_by, m.created_at),"
	" kept AS ("
	"  INSERT INTO salesorder.stock_movement_archive"
	"   (id, warehouse_id, product_id, kind, on_hand_delta,"
	"    order_id, line_no, customer_id, note, created_by, created_at)"
	"  SELECT * FROM moved),"
	" sums AS ("
	"  SELECT d.warehouse_id, d.product_id, pg_catalog.sum(d.on_hand_delta) AS on_hand"
	"  FROM moved d GROUP BY d.warehouse_id, d.product_id),"
	" archived AS ("
	"  INSERT INTO salesorder.ledger_archive_balance AS b"
	"   (warehouse_id, product_id, on_hand)"
	"  SELECT s.warehouse_id, s.product_id, s.on_hand FROM sums s"
	"  ON CONFLICT (warehouse_id, product_id) DO UPDATE SET"
	"   on_hand = b.on_hand + excluded.on_hand),"
	" unfolded AS ("
	"  UPDATE salesorder.ledger_balance b"
	"  SET on_hand = b.on_hand - s.on_hand"
	"  FROM sums s"
	"  WHERE b.warehouse_id = s.warehouse_id AND b.product_id = s.product_id)"
	" SELECT pg_catalog.count(*) FROM moved",
	1, {INT8ARRAYOID}
};

static SoPlan history_candidates_plan = {
	"SELECT pg_catalog.array_agg(x.id),"
	"       pg_catalog.array_agg(DISTINCT pg_catalog.date_trunc('month', x.changed_at AT TIME ZONE 'UTC'))"
	" FROM (SELECT h.id, h.changed_at"
	"       FROM salesorder.order_status_history h"
	"       JOIN salesorder.sales_order o ON o.id = h.order_id"
	"       WHERE h.changed_at < $1 AND " SO_STATUS_IN("o.status", SO_STATUSES_CLOSED)
	"         AND o.status_changed_at < $1"
	"       ORDER BY h.id LIMIT $2) x",
	2, {TIMESTAMPTZOID, INT4OID}
};

static SoPlan history_months_plan = {
	"SELECT salesorder.archive_months('salesorder.order_status_history_archive', $1)",
	1, {TIMESTAMPARRAYOID}
};

static SoPlan history_move_plan = {
	"WITH moved AS ("
	"  DELETE FROM salesorder.order_status_history h WHERE h.id = ANY ($1)"
	"  RETURNING h.id, h.order_id, h.customer_id, h.from_status, h.to_status,"
	"            h.changed_by, h.changed_at, h.reason, h.kind, h.changed_login),"
	" kept AS ("
	"  INSERT INTO salesorder.order_status_history_archive"
	"   (id, order_id, customer_id, from_status, to_status, changed_by, changed_at,"
	"    reason, kind, changed_login)"
	"  SELECT * FROM moved)"
	" SELECT pg_catalog.count(*) FROM moved",
	1, {INT8ARRAYOID}
};

/*
 * Run a candidates plan (the ids, and the months they fall in); when it
 * found rows, make their months' partitions and move them.  Returns how
 * many moved.
 */
static int64
move_batch(SoPlan *candidates, Datum *args, SoPlan *months, SoPlan *move)
{
	bool		isnull;
	Datum		ids;
	Datum		month_list;
	int64		moved;

	so_execute(candidates, args, NULL, false, 1);
	ids = so_getdatum(0, 1, &isnull);
	if (isnull)
		return 0;
	ids = SPI_datumTransfer(ids, false, -1);
	month_list = SPI_datumTransfer(so_getdatum(0, 2, &isnull), false, -1);
	so_execute(months, &month_list, NULL, false, 1);

	so_archiving = true;
	PG_TRY();
	{
		so_execute(move, &ids, NULL, false, 1);
		moved = so_getint64(0, 1);
	}
	PG_FINALLY();
	{
		so_archiving = false;
	}
	PG_END_TRY();
	return moved;
}

/*
 * Move at most max_rows ledger rows and max_rows status history rows older
 * than keep_s seconds; SPI connected, as the owner.  Returns how many moved.
 */
int64
so_archive_batch(int64 keep_s, int max_rows)
{
	TimestampTz before = GetCurrentTransactionStartTimestamp() -
		keep_s * USECS_PER_SEC;
	Datum		args[3];
	int64		moved;

	so_execute(&archive_lock_plan, NULL, NULL, false, 0);
	args[0] = Int64GetDatum(so_lock_ledger_checkpoint());
	args[1] = TimestampTzGetDatum(before);
	args[2] = Int32GetDatum(max_rows);
	moved = move_batch(&ledger_candidates_plan, args, &ledger_months_plan,
					   &ledger_move_plan);

	args[0] = TimestampTzGetDatum(before);
	args[1] = Int32GetDatum(max_rows);
	return moved + move_batch(&history_candidates_plan, args,
							  &history_months_plan, &history_move_plan);
}

typedef struct SoArchive
{
	int64		keep_s;
	int			max_rows;
} SoArchive;

static Datum
archive_history_work(void *arg)
{
	SoArchive  *a = (SoArchive *) arg;

	return Int64GetDatum(so_archive_batch(a->keep_s, a->max_rows));
}

/*
 * salesorder.archive_history(keep interval DEFAULT NULL, max_rows integer
 * DEFAULT 10000) RETURNS bigint: moves at most max_rows ledger rows and as
 * many status history rows older than keep (NULL: salesorder.archive_after,
 * and nothing when that is 0) into the archives; returns how many moved.
 */
Datum
so_archive_history(PG_FUNCTION_ARGS)
{
	SoArchive	a;

	if (!so_maintenance_args(fcinfo, so_archive_after_s, "max_rows",
							 &a.keep_s, &a.max_rows))
		PG_RETURN_INT64(0);
	PG_RETURN_DATUM(so_run_as_owner(archive_history_work, &a, SO_RESULT_BYVAL));
}

/*
 * BEFORE INSERT OR UPDATE OR DELETE ON the archives FOR EACH ROW: only
 * archive_history() inserts; nothing is changed afterwards.  Whole months
 * go by DETACH PARTITION and DROP TABLE, which fire no row trigger.
 */
Datum
so_archive_guard(PG_FUNCTION_ARGS)
{
	TriggerData *trigdata = (TriggerData *) fcinfo->context;

	if (!CALLED_AS_TRIGGER(fcinfo))
		elog(ERROR, "archive_guard: not called by trigger manager");
	if (TRIGGER_FIRED_BY_INSERT(trigdata->tg_event) && so_archiving)
		return PointerGetDatum(trigdata->tg_trigtuple);
	ereport(ERROR,
			(errcode(ERRCODE_SO_NOT_EDITABLE),
			 errmsg("the archives are written by salesorder.archive_history() only"),
			 errdetail("Archived rows are neither inserted directly, updated nor deleted; whole months go with DETACH PARTITION."),
			 errhint("To restore a dump, run pg_restore with session_replication_role = replica.")));
	PG_RETURN_NULL();			/* keep compiler quiet */
}
