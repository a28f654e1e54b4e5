/*-------------------------------------------------------------------------
 *
 * approval_steps.c
 *	  The approval rule engine and its steps: evaluating the rules of a
 *	  submission, writing the steps, deciding them with segregation of
 *	  duties, closing them.
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
 * Used by approval.c (orders) and change.c (change requests); it uses no
 * SQL-callable module.
 *
 *-------------------------------------------------------------------------
 */
#include "sqlstate.h"
#include "settings.h"
#include "privilege.h"
#include "spi_util.h"
#include "approval_steps.h"

#include "access/htup_details.h"
#include "catalog/pg_type.h"
#include "fmgr.h"
#include "miscadmin.h"
#include "utils/acl.h"
#include "utils/builtins.h"

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
	"   AND " SO_KIND_IN("r.kind", SO_ORDER_RULE_KINDS)
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

/*
 * The order left the statuses that take changes for good (cancelled,
 * completed, shipped in full): its pending requests can never apply, so
 * they become stale and their steps leave the approval queue.
 */
static SoPlan close_requests_plan = {
	"WITH stale AS (UPDATE salesorder.change_request"
	"   SET status = 'stale', decided_at = pg_catalog.now(), decision_comment = $2"
	"   WHERE order_id = $1 AND status = 'pending' RETURNING id)"
	" UPDATE salesorder.approval_step SET status = 'closed',"
	"   decided_at = pg_catalog.now(), comment = $2"
	" WHERE change_request_id IN (SELECT id FROM stale) AND status = 'pending'",
	2, {INT8OID, TEXTOID}
};

void
so_close_change_requests(int64 order_id, const char *why)
{
	Datum		args[2] = {Int64GetDatum(order_id), CStringGetTextDatum(why)};

	so_execute(&close_requests_plan, args, NULL, false, 0);
}
