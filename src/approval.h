/*-------------------------------------------------------------------------
 *
 * approval.h
 *	  The approval rule engine and its steps (approval.c).
 *
 *-------------------------------------------------------------------------
 */
#ifndef SO_APPROVAL_H
#define SO_APPROVAL_H

#include "salesorder.h"

/* What the approval rules look at when an order is submitted. */
typedef struct SoSubmission
{
	int64		order_id;		/* 0 before the order row exists */
	int64		customer_id;
	Datum		total;			/* numeric */
	Datum		max_discount;	/* numeric: the largest line discount */
	const char *special_requirements;	/* NULL: none */
	bool		backordered;
} SoSubmission;

/* A rule that fired: it becomes one approval_step. */
typedef struct SoFiredRule
{
	int64		rule_id;
	int			level;
	char	   *department;
	char	   *approver_role;
	char	   *reason;
	Datum		figures;		/* jsonb */
} SoFiredRule;

extern int	so_evaluate_rules(const SoSubmission *sub, SoFiredRule **fired);
extern void so_insert_steps(int64 order_id, int64 customer_id,
							int64 change_request_id, int round,
							SoFiredRule *fired, int n);
extern int	so_decide_steps(int64 order_id, int64 change_request_id,
							const char *subject, const char *requester,
							const char *requester_login,
							bool approve, const char *comment,
							char **decided_out);
extern int	so_next_round(int64 order_id);
extern char *so_steps_summary(SoFiredRule *fired, int n);
extern void so_close_steps(int64 order_id, const char *why);

#endif							/* SO_APPROVAL_H */
