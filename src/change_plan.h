/*-------------------------------------------------------------------------
 *
 * change_plan.h
 *	  A change request as parsed and planned (change_plan.c), for change.c
 *	  which routes and applies it.
 *
 *-------------------------------------------------------------------------
 */
#ifndef SO_CHANGE_PLAN_H
#define SO_CHANGE_PLAN_H

#include "sqlstate.h"
#include "json_input.h"
#include "spi_util.h"
#include "order_row.h"

#include "utils/date.h"
#include "utils/jsonb.h"

/* An edit of an existing line. */
typedef struct SoLineEdit
{
	int			index;
	int			line_no;
	Datum		qty;			/* (Datum) 0: unchanged */
	Datum		unit_price;
	Datum		discount_pct;
} SoLineEdit;

/* A header field: absent, set to a value, or cleared (JSON null). */
typedef struct SoDateEdit
{
	bool		given;
	bool		clear;
	DateADT		value;
} SoDateEdit;

typedef struct SoChangeInput
{
	SoLineEdit *edits;
	int			nedits;
	SoLineInput *adds;
	int			nadds;
	int		   *removes;
	int			nremoves;
	SoDateEdit	requested;
	SoDateEdit	promised;
	char	   *ship_to;		/* NULL: unchanged */
	bool		special_given;
	char	   *special;
} SoChangeInput;

/* The plan: the order as it is and as it would be. */
typedef struct SoCurLine
{
	int			line_no;
	int64		product_id;
	char	   *sku;
	Datum		qty;
	Datum		unit_price;
	Datum		discount_pct;
	Datum		amount;
	Datum		reserved;
	Datum		backorder;
	Datum		shipped;
	bool		removed;
	bool		edited;
	Datum		new_qty;
	Datum		new_price;
	Datum		new_discount;
	Datum		new_amount;
} SoCurLine;

typedef struct SoChangePlan
{
	SoLockedOrder order;
	int			revision;
	SoCurLine  *lines;
	int			nlines;
	SoLine	   *added;
	char	  **added_skus;
	int			nadded;
	int			next_line_no;
	/* header as it is */
	bool		requested_null;
	DateADT		requested;
	bool		promised_null;
	DateADT		promised;
	char	   *ship_to;
	char	   *special;
	Datum		old_total;
	Datum		new_total;
	/* what kind of change this is, for routing */
	bool		kind_amount;
	bool		kind_qty;
	bool		kind_date;
	bool		address_change;	/* ship-to or delivery terms */
	Datum		qty_change;		/* sum of |quantity changes| */
	int			date_shift;		/* largest |shift| in days */
	StringInfoData effects;
} SoChangePlan;

/* A column of the last SPI result, copied out of SPI's memory. */
static inline Datum
so_change_xfer(int row, int col)
{
	bool		isnull;

	return SPI_datumTransfer(so_getdatum(row, col, &isnull), false, -1);
}

extern void so_parse_changes(Jsonb *changes, SoChangeInput *in);
extern void so_plan_change(SoChangePlan *plan, SoChangeInput *in);

#endif							/* SO_CHANGE_PLAN_H */
