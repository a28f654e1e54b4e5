/*-------------------------------------------------------------------------
 *
 * salesorder.h
 *	  Declarations shared by the salesorder C sources.
 *
 * One file a concern:
 *	  salesorder.c	module load, GUCs
 *	  privilege.c	acting user, privilege switch, access checks
 *	  spi_util.c	SPI plans kept per backend, small datum helpers
 *	  json_input.c	parsing and validating the jsonb arguments
 *	  status.c		the state machine (transition check, history)
 *	  guard.c		triggers that guard the order tables and the ledger
 *	  order.c		the order lifecycle functions
 *	  visibility.c	who sees which orders (row-level security and functions)
 *	  worker.c		the background worker (wake-ups, compaction, delays)
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

/* The statuses in which an order holds stock (reservations, backorders). */
#define SO_OPEN_STATUSES \
	"('pending_approval', 'approved', 'in_production', 'partially_shipped', 'on_hold')"

/* Upper bounds that keep every amount inside numeric(14,2). */
#define SO_MAX_LINES		10000

/* ---- salesorder.c ---- */
extern bool so_allow_self_approval;
extern char *so_pool_logins;

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
} SoPlan;

extern int	so_execute(SoPlan *plan, Datum *values, const char *nulls,
					   bool read_only, long count);
extern Datum so_getdatum(int row, int col, bool *isnull);
extern int64 so_getint64(int row, int col);
extern char *so_gettext(int row, int col);
extern int64 so_interval_seconds(const Interval *age, const char *what);
extern Datum so_numeric(const char *s);
extern Datum so_numeric_from_int64(int64 v);
extern int	so_numeric_cmp(Datum a, Datum b);
extern Datum so_text_datum(const char *s);
extern Datum so_make_array(Datum *elems, bool *nulls, int n, Oid elemtype);
extern void so_require_args(FunctionCallInfo fcinfo, int nargs, ...);
extern Oid	so_relid(const char *relname);
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

/* ---- status.c ---- */
extern char *so_status_label(Datum enum_value);
extern void so_check_transition(const char *order_no, const char *from,
								const char *to, const char *hold_from,
								bool direct);
extern void so_write_history(int64 order_id, int64 customer_id,
							 const char *from, const char *to,
							 const char *reason);
extern void so_write_history_kind(int64 order_id, int64 customer_id,
								  const char *from, const char *to,
								  const char *kind, const char *reason);
extern void so_write_history_event(int64 order_id, int64 customer_id,
								   const char *from, const char *to,
								   const char *kind, const char *event_kind,
								   const char *reason);

/* ---- stock.c ---- */

/* A line to reserve: want is the quantity to cover; the rest is filled in. */
typedef struct SoStockLine
{
	int			line_no;
	int64		product_id;
	Datum		want;
	Datum		reserved;		/* out */
	Datum		backorder;		/* out */
} SoStockLine;

/* One ledger row: deltas of on_hand and reserved for a product (and line). */
typedef struct SoStockMove
{
	int64		product_id;
	int			line_no;		/* 0: not an order line */
	Datum		on_hand_delta;
	Datum		reserved_delta;
} SoStockMove;

extern bool so_reserve_lines(int64 order_id, int64 customer_id,
							 int64 warehouse_id, SoStockLine *lines, int n,
							 bool allow_backorder);
extern void so_release_order(int64 order_id, int64 customer_id,
							 int64 warehouse_id, const char *why);
extern void so_store_reservations(int64 order_id, SoStockLine *lines, int n);
extern char *so_product_sku(int64 product_id);
extern void so_lock_stock_for(int64 warehouse_id, SoStockMove *moves, int n);
extern void so_move_stock(int64 warehouse_id, int64 order_id,
						  int64 customer_id, const char *kind,
						  const char *note, SoStockMove *moves, int n);

/* ---- order.c ---- */

/* A line after product look-up, with its amounts. */
typedef struct SoLine
{
	int64		product_id;
	char	   *category;		/* the product's, for the report rollup */
	Datum		qty;
	Datum		unit_price;
	Datum		discount_pct;
	Datum		gross;
	Datum		amount;
	char	   *note;
} SoLine;

extern SoLine *so_resolve_lines(SoLineInput *in, int n);

/* An order row locked FOR UPDATE by so_lock_order(). */
typedef struct SoLockedOrder
{
	int64		id;
	char	   *status;
	char	   *order_no;
	int64		customer_id;
	char	   *hold_from;
	int			line_count;
	int64		warehouse_id;
	bool		allow_backorder;
	char	   *created_by;
} SoLockedOrder;

extern void so_compute_line(Datum qty, Datum unit_price, Datum discount_pct,
							Datum *gross, Datum *amount);
extern void so_lock_order(int64 order_id, SoLockedOrder *o);
extern void so_lock_order_for(int64 order_id, SoLockedOrder *o,
							  bool check_access);
extern Datum so_set_status(const SoLockedOrder *o, const char *to,
						   const char *reason);
extern Datum so_order_status(int64 order_id);
extern void so_set_needs_stock(int64 order_id, bool needs_stock);


/* ---- approval.c ---- */

/* What the approval rules look at when an order is submitted. */
typedef struct SoSubmission
{
	int64		order_id;		/* 0 before the order row exists */
	int64		customer_id;
	Datum		total;			/* numeric */
	Datum		max_discount;	/* numeric: the largest line discount */
	const char *special_requirements;	/* NULL: none */
	bool		backordered;
} SoSubmission;

/* A rule that fired: it becomes one approval_step. */
typedef struct SoFiredRule
{
	int64		rule_id;
	int			level;
	char	   *department;
	char	   *approver_role;
	char	   *reason;
	Datum		figures;		/* jsonb */
} SoFiredRule;

extern int	so_evaluate_rules(const SoSubmission *sub, SoFiredRule **fired);
extern void so_insert_steps(int64 order_id, int64 customer_id,
							int64 change_request_id, int round,
							SoFiredRule *fired, int n);
extern int	so_decide_steps(int64 order_id, int64 change_request_id,
							const char *subject, const char *requester,
							const char *requester_login,
							bool approve, const char *comment,
							char **decided_out);
extern int	so_next_round(int64 order_id);
extern char *so_steps_summary(SoFiredRule *fired, int n);
extern void so_close_steps(int64 order_id, const char *why);

/* ---- reference_guard.c ---- */
extern bool so_stock_has_ledger(int64 warehouse_id, int64 product_id);
extern void so_lock_order_lines(void);
extern void so_lock_orders(void);
extern void so_check_order_warehouse(int64 warehouse_id);
extern int	so_look_up_warehouse(int64 warehouse_id);

/* ---- change.c ---- */
extern void so_close_change_requests(int64 order_id, const char *why);

/* ---- events.c ---- */
extern void so_events_init(void);
extern int64 so_emit_event(int64 order_id, int64 customer_id, const char *kind,
						   const char *payload);
extern void so_prepare_events(void);
extern int64 so_event_horizon_now(void);

/* ---- archive.c ---- */
extern int	so_archive_after_s;
extern bool so_in_archive_move(void);
extern int64 so_archive_batch(int64 keep_s, int max_rows);

/* ---- cut.c ---- */
typedef struct SoCut
{
	Oid			extension;		/* the installation it was taken in */
	int64		ledger_upto;	/* the ledger sequence's last value */
	TimestampTz closed_before;	/* the clock when it was read */
	void	   *vxids;			/* VirtualTransactionIds running then */
	int			nvxids;
} SoCut;
extern void so_cut_begin(SoCut *cut, MemoryContext cxt);
extern bool so_cut_ready(SoCut *cut, bool wait);
extern bool so_cut_manual(void);

/* ---- ledger_checkpoint.c ---- */
extern int64 so_ledger_cut_fold(SoCut *cut, int64 max_ids);

/* ---- pipeline.c ---- */
extern TimestampTz so_pipeline_fold(SoCut *cut);

/* ---- retention.c ---- */
extern int	so_event_retention_s;
extern int	so_trim_events_batch(int64 keep_s, int max_events);

/* ---- rollup.c ---- */
extern void so_rollup_order(int64 order_id, int sign);
struct SoLine;
extern void so_rollup_lines(const char *region, const char *segment,
							const struct SoLine *lines, int n);
extern bool so_status_counts(const char *status);

/* ---- tracking.c ---- */
extern int	so_flag_delays_batch(TimestampTz as_of, int limit);

/* ---- worker.c ---- */
extern char *so_worker_databases;
extern int	so_notify_interval_ms;
extern int	so_compact_interval_ms;
extern int	so_checkpoint_interval_s;
extern int	so_flag_delays_interval_s;
extern void so_register_workers(void);

/* ---- salesorder.c ---- */
extern int	so_at_risk_days;
extern int	so_tracking_days;
extern char *so_report_timezone;

#endif							/* SALESORDER_H */
