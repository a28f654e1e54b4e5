/*-------------------------------------------------------------------------
 *
 * status.c
 *	  The order statuses: the enum's labels and the sets the rules speak of.
 *
 * salesorder.order_status has the values of SoStatus in its order.  The
 * sets are bitmasks (status.h); the SQL side has the same sets as the
 * IMMUTABLE functions salesorder.statuses_*() and the C plans as the
 * SO_STATUSES_* lists, and regression test status_sets compares all three
 * through so_status_sets().
 *
 *-------------------------------------------------------------------------
 */
#include "sqlstate.h"
#include "spi_util.h"
#include "status.h"

#include "access/htup_details.h"
#include "catalog/pg_enum.h"
#include "lib/stringinfo.h"
#include "utils/builtins.h"
#include "utils/syscache.h"

static const char *const status_names[SO_NSTATUSES] = {
	[SO_DRAFT] = "draft",
	[SO_PENDING_APPROVAL] = "pending_approval",
	[SO_APPROVED] = "approved",
	[SO_REJECTED] = "rejected",
	[SO_IN_PRODUCTION] = "in_production",
	[SO_PARTIALLY_SHIPPED] = "partially_shipped",
	[SO_SHIPPED] = "shipped",
	[SO_DELIVERED] = "delivered",
	[SO_COMPLETED] = "completed",
	[SO_ON_HOLD] = "on_hold",
	[SO_CANCELLED] = "cancelled",
};

/* The label of a status. */
const char *
so_status_name(SoStatus status)
{
	if (status < 0 || status >= SO_NSTATUSES)
		elog(ERROR, "invalid order status %d", (int) status);
	return status_names[status];
}

/* The status of a label (one the enum has). */
SoStatus
so_status_parse(const char *label)
{
	int			s;

	for (s = 0; s < SO_NSTATUSES; s++)
		if (strcmp(label, status_names[s]) == 0)
			return (SoStatus) s;
	elog(ERROR, "unknown order status \"%s\"", label);
	return SO_DRAFT;			/* keep compiler quiet */
}

/* Whether the status of label is in set. */
bool
so_status_is(const char *label, SoStatusSet set)
{
	return (set & SO_SET(so_status_parse(label))) != 0;
}

/* A set as the comma-separated labels of its statuses, in the enum's order. */
static char *
set_labels(SoStatusSet set)
{
	StringInfoData buf;
	int			s;

	initStringInfo(&buf);
	for (s = 0; s < SO_NSTATUSES; s++)
		if (set & SO_SET(s))
			appendStringInfo(&buf, "%s%s", buf.len ? "," : "", status_names[s]);
	return buf.data;
}

/*
 * salesorder.status_sets(): every set as the C side has it, one row a set,
 * for the test that compares it with the SQL functions.  The bitmasks and
 * the SO_STATUSES_* lists of the plans must agree: a difference is a bug.
 */
PG_FUNCTION_INFO_V1(so_status_sets);

Datum
so_status_sets(PG_FUNCTION_ARGS)
{
	static const struct
	{
		const char *name;
		SoStatusSet set;
		const char *list;
	}			sets[] = {
		{"in_flight", SO_SET_IN_FLIGHT, SO_STATUSES_IN_FLIGHT},
		{"in_progress", SO_SET_IN_PROGRESS, SO_STATUSES_IN_PROGRESS},
		{"closed", SO_SET_CLOSED, SO_STATUSES_CLOSED},
		{"in_report", SO_SET_IN_REPORT, SO_STATUSES_IN_REPORT},
		{"shippable", SO_SET_SHIPPABLE, SO_STATUSES_SHIPPABLE},
	};
	const char *pairs[lengthof(sets)][2];
	int			i;

	for (i = 0; i < lengthof(sets); i++)
	{
		char	   *labels = set_labels(sets[i].set);

		if (strcmp(labels, sets[i].list) != 0)
			elog(ERROR, "status set %s is {%s} as a bitmask but {%s} in the plans",
				 sets[i].name, labels, sets[i].list);
		pairs[i][0] = sets[i].name;
		pairs[i][1] = labels;
	}
	return so_return_text_pairs(fcinfo, (const char *const (*)[2]) pairs, lengthof(pairs));
}

/* The label of an order_status value. */
char *
so_status_label(Datum enum_value)
{
	HeapTuple	tup;
	char	   *label;

	tup = SearchSysCache1(ENUMOID, enum_value);
	if (!HeapTupleIsValid(tup))
		elog(ERROR, "cache lookup failed for enum value %u",
			 DatumGetObjectId(enum_value));
	label = pstrdup(NameStr(((Form_pg_enum) GETSTRUCT(tup))->enumlabel));
	ReleaseSysCache(tup);
	return label;
}
