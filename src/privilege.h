/*-------------------------------------------------------------------------
 *
 * privilege.h
 *	  The acting user and the switch to the extension owner (privilege.c).
 *
 *-------------------------------------------------------------------------
 */
#ifndef SO_PRIVILEGE_H
#define SO_PRIVILEGE_H

#include "sqlstate.h"

/*
 * Every SQL-callable entry point and every trigger that writes runs its work
 * through so_run_as_owner(), which captures the acting user and switches to
 * the extension owner around it.
 */
typedef Datum (*SoWork) (void *arg);

/* result_type of so_run_as_owner() for a pass-by-value result. */
#define SO_RESULT_BYVAL InvalidOid

extern Datum so_run_as_owner(SoWork work, void *arg, Oid result_type);
typedef void (*SoOperationEnd) (bool done);
extern void so_on_operation_end(SoOperationEnd callback);
extern bool so_in_internal_write(void);
extern Oid	so_acting_user(void);
extern char *so_acting_user_name(void);
extern char *so_same_person(const char *role_a, const char *login_a,
							const char *role_b, const char *login_b);
extern char *so_session_login_name(void);
extern bool so_records_logins(void);
extern Oid	so_extension_owner(void);

#endif							/* SO_PRIVILEGE_H */
