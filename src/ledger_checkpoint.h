/*-------------------------------------------------------------------------
 *
 * ledger_checkpoint.h
 *	  The ledger checkpoint (ledger_checkpoint.c).
 *
 *-------------------------------------------------------------------------
 */
#ifndef SO_LEDGER_CHECKPOINT_H
#define SO_LEDGER_CHECKPOINT_H

#include "sqlstate.h"
#include "cut.h"

extern int64 so_lock_ledger_checkpoint(void);
extern int64 so_ledger_cut_fold(SoCut *cut, int64 max_ids);

#endif							/* SO_LEDGER_CHECKPOINT_H */
