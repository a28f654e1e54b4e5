/*-------------------------------------------------------------------------
 *
 * worker.h
 *	  The background worker (worker.c).
 *
 *-------------------------------------------------------------------------
 */
#ifndef SO_WORKER_H
#define SO_WORKER_H

#include "sqlstate.h"

extern void so_register_workers(void);

#endif							/* SO_WORKER_H */
