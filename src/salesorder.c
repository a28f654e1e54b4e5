/*-------------------------------------------------------------------------
 *
 * salesorder.c
 *	  Module load: the magic block and the extension's GUCs.
 *
 *-------------------------------------------------------------------------
 */
#include "salesorder.h"

#include "fmgr.h"
#include "utils/guc.h"

PG_MODULE_MAGIC;

/*
 * salesorder.allow_self_approval: segregation of duties is on by default; an
 * administrator may relax it (e.g. in a one-person company).
 */
bool		so_allow_self_approval = false;

void		_PG_init(void);

void
_PG_init(void)
{
	DefineCustomBoolVariable("salesorder.allow_self_approval",
							 "Lets the creator of an order approve it.",
							 "Off by default: whoever created an order or a change request cannot approve it.",
							 &so_allow_self_approval,
							 false,
							 PGC_SUSET,
							 0,
							 NULL, NULL, NULL);

	MarkGUCPrefixReserved("salesorder");
}
