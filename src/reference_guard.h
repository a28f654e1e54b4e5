/*-------------------------------------------------------------------------
 *
 * reference_guard.h
 *	  References kept without foreign keys (reference_guard.c).
 *
 *-------------------------------------------------------------------------
 */
#ifndef SO_REFERENCE_GUARD_H
#define SO_REFERENCE_GUARD_H

#include "sqlstate.h"

extern bool so_stock_has_ledger(int64 warehouse_id, int64 product_id);
extern void so_lock_order_lines(void);
extern void so_lock_orders(void);
extern void so_check_order_warehouse(int64 warehouse_id);
extern int	so_look_up_warehouse(int64 warehouse_id);

#endif							/* SO_REFERENCE_GUARD_H */
