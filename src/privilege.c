/*-------------------------------------------------------------------------
 *
 * privilege.c
 *	  Who is acting, and with which rights the extension writes.
 *
 * The SQL functions are deliberately not SECURITY DEFINER: that would make
 * current_user the owner and lose the caller, and an application pool that
 * connects once and SET ROLEs per request must have its requests recorded
 * under the role it set.  Instead every entry point runs its work through
 * so_run_as_owner(), which (in so_enter()) captures the caller's
 * current_user as the acting user and then switches to
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
#include "sqlstate.h"
#include "settings.h"
#include "privilege.h"
#include "spi_util.h"

#include "access/htup_details.h"
#include "catalog/namespace.h"
#include "catalog/pg_authid.h"
#include "catalog/pg_namespace.h"
#include "miscadmin.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/syscache.h"
#include "utils/varlena.h"

/* InvalidOid when no function of ours is running. */
static Oid	current_acting_user = InvalidOid;

/* State saved by so_enter() and restored by so_leave(). */
typedef struct SoContext
{
	Oid			acting_user;	/* the caller's current_user */
	Oid			saved_userid;
	int			saved_sec_context;
	Oid			prev_acting_user;
} SoContext;

Oid
so_extension_owner(void)
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
 * What runs when an operation ends: the modules that keep something for the
 * end of the outermost so_run_as_owner() register it at load time (credit
 * exposure: exposure.c), so that this module, which everything calls, calls
 * none of them by name.
 */
#define MAX_OPERATION_END 4
static SoOperationEnd operation_end[MAX_OPERATION_END];
static int	n_operation_end = 0;

void
so_on_operation_end(SoOperationEnd callback)
{
	if (n_operation_end >= MAX_OPERATION_END)
		elog(ERROR, "too many operation-end callbacks");
	operation_end[n_operation_end++] = callback;
}

/*
 * done: the work succeeded, SPI is connected (settle); else it failed and
 * only forgets (called from PG_FINALLY: must not raise).
 */
static void
run_operation_end(bool done)
{
	int			i;

	for (i = 0; i < n_operation_end; i++)
		operation_end[i] (done);
}

/*
 * Capture the acting user and become the extension owner.  Nested calls (a
 * trigger fired by one of our own writes) keep the outermost acting user.
 */
static void
so_enter(SoContext *ctx)
{
	ctx->prev_acting_user = current_acting_user;
	ctx->acting_user = OidIsValid(current_acting_user) ?
		current_acting_user : GetUserId();
	GetUserIdAndSecContext(&ctx->saved_userid, &ctx->saved_sec_context);
	SetUserIdAndSecContext(so_extension_owner(),
						   ctx->saved_sec_context | SECURITY_LOCAL_USERID_CHANGE);
	current_acting_user = ctx->acting_user;
}

/* Undo so_enter(); called from PG_FINALLY so it also runs on error. */
static void
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
		/* The operation is done: what its modules kept for its end. */
		if (!OidIsValid(ctx.prev_acting_user))
			run_operation_end(true);
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
		if (!OidIsValid(ctx.prev_acting_user))
			run_operation_end(false);
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

/* ---- segregation of duties: who is one person ---- */

/*
 * Is login one of salesorder.pool_logins?  Such a login is shared by an
 * application pool that SET ROLEs per request: it says nothing about the
 * person, the role it set does.
 */
static bool
is_pool_login(const char *login)
{
	char	   *list;
	List	   *names;
	ListCell   *lc;
	bool		found = false;

	if (so_pool_logins == NULL || so_pool_logins[0] == '\0')
		return false;
	list = pstrdup(so_pool_logins);
	if (!SplitIdentifierString(list, ',', &names))
		return false;			/* the GUC check hook refuses that */
	foreach(lc, names)
		if (strcmp((char *) lfirst(lc), login) == 0)
			found = true;
	return found;
}

/* One role is the other, or a member of it (directly or not). */
static bool
roles_related(const char *a, const char *b)
{
	Oid			ra,
				rb;

	if (strcmp(a, b) == 0)
		return true;
	ra = get_role_oid(a, true);
	rb = get_role_oid(b, true);
	if (!OidIsValid(ra) || !OidIsValid(rb))
		return false;
	/* _nosuper: a superuser is not everybody's member here. */
	return is_member_of_role_nosuper(ra, rb) || is_member_of_role_nosuper(rb, ra);
}

/*
 * Who did an act: the login of its session (session_user), which is a
 * person -- unless it is one of salesorder.pool_logins or was not recorded
 * (NULL, before 1.2), and then the acting role (current_user after any SET
 * ROLE) is all that tells the person.
 */
static const char *
person_of(const char *role, const char *login)
{
	return (login != NULL && !is_pool_login(login)) ? login : role;
}

/*
 * Whether two acts were done by one person, and if so why (a sentence for
 * the error detail), else NULL.  Two acts are one person's when their
 * persons (see person_of) are one role, or one is a member of the other in
 * either direction.  So a person who SET ROLEs to a group role, acts
 * through two group roles or opens another session is still one person,
 * and through a pool login, a role that is a member of the requester's
 * (or the other way round) is the requester.
 */
char *
so_same_person(const char *role_a, const char *login_a,
			   const char *role_b, const char *login_b)
{
	const char *a = person_of(role_a, login_a);
	const char *b = person_of(role_b, login_b);

	if (!roles_related(a, b))
		return NULL;
	if (strcmp(a, b) != 0)
		return psprintf("\"%s\" and \"%s\" are one person: one is a member of the other.",
						a, b);
	if (a == login_a && b == login_b && strcmp(role_a, role_b) != 0)
		return psprintf("Both acted through login \"%s\", as \"%s\" and \"%s\".",
						a, role_b, role_a);
	return psprintf("Both acted as \"%s\".", a);
}

/* The login of this session (session_user), as recorded beside the role. */
char *
so_session_login_name(void)
{
	return GetUserNameFromId(GetSessionUserId(), false);
}

/*
 * Whether the installed schema has the login columns of 1.2.  The library
 * is replaced when the package is, before ALTER EXTENSION salesorder UPDATE
 * runs in each database: until then the functions work on the older schema
 * and read the logins as NULL (see the to_jsonb() reads) and do not write
 * them.
 */
bool
so_records_logins(void)
{
	return get_attnum(so_relid("approval_step"), "decided_login") != InvalidAttrNumber;
}
