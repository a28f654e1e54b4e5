/*-------------------------------------------------------------------------
 *
 * spi_util.c
 *	  SPI plans prepared once per backend, and small datum helpers.
 *
 * Every statement the extension runs is a static SoPlan with a constant,
 * schema-qualified SQL text and typed parameters: no SQL is ever built from
 * user values.  The first execution prepares and keeps the plan
 * (SPI_keepplan); the plan cache replans it by itself after DDL.
 *
 *-------------------------------------------------------------------------
 */
#include "salesorder.h"

#include "fmgr.h"
#include "utils/builtins.h"
#include "utils/fmgrprotos.h"
#include "utils/numeric.h"

/*
 * Run a kept plan; SPI must be connected.  Returns SPI_processed.
 */
int
so_execute(SoPlan *plan, Datum *values, const char *nulls, bool read_only,
		   long count)
{
	int			rc;

	if (plan->plan == NULL)
	{
		SPIPlanPtr	p = SPI_prepare(plan->sql, plan->nargs, plan->argtypes);

		if (p == NULL)
			elog(ERROR, "SPI_prepare failed for \"%s\": %s",
				 plan->sql, SPI_result_code_string(SPI_result));
		if (SPI_keepplan(p) != 0)
			elog(ERROR, "SPI_keepplan failed");
		plan->plan = p;
	}

	rc = SPI_execute_plan(plan->plan, values, nulls, read_only, count);
	if (rc < 0)
		elog(ERROR, "SPI_execute_plan failed for \"%s\": %s",
			 plan->sql, SPI_result_code_string(rc));
	return (int) SPI_processed;
}

/* Column col (1-based) of result row row (0-based) of the last statement. */
Datum
so_getdatum(int row, int col, bool *isnull)
{
	return SPI_getbinval(SPI_tuptable->vals[row], SPI_tuptable->tupdesc,
						 col, isnull);
}

int64
so_getint64(int row, int col)
{
	bool		isnull;
	Datum		d = so_getdatum(row, col, &isnull);

	if (isnull)
		elog(ERROR, "unexpected NULL in column %d of an internal query", col);
	return DatumGetInt64(d);
}

/* Text value of a column as a palloc'd C string, or NULL. */
char *
so_gettext(int row, int col)
{
	bool		isnull;
	Datum		d = so_getdatum(row, col, &isnull);

	return isnull ? NULL : TextDatumGetCString(d);
}

Datum
so_numeric(const char *s)
{
	return DirectFunctionCall3(numeric_in, CStringGetDatum(s),
							   ObjectIdGetDatum(InvalidOid), Int32GetDatum(-1));
}

Datum
so_numeric_from_int64(int64 v)
{
	return NumericGetDatum(int64_to_numeric(v));
}

int
so_numeric_cmp(Datum a, Datum b)
{
	return DatumGetInt32(DirectFunctionCall2(numeric_cmp, a, b));
}

Datum
so_text_datum(const char *s)
{
	return CStringGetTextDatum(s);
}
