/*-------------------------------------------------------------------------
 *
 * events.h
 *	  The outbox and its horizon (events.c).
 *
 *-------------------------------------------------------------------------
 */
#ifndef SO_EVENTS_H
#define SO_EVENTS_H

#include "sqlstate.h"

extern void so_events_init(void);
extern int64 so_emit_event(int64 order_id, int64 customer_id, const char *kind,
						   const char *payload);
extern void so_prepare_events(void);
extern int64 so_event_horizon_now(void);

#endif							/* SO_EVENTS_H */
