/*-------------------------------------------------------------------------
 *
 * worker.h
 *	  The background worker (worker.c).
 *
 *-------------------------------------------------------------------------
 */
#ifndef SO_WORKER_H
#define SO_WORKER_H

#include "salesorder.h"

extern char *so_worker_databases;
extern int	so_notify_interval_ms;
extern int	so_compact_interval_ms;
extern int	so_checkpoint_interval_s;
extern int	so_flag_delays_interval_s;
extern void so_register_workers(void);

#endif							/* SO_WORKER_H */
