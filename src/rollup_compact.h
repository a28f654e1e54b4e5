/*-------------------------------------------------------------------------
 *
 * rollup_compact.h
 *	  Folding the report deltas: compact_rollup() and the worker's cycle
 *	  (rollup_compact.c).
 *
 *-------------------------------------------------------------------------
 */
#ifndef SO_ROLLUP_COMPACT_H
#define SO_ROLLUP_COMPACT_H

#include "sqlstate.h"
#include "cut.h"

/* What the worker keeps of the cycle between its rounds. */
typedef struct SoRollupCycle
{
	SoCut		cut;			/* noted in the state below */
	bool		noted;
	int			writer_slot;
	int			folded_slot;	/* -1: none */
	TimestampTz last_step;		/* of the cycle, or idle; 0: none yet */
} SoRollupCycle;

extern int64 so_rollup_cycle_round(SoRollupCycle *cycle);

#endif							/* SO_ROLLUP_COMPACT_H */
