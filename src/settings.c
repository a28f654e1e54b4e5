/*-------------------------------------------------------------------------
 *
 * settings.c
 *	  The extension's settings (GUCs): their variables and their definitions.
 *
 * Every setting lives here, whichever module reads it, so that a module
 * reads its settings from the ground floor (settings.h) and _PG_init()
 * (salesorder.c) is the only caller: settings.c calls nothing of the
 * extension.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <limits.h>

#include "settings.h"

#include "fmgr.h"
#include "miscadmin.h"
#include "pgtime.h"
#include "utils/guc.h"
#include "utils/varlena.h"

/*
 * salesorder.allow_self_approval: segregation of duties is on by default; an
 * administrator may relax it (e.g. in a one-person company).
 */
bool		so_allow_self_approval = false;

/*
 * salesorder.pool_logins: logins shared by application pools that SET ROLE
 * per request; for them the role set, not the login, is the person.
 */
char	   *so_pool_logins = NULL;

static bool
check_pool_logins(char **newval, void **extra, GucSource source)
{
	char	   *list = pstrdup(*newval);
	List	   *names;

	if (!SplitIdentifierString(list, ',', &names))
	{
		GUC_check_errdetail("List syntax is invalid: give role names separated by commas.");
		pfree(list);
		return false;
	}
	pfree(list);
	return true;
}

/* salesorder.at_risk_days: an order promised within this many days is at risk. */
int			so_at_risk_days = 3;

/* salesorder.tracking_days: how long order_tracking shows a closed order. */
int			so_tracking_days = 30;

/* salesorder.report_timezone: the time zone of report months. */
char	   *so_report_timezone = NULL;

static bool
check_report_timezone(char **newval, void **extra, GucSource source)
{
	if (pg_tzset(*newval) == NULL)
	{
		GUC_check_errdetail("\"%s\" is not a known time zone.", *newval);
		return false;
	}
	return true;
}

/* salesorder.reserve_in_one_update: off, always the lock-first statement. */
bool		so_reserve_in_one_update = true;

/* The worker's settings: its databases and how often it runs each task. */
char	   *so_worker_databases = NULL;
int			so_notify_interval_ms = 100;
int			so_compact_interval_ms = 1000;
int			so_flag_delays_interval_s = 900;
int			so_checkpoint_interval_s = 300;

/* salesorder.archive_after: age at which history moves to the archives (0: never). */
int			so_archive_after_s = 0;

/* salesorder.event_retention, in seconds; 0 keeps every event. */
int			so_event_retention_s = 30 * 86400;

/* Defines every setting; from _PG_init(). */
void
so_define_settings(void)
{
	DefineCustomBoolVariable("salesorder.allow_self_approval",
							 "Lets the creator of an order approve it.",
							 "Off by default: whoever created an order or a change request cannot approve it.",
							 &so_allow_self_approval,
							 false,
							 PGC_SUSET,
							 0,
							 NULL, NULL, NULL);

	DefineCustomBoolVariable("salesorder.reserve_in_one_update",
							 "Reserves a new order's stock with one UPDATE in product order.",
							 "On by default, where the plan of that UPDATE visits the stock rows in product order; off: the rows are locked first, then updated (one more WAL record per product).",
							 &so_reserve_in_one_update,
							 true,
							 PGC_USERSET,
							 0,
							 NULL, NULL, NULL);

	DefineCustomStringVariable("salesorder.pool_logins",
							   "Logins shared by application pools that SET ROLE per request.",
							   "Segregation of duties takes the login of a session as the person unless it is listed here; for a listed login the role it set is the person.",
							   &so_pool_logins,
							   "",
							   PGC_SUSET,
							   GUC_LIST_INPUT,
							   check_pool_logins, NULL, NULL);

	DefineCustomIntVariable("salesorder.at_risk_days",
							"An open order promised within this many days is at risk.",
							"Used by the order_tracking view and flag_delays().",
							&so_at_risk_days,
							3, 0, 365,
							PGC_USERSET,
							0,
							NULL, NULL, NULL);

	DefineCustomStringVariable("salesorder.report_timezone",
							   "Time zone of the months in the sales reports.",
							   "The rollup behind report_sales is kept in the time zone it was built in (salesorder.rebuild_rollup()); a session with another value gets the report from the raw tables.",
							   &so_report_timezone,
							   "UTC",
							   PGC_USERSET,
							   0,
							   check_report_timezone, NULL, NULL);

	DefineCustomIntVariable("salesorder.notify_interval",
							"How often the worker looks for newly committed events to notify.",
							"One NOTIFY salesorder_events per advance of the outbox horizon; 0 turns the wake-ups off.",
							&so_notify_interval_ms,
							100, 0, 60000,
							PGC_SIGHUP,
							GUC_UNIT_MS,
							NULL, NULL, NULL);

	DefineCustomIntVariable("salesorder.compact_interval",
							"How often the worker folds the report rollup's deltas.",
							"0 turns it off (then schedule compact_rollup() yourself).",
							&so_compact_interval_ms,
							1000, 0, 3600000,
							PGC_SIGHUP,
							GUC_UNIT_MS,
							NULL, NULL, NULL);

	DefineCustomIntVariable("salesorder.flag_delays_interval",
							"How often the worker runs flag_delays().",
							"0 turns it off (then schedule flag_delays() yourself).",
							&so_flag_delays_interval_s,
							900, 0, 86400,
							PGC_SIGHUP,
							GUC_UNIT_S,
							NULL, NULL, NULL);

	DefineCustomIntVariable("salesorder.checkpoint_interval",
							"How often the worker checkpoints the stock ledger and the closed orders.",
							"verify_stock() sums the ledger rows after the last checkpoint only, report_pipeline reads the orders closed since; 0 turns it off (then schedule checkpoint_ledger() and checkpoint_pipeline() yourself).",
							&so_checkpoint_interval_s,
							300, 0, 86400,
							PGC_SIGHUP,
							GUC_UNIT_S,
							NULL, NULL, NULL);

	DefineCustomIntVariable("salesorder.archive_after",
							"Age at which ledger rows and the status history of closed orders move to the archives.",
							"The worker and archive_history() move them into tables partitioned by month; 0 never moves anything.",
							&so_archive_after_s,
							0, 0, INT_MAX,
							PGC_SIGHUP,
							GUC_UNIT_S,
							NULL, NULL, NULL);

	DefineCustomIntVariable("salesorder.tracking_days",
							"How many days order_tracking keeps showing an order after it was completed or cancelled.",
							"Older closed orders are in order_tracking_all.",
							&so_tracking_days,
							30, 0, 36500,
							PGC_USERSET,
							0,
							NULL, NULL, NULL);

	DefineCustomIntVariable("salesorder.event_retention",
							"How long events stay in the outbox once no registered consumer needs them.",
							"trim_events() and the worker delete older events that every consumer registered with ack_events() has read; 0 keeps every event.",
							&so_event_retention_s,
							30 * 86400, 0, INT_MAX,
							PGC_SIGHUP,
							GUC_UNIT_S,
							NULL, NULL, NULL);

	/*
	 * The worker's databases are fixed at server start: the setting exists
	 * (and can only exist, being PGC_POSTMASTER) where the library is
	 * preloaded.
	 */
	if (process_shared_preload_libraries_in_progress)
		DefineCustomStringVariable("salesorder.database",
								   "Databases the salesorder background worker serves.",
								   "A comma-separated list; one worker per database, started when salesorder is in shared_preload_libraries. In a database without the extension the worker only waits.",
								   &so_worker_databases,
								   "postgres",
								   PGC_POSTMASTER,
								   GUC_LIST_INPUT,
								   NULL, NULL, NULL);

	MarkGUCPrefixReserved("salesorder");
}
