/*-------------------------------------------------------------------------
 *
 * exposure.h
 *	  Each customer's credit exposure as a running figure (exposure.c).
 *
 *-------------------------------------------------------------------------
 */
#ifndef SO_EXPOSURE_H
#define SO_EXPOSURE_H

#include "sqlstate.h"

extern Datum so_order_exposure(const char *status, const char *hold_from,
							   Datum total, int64 order_id,
							   bool read_only);
extern void so_exposure_track(int64 order_id, int64 customer_id,
							  const char *status, const char *hold_from,
							  Datum total_amount);
extern void so_exposure_track_new(int64 order_id, int64 customer_id,
								  Datum adds);
extern void so_exposure_settle(void);
extern void so_exposure_forget(void);
extern void so_exposure_init(void);

#endif							/* SO_EXPOSURE_H */
