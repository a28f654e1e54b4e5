/*-------------------------------------------------------------------------
 *
 * order_row.h
 *	  The order row and its lines as the other modules use them: amounts,
 *	  products and prices, locking (order_row.c).
 *
 *-------------------------------------------------------------------------
 */
#ifndef SO_ORDER_ROW_H
#define SO_ORDER_ROW_H

#include "sqlstate.h"
#include "json_input.h"

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
extern Datum so_order_status(int64 order_id);
extern void so_set_needs_stock(int64 order_id, bool needs_stock);

#endif							/* SO_ORDER_ROW_H */
