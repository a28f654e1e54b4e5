/*-------------------------------------------------------------------------
 *
 * visibility.h
 *	  Who sees which orders: the access check of the functions (visibility.c).
 *
 *-------------------------------------------------------------------------
 */
#ifndef SO_VISIBILITY_H
#define SO_VISIBILITY_H

#include "sqlstate.h"

extern void so_check_access(const char *sales_rep, int64 customer_id,
							int64 order_id, const char *order_no);
extern bool so_is_admin(Oid roleid);

#endif							/* SO_VISIBILITY_H */
