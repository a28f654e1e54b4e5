/*-------------------------------------------------------------------------
 *
 * stock.h
 *	  Reservations, releases and the stock ledger writer (stock.c).
 *
 *-------------------------------------------------------------------------
 */
#ifndef SO_STOCK_H
#define SO_STOCK_H

#include "sqlstate.h"

#include "lib/stringinfo.h"

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
extern void so_reserve_all(int64 order_id, int64 customer_id,
						   int64 warehouse_id, SoStockLine *lines, int n);
extern void so_release_order(int64 order_id, int64 customer_id,
							 int64 warehouse_id, const char *why);
extern void so_store_reservations(int64 order_id, SoStockLine *lines, int n);
extern char *so_product_sku(int64 product_id);
extern void so_append_short(StringInfo detail, int *nshort, int64 product_id,
							Datum wanted, Datum available);
extern void so_raise_short(int64 warehouse_id, int nshort,
						   const char *detail) pg_attribute_noreturn();
extern void so_emit_low_stock(int64 order_id, int64 customer_id,
							  int64 warehouse_id, int64 product_id,
							  const char *available,
							  const char *reorder_point);
extern int	so_product_index(int64 *ids, int m, int64 id);
extern Datum *so_lock_stock(int64 warehouse_id, int64 *ids, int m);
extern void so_lock_stock_for(int64 warehouse_id, SoStockMove *moves, int n);
extern void so_move_stock(int64 warehouse_id, int64 order_id,
						  int64 customer_id, const char *kind,
						  const char *note, SoStockMove *moves, int n);

#endif							/* SO_STOCK_H */
