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

extern void so_rollup_order(int64 order_id, int sign);
struct SoLine;
extern void so_rollup_lines(const char *region, const char *segment,
							const struct SoLine *lines, int n);

#endif							/* SO_ROLLUP_H */
