/*-------------------------------------------------------------------------
 *
 * approval.c
 *	  Review and approval: rule evaluation, approval steps, approve,
 *	  reject, revise.
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
#include "salesorder.h"
#include "approval.h"
#include "order.h"
#include "rollup.h"
#include "status.h"
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

/*
 * Every active order rule that fires, with why.  $1 customer, $2 order
 * total, $3 largest line discount, $4 special requirements (text or NULL),
 * $5 some quantity backordered, $6 the order itself (left out of the
 * exposure, NULL before it exists).  The exposure is only computed for
 * credit rules.
 */
static SoPlan evaluate_plan = {
	"SELECT r.id, r.level, r.department, r.approver_role, f.reason, f.figures"
	" FROM salesorder.approval_rule r"
	" JOIN salesorder.customer c ON c.id = $1"
	" CROSS JOIN LATERAL (SELECT CASE WHEN r.kind = 'credit_exceeded'"
	"     THEN salesorder.credit_exposure($1, $6) + $2 END AS exposure) x"
	" CROSS JOIN LATERAL (SELECT"
	"   CASE r.kind"
	"     WHEN 'amount_over' THEN $2 > r.threshold"
	"     WHEN 'discount_over' THEN $3 > r.threshold"
	"     WHEN 'credit_exceeded' THEN x.exposure > c.credit_limit + coalesce(r.threshold, 0)"
	"     WHEN 'special_terms' THEN $4 IS NOT NULL"
	"     WHEN 'backorder' THEN $5"
	"     WHEN 'segment' THEN c.segment = r.segment"
	"   END AS fired,"
	"   CASE r.kind"
	"     WHEN 'amount_over' THEN pg_catalog.format('order total %s is above %s', $2, r.threshold)"
	"     WHEN 'discount_over' THEN pg_catalog.format('a line discount of %s%% is above %s%%', $3, r.threshold)"
	"     WHEN 'credit_exceeded' THEN pg_catalog.format("
	"       'credit exposure %s with this order is above the credit limit %s', x.exposure, c.credit_limit)"
	"     WHEN 'special_terms' THEN 'special requirements: ' || $4"
	"     WHEN 'backorder' THEN 'some quantity is backordered'"
	"     WHEN 'segment' THEN pg_catalog.format('the customer is in segment %s', c.segment)"
	"   END AS reason,"
	"   pg_catalog.jsonb_strip_nulls(pg_catalog.jsonb_build_object("
	"     'kind', r.kind, 'threshold', r.threshold, 'total', $2,"
	"     'max_discount_pct', CASE WHEN r.kind = 'discount_over' THEN $3 END,"
	"     'exposure', x.exposure,"
	"     'credit_limit', CASE WHEN r.kind = 'credit_exceeded' THEN c.credit_limit END,"
	"     'segment', CASE WHEN r.kind = 'segment' THEN c.segment END)) AS figures) f"
	" WHERE r.active AND f.fired"
	"   AND r.kind IN ('amount_over', 'discount_over', 'credit_exceeded',"
	"                  'special_terms', 'backorder', 'segment')"
	" ORDER BY r.level, r.id",
	6, {INT8OID, NUMERICOID, NUMERICOID, TEXTOID, BOOLOID, INT8OID}
};

/* Evaluate the rules for a submission; *fired gets one entry per step. */
int
so_evaluate_rules(const SoSubmission *sub, SoFiredRule **fired)
{
	Datum		args[6];
	char		nulls[6] = {' ', ' ', ' ', ' ', ' ', ' '};
	int			n,
				i;
	bool		isnull;
	SoFiredRule *out;

	args[0] = Int64GetDatum(sub->customer_id);
	args[1] = sub->total;
	args[2] = sub->max_discount;
	args[3] = sub->special_requirements ?
		CStringGetTextDatum(sub->special_requirements) : (Datum) 0;
	nulls[3] = sub->special_requirements ? ' ' : 'n';
	args[4] = BoolGetDatum(sub->backordered);
	args[5] = Int64GetDatum(sub->order_id);
	nulls[5] = sub->order_id ? ' ' : 'n';
	n = so_execute(&evaluate_plan, args, nulls, false, 0);

	out = palloc0(sizeof(SoFiredRule) * Max(n, 1));
	for (i = 0; i < n; i++)
	{
		out[i].rule_id = so_getint64(i, 1);
		out[i].level = DatumGetInt32(so_getdatum(i, 2, &isnull));
		out[i].department = so_gettext(i, 3);
		out[i].approver_role = so_gettext(i, 4);
		out[i].reason = so_gettext(i, 5);
		out[i].figures = SPI_datumTransfer(so_getdatum(i, 6, &isnull), false, -1);
	}
	*fired = out;
	return n;
}

static SoPlan insert_steps_plan = {
	"INSERT INTO salesorder.approval_step"
	" (order_id, customer_id, round, rule_id, level, department, approver_role,"
	"  reason, figures, change_request_id)"
	" SELECT $1, $2, $3, u.rule_id, u.level, u.department, u.role, u.reason, u.figures, $10"
	" FROM ROWS FROM (pg_catalog.unnest($4::pg_catalog.int8[]),"
	"                 pg_catalog.unnest($5::pg_catalog.int4[]),"
	"                 pg_catalog.unnest($6::pg_catalog.text[]),"
	"                 pg_catalog.unnest($7::pg_catalog.text[]),"
	"                 pg_catalog.unnest($8::pg_catalog.text[]),"
	"                 pg_catalog.unnest($9::pg_catalog.jsonb[]))"
	"      AS u(rule_id, level, department, role, reason, figures)",
	10, {INT8OID, INT8OID, INT4OID, INT8ARRAYOID, INT4ARRAYOID, TEXTARRAYOID,
	TEXTARRAYOID, TEXTARRAYOID, JSONBARRAYOID, INT8OID}
};

/* One step per fired rule, for an order (change_request_id 0) or a change. */
void
so_insert_steps(int64 order_id, int64 customer_id, int64 change_request_id,
				int round, SoFiredRule *fired, int n)
{
	Datum	   *cols[6];
	Datum		args[10];
	char		nulls[10] = {' ', ' ', ' ', ' ', ' ', ' ', ' ', ' ', ' ', ' '};
	int			c,
				i;

	if (n == 0)
		return;
	for (c = 0; c < 6; c++)
		cols[c] = palloc(sizeof(Datum) * n);
	for (i = 0; i < n; i++)
	{
		cols[0][i] = Int64GetDatum(fired[i].rule_id);
		cols[1][i] = Int32GetDatum(fired[i].level);
		cols[2][i] = CStringGetTextDatum(fired[i].department);
		cols[3][i] = CStringGetTextDatum(fired[i].approver_role);
		cols[4][i] = CStringGetTextDatum(fired[i].reason);
		cols[5][i] = fired[i].figures;
	}
	args[0] = Int64GetDatum(order_id);
	args[1] = Int64GetDatum(customer_id);
	args[2] = Int32GetDatum(round);
	args[3] = so_make_array(cols[0], NULL, n, INT8OID);
	args[4] = so_make_array(cols[1], NULL, n, INT4OID);
	args[5] = so_make_array(cols[2], NULL, n, TEXTOID);
	args[6] = so_make_array(cols[3], NULL, n, TEXTOID);
	args[7] = so_make_array(cols[4], NULL, n, TEXTOID);
	args[8] = so_make_array(cols[5], NULL, n, JSONBOID);
	args[9] = Int64GetDatum(change_request_id);
	nulls[9] = change_request_id ? ' ' : 'n';
	so_execute(&insert_steps_plan, args, nulls, false, 0);
}

static SoPlan next_round_plan = {
	"SELECT COALESCE(pg_catalog.max(s.round), 0) + 1 FROM salesorder.approval_step s"
	" WHERE s.order_id = $1 AND s.change_request_id IS NULL",
	1, {INT8OID}
};

int
so_next_round(int64 order_id)
{
	Datum		arg = Int64GetDatum(order_id);
	bool		isnull;

	so_execute(&next_round_plan, &arg, NULL, false, 1);
	return DatumGetInt32(so_getdatum(0, 1, &isnull));
}

/* "2 approval steps: finance (level 1), sales director (level 2)" */
char *
so_steps_summary(SoFiredRule *fired, int n)
{
	StringInfoData buf;
	int			i;

	initStringInfo(&buf);
	appendStringInfo(&buf, "submitted; %d approval step%s:", n, n == 1 ? "" : "s");
	for (i = 0; i < n; i++)
		appendStringInfo(&buf, "%s %s (level %d)", i ? "," : "",
						 fired[i].department, fired[i].level);
	return buf.data;
}

static SoPlan close_steps_plan = {
	"UPDATE salesorder.approval_step"
	" SET status = 'closed', decided_at = pg_catalog.now(), comment = $2"
	" WHERE order_id = $1 AND change_request_id IS NULL AND status = 'pending'",
	2, {INT8OID, TEXTOID}
};

/* Close the pending steps of an order (rejected, cancelled). */
void
so_close_steps(int64 order_id, const char *why)
{
	Datum		args[2] = {Int64GetDatum(order_id), CStringGetTextDatum(why)};

	so_execute(&close_steps_plan, args, NULL, false, 0);
}

/* ---- deciding ---- */

/*
 * The pending steps of an order submission (change request $2 NULL) or of a
 * change request, lowest level first.  Only the current round has any.
 */
static SoPlan pending_steps_plan = {
	"SELECT s.id, s.level, s.department, s.approver_role"
	" FROM salesorder.approval_step s"
	" WHERE s.order_id = $1 AND s.change_request_id IS NOT DISTINCT FROM $2"
	"   AND s.status = 'pending'"
	" ORDER BY s.level, s.id",
	2, {INT8OID, INT8OID}
};

/* Who approved which level of the current round already. */
static SoPlan round_deciders_plan = {
	"SELECT s.level, s.decided_by, pg_catalog.to_jsonb(s) OPERATOR(pg_catalog.->>) 'decided_login'"
	" FROM salesorder.approval_step s"
	" WHERE s.order_id = $1 AND s.change_request_id IS NOT DISTINCT FROM $2"
	"   AND s.status = 'approved'"
	"   AND s.round = (SELECT pg_catalog.max(s2.round) FROM salesorder.approval_step s2"
	"                  WHERE s2.order_id = $1"
	"                    AND s2.change_request_id IS NOT DISTINCT FROM $2)"
	" ORDER BY s.level, s.id",
	2, {INT8OID, INT8OID}
};

static SoPlan decide_steps_plan = {
	"UPDATE salesorder.approval_step"
	" SET status = $2, decided_by = $3, decided_at = pg_catalog.now(), comment = $4"
	" WHERE id = ANY ($1)",
	4, {INT8ARRAYOID, TEXTOID, TEXTOID, TEXTOID}
};

static SoPlan decided_login_plan = {
	"UPDATE salesorder.approval_step SET decided_login = $2 WHERE id = ANY ($1)",
	2, {INT8ARRAYOID, TEXTOID}
};

/* Who created the order: role and (from 1.2) login. */
static SoPlan creator_plan = {
	"SELECT pg_catalog.to_jsonb(o) OPERATOR(pg_catalog.->>) 'created_login'"
	" FROM salesorder.sales_order o WHERE o.id = $1",
	1, {INT8OID}
};

static bool
actor_holds(const char *rolname)
{
	Oid			role = get_role_oid(rolname, true);

	return OidIsValid(role) && has_privs_of_role(so_acting_user(), role);
}

/*
 * Decide (approve or reject) the open steps routed to the acting user, of
 * an order submission (change_request_id 0) or of a change request; the
 * order row is locked by the caller.  subject names it in messages,
 * requester is who asked for it (segregation of duties).  Returns how many
 * steps stay pending.
 */
int
so_decide_steps(int64 order_id, int64 change_request_id, const char *subject,
				const char *requester, const char *requester_login,
				bool approve, const char *comment, char **decided_out)
{
	Datum		pargs[2] = {Int64GetDatum(order_id), Int64GetDatum(change_request_id)};
	char		pnulls[2] = {' ', change_request_id ? ' ' : 'n'};
	char	   *actor = so_acting_user_name();
	char	   *login = so_session_login_name();
	int			n = so_execute(&pending_steps_plan, pargs, pnulls, false, 0);
	Datum	   *mine = palloc(sizeof(Datum) * Max(n, 1));
	int			nmine = 0;
	int			level;
	bool		isnull;
	StringInfoData open;
	StringInfoData decided;
	Datum		args[4];
	char		nulls[4] = {' ', ' ', ' ', comment ? ' ' : 'n'};
	char	   *why;
	int			i;

	if (n == 0)
		elog(ERROR, "%s is waiting for approval without pending steps", subject);

	if (!so_allow_self_approval &&
		(why = so_same_person(actor, login, requester, requester_login)) != NULL)
		ereport(ERROR,
				(errcode(ERRCODE_SO_NOT_APPROVER),
				 errmsg("%s cannot decide %s: they requested it", actor, subject),
				 errdetail("Segregation of duties: whoever creates an order or requests a change does not approve it, under any role. %s", why),
				 errhint("Another person holding the approver role must decide.")));

	level = DatumGetInt32(so_getdatum(0, 2, &isnull));
	initStringInfo(&open);
	initStringInfo(&decided);
	for (i = 0; i < n && DatumGetInt32(so_getdatum(i, 2, &isnull)) == level; i++)
	{
		char	   *dept = so_gettext(i, 3);
		char	   *role = so_gettext(i, 4);

		appendStringInfo(&open, "%s%s (role %s)", i ? ", " : "", dept, role);
		if (actor_holds(role))
		{
			appendStringInfo(&decided, "%s%s", nmine ? ", " : "", dept);
			mine[nmine++] = Int64GetDatum(so_getint64(i, 1));
		}
	}
	if (nmine == 0)
		ereport(ERROR,
				(errcode(ERRCODE_SO_NOT_APPROVER),
				 errmsg("no open approval step of %s is routed to %s", subject, actor),
				 errdetail("Open at level %d: %s.", level, open.data)));

	/* Each level of a round is approved by another person. */
	if (approve)
	{
		int			nd = so_execute(&round_deciders_plan, pargs, pnulls, false, 0);

		for (i = 0; i < nd; i++)
		{
			int			done = DatumGetInt32(so_getdatum(i, 1, &isnull));
			char	   *by = so_gettext(i, 2);

			if (by == NULL ||
				(why = so_same_person(actor, login, by, so_gettext(i, 3))) == NULL)
				continue;
			ereport(ERROR,
					(errcode(ERRCODE_SO_NOT_APPROVER),
					 errmsg("%s approved level %d of %s and cannot approve level %d too",
							actor, done, subject, level),
					 errdetail("Each level of an approval is decided by another person. %s",
							   why)));
		}
	}

	args[0] = so_make_array(mine, NULL, nmine, INT8OID);
	args[1] = CStringGetTextDatum(approve ? "approved" : "rejected");
	args[2] = CStringGetTextDatum(actor);
	args[3] = comment ? CStringGetTextDatum(comment) : (Datum) 0;
	so_execute(&decide_steps_plan, args, nulls, false, 0);
	if (so_records_logins())
	{
		args[1] = CStringGetTextDatum(login);
		so_execute(&decided_login_plan, args, NULL, false, 0);
	}
	if (decided_out)
		*decided_out = psprintf("level %d: %s", level, decided.data);
	return n - nmine;
}

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
		return so_set_status(&o, "approved", "approved: every approval step approved");
	}

	(void) decide_open_steps(&o, false, call->comment);
	so_close_steps(o.id, "closed: the order was rejected");
	so_rollup_order(o.id, -1);
	so_release_order(o.id, o.customer_id, o.warehouse_id, "order rejected");
	so_set_needs_stock(o.id, false);
	return so_set_status(&o, "rejected", call->comment);
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
	return so_set_status(&o, "draft", "revised after rejection");
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
