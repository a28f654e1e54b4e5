/*-------------------------------------------------------------------------
 *
 * change.h
 *	  Change requests (change.c).
 *
 *-------------------------------------------------------------------------
 */
#ifndef SO_CHANGE_H
#define SO_CHANGE_H

#include "salesorder.h"

extern void so_close_change_requests(int64 order_id, const char *why);

#endif							/* SO_CHANGE_H */
