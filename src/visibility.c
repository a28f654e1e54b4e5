/*-------------------------------------------------------------------------
 *
 * visibility.c
 *	  Who sees which orders: the predicates of the row-level security
 *	  policies, and the same rule for the functions.
 *
 * A user sees an order when
 *	  - they see every order: superuser, BYPASSRLS, the extension owner, or a
 *		member of salesorder_admin or salesorder_warehouse;
 *	  - or the order's customer is assigned to them: customer.sales_rep is
 *		the user or a role they are a member of;
 *	  - or an approval step of the order is routed to a role they are a
 *		member of.
 * The policies read the same three predicates (rls_sees_all, rls_customers
 * and the view rls_routes), and so_check_access() applies them to whoever
 * calls a function, so that a function never acts on an order the tables
 * hide from its caller.
 *
 * The predicates take no user argument: they answer for the current user
 * only (a function that took a user name let anybody ask about anybody).
 * They read the assignment tables as the extension owner, which bypasses
 * the policies and so cannot recurse into them.  The routed orders are a
 * view (extension/security.sql) rather than a set built here: a policy's
 * EXISTS over it costs one index probe per order checked, where a set of
 * every order ever routed to the user grew with the years.
 *
 *-------------------------------------------------------------------------
 */
#include "sqlstate.h"
#include "privilege.h"
#include "spi_util.h"
#include "visibility.h"

#include "catalog/pg_type.h"
#include "fmgr.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/fmgrprotos.h"

PG_FUNCTION_INFO_V1(so_rls_sees_all);
PG_FUNCTION_INFO_V1(so_rls_customers);
PG_FUNCTION_INFO_V1(so_credit_exposure);

static bool
member_of_named(Oid roleid, const char *rolname)
{
	Oid			target = get_role_oid(rolname, true);

	return OidIsValid(target) && is_member_of_role(roleid, target);
}

/* Whether roleid administers salesorder: superuser, owner, salesorder_admin. */
bool
so_is_admin(Oid roleid)
{
	return superuser_arg(roleid) || roleid == so_extension_owner() ||
		member_of_named(roleid, "salesorder_admin");
}

/* Whether roleid sees every order, as the policies let it. */
static bool
sees_all(Oid roleid)
{
	return superuser_arg(roleid) || has_bypassrls_privilege(roleid) ||
		roleid == so_extension_owner() ||
		member_of_named(roleid, "salesorder_admin") ||
		member_of_named(roleid, "salesorder_warehouse");
}

/* Whether roleid is the sales rep named (or a member of that role). */
static bool
is_rep(Oid roleid, const char *sales_rep)
{
	return sales_rep != NULL && member_of_named(roleid, sales_rep);
}

static SoPlan routed_plan = {
	"SELECT EXISTS (SELECT 1 FROM salesorder.approval_step s"
	"  JOIN pg_catalog.pg_roles r ON r.rolname = s.approver_role"
	"  WHERE s.order_id = $1 AND pg_catalog.pg_has_role($2, r.oid, 'MEMBER'))",
	2, {INT8OID, OIDOID}
};

/* Whether an approval step of the order is routed to a role of roleid. */
static bool
is_routed(Oid roleid, int64 order_id)
{
	Datum		args[2] = {Int64GetDatum(order_id), ObjectIdGetDatum(roleid)};
	bool		isnull;

	so_execute(&routed_plan, args, NULL, true, 1);
	return DatumGetBool(so_getdatum(0, 1, &isnull));
}

/*
 * The acting user may act on an order of the customer (order_id 0: on the
 * customer, to create an order), as the row-level security policies let
 * them see it; else 42501.  SPI must be connected.
 */
void
so_check_access(const char *sales_rep, int64 customer_id, int64 order_id,
				const char *order_no)
{
	Oid			actor = so_acting_user();

	if (sees_all(actor) || is_rep(actor, sales_rep))
		return;
	if (order_id != 0 && is_routed(actor, order_id))
		return;
	if (order_id == 0 || member_of_named(actor, "salesorder_sales"))
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("permission denied for the orders of customer %lld",
						(long long) customer_id),
				 errdetail("The customer is assigned to sales rep \"%s\"; you are \"%s\".",
						   sales_rep ? sales_rep : "(none)",
						   GetUserNameFromId(actor, false)),
				 errhint("Ask an administrator to reassign the customer.")));
	ereport(ERROR,
			(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
			 errmsg("permission denied for order %s", order_no),
			 errdetail("\"%s\" sees the orders of the customers assigned to them, the orders with an approval step routed to a role they hold, and every order as a member of salesorder_admin or salesorder_warehouse.",
					   GetUserNameFromId(actor, false))));
}

/*
 * salesorder.rls_sees_all(): whether the current user sees every order.
 */
Datum
so_rls_sees_all(PG_FUNCTION_ARGS)
{
	PG_RETURN_BOOL(sees_all(GetUserId()));
}

/*
 * The rows of one query with a role OID parameter, into the SRF's
 * tuplestore, read as the extension owner.
 */
typedef struct SoRlsCall
{
	SoPlan	   *plan;
	Oid			user;
	ReturnSetInfo *rsinfo;
} SoRlsCall;

static Datum
rls_ids_work(void *arg)
{
	SoRlsCall  *call = (SoRlsCall *) arg;
	Datum		user = ObjectIdGetDatum(call->user);
	int			n = so_execute(call->plan, &user, NULL, true, 0);
	int			i;

	for (i = 0; i < n; i++)
	{
		bool		isnull;
		Datum		id = so_getdatum(i, 1, &isnull);

		tuplestore_putvalues(call->rsinfo->setResult, call->rsinfo->setDesc,
							 &id, &isnull);
	}
	return (Datum) 0;
}

static Datum
rls_ids(FunctionCallInfo fcinfo, SoPlan *plan)
{
	SoRlsCall	call;

	InitMaterializedSRF(fcinfo, MAT_SRF_USE_EXPECTED_DESC);
	call.plan = plan;
	call.user = GetUserId();	/* before the switch to the owner */
	call.rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	(void) so_run_as_owner(rls_ids_work, &call, SO_RESULT_BYVAL);
	return (Datum) 0;
}

static SoPlan rls_customers_plan = {
	"SELECT c.id FROM salesorder.customer c"
	" JOIN pg_catalog.pg_roles r ON r.rolname = c.sales_rep"
	" WHERE pg_catalog.pg_has_role($1, r.oid, 'MEMBER')",
	1, {OIDOID}
};

/*
 * salesorder.rls_customers(): the customers assigned to the current user.
 */
Datum
so_rls_customers(PG_FUNCTION_ARGS)
{
	return rls_ids(fcinfo, &rls_customers_plan);
}

/* ---- credit exposure, for whoever may see the customer ---- */

typedef struct SoExposureCall
{
	int64		customer_id;
	bool		has_except;
	int64		except_order;
} SoExposureCall;

static SoPlan exposure_customer_plan = {
	"SELECT c.sales_rep,"
	"       EXISTS (SELECT 1 FROM salesorder.approval_step s"
	"               JOIN pg_catalog.pg_roles r ON r.rolname = s.approver_role"
	"               WHERE s.customer_id = c.id"
	"                 AND pg_catalog.pg_has_role($2, r.oid, 'MEMBER'))"
	" FROM salesorder.customer c WHERE c.id = $1",
	2, {INT8OID, OIDOID}
};

static SoPlan exposure_plan = {
	"SELECT salesorder.credit_exposure_of($1, $2)",
	2, {INT8OID, INT8OID}
};

static Datum
credit_exposure_work(void *arg)
{
	SoExposureCall *call = (SoExposureCall *) arg;
	Oid			actor = so_acting_user();
	Datum		args[2] = {Int64GetDatum(call->customer_id), ObjectIdGetDatum(actor)};
	bool		isnull;

	if (so_execute(&exposure_customer_plan, args, NULL, true, 1) == 0)
		ereport(ERROR,
				(errcode(ERRCODE_SO_NOT_FOUND),
				 errmsg("customer %lld does not exist", (long long) call->customer_id)));
	/* Reviewers see the credit position of the customers routed to them. */
	if (!sees_all(actor) && !is_rep(actor, so_gettext(0, 1)) &&
		!DatumGetBool(so_getdatum(0, 2, &isnull)))
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("permission denied for the credit exposure of customer %lld",
						(long long) call->customer_id),
				 errdetail("The credit position of a customer is for its sales rep, the approvers of its orders, and salesorder_admin.")));

	args[1] = Int64GetDatum(call->except_order);
	so_execute(&exposure_plan, args, call->has_except ? NULL : " n", true, 1);
	return so_getdatum(0, 1, &isnull);
}

/*
 * salesorder.credit_exposure(customer_id bigint, except_order bigint)
 */
Datum
so_credit_exposure(PG_FUNCTION_ARGS)
{
	SoExposureCall call;

	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	call.customer_id = PG_GETARG_INT64(0);
	call.has_except = !PG_ARGISNULL(1);
	call.except_order = call.has_except ? PG_GETARG_INT64(1) : 0;
	PG_RETURN_DATUM(so_run_as_owner(credit_exposure_work, &call, NUMERICOID));
}
