/*-------------------------------------------------------------------------
 *
 * cut.h
 *	  Checkpoint cuts: the point a checkpoint may fold up to (cut.c).
 *
 *-------------------------------------------------------------------------
 */
#ifndef SO_CUT_H
#define SO_CUT_H

#include "sqlstate.h"

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
extern bool so_cut_passed(SoCut *cut);
extern bool so_cut_manual(void);

#endif							/* SO_CUT_H */
