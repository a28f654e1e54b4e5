/*-------------------------------------------------------------------------
 *
 * approval.c
 *	  Review and approval as SQL calls: approve, reject, revise, and the
 *	  guard of the rule table.  The rule engine and the steps are in
 *	  approval_steps.c.
 *
 * On submission every active order rule is evaluated in one statement and
 * each rule that fires becomes an approval_step, with the figures that made
 * it fire.  Steps are grouped by level: the steps of level n are open only
 * when every step of the lower levels of the same round is approved, and
 * the order is approved when the last step is.  A rejection closes the
 * round.  A revised order starts a new round on resubmission; the old steps
 * stay for audit.
 *
 * Segregation of duties: the creator of an order cannot decide its steps
 * (unless salesorder.allow_self_approval is on), and whoever approved a
 * level cannot approve another level of the same round -- so a two-level
 * rule really takes two people.
 *
 *-------------------------------------------------------------------------
 */
#include "sqlstate.h"
#include "json_input.h"
#include "privilege.h"
#include "spi_util.h"
#include "approval_steps.h"
#include "order_row.h"
#include "rollup.h"
#include "history.h"
#include "status.h"
#include "transition.h"
#include "stock.h"

#include "access/htup_details.h"
#include "catalog/pg_type.h"
#include "commands/trigger.h"
#include "fmgr.h"
#include "miscadmin.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/rel.h"

PG_FUNCTION_INFO_V1(so_approve);
PG_FUNCTION_INFO_V1(so_reject);
PG_FUNCTION_INFO_V1(so_revise);
PG_FUNCTION_INFO_V1(so_rule_guard);
PG_FUNCTION_INFO_V1(so_rule_kinds);

/* Who created the order: role and (from 1.2) login. */
static SoPlan creator_plan = {
	"SELECT pg_catalog.to_jsonb(o) OPERATOR(pg_catalog.->>) 'created_login'"
	" FROM salesorder.sales_order o WHERE o.id = $1",
	1, {INT8OID}
};

/* Decide the open steps of a locked order's submission, with a history row. */
static int
decide_open_steps(const SoLockedOrder *o, bool approve, const char *comment)
{
	char	   *subject = psprintf("order %s", o->order_no);
	char	   *decided;
	Datum		arg = Int64GetDatum(o->id);
	int			left;

	so_execute(&creator_plan, &arg, NULL, true, 1);
	left = so_decide_steps(o->id, 0, subject, o->created_by, so_gettext(0, 1),
						   approve, comment, &decided);

	so_write_history_kind(o->id, o->customer_id, "pending_approval",
						  "pending_approval", "decision",
						  psprintf("%s %s%s%s", approve ? "approved" : "rejected",
								   decided, comment ? " -- " : "",
								   comment ? comment : ""));
	return left;
}

static void
require_pending(const SoLockedOrder *o, const char *what)
{
	if (strcmp(o->status, "pending_approval") != 0)
		ereport(ERROR,
				(errcode(ERRCODE_SO_ILLEGAL_TRANSITION),
				 errmsg("order %s is %s: there is nothing to %s", o->order_no,
						o->status, what),
				 errhint("Only an order pending approval is approved or rejected.")));
}

typedef struct SoDecisionCall
{
	int64		order_id;
	bool		approve;
	const char *comment;
} SoDecisionCall;

static Datum
decision_work(void *arg)
{
	SoDecisionCall *call = (SoDecisionCall *) arg;
	SoLockedOrder o;

	/* Approvers act on the steps routed to them, whoever the customer's rep. */
	so_lock_order_for(call->order_id, &o, false);
	require_pending(&o, call->approve ? "approve" : "reject");

	if (call->approve)
	{
		if (decide_open_steps(&o, true, call->comment) > 0)
			return so_order_status(o.id);
		return so_move_order(&o, "approved", "approved: every approval step approved");
	}

	/* Out of the report, stock released, the other steps closed. */
	(void) decide_open_steps(&o, false, call->comment);
	return so_move_order(&o, "rejected", call->comment);
}

/*
 * salesorder.approve(order_id bigint, comment text DEFAULT NULL)
 */
Datum
so_approve(PG_FUNCTION_ARGS)
{
	SoDecisionCall call;

	so_require_args(fcinfo, 1, "order_id");
	call.order_id = PG_GETARG_INT64(0);
	call.approve = true;
	call.comment = PG_ARGISNULL(1) ? NULL : text_to_cstring(PG_GETARG_TEXT_PP(1));
	PG_RETURN_DATUM(so_run_as_owner(decision_work, &call, SO_RESULT_BYVAL));
}

/*
 * salesorder.reject(order_id bigint, reason text)
 */
Datum
so_reject(PG_FUNCTION_ARGS)
{
	SoDecisionCall call;

	so_require_args(fcinfo, 1, "order_id");
	so_check_reason("reject an order", PG_ARGISNULL(1) ? NULL : PG_GETARG_TEXT_PP(1));
	call.order_id = PG_GETARG_INT64(0);
	call.approve = false;
	call.comment = text_to_cstring(PG_GETARG_TEXT_PP(1));
	PG_RETURN_DATUM(so_run_as_owner(decision_work, &call, SO_RESULT_BYVAL));
}

static Datum
revise_work(void *arg)
{
	SoLockedOrder o;

	so_lock_order(*(int64 *) arg, &o);
	return so_move_order(&o, "draft", "revised after rejection");
}

/*
 * salesorder.revise(order_id bigint): rejected -> draft.
 */
Datum
so_revise(PG_FUNCTION_ARGS)
{
	int64		order_id;

	so_require_args(fcinfo, 1, "order_id");
	order_id = PG_GETARG_INT64(0);
	PG_RETURN_DATUM(so_run_as_owner(revise_work, &order_id, SO_RESULT_BYVAL));
}

static SoPlan rule_kind_plan = {
	"SELECT k.needs_threshold, k.needs_segment FROM salesorder.approval_rule_kind k"
	" WHERE k.kind = $1",
	1, {TEXTOID}
};

static SoPlan rule_kinds_plan = {
	"SELECT pg_catalog.string_agg(k.kind, ', ' ORDER BY k.subject DESC, k.kind)"
	" FROM salesorder.approval_rule_kind k",
	0, {InvalidOid}
};

/*
 * A rule names a kind that exists, with the threshold and segment its kind
 * needs (approval_rule_kind).  23514 as the CHECK constraints of 1.1 said.  Under the previous release's schema, which
 * has no such table, its CHECK constraints do this.
 */
static void
check_rule_kind(HeapTuple tup, TupleDesc desc)
{
	bool		isnull;
	bool		threshold_null;
	bool		segment_null;
	Datum		kind;
	char	   *kind_name;

	if (!OidIsValid(so_relid_if_exists("approval_rule_kind")))
		return;
	kind = heap_getattr(tup, SPI_fnumber(desc, "kind"), desc, &isnull);
	if (isnull)
		return;					/* the NOT NULL constraint reports it */
	kind_name = TextDatumGetCString(kind);
	(void) heap_getattr(tup, SPI_fnumber(desc, "threshold"), desc, &threshold_null);
	(void) heap_getattr(tup, SPI_fnumber(desc, "segment"), desc, &segment_null);

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	if (so_execute(&rule_kind_plan, &kind, NULL, true, 1) == 0)
	{
		so_execute(&rule_kinds_plan, NULL, NULL, true, 1);
		ereport(ERROR,
				(errcode(ERRCODE_CHECK_VIOLATION),
				 errmsg("approval rule kind \"%s\" does not exist", kind_name),
				 errhint("The kinds are: %s.", so_gettext(0, 1))));
	}
	if (DatumGetBool(so_getdatum(0, 1, &isnull)) && threshold_null)
		ereport(ERROR,
				(errcode(ERRCODE_CHECK_VIOLATION),
				 errmsg("an approval rule of kind %s needs a threshold", kind_name)));
	if (DatumGetBool(so_getdatum(0, 2, &isnull)) == segment_null)
		ereport(ERROR,
				(errcode(ERRCODE_CHECK_VIOLATION),
				 segment_null ?
				 errmsg("an approval rule of kind %s needs a segment", kind_name) :
				 errmsg("only an approval rule of kind segment names a segment"),
				 segment_null ? 0 :
				 errdetail("The rule is of kind %s.", kind_name)));
	SPI_finish();
}

/*
 * salesorder.rule_kinds(): the kinds each side of the C code weighs, one
 * row a subject, for the test that compares them with approval_rule_kind.
 */
Datum
so_rule_kinds(PG_FUNCTION_ARGS)
{
	static const char *const subjects[][2] = {
		{"order", SO_ORDER_RULE_KINDS},
		{"change", SO_CHANGE_RULE_KINDS},
	};

	return so_return_text_pairs(fcinfo, subjects, lengthof(subjects));
}

/*
 * BEFORE INSERT OR UPDATE ON approval_rule: an active rule must name an
 * existing approver role, or the steps it creates could never be decided.
 * Checked when a rule becomes active or changes its role, so that a rule
 * whose role was dropped can still be switched off.
 */
Datum
so_rule_guard(PG_FUNCTION_ARGS)
{
	TriggerData *trigdata = (TriggerData *) fcinfo->context;
	HeapTuple	tup;
	TupleDesc	desc;
	bool		isnull;
	Datum		role;
	char	   *rolname;
	int			role_att;
	int			active_att;

	if (!CALLED_AS_TRIGGER(fcinfo) || !TRIGGER_FIRED_BEFORE(trigdata->tg_event) ||
		!TRIGGER_FIRED_FOR_ROW(trigdata->tg_event))
		elog(ERROR, "rule_guard: must be fired BEFORE, FOR EACH ROW");

	tup = TRIGGER_FIRED_BY_UPDATE(trigdata->tg_event) ?
		trigdata->tg_newtuple : trigdata->tg_trigtuple;
	desc = trigdata->tg_relation->rd_att;
	check_rule_kind(tup, desc);
	role_att = SPI_fnumber(desc, "approver_role");
	active_att = SPI_fnumber(desc, "active");

	if (!DatumGetBool(heap_getattr(tup, active_att, desc, &isnull)) || isnull)
		return PointerGetDatum(tup);
	if (TRIGGER_FIRED_BY_UPDATE(trigdata->tg_event))
	{
		HeapTuple	old = trigdata->tg_trigtuple;
		bool		oldnull;
		Datum		oldrole = heap_getattr(old, role_att, desc, &oldnull);
		Datum		newrole = heap_getattr(tup, role_att, desc, &isnull);
		bool		was_active = DatumGetBool(heap_getattr(old, active_att, desc, &oldnull));

		if (was_active && !isnull &&
			strcmp(TextDatumGetCString(oldrole), TextDatumGetCString(newrole)) == 0)
			return PointerGetDatum(tup);
	}

	role = heap_getattr(tup, role_att, desc, &isnull);
	if (isnull)
		return PointerGetDatum(tup);	/* the NOT NULL constraint reports it */
	rolname = TextDatumGetCString(role);
	if (!OidIsValid(get_role_oid(rolname, true)))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("approver role \"%s\" does not exist", rolname),
				 errhint("Create the role (and grant it to the approvers) before the rule that routes to it.")));
	return PointerGetDatum(tup);
}
