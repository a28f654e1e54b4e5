/*-------------------------------------------------------------------------
 *
 * transition.h
 *	  Moving an order from one status to another (transition.c).
 *
 *-------------------------------------------------------------------------
 */
#ifndef SO_TRANSITION_H
#define SO_TRANSITION_H

#include "sqlstate.h"
#include "order_row.h"
#include "status.h"

/* What a move does beyond the order row (see transition.c). */
typedef uint32 SoEffects;
#define SO_EFFECT_REPORT_IN		(1 << 0)
#define SO_EFFECT_REPORT_OUT	(1 << 1)
#define SO_EFFECT_RELEASE		(1 << 2)
#define SO_EFFECT_CLOSE_STEPS	(1 << 3)
#define SO_EFFECT_CLOSE_CHANGES	(1 << 4)
#define SO_EFFECT_STOP_WAITING	(1 << 5)

extern SoEffects so_move_effects(SoStatus from, SoStatus to);
extern void so_apply_move_effects(int64 order_id, int64 customer_id,
								  int64 warehouse_id, const char *from,
								  const char *to);
extern Datum so_move_order(const SoLockedOrder *o, const char *to,
						   const char *reason);
extern void so_check_transition(const char *order_no, const char *from,
								const char *to, const char *hold_from,
								bool direct);

#endif							/* SO_TRANSITION_H */
