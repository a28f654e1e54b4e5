/*-------------------------------------------------------------------------
 *
 * history.h
 *	  The order history and its outbox events (history.c).
 *
 *-------------------------------------------------------------------------
 */
#ifndef SO_HISTORY_H
#define SO_HISTORY_H

#include "datatype/timestamp.h"

#include "sqlstate.h"

extern void so_defer_history(int64 order_id);
extern void so_write_history(int64 order_id, int64 customer_id,
							 const char *from, const char *to,
							 const char *reason, TimestampTz changed_at);
extern void so_write_history_kind(int64 order_id, int64 customer_id,
								  const char *from, const char *to,
								  const char *kind, const char *reason);
extern void so_write_history_event(int64 order_id, int64 customer_id,
								   const char *from, const char *to,
								   const char *kind, const char *event_kind,
								   const char *reason);

#endif							/* SO_HISTORY_H */
