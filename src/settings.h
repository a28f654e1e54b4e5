/*-------------------------------------------------------------------------
 *
 * settings.h
 *	  The extension's settings (settings.c), read by the modules they steer.
 *
 *-------------------------------------------------------------------------
 */
#ifndef SO_SETTINGS_H
#define SO_SETTINGS_H

/* Segregation of duties and the person behind a pooled login. */
extern bool so_allow_self_approval;
extern char *so_pool_logins;

/* Tracking and reports. */
extern int	so_at_risk_days;
extern int	so_tracking_days;
extern char *so_report_timezone;

/* Reservation: the one-UPDATE path (stock_reserve.c). */
extern bool so_reserve_in_one_update;

/* The worker: its databases and the intervals of its tasks. */
extern char *so_worker_databases;
extern int	so_notify_interval_ms;
extern int	so_compact_interval_ms;
extern int	so_checkpoint_interval_s;
extern int	so_flag_delays_interval_s;
extern int	so_archive_after_s;
extern int	so_event_retention_s;

extern void so_define_settings(void);

#endif							/* SO_SETTINGS_H */
