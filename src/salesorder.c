/*-------------------------------------------------------------------------
 *
 * salesorder.c
 *	  Module load: the magic block and _PG_init(), the top of the module's
 *	  calls -- it defines the settings, starts the workers and hooks the
 *	  modules that keep per-transaction state.
 *
 *-------------------------------------------------------------------------
 */
#include "sqlstate.h"
#include "events.h"
#include "exposure.h"
#include "settings.h"
#include "worker.h"

#include "fmgr.h"
#include "miscadmin.h"

PG_MODULE_MAGIC;

void		_PG_init(void);

void
_PG_init(void)
{
	so_define_settings();
	if (process_shared_preload_libraries_in_progress)
		so_register_workers();
	so_events_init();
	so_exposure_init();
}
