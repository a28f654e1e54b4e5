/*-------------------------------------------------------------------------
 *
 * json_input.h
 *	  The jsonb arguments, parsed and checked (json_input.c).
 *
 *-------------------------------------------------------------------------
 */
#ifndef SO_JSON_INPUT_H
#define SO_JSON_INPUT_H

#include "sqlstate.h"

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

#endif							/* SO_JSON_INPUT_H */
