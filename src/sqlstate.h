/*-------------------------------------------------------------------------
 *
 * sqlstate.h
 *	  What every salesorder C source needs: the SQLSTATEs and the limits.
 *
 * Both are part of the public contract.  The settings are in settings.h;
 * every module declares what it offers in a header named after it
 * (privilege.h, visibility.h, spi_util.h, json_input.h, status.h,
 * stock.h, order_row.h, ...), included by the sources that use it.
 *
 *-------------------------------------------------------------------------
 */
#ifndef SO_SQLSTATE_H
#define SO_SQLSTATE_H

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

#endif							/* SO_SQLSTATE_H */
