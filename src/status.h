/*-------------------------------------------------------------------------
 *
 * status.h
 *	  The order statuses: one enum, its labels, and the sets the rules speak
 *	  of (status.c).  Ground level: status.c calls nothing of the extension
 *	  but the SPI helpers.
 *
 *-------------------------------------------------------------------------
 */
#ifndef SO_STATUS_H
#define SO_STATUS_H

#include "sqlstate.h"

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

/*
 * The values of salesorder.order_status, in the enum's order.
 */
typedef enum SoStatus
{
	SO_DRAFT,
	SO_PENDING_APPROVAL,
	SO_APPROVED,
	SO_REJECTED,
	SO_IN_PRODUCTION,
	SO_PARTIALLY_SHIPPED,
	SO_SHIPPED,
	SO_DELIVERED,
	SO_COMPLETED,
	SO_ON_HOLD,
	SO_CANCELLED,
	SO_NSTATUSES
} SoStatus;

/* A set of statuses: bit s is status s. */
typedef uint32 SoStatusSet;
#define SO_SET(s) ((SoStatusSet) 1 << (s))

/* The sets of the SO_STATUSES_* lists above, as bitmasks. */
#define SO_SET_IN_PROGRESS \
	(SO_SET(SO_PENDING_APPROVAL) | SO_SET(SO_APPROVED) | \
	 SO_SET(SO_IN_PRODUCTION) | SO_SET(SO_PARTIALLY_SHIPPED))
#define SO_SET_IN_FLIGHT (SO_SET_IN_PROGRESS | SO_SET(SO_ON_HOLD))
#define SO_SET_CLOSED (SO_SET(SO_COMPLETED) | SO_SET(SO_CANCELLED))
#define SO_SET_IN_REPORT \
	(SO_SET_IN_FLIGHT | SO_SET(SO_SHIPPED) | SO_SET(SO_DELIVERED) | \
	 SO_SET(SO_COMPLETED))
#define SO_SET_SHIPPABLE \
	(SO_SET(SO_APPROVED) | SO_SET(SO_IN_PRODUCTION) | SO_SET(SO_PARTIALLY_SHIPPED))
/* request_change() takes orders that are approved and not yet shipped. */
#define SO_SET_CHANGEABLE SO_SET_SHIPPABLE

extern const char *so_status_name(SoStatus status);
extern SoStatus so_status_parse(const char *label);
extern bool so_status_is(const char *label, SoStatusSet set);
extern char *so_status_label(Datum enum_value);

/* The predicates the other modules use, by label. */
#define so_status_in_progress(label) so_status_is((label), SO_SET_IN_PROGRESS)
#define so_status_in_report(label) so_status_is((label), SO_SET_IN_REPORT)
#define so_status_shippable(label) so_status_is((label), SO_SET_SHIPPABLE)

#endif							/* SO_STATUS_H */
