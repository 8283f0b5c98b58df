/* SPDX-License-Identifier: MIT */
/* Apply: the stages of the registry, run as one transaction (txn.c). */
#include "txn.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "discover.h"

/* Run the changes of one stage: the plan's own records where they are
 * together (the planner emits kinds in order, and a stage's kinds are
 * neighbours), else copies of them (the journal takes its own). */
static int run_stage(struct tn_txn *t, const struct tn_plan *plan, int stage, struct tn_diag *d)
{
	struct tn_change *v;
	int n = 0, ret, a = 0, b;

	if (plan->n <= 0)
		return 0;
	while (a < plan->n && tn_change_stage(&plan->changes[a]) != stage)
		a++;
	for (b = a; b < plan->n && tn_change_stage(&plan->changes[b]) == stage; b++)
		;
	for (n = b; n < plan->n && tn_change_stage(&plan->changes[n]) != stage; n++)
		;
	if (n == plan->n) /* none after b: [a, b) is all of them */
		return b > a ? tn_txn_run(t, &plan->changes[a], b - a, d) : 0;
	n = 0;
	v = malloc(sizeof(*v) * (size_t)plan->n);
	if (!v)
		return tn_diag_error(d, -ENOMEM, "out of memory");
	for (int i = 0; i < plan->n; i++)
		if (tn_change_stage(&plan->changes[i]) == stage)
			v[n++] = plan->changes[i];
	ret = n ? tn_txn_run(t, v, n, d) : 0;
	free(v);
	return ret;
}

/* Whether journal entry i (from first on) names the same target as an earlier one. */
static bool seen_before(const struct tn_journal *j, int first, int i)
{
	for (int k = first; k < i; k++)
		if (j->e[k].status == TN_J_APPLIED &&
		    strcmp(j->e[k].c.target, j->e[i].c.target) == 0)
			return true;
	return false;
}

/* After stage 1: discover again each NIC whose rings or channels changed (the
 * targets of the entries applied from first on), then plan again. */
static int replan(struct tn_txn *t, int first, struct tn_state *state,
		  const struct tn_profile *prof, const struct tn_change *held, int nheld,
		  struct tn_plan *plan, struct tn_diag *d)
{
	struct tn_plan np;
	int ret, changed = 0;

	for (int i = first; i < t->j.n; i++) {
		if (t->j.e[i].status != TN_J_APPLIED || seen_before(&t->j, first, i))
			continue;
		ret = tn_discover_nic(t->root, state, t->j.e[i].c.target, d);
		if (ret < 0)
			return ret;
		changed++;
	}
	if (!changed)
		return 0;
	ret = tn_plan_compute(state, prof, &np, d);
	if (ret == 0)
		ret = tn_plan_restore_held(state, held, nheld, &np, d);
	if (ret < 0) {
		tn_plan_free(&np);
		return ret;
	}
	tn_plan_free(plan);
	*plan = np;
	return 0;
}

int tn_apply(struct tn_txn *t, struct tn_state *state, bool keep_state,
	     const struct tn_profile *prof, struct tn_plan *plan, struct tn_diag *d)
{
	struct tn_change *held;
	int nheld, ret;

	/* drivers reset IRQ affinity (and may replace queue IRQs) when rings or
	 * channels change: the IRQs of those NICs are held as they are now */
	ret = tn_plan_held(state, plan, &held, &nheld, d);
	if (ret == 0 && nheld)
		ret = tn_txn_hold(t, held, nheld, d);
	for (int stage = 1; ret == 0 && stage <= TN_STAGE_MAX; stage++) {
		int first = t->j.n;

		ret = run_stage(t, plan, stage, d);
		if (ret < 0 || stage != 1)
			continue;
		/* what is planned after stage 1 is planned again */
		ret = replan(t, first, state, prof, held, nheld, plan, d);
		if (ret == 0 && !keep_state)
			tn_state_free(state); /* nothing plans after stage 1 */
	}
	tn_held_free(held, nheld);
	return ret;
}
