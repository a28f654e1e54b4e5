/*-------------------------------------------------------------------------
 *
 * rollup_compact.c
 *	  Folding the report deltas into sales_rollup: compact_rollup(), and
 *	  the worker's cycle, which empties the delta table without deleting
 *	  a row.
 *
 * Order entry appends a signed delta row for each change of the report
 * (rollup.c).  compact_rollup() folds them with one DELETE ... RETURNING:
 * MVCC-safe at any moment, but a deleted row is one more row written per
 * order, and a dead one for vacuum.  The worker instead lets the two
 * partitions of sales_rollup_delta take turns (rollup_config.writer_slot
 * names the one order entry appends to):
 *
 *	1. switch: writer_slot becomes the other, empty partition;
 *	2. fold: once every transaction that was running at the switch has
 *	   ended, nothing more can be appended to the old partition: its rows
 *	   are added to the rollup and folded_slot names it, in one
 *	   transaction -- from then on report_sales skips that partition;
 *	3. empty: once every transaction that was running at the fold has
 *	   ended, no snapshot can see the partition unfolded any more, so it
 *	   is emptied by TRUNCATE (not MVCC-safe: an older snapshot would see
 *	   it empty and the rollup without it, hence the wait) and folded_slot
 *	   is cleared; when deltas are waiting, the next switch is made in the
 *	   same transaction.
 *
 * Each wait is a cut (cut.c), noted in the round that first sees the step
 * committed and looked at, never waited for, in the rounds after.  A
 * prepared transaction does not hold a step back: it runs no statement any
 * more (so_cut_passed()).  But what it appended is still uncommitted, so
 * the fold takes a SHARE lock on the old partition if it is free at once:
 * a transaction that appended there, prepared or not, holds ROW EXCLUSIVE
 * on it until it ends, and the fold waits for a later round.  The empty
 * step, too, takes its ACCESS EXCLUSIVE lock only if it is free at once,
 * so that a long report query defers it instead of queueing every report
 * behind it.
 *
 * A long transaction (a report, pg_dump) holds the cycle back: whatever
 * was running at a step must end before the next.  So that the deltas
 * never pile up behind it, a cycle held back for CYCLE_PATIENCE_MS folds
 * them the way compact_rollup() does -- deleting them, which is MVCC-safe
 * at any moment -- and goes on with its steps once the transaction ends.
 *
 * compact_rollup() remains, for a server without the worker: it folds
 * every row outside the folded partition, at any step of the cycle.  It,
 * the cycle and rebuild_rollup() take turns on ROLLUP_LOCK_KIND.
 *
 *-------------------------------------------------------------------------
 */
#include "sqlstate.h"
#include "privilege.h"
#include "spi_util.h"
#include "cut.h"
#include "rollup.h"
#include "rollup_compact.h"

#include "catalog/pg_type.h"
#include "commands/extension.h"
#include "fmgr.h"
#include "storage/lmgr.h"
#include "utils/memutils.h"
#include "utils/timestamp.h"

PG_FUNCTION_INFO_V1(so_compact_rollup);

/*
 * The rows of moved (a CTE of delta rows) added to the rollup; the result
 * is how many delta rows were folded.
 */
#define FOLD_MOVED \
	" folded AS (" \
	"  INSERT INTO salesorder.sales_rollup AS r" \
	"   (month, region, segment, category, orders, lines, quantity, amount)" \
	"  SELECT m.month, m.region, m.segment, u.category, pg_catalog.sum(u.orders)," \
	"         pg_catalog.sum(u.lines), pg_catalog.sum(u.quantity), pg_catalog.sum(u.amount)" \
	"  FROM moved m" \
	"  CROSS JOIN LATERAL ROWS FROM (pg_catalog.unnest(m.category), pg_catalog.unnest(m.orders)," \
	"   pg_catalog.unnest(m.lines), pg_catalog.unnest(m.quantity), pg_catalog.unnest(m.amount))" \
	"   AS u(category, orders, lines, quantity, amount)" \
	"  GROUP BY m.month, m.region, m.segment, u.category" \
	"  ON CONFLICT (month, region, segment, category) DO UPDATE SET" \
	"   orders = r.orders + excluded.orders, lines = r.lines + excluded.lines," \
	"   quantity = r.quantity + excluded.quantity, amount = r.amount + excluded.amount)" \
	" SELECT pg_catalog.count(*) FROM moved"

/* compact_rollup(): every delta outside the folded partition. */
static SoPlan compact_plan = {
	"WITH moved AS (DELETE FROM salesorder.sales_rollup_delta d"
	"  WHERE d.slot IS DISTINCT FROM (SELECT c.folded_slot FROM salesorder.rollup_config c)"
	"  RETURNING d.*),"
	FOLD_MOVED,
	0, {InvalidOid}
};

/* Compaction of the delta table of 1.x (before the update to 2.0). */
static SoPlan compact_plan_1x = {
	"WITH moved AS (DELETE FROM salesorder.sales_rollup_delta RETURNING *),"
	" folded AS ("
	"  INSERT INTO salesorder.sales_rollup AS r"
	"   (month, region, segment, category, orders, lines, quantity, amount)"
	"  SELECT month, region, segment, category, pg_catalog.sum(orders),"
	"         pg_catalog.sum(lines), pg_catalog.sum(quantity), pg_catalog.sum(amount)"
	"  FROM moved GROUP BY month, region, segment, category"
	"  ON CONFLICT (month, region, segment, category) DO UPDATE SET"
	"   orders = r.orders + excluded.orders, lines = r.lines + excluded.lines,"
	"   quantity = r.quantity + excluded.quantity, amount = r.amount + excluded.amount)"
	" SELECT pg_catalog.count(*) FROM moved",
	0, {InvalidOid}
};

/* The cycle's fold: one partition's rows, which stay until it is emptied. */
static SoPlan fold_slot_plan = {
	"WITH moved AS (SELECT d.* FROM salesorder.sales_rollup_delta d WHERE d.slot = $1),"
	FOLD_MOVED,
	1, {INT2OID}
};

static SoPlan drop_empty_plan = {
	"DELETE FROM salesorder.sales_rollup"
	" WHERE orders = 0 AND lines = 0 AND quantity = 0 AND amount = 0",
	0, {InvalidOid}
};

static SoPlan compacted_at_plan = {
	"UPDATE salesorder.rollup_config SET compacted_at = pg_catalog.now()",
	0, {InvalidOid}
};

/* The groups left at zero go; the time of the compaction is kept. */
static void
after_fold(void)
{
	so_execute(&drop_empty_plan, NULL, NULL, false, 0);
	so_execute(&compacted_at_plan, NULL, NULL, false, 0);
}

static Datum
compact_work(void *arg)
{
	int64		folded;

	so_xact_lock(ROLLUP_LOCK_KIND, 0, ExclusiveLock);
	so_execute(so_rollup_delta_1x() ? &compact_plan_1x : &compact_plan,
			   NULL, NULL, false, 1);
	folded = so_getint64(0, 1);
	after_fold();
	return Int64GetDatum(folded);
}

/*
 * salesorder.compact_rollup(): fold the deltas into sales_rollup; returns
 * how many delta rows it folded.  Safe to run at any time (pg_cron), also
 * while the worker runs its cycle.
 */
Datum
so_compact_rollup(PG_FUNCTION_ARGS)
{
	return so_run_as_owner(compact_work, NULL, SO_RESULT_BYVAL);
}

/* ---- The worker's cycle ---- */

static SoPlan state_plan = {
	"SELECT c.writer_slot, c.folded_slot FROM salesorder.rollup_config c",
	0, {InvalidOid}
};

static SoPlan set_state_plan = {
	"UPDATE salesorder.rollup_config SET writer_slot = $1, folded_slot = $2",
	2, {INT2OID, INT2OID}
};

static const char *const slot_relnames[2] = {
	"sales_rollup_delta_0", "sales_rollup_delta_1"
};

static SoPlan has_rows_plans[2] = {
	{"SELECT 1 FROM salesorder.sales_rollup_delta_0 LIMIT 1", 0, {InvalidOid}},
	{"SELECT 1 FROM salesorder.sales_rollup_delta_1 LIMIT 1", 0, {InvalidOid}},
};

/* Whether the delta table has any row (1.x: one table, no slots). */
static SoPlan any_delta_plan = {
	"SELECT 1 FROM salesorder.sales_rollup_delta LIMIT 1", 0, {InvalidOid}
};

static SoPlan empty_plans[2] = {
	{"TRUNCATE salesorder.sales_rollup_delta_0", 0, {InvalidOid}},
	{"TRUNCATE salesorder.sales_rollup_delta_1", 0, {InvalidOid}},
};

static bool
slot_has_rows(int slot)
{
	return so_execute(&has_rows_plans[slot], NULL, NULL, true, 1) == 1;
}

static void
set_state(SoRollupCycle *cycle, int writer_slot, int folded_slot)
{
	Datum		args[2] = {Int16GetDatum(writer_slot), Int16GetDatum(folded_slot)};
	char		nulls[2] = {' ', folded_slot < 0 ? 'n' : ' '};

	so_execute(&set_state_plan, args, nulls, false, 0);
	/* The next state's cut is noted in the next round, after this commit. */
	cycle->noted = false;
	cycle->last_step = GetCurrentTimestamp();
}

/*
 * Whether every transaction running when the cycle reached its present
 * state has ended (or prepared).  The first round in a state notes them
 * and says no: the state's step committed before this round's snapshot,
 * so whoever could still act on the state before it is among them.
 */
static bool
state_settled(SoRollupCycle *cycle, int writer_slot, int folded_slot)
{
	if (cycle->noted &&
		cycle->cut.extension == get_extension_oid("salesorder", false) &&
		cycle->writer_slot == writer_slot && cycle->folded_slot == folded_slot)
		return so_cut_passed(&cycle->cut);
	if (cycle->cut.vxids)
		pfree(cycle->cut.vxids);
	cycle->cut.vxids = NULL;
	so_cut_begin(&cycle->cut, TopMemoryContext);
	cycle->noted = true;
	cycle->writer_slot = writer_slot;
	cycle->folded_slot = folded_slot;
	return false;
}

/* How long the cycle may be held back before the deltas are deleted. */
#define CYCLE_PATIENCE_MS 10000

/*
 * The cycle cannot take its next step yet: after CYCLE_PATIENCE_MS without
 * one, fold what lies outside the folded partition (unfolded: whether
 * there is any) by deleting it.
 */
static int64
held_back(SoRollupCycle *cycle, bool unfolded)
{
	TimestampTz now = GetCurrentTimestamp();
	int64		n;

	if (cycle->last_step == 0)
		cycle->last_step = now;
	if (!unfolded ||
		!TimestampDifferenceExceeds(cycle->last_step, now, CYCLE_PATIENCE_MS))
		return -1;
	n = DatumGetInt64(compact_work(NULL));
	cycle->last_step = now;
	elog(DEBUG1, "salesorder worker: rollup cycle held back by a long transaction, "
		 INT64_FORMAT " deltas folded by deleting them", n);
	return n;
}

/*
 * One round of the cycle: at most one step, never waiting.  Returns the
 * number of delta rows folded (0 for a step that folds none), or -1 when
 * no step was due or possible yet.  SPI connected, in a transaction of
 * its own (the worker's); a delta table of 1.x is compacted as
 * compact_rollup() does.
 */
int64
so_rollup_cycle_round(SoRollupCycle *cycle)
{
	bool		isnull;
	int			writer;
	int			folded;
	int			other;

	if (!so_xact_try_lock(ROLLUP_LOCK_KIND, 0, ExclusiveLock))
		return -1;				/* a compaction or a rebuild is under way */
	if (so_rollup_delta_1x())
	{
		/* Only when there is something to fold: idle, nothing is written. */
		if (so_execute(&any_delta_plan, NULL, NULL, true, 1) == 0)
			return -1;
		return DatumGetInt64(compact_work(NULL));
	}

	so_execute(&state_plan, NULL, NULL, true, 1);
	writer = DatumGetInt16(so_getdatum(0, 1, &isnull));
	folded = DatumGetInt16(so_getdatum(0, 2, &isnull));
	if (isnull)
		folded = -1;
	other = 1 - writer;

	if (folded < 0)
	{
		int64		n;

		if (!slot_has_rows(other))
		{
			/* Idle: switch once deltas come (an idle database writes nothing). */
			if (!slot_has_rows(writer))
			{
				cycle->last_step = GetCurrentTimestamp();
				return -1;
			}
			set_state(cycle, other, -1);
			elog(DEBUG1, "salesorder worker: rollup deltas now go to slot %d", other);
			return 0;
		}
		/* Switched: fold the old partition once nobody appends to it. */
		if (!state_settled(cycle, writer, folded) ||
			!ConditionalLockRelationOid(so_relid(slot_relnames[other]), ShareLock))
			return held_back(cycle, true);
		{
			Datum		arg = Int16GetDatum(other);

			so_execute(&fold_slot_plan, &arg, NULL, false, 1);
			n = so_getint64(0, 1);
		}
		after_fold();
		set_state(cycle, writer, other);
		elog(DEBUG1, "salesorder worker: folded " INT64_FORMAT " rollup deltas of slot %d",
			 n, other);
		return n;
	}

	/* Folded: empty it once no snapshot can see it unfolded. */
	if (!state_settled(cycle, writer, folded) ||
		!ConditionalLockRelationOid(so_relid(slot_relnames[folded]), AccessExclusiveLock))
		return held_back(cycle, slot_has_rows(writer));
	so_execute(&empty_plans[folded], NULL, NULL, false, 0);
	if (slot_has_rows(writer))
	{
		set_state(cycle, folded, -1);
		elog(DEBUG1, "salesorder worker: emptied rollup slot %d, deltas now go to it",
			 folded);
	}
	else
	{
		set_state(cycle, writer, -1);
		elog(DEBUG1, "salesorder worker: emptied rollup slot %d", folded);
	}
	return 0;
}
