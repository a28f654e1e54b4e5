/*-------------------------------------------------------------------------
 *
 * spi_util.h
 *	  Kept SPI plans and datum helpers (spi_util.c).
 *
 *-------------------------------------------------------------------------
 */
#ifndef SO_SPI_UTIL_H
#define SO_SPI_UTIL_H

#include "sqlstate.h"

#define SO_MAX_PLAN_ARGS 20

/*
 * A statement prepared once per backend.  Declare one static SoPlan per
 * statement; so_execute() prepares it (SPI_keepplan) on first use.
 */
typedef struct SoPlan
{
	const char *sql;
	int			nargs;
	Oid			argtypes[SO_MAX_PLAN_ARGS];
	SPIPlanPtr	plan;
	int			cursor_options; /* for SPI_prepare_cursor: 0, or e.g.
								 * CURSOR_OPT_GENERIC_PLAN */
} SoPlan;

extern SPIPlanPtr so_prepared(SoPlan *plan);
extern int	so_execute(SoPlan *plan, Datum *values, const char *nulls,
					   bool read_only, long count);
extern Datum so_getdatum(int row, int col, bool *isnull);
extern int64 so_getint64(int row, int col);
extern char *so_gettext(int row, int col);
extern bool so_maintenance_args(FunctionCallInfo fcinfo, int64 setting_s,
								const char *max_name, int64 *keep_s, int *max);
extern Datum so_numeric(const char *s);
extern Datum so_numeric_from_int64(int64 v);
extern int	so_numeric_cmp(Datum a, Datum b);
extern Datum so_text_datum(const char *s);
extern Datum so_make_array(Datum *elems, bool *nulls, int n, Oid elemtype);
extern void so_require_args(FunctionCallInfo fcinfo, int nargs, ...);
extern Oid	so_relid(const char *relname);
extern Oid	so_relid_if_exists(const char *relname);
extern Datum so_return_text_pairs(FunctionCallInfo fcinfo,
								  const char *const pairs[][2], int n);
typedef void (*SoRowCallback) (struct TupleTableSlot *slot, void *arg);
extern void so_scan_table(const char *relname, SoRowCallback row, void *arg);
extern void so_xact_lock(uint16 kind, int64 key, LOCKMODE mode);
extern bool so_xact_try_lock(uint16 kind, int64 key, LOCKMODE mode);
extern void so_require_read_committed(const char *function, const char *detail);

#endif							/* SO_SPI_UTIL_H */
