/*-------------------------------------------------------------------------
 *
 * salesorder.h
 *	  What every salesorder C source needs.
 *
 * The common header: the SQLSTATEs, the module's settings and the helpers
 * every source uses -- privilege.c (acting user, privilege switch),
 * visibility.c (who sees which orders), spi_util.c (kept SPI plans, datum
 * helpers) and json_input.c (the jsonb arguments).  Each other module
 * declares what it offers in a header of its own (status.h, stock.h,
 * order.h, approval.h, reference_guard.h, change.h, events.h,
 * checkpoint.h, archive.h, retention.h, rollup.h, tracking.h, worker.h),
 * included by the sources that use it.
 *
 *-------------------------------------------------------------------------
 */
#ifndef SALESORDER_H
#define SALESORDER_H

#include "postgres.h"

#include "executor/spi.h"
#include "utils/date.h"
#include "utils/timestamp.h"
#include "utils/jsonb.h"

/*
 * SQLSTATEs of this extension.  They are part of the public contract and
 * documented in README.md; never renumber them.
 */
#define ERRCODE_SO_INSUFFICIENT_STOCK	MAKE_SQLSTATE('S','O','0','0','1')
#define ERRCODE_SO_ILLEGAL_TRANSITION	MAKE_SQLSTATE('S','O','0','0','2')
#define ERRCODE_SO_NOT_APPROVER			MAKE_SQLSTATE('S','O','0','0','3')
#define ERRCODE_SO_STALE_REVISION		MAKE_SQLSTATE('S','O','0','0','4')
#define ERRCODE_SO_CREDIT_HOLD			MAKE_SQLSTATE('S','O','0','0','5')
#define ERRCODE_SO_NOT_EDITABLE			MAKE_SQLSTATE('S','O','0','0','6')
#define ERRCODE_SO_NOT_FOUND			MAKE_SQLSTATE('S','O','0','1','0')
#define ERRCODE_SO_INACTIVE				MAKE_SQLSTATE('S','O','0','1','1')

/*
 * The bounds of what an order may hold, which keep every quantity, price and
 * amount inside its column: quantities numeric(14,3), prices numeric(14,4),
 * amounts numeric(14,2).  Each bound is exclusive; as numeric literals.
 */
#define SO_MAX_LINES		10000			/* lines in one order */
#define SO_MAX_QTY			"100000000000"	/* a quantity, 10^11 */
#define SO_MAX_PRICE		"10000000000"	/* a unit price, 10^10 */
#define SO_MAX_AMOUNT		"1000000000000" /* a line or order amount, 10^12 */

/* ---- salesorder.c ---- */
extern bool so_allow_self_approval;
extern char *so_pool_logins;

extern int	so_at_risk_days;
extern int	so_tracking_days;
extern char *so_report_timezone;

/* ---- privilege.c ---- */

/*
 * Every SQL-callable entry point and every trigger that writes runs its work
 * through so_run_as_owner(), which captures the acting user and switches to
 * the extension owner around it.
 */
typedef Datum (*SoWork) (void *arg);

/* result_type of so_run_as_owner() for a pass-by-value result. */
#define SO_RESULT_BYVAL InvalidOid

extern Datum so_run_as_owner(SoWork work, void *arg, Oid result_type);
typedef void (*SoOperationEnd) (bool done);
extern void so_on_operation_end(SoOperationEnd callback);
extern bool so_in_internal_write(void);
extern Oid	so_acting_user(void);
extern char *so_acting_user_name(void);
extern char *so_same_person(const char *role_a, const char *login_a,
							const char *role_b, const char *login_b);
extern char *so_session_login_name(void);
extern bool so_records_logins(void);
extern Oid	so_extension_owner(void);

/* ---- visibility.c ---- */
extern void so_check_access(const char *sales_rep, int64 customer_id,
							int64 order_id, const char *order_no);
extern bool so_is_admin(Oid roleid);

/* ---- spi_util.c ---- */

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

/* ---- json_input.c ---- */

/* One requested order line as given by the caller, before lookup. */
typedef struct SoLineInput
{
	int			index;			/* 1-based position in the array */
	int64		product_id;		/* 0 when given by sku */
	char	   *sku;			/* NULL when given by product_id */
	Datum		qty;			/* numeric */
	Datum		unit_price;		/* numeric, valid if has_price */
	bool		has_price;
	Datum		discount_pct;	/* numeric, 0 when absent */
	char	   *note;
} SoLineInput;

/* Options of create_order / copy_order. */
typedef struct SoOrderOptions
{
	int64		warehouse_id;	/* 0: customer's default */
	char	   *ship_to;		/* NULL: customer's default */
	bool		has_requested_date;
	DateADT		requested_date;
	bool		has_promised_date;
	DateADT		promised_date;
	bool		has_special_requirements;
	char	   *special_requirements;
	bool		has_notes;
	char	   *notes;
	bool		draft;
	bool		backorder;
	char	   *idempotency_key;
} SoOrderOptions;

/* One requested shipment line of ship(). */
typedef struct SoShipInput
{
	int			index;
	int			line_no;
	Datum		qty;
} SoShipInput;

extern SoLineInput *so_parse_lines(Jsonb *lines, int *nlines);
extern SoLineInput *so_parse_lines_in(JsonbContainer *array, const char *name,
									  int *nlines);
extern Datum so_json_number(const char *where, JsonbValue *v, int max_scale,
							const char *min, bool min_exclusive,
							const char *max, bool max_exclusive);
extern int64 so_json_id(const char *where, JsonbValue *v);
extern int	so_json_line_no(const char *where, JsonbValue *v);
extern char *so_json_string(const char *where, JsonbValue *v, bool nullable,
							int maxlen);
extern DateADT so_json_date(const char *where, JsonbValue *v);
extern char *so_clip(const char *s, int len, int maxbytes);
extern bool so_json_key_is(JsonbValue *k, const char *name);
extern void so_json_unknown_key(const char *where, JsonbValue *k,
								const char *allowed);
extern void so_json_wrong_type(const char *where, const char *expected,
							   JsonbValue *v);
extern void so_parse_order_options(Jsonb *options, SoOrderOptions *opts);
extern void so_check_reason(const char *what, text *reason);
extern Datum so_check_quantity(const char *name, Datum qty, bool signed_delta);
extern SoShipInput *so_parse_ship_lines(Jsonb *lines, int *nlines);

#endif							/* SALESORDER_H */
