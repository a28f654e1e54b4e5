/*-------------------------------------------------------------------------
 *
 * json_input.c
 *	  Parsing and validating the jsonb arguments of the order functions.
 *
 * Everything here runs before the first write, so a bad argument never
 * leaves anything behind.  Each check is a small named helper that raises a
 * precise error: SQLSTATE 22023 (invalid_parameter_value) for a value of the
 * wrong shape, 22003 (numeric_value_out_of_range) for one too large for the
 * columns it will land in.  The message names the offending element, e.g.
 * "lines[3].qty must be greater than zero".
 *
 *-------------------------------------------------------------------------
 */
#include "sqlstate.h"
#include "json_input.h"
#include "spi_util.h"

#include "fmgr.h"
#include "utils/builtins.h"
#include "utils/date.h"
#include "utils/datetime.h"
#include "mb/pg_wchar.h"
#include "utils/fmgrprotos.h"
#include "utils/numeric.h"

#define LINE_KEYS "product_id, sku, qty, unit_price, discount_pct, note"
#define OPTION_KEYS "warehouse_id, ship_to, requested_date, promised_date, " \
	"special_requirements, notes, draft, backorder, idempotency_key"

#define MAX_TEXT_LEN 4000
#define MAX_KEY_LEN 200

static const char *
jbv_type_name(JsonbValue *v)
{
	switch (v->type)
	{
		case jbvNull:
			return "null";
		case jbvString:
			return "a string";
		case jbvNumeric:
			return "a number";
		case jbvBool:
			return "a boolean";
		case jbvBinary:
			return JsonContainerIsArray(v->val.binary.data) ? "an array" : "an object";
		default:
			return "an unsupported value";
	}
}

void
so_json_wrong_type(const char *where, const char *expected, JsonbValue *v)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("%s must be %s, not %s", where, expected, jbv_type_name(v))));
}

/*
 * Whether s is an exact decimal as clients write one: an optional sign,
 * digits with an optional fraction, and an optional exponent of at most
 * three digits -- "12.50", "-3", "1E+2" (Python's Decimal), nothing else
 * (no spaces, no "NaN", no "Infinity", no thousands separators).
 */
static bool
is_decimal_string(const char *s)
{
	const char *p = s;
	int			digits = 0;
	int			exp_digits = 0;

	if (*p == '-' || *p == '+')
		p++;
	for (; *p >= '0' && *p <= '9'; p++)
		digits++;
	if (*p == '.')
	{
		p++;
		for (; *p >= '0' && *p <= '9'; p++)
			digits++;
	}
	if (digits == 0)
		return false;
	if (*p == 'e' || *p == 'E')
	{
		p++;
		if (*p == '-' || *p == '+')
			p++;
		for (; *p >= '0' && *p <= '9'; p++)
			exp_digits++;
		if (exp_digits == 0 || exp_digits > 3)
			return false;
	}
	return *p == '\0';
}

/*
 * A finite number, or an error naming where it was.  A JSON string holding
 * an exact decimal counts as that number: drivers return numeric columns
 * as strings (Python's Decimal, node-postgres), and a client that sends
 * them back as JSON numbers would go through binary floating point.
 */
static Numeric
check_number(const char *where, JsonbValue *v)
{
	if (v->type == jbvString)
	{
		char	   *s = pnstrdup(v->val.string.val, v->val.string.len);

		if (!is_decimal_string(s))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("%s must be a number or a string holding a decimal, not \"%s\"",
							where, so_clip(s, strlen(s), 40)),
					 errhint("Send 12.5 or \"12.50\": digits, an optional point and fraction, an optional exponent.")));
		return DatumGetNumeric(DirectFunctionCall3(numeric_in, CStringGetDatum(s),
												   ObjectIdGetDatum(InvalidOid),
												   Int32GetDatum(-1)));
	}
	if (v->type != jbvNumeric)
		so_json_wrong_type(where, "a number or a string holding a decimal", v);
	if (numeric_is_nan(v->val.numeric) || numeric_is_inf(v->val.numeric))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s must be a finite number", where)));
	return v->val.numeric;
}

/*
 * A number with at most max_scale decimals, within [min, max]; either bound
 * may be exclusive.  The bounds are the limits of the columns the value
 * lands in, so an accepted value never overflows later.
 */
Datum
so_json_number(const char *where, JsonbValue *v, int max_scale,
					 const char *min, bool min_exclusive,
					 const char *max, bool max_exclusive)
{
	Datum		d = NumericGetDatum(check_number(where, v));
	int			cmp_min = so_numeric_cmp(d, so_numeric(min));
	int			cmp_max = so_numeric_cmp(d, so_numeric(max));

	if (cmp_min < 0 || (min_exclusive && cmp_min == 0))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s must be %s %s", where,
						min_exclusive ? "greater than" : "at least",
						strcmp(min, "0") == 0 && min_exclusive ? "zero" : min)));
	/* An exclusive maximum is a column's capacity, an inclusive one a rule. */
	if (cmp_max > 0 || (max_exclusive && cmp_max == 0))
		ereport(ERROR,
				(errcode(max_exclusive ? ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE :
						 ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s must be %s %s", where,
						max_exclusive ? "less than" : "at most", max)));
	if (DatumGetInt32(DirectFunctionCall1(numeric_scale, d)) > max_scale)
	{
		if (max_scale == 0)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("%s must be a whole number", where)));
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s has more than %d decimal places", where, max_scale),
				 errhint("Round the value before passing it; amounts are never rounded silently.")));
	}
	return d;
}

/* A positive whole number that fits a bigint id. */
int64
so_json_id(const char *where, JsonbValue *v)
{
	Datum		d = so_json_number(where, v, 0, "0", true,
										 "9223372036854775807", false);

	return DatumGetInt64(DirectFunctionCall1(numeric_int8, d));
}

/* A line number: a positive whole number that fits order_line.line_no. */
int
so_json_line_no(const char *where, JsonbValue *v)
{
	Datum		d = so_json_number(where, v, 0, "0", true, "2147483647", false);

	return DatumGetInt32(DirectFunctionCall1(numeric_int4, d));
}

/* A string of 1..maxlen bytes (NULL for JSON null when nullable). */
char *
so_json_string(const char *where, JsonbValue *v, bool nullable, int maxlen)
{
	if (v->type == jbvNull && nullable)
		return NULL;
	if (v->type != jbvString)
		so_json_wrong_type(where, nullable ? "a string or null" : "a string", v);
	if (v->val.string.len == 0 && !nullable)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s must not be empty", where)));
	if (v->val.string.len > maxlen)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s is longer than %d bytes", where, maxlen)));
	if (v->val.string.len == 0)
		return NULL;
	return pnstrdup(v->val.string.val, v->val.string.len);
}

/*
 * A calendar date written YYYY-MM-DD, and nothing else: no 'infinity',
 * 'today' or 'epoch' (an infinite promise date would break every date
 * computation downstream), no DateStyle-dependent order, no time part
 * silently dropped (a client's UTC timestamp would land on the wrong day).
 */
DateADT
so_json_date(const char *where, JsonbValue *v)
{
	char	   *s = so_json_string(where, v, false, 64);
	int			year,
				month,
				day;
	int			i;

	for (i = 0; i < 10; i++)
		if (!(i == 4 || i == 7 ? s[i] == '-' : (s[i] >= '0' && s[i] <= '9')))
			break;
	if (i < 10 || s[10] != '\0')
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_DATETIME_FORMAT),
				 errmsg("%s must be a date written YYYY-MM-DD, not \"%s\"", where,
						so_clip(s, strlen(s), 40)),
				 errhint("Send the calendar date only, e.g. \"2026-12-24\"; no time, time zone or words such as \"today\".")));
	year = atoi(s);
	month = atoi(s + 5);
	day = atoi(s + 8);
	if (year < 1 || month < 1 || month > 12 ||
		day < 1 || day > day_tab[isleap(year)][month - 1])
		ereport(ERROR,
				(errcode(ERRCODE_DATETIME_FIELD_OVERFLOW),
				 errmsg("%s is not a calendar date: \"%s\"", where, s)));
	return (DateADT) (date2j(year, month, day) - POSTGRES_EPOCH_JDATE);
}

/*
 * At most maxbytes of s (len bytes), cut at a character boundary of the
 * server encoding, as a new string: for quoting user input in messages.
 */
char *
so_clip(const char *s, int len, int maxbytes)
{
	return pnstrdup(s, pg_mbcliplen(s, len, maxbytes));
}

bool
so_json_key_is(JsonbValue *k, const char *name)
{
	return k->val.string.len == (int) strlen(name) &&
		memcmp(k->val.string.val, name, k->val.string.len) == 0;
}

void
so_json_unknown_key(const char *where, JsonbValue *k, const char *allowed)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("%s has an unknown key \"%s\"", where,
					so_clip(k->val.string.val, k->val.string.len, 100)),
			 errhint("Allowed keys: %s.", allowed)));
}

static void
parse_one_line(JsonbContainer *obj, const char *name, SoLineInput *line)
{
	JsonbIterator *it = JsonbIteratorInit(obj);
	JsonbValue	k,
				v;
	JsonbIteratorToken tok;
	char		where[64];
	bool		has_qty = false;

	while ((tok = JsonbIteratorNext(&it, &k, true)) != WJB_DONE)
	{
		if (tok != WJB_KEY)
			continue;
		tok = JsonbIteratorNext(&it, &v, true);
		Assert(tok == WJB_VALUE);
		snprintf(where, sizeof(where), "%s[%d].%.*s", name, line->index,
				 pg_mbcliplen(k.val.string.val, k.val.string.len, 30),
				 k.val.string.val);

		if (so_json_key_is(&k, "product_id"))
			line->product_id = so_json_id(where, &v);
		else if (so_json_key_is(&k, "sku"))
			line->sku = so_json_string(where, &v, false, MAX_KEY_LEN);
		else if (so_json_key_is(&k, "qty"))
		{
			line->qty = so_json_number(where, &v, 3, "0", true,
											 SO_MAX_QTY, true);
			has_qty = true;
		}
		else if (so_json_key_is(&k, "unit_price"))
		{
			line->unit_price = so_json_number(where, &v, 4, "0", false,
													SO_MAX_PRICE, true);
			line->has_price = true;
		}
		else if (so_json_key_is(&k, "discount_pct"))
			line->discount_pct = so_json_number(where, &v, 2, "0", false,
													  "100", false);
		else if (so_json_key_is(&k, "note"))
			line->note = so_json_string(where, &v, true, MAX_TEXT_LEN);
		else
		{
			snprintf(where, sizeof(where), "%s[%d]", name, line->index);
			so_json_unknown_key(where, &k, LINE_KEYS);
		}
	}

	if ((line->product_id != 0) == (line->sku != NULL))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s[%d] must name its product by exactly one of \"product_id\" or \"sku\"",
						name, line->index)));
	if (!has_qty)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s[%d] has no \"qty\"", name, line->index)));
}

/*
 * A non-empty JSON array (named name in messages) of line objects.  Returns
 * a palloc'd array of *nlines parsed lines, in the caller's order.
 */
SoLineInput *
so_parse_lines_in(JsonbContainer *array, const char *name, int *nlines)
{
	JsonbIterator *it;
	JsonbValue	v;
	JsonbIteratorToken tok;
	SoLineInput *result;
	int			n;
	int			i = 0;

	if (!JsonContainerIsArray(array) || JsonContainerIsScalar(array))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s must be a JSON array of line objects", name),
				 errhint("Example: '[{\"sku\": \"A-1\", \"qty\": 2}]'")));
	n = JsonContainerSize(array);
	if (n == 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("an order needs at least one line")));
	if (n > SO_MAX_LINES)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("an order can have at most %d lines, not %d",
						SO_MAX_LINES, n)));

	result = palloc0(sizeof(SoLineInput) * n);
	it = JsonbIteratorInit(array);
	while ((tok = JsonbIteratorNext(&it, &v, true)) != WJB_DONE)
	{
		SoLineInput *line;

		if (tok != WJB_ELEM)
			continue;
		line = &result[i];
		line->index = i + 1;
		line->discount_pct = so_numeric("0");
		if (v.type != jbvBinary || !JsonContainerIsObject(v.val.binary.data))
		{
			char		where[48];

			snprintf(where, sizeof(where), "%s[%d]", name, line->index);
			so_json_wrong_type(where, "an object", &v);
		}
		parse_one_line(v.val.binary.data, name, line);
		i++;
	}
	Assert(i == n);
	*nlines = n;
	return result;
}

/* create_order's lines. */
SoLineInput *
so_parse_lines(Jsonb *lines, int *nlines)
{
	return so_parse_lines_in(&lines->root, "lines", nlines);
}

/*
 * options: a JSON object (or NULL / {}).  Unknown keys are an error, so a
 * misspelt option is never silently ignored.
 */
void
so_parse_order_options(Jsonb *options, SoOrderOptions *opts)
{
	JsonbIterator *it;
	JsonbValue	k,
				v;
	JsonbIteratorToken tok;

	memset(opts, 0, sizeof(*opts));
	if (options == NULL)
		return;
	if (!JB_ROOT_IS_OBJECT(options))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("options must be a JSON object"),
				 errhint("Allowed keys: %s.", OPTION_KEYS)));

	it = JsonbIteratorInit(&options->root);
	while ((tok = JsonbIteratorNext(&it, &k, true)) != WJB_DONE)
	{
		char		where[64];

		if (tok != WJB_KEY)
			continue;
		tok = JsonbIteratorNext(&it, &v, true);
		snprintf(where, sizeof(where), "options.%.*s",
				 pg_mbcliplen(k.val.string.val, k.val.string.len, 30),
				 k.val.string.val);

		if (so_json_key_is(&k, "warehouse_id"))
			opts->warehouse_id = so_json_id(where, &v);
		else if (so_json_key_is(&k, "ship_to"))
			opts->ship_to = so_json_string(where, &v, false, MAX_TEXT_LEN);
		else if (so_json_key_is(&k, "requested_date"))
		{
			opts->requested_date = so_json_date(where, &v);
			opts->has_requested_date = true;
		}
		else if (so_json_key_is(&k, "promised_date"))
		{
			opts->promised_date = so_json_date(where, &v);
			opts->has_promised_date = true;
		}
		else if (so_json_key_is(&k, "special_requirements"))
		{
			opts->special_requirements = so_json_string(where, &v, true, MAX_TEXT_LEN);
			opts->has_special_requirements = true;
		}
		else if (so_json_key_is(&k, "notes"))
		{
			opts->notes = so_json_string(where, &v, true, MAX_TEXT_LEN);
			opts->has_notes = true;
		}
		else if (so_json_key_is(&k, "draft"))
		{
			if (v.type != jbvBool)
				so_json_wrong_type(where, "a boolean", &v);
			opts->draft = v.val.boolean;
		}
		else if (so_json_key_is(&k, "backorder"))
		{
			if (v.type != jbvBool)
				so_json_wrong_type(where, "a boolean", &v);
			opts->backorder = v.val.boolean;
		}
		else if (so_json_key_is(&k, "idempotency_key"))
			opts->idempotency_key = so_json_string(where, &v, false, MAX_KEY_LEN);
		else
			so_json_unknown_key("options", &k, OPTION_KEYS);
	}
}

/* A decision or a hold must say why. */
void
so_check_reason(const char *what, text *reason)
{
	char	   *s;

	if (reason != NULL)
	{
		s = text_to_cstring(reason);
		while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')
			s++;
		if (*s != '\0')
			return;
	}
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("a reason is required to %s", what),
			 errhint("Pass a short text that says why; it is kept in the order history.")));
}

/*
 * A quantity argument of receive_stock / adjust_stock: finite, at most 3
 * decimals, below 10^11 in size, and > 0 (or, for a signed delta, != 0).
 */
Datum
so_check_quantity(const char *name, Datum qty, bool signed_delta)
{
	Numeric		n = DatumGetNumeric(qty);
	Datum		size;

	if (numeric_is_nan(n) || numeric_is_inf(n))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s must be a finite number", name)));
	if (signed_delta ? so_numeric_cmp(qty, so_numeric("0")) == 0 :
		so_numeric_cmp(qty, so_numeric("0")) <= 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s must be %s", name,
						signed_delta ? "non-zero" : "greater than zero")));
	size = DirectFunctionCall1(numeric_abs, qty);
	if (so_numeric_cmp(size, so_numeric(SO_MAX_QTY)) >= 0)
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("%s must be less than %s in size", name, SO_MAX_QTY)));
	if (DatumGetInt32(DirectFunctionCall1(numeric_scale, qty)) > 3)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s has more than 3 decimal places", name)));
	return qty;
}

/*
 * ship()'s lines: a non-empty array of {"line_no": n, "qty": q}.
 */
SoShipInput *
so_parse_ship_lines(Jsonb *lines, int *nlines)
{
	JsonbIterator *it;
	JsonbValue	v;
	JsonbIteratorToken tok;
	SoShipInput *result;
	int			n;
	int			i = 0;

	if (!JB_ROOT_IS_ARRAY(lines) || JB_ROOT_IS_SCALAR(lines))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("lines must be a JSON array of {\"line_no\": n, \"qty\": q} objects, or NULL to ship everything reserved")));
	n = JB_ROOT_COUNT(lines);
	if (n == 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("a shipment needs at least one line"),
				 errhint("Pass NULL to ship everything reserved.")));
	if (n > SO_MAX_LINES)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("a shipment can have at most %d lines, not %d",
						SO_MAX_LINES, n)));

	result = palloc0(sizeof(SoShipInput) * n);
	it = JsonbIteratorInit(&lines->root);
	while ((tok = JsonbIteratorNext(&it, &v, true)) != WJB_DONE)
	{
		SoShipInput *line;
		JsonbIterator *lit;
		JsonbValue	k,
					lv;
		char		where[64];
		bool		has_qty = false;

		if (tok != WJB_ELEM)
			continue;
		line = &result[i];
		line->index = ++i;
		snprintf(where, sizeof(where), "lines[%d]", line->index);
		if (v.type != jbvBinary || !JsonContainerIsObject(v.val.binary.data))
			so_json_wrong_type(where, "an object", &v);

		lit = JsonbIteratorInit(v.val.binary.data);
		while ((tok = JsonbIteratorNext(&lit, &k, true)) != WJB_DONE)
		{
			if (tok != WJB_KEY)
				continue;
			(void) JsonbIteratorNext(&lit, &lv, true);
			snprintf(where, sizeof(where), "lines[%d].%.*s", line->index,
					 pg_mbcliplen(k.val.string.val, k.val.string.len, 30),
					 k.val.string.val);
			if (so_json_key_is(&k, "line_no"))
				line->line_no = so_json_line_no(where, &lv);
			else if (so_json_key_is(&k, "qty"))
			{
				line->qty = so_json_number(where, &lv, 3, "0", true,
												 SO_MAX_QTY, true);
				has_qty = true;
			}
			else
			{
				snprintf(where, sizeof(where), "lines[%d]", line->index);
				so_json_unknown_key(where, &k, "line_no, qty");
			}
		}
		if (line->line_no == 0 || !has_qty)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("lines[%d] needs both \"line_no\" and \"qty\"", line->index)));
	}
	*nlines = n;
	return result;
}
