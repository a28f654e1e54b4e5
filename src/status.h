/*-------------------------------------------------------------------------
 *
 * status.h
 *	  The state machine: transition checks and the history (status.c).
 *
 *-------------------------------------------------------------------------
 */
#ifndef SO_STATUS_H
#define SO_STATUS_H

#include "salesorder.h"

extern char *so_status_label(Datum enum_value);
extern void so_check_transition(const char *order_no, const char *from,
								const char *to, const char *hold_from,
								bool direct);
extern void so_write_history(int64 order_id, int64 customer_id,
							 const char *from, const char *to,
							 const char *reason);
extern void so_write_history_kind(int64 order_id, int64 customer_id,
								  const char *from, const char *to,
								  const char *kind, const char *reason);
extern void so_write_history_event(int64 order_id, int64 customer_id,
								   const char *from, const char *to,
								   const char *kind, const char *event_kind,
								   const char *reason);

#endif							/* SO_STATUS_H */
