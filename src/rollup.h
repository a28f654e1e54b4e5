/*-------------------------------------------------------------------------
 *
 * rollup.h
 *	  The report rollup (rollup.c).
 *
 *-------------------------------------------------------------------------
 */
#ifndef SO_ROLLUP_H
#define SO_ROLLUP_H

#include "sqlstate.h"
#include "order_row.h"

/*
 * Compactions and rebuilds take turns on this lock; order entry never
 * waits for them.  An advisory tag SQL cannot produce (see so_xact_lock):
 * with the SQL key 1.1 used, any login role could hold it and stop
 * compaction.
 */
#define ROLLUP_LOCK_KIND 0x5352		/* 'SR' */

extern bool so_rollup_delta_1x(void);
extern void so_rollup_order(int64 order_id, int sign);
struct SoLine;
extern void so_rollup_lines(const char *region, const char *segment,
							const struct SoLine *lines, int n);

#endif							/* SO_ROLLUP_H */
