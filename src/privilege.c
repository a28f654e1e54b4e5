/*-------------------------------------------------------------------------
 *
 * privilege.c
 *	  Who is acting, and with which rights the extension writes.
 *
 * The SQL functions are deliberately not SECURITY DEFINER: that would make
 * current_user the owner and lose the caller, and an application pool that
 * connects once and SET ROLEs per request must have its requests recorded
 * under the role it set.  Instead every entry point calls so_enter(), which
 * captures the caller's current_user as the acting user and then switches to
 * the extension owner (the owner of schema salesorder) for its own writes,
 * the way pg_cron does with SetUserIdAndSecContext.  Rights are checked
 * against the acting user before anything is written.
 *
 * The acting user is also what the triggers record in the history when the
 * write comes from one of our functions; for a plain UPDATE by a user it is
 * that user.
 *
 *-------------------------------------------------------------------------
 */
#include "salesorder.h"

#include "access/htup_details.h"
#include "catalog/namespace.h"
#include "catalog/pg_authid.h"
#include "catalog/pg_namespace.h"
#include "miscadmin.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/syscache.h"

/* InvalidOid when no function of ours is running. */
static Oid	current_acting_user = InvalidOid;

static Oid
extension_owner(void)
{
	Oid			nspid = get_namespace_oid("salesorder", false);
	HeapTuple	tup;
	Oid			owner;

	tup = SearchSysCache1(NAMESPACEOID, ObjectIdGetDatum(nspid));
	if (!HeapTupleIsValid(tup))
		elog(ERROR, "cache lookup failed for namespace %u", nspid);
	owner = ((Form_pg_namespace) GETSTRUCT(tup))->nspowner;
	ReleaseSysCache(tup);
	return owner;
}

/*
 * Capture the acting user and become the extension owner.  Nested calls (a
 * trigger fired by one of our own writes) keep the outermost acting user.
 */
void
so_enter(SoContext *ctx)
{
	ctx->prev_acting_user = current_acting_user;
	ctx->acting_user = OidIsValid(current_acting_user) ?
		current_acting_user : GetUserId();
	GetUserIdAndSecContext(&ctx->saved_userid, &ctx->saved_sec_context);
	SetUserIdAndSecContext(extension_owner(),
						   ctx->saved_sec_context | SECURITY_LOCAL_USERID_CHANGE);
	current_acting_user = ctx->acting_user;
}

/* Undo so_enter(); called from PG_FINALLY so it also runs on error. */
void
so_leave(SoContext *ctx)
{
	SetUserIdAndSecContext(ctx->saved_userid, ctx->saved_sec_context);
	current_acting_user = ctx->prev_acting_user;
}

/*
 * Run work(arg) as the extension owner for the acting user, inside its own
 * SPI connection, and always undo the switch, also on error.
 *
 * result_type is the type of what work returns: SO_RESULT_BYVAL for a
 * pass-by-value datum (integers, booleans, enums, void), or the type's OID.
 * A pass-by-reference result is built in SPI's procedure memory, which
 * SPI_finish() frees, so it is copied to the caller's memory here, before
 * that -- the one place that has to get this right.
 */
Datum
so_run_as_owner(SoWork work, void *arg, Oid result_type)
{
	SoContext	ctx;
	volatile Datum result = (Datum) 0;

	so_enter(&ctx);
	PG_TRY();
	{
		if (SPI_connect() != SPI_OK_CONNECT)
			elog(ERROR, "SPI_connect failed");
		result = work(arg);
		if (OidIsValid(result_type))
		{
			int16		typlen;
			bool		typbyval;

			get_typlenbyval(result_type, &typlen, &typbyval);
			if (!typbyval && DatumGetPointer(result) != NULL)
				result = SPI_datumTransfer(result, false, typlen);
		}
		SPI_finish();
	}
	PG_FINALLY();
	{
		so_leave(&ctx);
	}
	PG_END_TRY();
	return result;
}

/* True while one of our functions is writing (the guards let it through). */
bool
so_in_internal_write(void)
{
	return OidIsValid(current_acting_user);
}

Oid
so_acting_user(void)
{
	return OidIsValid(current_acting_user) ? current_acting_user : GetUserId();
}

char *
so_acting_user_name(void)
{
	return GetUserNameFromId(so_acting_user(), false);
}

static bool
has_role_named(Oid roleid, const char *rolname)
{
	Oid			target = get_role_oid(rolname, true);

	return OidIsValid(target) && has_privs_of_role(roleid, target);
}

bool
so_user_is_admin(Oid roleid)
{
	return superuser_arg(roleid) || has_role_named(roleid, "salesorder_admin");
}

/*
 * A member of salesorder_sales acts only for the customers assigned to them:
 * customer.sales_rep names the rep, or a group role the rep belongs to.
 * Other roles reach a function only through its EXECUTE grant, which is
 * their check.
 */
void
so_check_customer_access(const char *sales_rep, int64 customer_id)
{
	Oid			actor = so_acting_user();

	if (so_user_is_admin(actor) || !has_role_named(actor, "salesorder_sales"))
		return;
	if (sales_rep != NULL)
	{
		Oid			rep = get_role_oid(sales_rep, true);

		if (OidIsValid(rep) && has_privs_of_role(actor, rep))
			return;
	}
	ereport(ERROR,
			(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
			 errmsg("permission denied for the orders of customer %lld",
					(long long) customer_id),
			 errdetail("The customer is assigned to sales rep \"%s\"; you are \"%s\".",
					   sales_rep ? sales_rep : "(none)",
					   GetUserNameFromId(actor, false)),
			 errhint("Ask an administrator to reassign the customer.")));
}
