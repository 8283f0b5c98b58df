/* SPDX-License-Identifier: MIT */
/*
 * Where each queue IRQ goes: the candidate CPUs of a NIC's rule, their order
 * (one thread per physical core first), the rotation between NICs sharing
 * CPUs (each NIC's queue 0 kept off the cores of the queue 0s placed before),
 * and the IRQ affinity changes.
 */
#include <errno.h>
#include <search.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plan_int.h"
#include "util.h"

static int cores_in_node(const struct tn_topology *t, int node)
{
	int n = 0;

	for (int i = 0; i < t->n_cores; i++)
		n += t->cores[i].node == node;
	return n;
}

int tn_plan_irq_init(struct planner *pl)
{
	const struct tn_topology *t = &pl->s->topo;
	size_t total = 0;
	int cpu;

	pl->cpu0_node_cores = cores_in_node(t, tn_topology_cpu_node(t, 0));
	pl->core_of = malloc(sizeof(int) * TN_CPU_MAX);
	pl->core_size = calloc((size_t)t->n_cores + 1, sizeof(int));
	pl->q0_core = calloc((size_t)t->n_cores + 1, sizeof(bool));
	if (!pl->core_of || !pl->core_size || !pl->q0_core)
		return tn_diag_error(pl->d, -ENOMEM, "out of memory");
	memset(pl->core_of, 0xff, sizeof(int) * TN_CPU_MAX); /* -1: no core */
	for (int i = 0; i < t->n_cores; i++) {
		tn_cpuset_foreach (cpu, &t->cores[i].cpus) {
			pl->cores_shared |= pl->core_of[cpu] >= 0;
			pl->core_of[cpu] = i;
			pl->core_size[i]++;
		}
		total += (size_t)pl->core_size[i];
	}
	/* per core: a count, a start (and one), a place in the order; the CPUs */
	pl->scratch = malloc(sizeof(int) * (3 * (size_t)t->n_cores + 1 + total));
	if (!pl->scratch)
		return tn_diag_error(pl->d, -ENOMEM, "out of memory");
	return 0;
}

void tn_plan_irq_free(struct planner *pl)
{
	tdestroy(pl->orders, free);
	tdestroy(pl->rots, free);
	tdestroy(pl->owners, free);
	free(pl->core_of);
	free(pl->core_size);
	free(pl->q0_core);
	free(pl->scratch);
}

/* Order candidate CPUs with the core sets themselves (cores sharing a CPU):
 * each pass takes the lowest candidate left of every core, the cores whose
 * threads are all candidates first. */
static int order_by_sets(const struct tn_topology *t, const struct tn_cpuset *cand, int *order,
			 int *first_pass)
{
	struct tn_cpuset left = *cand;
	int n = 0, cpu;

	for (;;) {
		bool took = false;

		for (int whole = 1; whole >= 0; whole--) {
			for (int i = 0; i < t->n_cores; i++) {
				struct tn_cpuset c = t->cores[i].cpus;
				int first;

				if (tn_cpuset_subset(&t->cores[i].cpus, cand) != whole)
					continue;
				tn_cpuset_and(&c, &left);
				first = tn_cpuset_next(&c, 0);
				if (first < 0)
					continue;
				order[n++] = first;
				tn_cpuset_clear(&left, first);
				took = true;
			}
		}
		if (!took)
			break;
		if (!*first_pass)
			*first_pass = n;
	}
	tn_cpuset_foreach (cpu, &left)
		order[n++] = cpu;
	return n;
}

/*
 * The same order from the core index: the candidates of each core, in CPU
 * order (a counting sort), then pass p takes the p-th of every core that has
 * one, whole cores first. Costs the candidates plus the cores, per set.
 */
static int order_by_index(const struct planner *pl, const struct tn_cpuset *cand, int *order,
			  int *first_pass)
{
	int nc = pl->s->topo.n_cores, *cnt = pl->scratch, *start = cnt + nc, *seq = start + nc + 1;
	int *list = seq + nc, n = 0, ns = 0, cpu, most = 0;

	memset(cnt, 0, sizeof(int) * (size_t)nc);
	tn_cpuset_foreach (cpu, cand)
		if (pl->core_of[cpu] >= 0)
			cnt[pl->core_of[cpu]]++;
	start[0] = 0;
	for (int i = 0; i < nc; i++) {
		start[i + 1] = start[i] + cnt[i];
		most = cnt[i] > most ? cnt[i] : most;
	}
	tn_cpuset_foreach (cpu, cand)
		if (pl->core_of[cpu] >= 0)
			list[start[pl->core_of[cpu] + 1] - cnt[pl->core_of[cpu]]--] = cpu;
	for (int whole = 1; whole >= 0; whole--)
		for (int i = 0; i < nc; i++)
			if (start[i + 1] > start[i] &&
			    (start[i + 1] - start[i] == pl->core_size[i]) == whole)
				seq[ns++] = i;
	for (int p = 0; p < most; p++) {
		for (int k = 0; k < ns; k++)
			if (start[seq[k]] + p < start[seq[k] + 1])
				order[n++] = list[start[seq[k]] + p];
		if (!*first_pass)
			*first_pass = n;
	}
	tn_cpuset_foreach (cpu, cand)
		if (pl->core_of[cpu] < 0)
			order[n++] = cpu;
	return n;
}

/* Order candidate CPUs: one thread per physical core before any sibling
 * (smt avoid), or in CPU number order (smt allow). */
static int order_cpus(const struct planner *pl, const struct tn_cpuset *cand, bool smt_allow,
		      int *order, int *first_pass)
{
	int n = 0, cpu;

	*first_pass = 0;
	if (smt_allow)
		tn_cpuset_foreach (cpu, cand)
			order[n++] = cpu;
	else if (pl->cores_shared)
		n = order_by_sets(&pl->s->topo, cand, order, first_pass);
	else
		n = order_by_index(pl, cand, order, first_pass);
	if (!*first_pass)
		*first_pass = n;
	return n;
}

static int cmp_order_memo(const void *a, const void *b)
{
	const struct order_memo *x = a, *y = b;
	int c = memcmp(&x->cand, &y->cand, sizeof(x->cand));

	return c ? c : (int)x->smt_allow - (int)y->smt_allow;
}

/* The order of a candidate set, from the tree or worked out and kept there. */
static const struct order_memo *ordered(struct planner *pl, const struct tn_cpuset *cand,
					bool smt_allow)
{
	struct order_memo *m = malloc(sizeof(*m) + sizeof(int) * (size_t)tn_cpuset_count(cand));
	struct order_memo **found;

	if (!m)
		return NULL;
	m->cand = *cand;
	m->smt_allow = smt_allow;
	found = tsearch(m, &pl->orders, cmp_order_memo);
	if (!found || *found != m) {
		free(m);
		return found ? *found : NULL;
	}
	m->n = order_cpus(pl, cand, smt_allow, m->order, &m->first_pass);
	return m;
}

/* The CPUs the rule's irq.cpus names for NIC n, before exclusions, into
 * *cand; 'why' says which. 0 or -EINVAL. */
static int rule_cpus(struct planner *pl, const struct tn_nic *n, const struct tn_irq_rule *q,
		     struct tn_cpuset *cand, char *why, size_t whylen)
{
	const struct tn_topology *t = &pl->s->topo;
	struct tn_cpuset nodes;

	tn_cpuset_zero(&nodes);
	switch (q->policy) {
	case TN_CPUS_LOCAL:
	case TN_CPUS_REMOTE:
		if (n->numa_node < 0 || !tn_topology_node(t, n->numa_node)) {
			tn_diag_warn(pl->d, "%s: NUMA node unknown; its IRQs go to any online CPU",
				     n->name);
			*cand = t->online;
			snprintf(why, whylen, "NUMA node unknown");
			break;
		}
		if (q->policy == TN_CPUS_LOCAL) {
			tn_cpuset_set(&nodes, n->numa_node);
			snprintf(why, whylen, "local node %d", n->numa_node);
		} else {
			for (int i = 0; i < t->n_nodes; i++)
				if (t->nodes[i].id != n->numa_node)
					tn_cpuset_set(&nodes, t->nodes[i].id);
			if (tn_cpuset_empty(&nodes))
				return tn_diag_error(pl->d, -EINVAL,
						     "%s: irq.cpus is \"remote\" but this host has "
						     "one NUMA node",
						     n->name);
			snprintf(why, whylen, "remote from node %d", n->numa_node);
		}
		tn_plan_node_cpus(t, &nodes, cand);
		break;
	case TN_CPUS_NODES: {
		int id;

		tn_cpuset_foreach (id, &q->nodes) {
			if (!tn_topology_node(t, id))
				return tn_diag_error(pl->d, -EINVAL,
						     "%s: irq.cpus names NUMA node %d, which this "
						     "host does not have",
						     n->name, id);
		}
		tn_plan_node_cpus(t, &q->nodes, cand);
		tn_plan_fmt_set(&q->nodes, why + snprintf(why, whylen, "nodes "), whylen - 6);
		break;
	}
	case TN_CPUS_LIST:
	default:
		*cand = q->cpus;
		snprintf(why, whylen, "listed CPUs");
		break;
	}
	return 0;
}

/* The CPUs a NIC's queue IRQs go to, in order (*order, shared: not to be
 * changed); returns how many, or -errno. */
static int irq_targets(struct planner *pl, const struct tn_nic *n, const struct tn_irq_rule *q,
		       const int **order, int *first_pass, char *why, size_t whylen)
{
	const struct order_memo *m;
	const struct tn_topology *t = &pl->s->topo;
	struct tn_cpuset cand;
	int cnt = rule_cpus(pl, n, q, &cand, why, whylen);

	if (cnt < 0)
		return cnt;
	tn_cpuset_and(&cand, &t->online);
	if (q->has_exclude) {
		tn_cpuset_andnot(&cand, &q->exclude);
	} else {
		tn_cpuset_andnot(&cand, &t->isolated);
		tn_cpuset_andnot(&cand, &t->nohz_full);
		if (tn_cpuset_test(&cand, 0) && pl->cpu0_node_cores > 2)
			tn_cpuset_clear(&cand, 0);
	}
	if (tn_cpuset_empty(&cand))
		return tn_diag_error(
			pl->d, -EINVAL,
			"%s: no online CPU is left for its IRQs (%s, after exclusions)", n->name,
			why);
	m = ordered(pl, &cand, q->smt_allow);
	if (!m)
		return tn_diag_error(pl->d, -ENOMEM, "out of memory");
	*order = m->order;
	*first_pass = m->first_pass;
	cnt = m->n;
	if (q->count > 0) {
		if (q->count > cnt)
			tn_diag_warn(pl->d, "%s: irq.count is %d but only %d CPUs qualify", n->name,
				     q->count, cnt);
		else
			cnt = q->count;
	}
	if (*first_pass > cnt)
		*first_pass = cnt;
	return cnt;
}

static int cmp_rot_memo(const void *a, const void *b)
{
	return memcmp(&((const struct rot_memo *)a)->set, &((const struct rot_memo *)b)->set,
		      sizeof(struct tn_cpuset));
}

/* The rotation offset of the NICs whose IRQs go to order[0..cnt); NULL on
 * out-of-memory. */
static int *rotation(struct planner *pl, const int *order, int cnt)
{
	struct rot_memo *m = calloc(1, sizeof(*m)), **found;

	if (!m)
		return NULL;
	for (int i = 0; i < cnt; i++)
		tn_cpuset_set(&m->set, order[i]);
	found = tsearch(m, &pl->rots, cmp_rot_memo);
	if (!found || *found != m)
		free(m);
	return found ? &(*found)->off : NULL;
}

/*
 * The j-th CPU of a NIC whose rotation offset is off: the physical cores
 * (the first fp entries) rotated by off, then the siblings rotated likewise.
 * Each NIC thus takes physical cores before siblings, and NICs sharing the
 * CPUs start on different cores.
 */
static int rotated(int j, int off, int fp, int cnt)
{
	if (j < fp)
		return (off + j) % fp;
	return fp + (off + j - fp) % (cnt - fp);
}

/* Whether a queue 0 placed before is on cpu's core (on cpu, outside cores). */
static bool holds_queue0(const struct planner *pl, int cpu)
{
	int c = pl->core_of[cpu];

	return c >= 0 ? pl->q0_core[c] : tn_cpuset_test(&pl->q0_cpus, cpu);
}

/*
 * The places j = 0 .. nq-1 of a NIC of nq queues are fixed by the rotation
 * (above); its queue 0 takes the first of them whose core holds no queue 0
 * yet (the traffic RSS does not spread lands on queue 0), the other queues
 * following it round the same places: returns that shift. Without it, NICs
 * of as many queues as cores (or a multiple) start at the same place, and
 * every one of them put its queue 0 on one core. Marks the core taken.
 */
static int queue0_shift(struct planner *pl, const int *order, int off, int fp, int cnt, int nq)
{
	int span = nq < cnt ? nq : cnt, r, cpu;

	for (r = 0; r < span; r++)
		if (!holds_queue0(pl, order[rotated(r, off, fp, cnt)]))
			break;
	if (r == span)
		r = 0;
	cpu = order[rotated(r, off, fp, cnt)];
	if (pl->core_of[cpu] >= 0)
		pl->q0_core[pl->core_of[cpu]] = true;
	else
		tn_cpuset_set(&pl->q0_cpus, cpu);
	return r;
}
static int cmp_irq_owner(const void *a, const void *b)
{
	int x = ((const struct irq_owner *)a)->irq, y = ((const struct irq_owner *)b)->irq;

	return (x > y) - (x < y);
}

/* The placement of IRQ irq by an earlier NIC, or NULL. */
static const struct irq_owner *owner_of(const struct planner *pl, int irq)
{
	struct irq_owner key = { .irq = irq };
	struct irq_owner *const *found = tfind(&key, &pl->owners, cmp_irq_owner);

	return found ? *found : NULL;
}

/* Record that NIC i placed IRQ irq on cpu; -ENOMEM. */
static int own_irq(struct planner *pl, int irq, int i, int cpu)
{
	struct irq_owner *o = malloc(sizeof(*o)), **found;

	if (!o)
		return -ENOMEM;
	*o = (struct irq_owner){ .irq = irq, .nic = i, .cpu = cpu };
	found = tsearch(o, &pl->owners, cmp_irq_owner);
	if (!found)
		free(o);
	else if (*found != o)
		free(o); /* the same IRQ twice in one NIC (a hand-made snapshot) */
	return found ? 0 : -ENOMEM;
}

/*
 * The queue IRQs of NIC i that an earlier NIC placed (netdevs of one PCI
 * function list the same vectors) follow that placement: their CPU, no change
 * of their own (*shared of them). Returns how many of its queue IRQs are
 * left to place.
 */
static int shared_irqs(struct planner *pl, int i, int *shared)
{
	const struct tn_nic *n = &pl->s->nics[i];
	const struct irq_owner *o, *first = NULL;
	int left = 0;

	*shared = 0;
	for (int k = 0; k < n->n_irqs; k++) {
		if (n->irqs[k].kind == TN_IRQ_OTHER || n->irqs[k].queue < 0)
			continue;
		o = owner_of(pl, n->irqs[k].irq);
		if (!o) {
			left++;
			continue;
		}
		pl->irq_cpu[i][k] = o->cpu;
		first = first ? first : o;
		(*shared)++;
	}
	if (first)
		tn_diag_warn(pl->d,
			     "%s: %d of its queue IRQs (irq %d%s) are %s's too (one "
			     "device): placed once, as for %s",
			     n->name, *shared, first->irq, *shared > 1 ? ", ..." : "",
			     pl->s->nics[first->nic].name, pl->s->nics[first->nic].name);
	return left;
}

/* A NIC its rule would place the IRQs of, with no queue IRQ to place: say so
 * (its queue IRQs not requested while the link is down, or names that are not
 * its own: a NIC renamed after its driver named them). */
static void warn_no_queues(struct planner *pl, const struct tn_nic *n)
{
	if (n->n_irqs == 0 && strcmp(n->operstate, "up") != 0)
		tn_diag_warn(pl->d,
			     "%s: no IRQ of it was found (its link is %s: many drivers "
			     "request their IRQs only when it is up); none is placed",
			     n->name, n->operstate);
	else if (n->n_irqs == 0)
		tn_diag_warn(pl->d, "%s: no IRQ of it was found; none is placed", n->name);
	else
		tn_diag_warn(pl->d,
			     "%s: none of its %d IRQs is named as one of its queues (%s%s); "
			     "none is placed",
			     n->name, n->n_irqs, n->irqs[0].name, n->n_irqs > 1 ? ", ..." : "");
}

/* Decide the CPU of each queue IRQ of NIC i (no changes emitted yet). */
int tn_plan_place_irqs(struct planner *pl, int i)
{
	const struct tn_nic *n = &pl->s->nics[i];
	const struct tn_iface_rule *rule = &pl->p->ifaces[pl->rule_of[i]];
	int *queues, nq = 0, w = 0, cnt, *rot, fp = 1, shared, shift = 0;
	const int *order = NULL;
	char why[128];

	for (int k = 0; k < n->n_irqs; k++)
		pl->irq_cpu[i][k] = -1;
	if (!rule->irq.set)
		return 0;
	if (shared_irqs(pl, i, &shared) == 0 && shared)
		return 0; /* every queue IRQ follows an earlier NIC */
	cnt = irq_targets(pl, n, &rule->irq, &order, &fp, why, sizeof(why));
	if (cnt < 0)
		return cnt;
	pl->ncpus_of[i] = cnt;
	queues = calloc((size_t)(n->n_irqs ? n->n_irqs : 1), sizeof(int));
	if (!queues)
		return tn_diag_error(pl->d, -ENOMEM, "out of memory");
	/* the distinct queue numbers, sorted: a queue's index is its place there */
	for (int k = 0; k < n->n_irqs; k++)
		if (n->irqs[k].kind != TN_IRQ_OTHER && n->irqs[k].queue >= 0 &&
		    pl->irq_cpu[i][k] < 0)
			queues[nq++] = n->irqs[k].queue;
	qsort(queues, (size_t)nq, sizeof(int), tn_util_cmp_int);
	for (int k = 0; k < nq; k++)
		if (w == 0 || queues[k] != queues[w - 1])
			queues[w++] = queues[k];
	nq = w;
	if (nq == 0)
		warn_no_queues(pl, n);
	if (nq > cnt)
		tn_diag_warn(pl->d, "%s: %d queues on %d CPUs: some CPUs take several queues",
			     n->name, nq, cnt);
	rot = rotation(pl, order, cnt);
	if (!rot) {
		free(queues);
		return tn_diag_error(pl->d, -ENOMEM, "out of memory");
	}
	if (nq > 0)
		shift = queue0_shift(pl, order, *rot, fp, cnt, nq);
	for (int k = 0; k < n->n_irqs; k++) {
		const struct tn_irq *q = &n->irqs[k];
		const int *at;
		int idx;

		if (q->kind == TN_IRQ_OTHER || q->queue < 0 || pl->irq_cpu[i][k] >= 0)
			continue;
		at = bsearch(&q->queue, queues, (size_t)nq, sizeof(int), tn_util_cmp_int);
		idx = (int)(at - queues);
		pl->irq_cpu[i][k] = order[rotated((idx + shift) % nq % cnt, *rot, fp, cnt)];
		tn_cpuset_set(&pl->placed_cpus, pl->irq_cpu[i][k]);
		if (own_irq(pl, q->irq, i, pl->irq_cpu[i][k]) < 0) {
			free(queues);
			return tn_diag_error(pl->d, -ENOMEM, "out of memory");
		}
	}
	*rot = (*rot + nq) % fp;
	free(queues);
	return 0;
}

int tn_plan_irq_changes(struct planner *pl)
{
	for (int i = 0; i < pl->s->n_nics; i++) {
		const struct tn_nic *n = &pl->s->nics[i];

		if (pl->rule_of[i] < 0)
			continue;
		for (int k = 0; k < n->n_irqs; k++) {
			const struct tn_irq *q = &n->irqs[k];
			int cpu = pl->irq_cpu[i][k];
			struct tn_cpuset want, before;
			struct tn_change *c;
			int *nm;

			if (cpu < 0 || owner_of(pl, q->irq)->nic != i)
				continue; /* placed by an earlier NIC of its device */
			if (q->managed) {
				nm = realloc(pl->plan.managed,
					     sizeof(int) * (size_t)(pl->plan.n_managed + 1));
				if (!nm)
					return tn_diag_error(pl->d, -ENOMEM, "out of memory");
				pl->plan.managed = nm;
				pl->plan.managed[pl->plan.n_managed++] = q->irq;
				continue;
			}
			nm = realloc(pl->plan.placed,
				     sizeof(int) * (size_t)(pl->plan.n_placed + 1));
			if (!nm)
				return tn_diag_error(pl->d, -ENOMEM, "out of memory");
			pl->plan.placed = nm;
			pl->plan.placed[pl->plan.n_placed++] = q->irq;
			tn_cpuset_zero(&want);
			tn_cpuset_set(&want, cpu);
			if (q->has_affinity && tn_cpus_equal(&q->affinity, &want))
				continue;
			c = NEW_CHANGE(pl, TN_CHANGE_IRQ_AFFINITY);
			snprintf(c->target, sizeof(c->target), "%d", q->irq);
			snprintf(c->key, sizeof(c->key), "smp_affinity_list");
			SET_VALUE(pl, c->label, "%s", q->name);
			tn_cpus_get(&q->affinity, &before);
			if (q->has_affinity && tn_plan_value_set(pl, &c->before, &before) < 0)
				return -ENOMEM;
			if (!q->has_affinity)
				SET_VALUE(pl, c->before, "unknown");
			SET_VALUE(pl, c->after, "%d", cpu);
			SET_VALUE(pl, c->reason, "%s queue %d on node %d of %d CPUs", n->name,
				  q->queue, tn_topology_cpu_node(&pl->s->topo, cpu),
				  pl->ncpus_of[i]);
		}
	}
	return 0;
}

/* ---- processes ---- */

/* ---- irqbalance ---- */

/* IRQ numbers joined by commas ("none" for none), malloc'ed whole; NULL on
 * out-of-memory. With dedup, v is sorted and each number is written once. */
static char *join_irqs(const int *v, int n, bool dedup)
{
	size_t len = 0;
	char *out;

	if (n == 0)
		return strdup("none");
	out = malloc((size_t)n * 12 + 1); /* "-2147483648," at most */
	if (!out)
		return NULL;
	out[0] = '\0';
	for (int i = 0; i < n; i++)
		if (!dedup || i == 0 || v[i] != v[i - 1])
			len += (size_t)sprintf(out + len, "%s%d", len ? "," : "", v[i]);
	return out;
}

/* The placed IRQs irqbalance does not ban yet, appended to all[*n]. */
static int unbanned_irqs(struct planner *pl, const int *sorted_banned, int nb, int *all, int *n)
{
	int added = 0;

	for (int i = 0; i < pl->s->n_nics; i++) {
		for (int k = 0; k < pl->s->nics[i].n_irqs; k++) {
			int irq = pl->s->nics[i].irqs[k].irq;

			if (pl->irq_cpu[i][k] < 0 || pl->s->nics[i].irqs[k].managed ||
			    owner_of(pl, irq)->nic != i ||
			    bsearch(&irq, sorted_banned, (size_t)nb, sizeof(int), tn_util_cmp_int))
				continue;
			if (all)
				all[(*n)++] = irq;
			added++;
		}
	}
	return added;
}

int tn_plan_irqbalance(struct planner *pl)
{
	const struct tn_irqbalance *b = &pl->s->irqbalance;
	struct tn_change *c;
	int missing, n, nb = b->n_banned_irqs, ret = 0;
	int *all = NULL, *grown;

	if (!b->running || pl->p->irqbalance == TN_IRQB_IGNORE)
		return 0;
	if (pl->p->irqbalance == TN_IRQB_STOP) {
		c = NEW_CHANGE(pl, TN_CHANGE_IRQBALANCE);
		snprintf(c->target, sizeof(c->target), "irqbalance");
		snprintf(c->key, sizeof(c->key), "running");
		SET_VALUE(pl, c->before, "running");
		SET_VALUE(pl, c->after, "stopped");
		SET_VALUE(pl, c->reason,
			  "profile irqbalance \"stop\": it would move the placed IRQs");
		return 0;
	}
	/* ban: every placed IRQ must be on irqbalance's banned list. The list is
	 * the snapshot's, of any length: all = its sorted copy, then the union. */
	all = malloc(sizeof(int) * ((size_t)nb + 1));
	if (!all)
		return tn_diag_error(pl->d, -ENOMEM, "out of memory");
	if (nb)
		memcpy(all, b->banned_irqs, sizeof(int) * (size_t)nb);
	qsort(all, (size_t)nb, sizeof(int), tn_util_cmp_int);
	missing = unbanned_irqs(pl, all, nb, NULL, NULL);
	if (!missing)
		goto out;
	c = tn_plan_add_change(pl, TN_CHANGE_IRQBALANCE);
	grown = realloc(all, sizeof(int) * ((size_t)nb + (size_t)missing));
	if (grown)
		all = grown;
	if (!c || !grown || !(c->before = join_irqs(b->banned_irqs, nb, false))) {
		ret = tn_diag_error(pl->d, -ENOMEM, "out of memory");
		goto out;
	}
	n = nb;
	snprintf(c->target, sizeof(c->target), "irqbalance");
	snprintf(c->key, sizeof(c->key), "banned_irqs");
	unbanned_irqs(pl, all, nb, all, &n);
	qsort(all, (size_t)n, sizeof(int), tn_util_cmp_int);
	c->after = join_irqs(all, n, true);
	if (!c->after) {
		ret = tn_diag_error(pl->d, -ENOMEM, "out of memory");
		goto out;
	}
	if (strlen(c->after) + strlen(TN_IRQBALANCE_BAN_PREFIX) > TN_IRQBALANCE_CMD_MAX) {
		ret = tn_diag_error(pl->d, -E2BIG,
				    "irqbalance: the IRQs to keep it away from (%d placed now, %d "
				    "banned already) do not fit in the one %d-byte command "
				    "irqbalance 1.9 takes; set \"irqbalance\": \"stop\" or "
				    "\"ignore\" in the profile, or place fewer IRQs",
				    missing, nb, TN_IRQBALANCE_CMD_MAX);
		goto out;
	}
	if (tn_change_printf(&c->note, "(%d more)", missing) < 0 ||
	    tn_change_printf(&c->reason, "profile irqbalance \"ban\": keep it running, away from "
					 "the placed IRQs") < 0)
		ret = tn_diag_error(pl->d, -ENOMEM, "out of memory");
out:
	free(all);
	return ret;
}
