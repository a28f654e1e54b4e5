/*-------------------------------------------------------------------------
 *
 * approval_steps.h
 *	  The approval rule engine and its steps (approval_steps.c).
 *
 *-------------------------------------------------------------------------
 */
#ifndef SO_APPROVAL_STEPS_H
#define SO_APPROVAL_STEPS_H

#include "sqlstate.h"

/*
 * The kinds of rule each side weighs, as comma-separated names: the kinds
 * that approval_steps.c tests when an order is submitted and change.c when a
 * change request is made.  The SQL side has them as the rows of
 * salesorder.approval_rule_kind; regression test rule_kinds compares the
 * two through so_rule_kinds().
 */
#define SO_ORDER_RULE_KINDS \
	"amount_over,discount_over,credit_exceeded,special_terms,backorder,segment"
#define SO_CHANGE_RULE_KINDS "change_amount_over,change_qty,change_date"

/* "col = ANY ('{...}'::text[])" for a list above. */
#define SO_KIND_IN(col, kinds) \
	col " = ANY ('{" kinds "}'::pg_catalog.text[])"

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
extern void so_close_change_requests(int64 order_id, const char *why);

#endif							/* SO_APPROVAL_STEPS_H */
