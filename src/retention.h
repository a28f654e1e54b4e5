/*-------------------------------------------------------------------------
 *
 * retention.h
 *	  Outbox retention (retention.c).
 *
 *-------------------------------------------------------------------------
 */
#ifndef SO_RETENTION_H
#define SO_RETENTION_H

#include "sqlstate.h"

extern int	so_trim_events_batch(int64 keep_s, int max_events);

#endif							/* SO_RETENTION_H */
