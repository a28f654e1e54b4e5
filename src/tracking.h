/*-------------------------------------------------------------------------
 *
 * tracking.h
 *	  Stages and delay flagging (tracking.c).
 *
 *-------------------------------------------------------------------------
 */
#ifndef SO_TRACKING_H
#define SO_TRACKING_H

#include "sqlstate.h"

extern int	so_flag_delays_batch(TimestampTz as_of, int limit);

#endif							/* SO_TRACKING_H */
