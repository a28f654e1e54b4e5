/*-------------------------------------------------------------------------
 *
 * checkpoint.h
 *	  Checkpoints of the append-only history: the cut, the ledger, the
 *	  closed orders (cut.c, ledger_checkpoint.c, pipeline.c).
 *
 *-------------------------------------------------------------------------
 */
#ifndef SO_CHECKPOINT_H
#define SO_CHECKPOINT_H

#include "salesorder.h"

typedef struct SoCut
{
	Oid			extension;		/* the installation it was taken in */
	int64		ledger_upto;	/* the ledger sequence's last value */
	TimestampTz closed_before;	/* the clock when it was read */
	void	   *vxids;			/* VirtualTransactionIds running then */
	int			nvxids;
} SoCut;
extern void so_cut_begin(SoCut *cut, MemoryContext cxt);
extern bool so_cut_ready(SoCut *cut, bool wait);
extern bool so_cut_manual(void);

extern int64 so_lock_ledger_checkpoint(void);
extern int64 so_ledger_cut_fold(SoCut *cut, int64 max_ids);

extern TimestampTz so_pipeline_fold(SoCut *cut);

#endif							/* SO_CHECKPOINT_H */
