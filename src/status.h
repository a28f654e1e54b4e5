/*-------------------------------------------------------------------------
 *
 * status.h
 *	  The state machine: the status sets, transition checks and the history
 *	  (status.c).
 *
 *-------------------------------------------------------------------------
 */
#ifndef SO_STATUS_H
#define SO_STATUS_H

#include "datatype/timestamp.h"

#include "salesorder.h"

/*
 * The sets of statuses the rules speak of, as comma-separated labels: the
 * C predicates below read them, and SO_STATUS_IN puts one into a plan's
 * SQL as an array constant (so that the plans need nothing from the
 * installed schema but the type, also under an older release's).
 */
#define SO_STATUSES_IN_FLIGHT \
	"pending_approval,approved,in_production,partially_shipped,on_hold"
#define SO_STATUSES_IN_PROGRESS \
	"pending_approval,approved,in_production,partially_shipped"
#define SO_STATUSES_CLOSED "completed,cancelled"
#define SO_STATUSES_IN_REPORT \
	"pending_approval,approved,in_production,partially_shipped,shipped," \
	"delivered,completed,on_hold"
#define SO_STATUSES_SHIPPABLE "approved,in_production,partially_shipped"

/*
 * "col = ANY ('{...}'::salesorder.order_status[])" for a set above, with
 * pg_catalog's operator named: pg_catalog has only anyenum = anyenum, so
 * an operator on the enum itself in a schema of the search_path would win
 * (the background worker runs these plans as a superuser).
 */
#define SO_STATUS_IN(col, set) \
	col " OPERATOR(pg_catalog.=) ANY ('{" set "}'::salesorder.order_status[])"

extern char *so_status_label(Datum enum_value);
extern bool so_status_in_progress(const char *status);
extern bool so_status_in_report(const char *status);
extern bool so_status_shippable(const char *status);
extern void so_check_transition(const char *order_no, const char *from,
								const char *to, const char *hold_from,
								bool direct);
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

#endif							/* SO_STATUS_H */
