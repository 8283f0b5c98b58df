/* SPDX-License-Identifier: MIT */
/*
 * The planner's receive and transmit steering (issue 15): each rx queue's
 * rps_cpus and rps_flow_cnt, each tx queue's xps_cpus, and the sysctls
 * net.core.rps_sock_flow_entries, flow_limit_cpu_bitmap and
 * flow_limit_table_len. Runs after the IRQs are placed (plan_irq.c), so
 * that XPS and the defaults follow the placement the plan makes.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hexmask.h"
#include "plan_int.h"

/* The CPUs serving queue 'queue' of NIC i: the planned CPU of each of its IRQs
 * of the kinds wanted, or the IRQ's affinity now where the plan leaves it. */
static void queue_cpus(const struct planner *pl, int i, int queue, bool tx, struct tn_cpuset *out)
{
	const struct tn_nic *n = &pl->s->nics[i];
	struct tn_cpuset a;

	tn_cpuset_zero(out);
	for (int k = 0; k < n->n_irqs; k++) {
		const struct tn_irq *q = &n->irqs[k];

		if (q->queue != queue || q->kind == TN_IRQ_OTHER ||
		    q->kind == (tx ? TN_IRQ_RX : TN_IRQ_TX))
			continue;
		if (pl->irq_cpu[i][k] >= 0) {
			tn_cpuset_set(out, pl->irq_cpu[i][k]);
		} else if (q->has_affinity) {
			tn_cpus_get(&q->affinity, &a);
			tn_cpuset_or(out, &a);
		}
	}
}

/* Every CPU serving one of NIC i's queues. */
static void nic_irq_cpus(const struct planner *pl, int i, struct tn_cpuset *out)
{
	const struct tn_nic *n = &pl->s->nics[i];
	struct tn_cpuset a;

	tn_cpuset_zero(out);
	for (int k = 0; k < n->n_irqs; k++) {
		if (n->irqs[k].kind == TN_IRQ_OTHER || n->irqs[k].queue < 0)
			continue;
		if (pl->irq_cpu[i][k] >= 0) {
			tn_cpuset_set(out, pl->irq_cpu[i][k]);
		} else if (n->irqs[k].has_affinity) {
			tn_cpus_get(&n->irqs[k].affinity, &a);
			tn_cpuset_or(out, &a);
		}
	}
}

/* Whether each rx queue of NIC i has an IRQ CPU of its own: one CPU, no other
 * queue's. */
static bool one_cpu_per_queue(const struct planner *pl, int i)
{
	const struct tn_nic *n = &pl->s->nics[i];
	struct tn_cpuset seen, c;

	if (n->rx_queues < 2)
		return false;
	tn_cpuset_zero(&seen);
	for (int q = 0; q < n->rx_queues; q++) {
		queue_cpus(pl, i, q, false, &c);
		if (tn_cpuset_count(&c) != 1 || tn_cpuset_intersects(&c, &seen))
			return false;
		tn_cpuset_or(&seen, &c);
	}
	return true;
}

/* The RPS CPUs of NIC i under its rule, into *want; why says whence. */
static int rps_want(struct planner *pl, int i, const struct tn_rps_rule *r, struct tn_cpuset *want,
		    char *why, size_t len)
{
	const struct tn_nic *n = &pl->s->nics[i];
	const struct tn_topology *t = &pl->s->topo;
	const struct tn_numa_node *node = tn_state_node(pl->s, n->numa_node);
	const char *what = n->rx_queues < 2 ? "single-queue NIC" : "queues sharing IRQ CPUs";
	struct tn_cpuset irq;
	char list[64];

	tn_cpuset_zero(want);
	if (r->policy == TN_RPS_NONE) {
		snprintf(why, len, "profile rps.cpus none");
		return 0;
	}
	if (r->policy == TN_RPS_LIST) {
		*want = r->cpus;
		if (!tn_cpuset_subset(want, &t->online)) {
			tn_plan_fmt_set(want, list, sizeof(list));
			return tn_diag_error(pl->d, -EINVAL, "%s: rps.cpus %s: not all online",
					     n->name, list);
		}
		snprintf(why, len, "profile rps.cpus list");
		return 0;
	}
	if (one_cpu_per_queue(pl, i)) {
		snprintf(why, len, "%d rx queues with an IRQ CPU each: the NIC spreads, RPS off",
			 n->rx_queues);
		return 0;
	}
	*want = node ? node->cpus : t->online;
	tn_cpuset_and(want, &t->online);
	tn_cpuset_andnot(want, &t->isolated);
	tn_cpuset_andnot(want, &t->nohz_full);
	nic_irq_cpus(pl, i, &irq);
	tn_cpuset_andnot(want, &irq);
	if (tn_cpuset_empty(want))
		tn_diag_warn(pl->d, "%s: no CPU of its node is left beside its IRQ CPUs: RPS off",
			     n->name);
	if (node)
		snprintf(why, len, "%s: RPS on node %d but the IRQ CPUs", what, node->id);
	else
		snprintf(why, len,
			 "%s: RPS on any online CPU but the IRQ CPUs (NUMA node "
			 "unknown)",
			 what);
	return 0;
}

/* One mask change, in the layout of the value now. */
static int mask_change(struct planner *pl, enum tn_change_kind kind, const struct tn_nic *n,
		       const struct tn_qfiles *q, const struct tn_cpuset *want, const char *why)
{
	const char *key = kind == TN_CHANGE_XPS_CPUS ? "xps_cpus" : "rps_cpus";
	char buf[TN_HEXMASK_MAX + 1], list[100];
	struct tn_cpuset cur;
	struct tn_change *c;
	int nbits, ret;

	if (!q->mask || tn_hexmask_parse(q->mask, &cur, &nbits) < 0)
		return 0;
	if (tn_cpuset_equal(&cur, want))
		return 0;
	ret = tn_hexmask_format(want, nbits, buf, sizeof(buf));
	if (ret < 0)
		return tn_diag_error(pl->d, -EINVAL,
				     "%s: %s %s-%d: CPU %d is beyond the %d the "
				     "kernel's masks hold",
				     n->name, key, kind == TN_CHANGE_XPS_CPUS ? "tx" : "rx",
				     q->index, tn_cpuset_last(want), nbits);
	c = NEW_CHANGE(pl, kind);
	snprintf(c->target, sizeof(c->target), "%s/%s-%d", n->name,
		 kind == TN_CHANGE_XPS_CPUS ? "tx" : "rx", q->index);
	snprintf(c->key, sizeof(c->key), "%s", key);
	SET_VALUE(pl, c->before, "%s", q->mask);
	SET_VALUE(pl, c->after, "%s", buf);
	if (tn_cpuset_format_list(want, list, sizeof(list)) >= sizeof(list))
		SET_VALUE(pl, c->note, "(%d CPUs)", tn_cpuset_count(want));
	else
		SET_VALUE(pl, c->note, "(%s%s)", list[0] ? "CPUs " : "off", list);
	SET_VALUE(pl, c->reason, "%s", why);
	return 0;
}

static uint64_t pow2_up(uint64_t v)
{
	uint64_t p = 1;

	while (p < v)
		p <<= 1;
	return p;
}

/* rps_flow_cnt of each rx queue: the entries over the queues (scaling.rst). */
static int flow_cnt_changes(struct planner *pl, const struct tn_nic *n, int64_t entries)
{
	uint64_t total = entries ? pow2_up((uint64_t)entries) : 0;
	int nq = n->rx_queues > 0 ? n->rx_queues : 1;
	int64_t per = entries ? (int64_t)pow2_up((total + (uint64_t)nq - 1) / (uint64_t)nq) : 0;
	struct tn_change *c;

	for (int k = 0; k < n->n_rxq; k++) {
		const struct tn_qfiles *q = &n->rxq[k];

		if (q->flow_cnt == TN_UNKNOWN || q->flow_cnt == per)
			continue;
		c = NEW_CHANGE(pl, TN_CHANGE_RPS_FLOW_CNT);
		snprintf(c->target, sizeof(c->target), "%s/rx-%d", n->name, q->index);
		snprintf(c->key, sizeof(c->key), "rps_flow_cnt");
		SET_VALUE(pl, c->before, "%lld", (long long)q->flow_cnt);
		SET_VALUE(pl, c->after, "%lld", (long long)per);
		SET_VALUE(pl, c->reason,
			  "profile rps.flow_entries %lld over %d rx queue(s), a power of two",
			  (long long)entries, nq);
	}
	return 0;
}

static int xps_changes(struct planner *pl, int i, enum tn_xps_policy x)
{
	const struct tn_nic *n = &pl->s->nics[i];
	struct tn_cpuset want;
	char why[160];
	int ret;

	for (int k = 0; k < n->n_txq; k++) {
		const struct tn_qfiles *q = &n->txq[k];

		tn_cpuset_zero(&want);
		snprintf(why, sizeof(why), "profile xps.cpus none");
		if (x == TN_XPS_IRQ) {
			queue_cpus(pl, i, q->index, true, &want);
			if (tn_cpuset_empty(&want)) {
				tn_diag_warn(pl->d,
					     "%s: tx-%d: no IRQ of queue %d found: its XPS "
					     "is left alone",
					     n->name, q->index, q->index);
				continue;
			}
			snprintf(why, sizeof(why),
				 "profile xps.cpus irq: the CPUs of queue %d's IRQ", q->index);
		}
		if ((ret = mask_change(pl, TN_CHANGE_XPS_CPUS, n, q, &want, why)) < 0)
			return ret;
	}
	return 0;
}

/* NIC i's changes of one kind (the plan lists a kind's changes together). */
static int nic_queues(struct planner *pl, int i, enum tn_change_kind kind)
{
	const struct tn_nic *n = &pl->s->nics[i];
	const struct tn_iface_rule *rule = &pl->p->ifaces[pl->rule_of[i]];
	struct tn_cpuset want;
	char why[160];
	int ret;

	if (kind == TN_CHANGE_RPS_CPUS && rule->rps.policy != TN_RPS_UNSET) {
		if ((ret = rps_want(pl, i, &rule->rps, &want, why, sizeof(why))) < 0)
			return ret;
		for (int k = 0; k < n->n_rxq; k++)
			if ((ret = mask_change(pl, TN_CHANGE_RPS_CPUS, n, &n->rxq[k], &want, why)) <
			    0)
				return ret;
	}
	if (kind == TN_CHANGE_RPS_FLOW_CNT && rule->rps.flow_entries != TN_VAL_UNSET)
		return flow_cnt_changes(pl, n, rule->rps.flow_entries);
	if (kind == TN_CHANGE_XPS_CPUS && rule->xps != TN_XPS_UNSET)
		return xps_changes(pl, i, rule->xps);
	return 0;
}

int tn_plan_rps_queues(struct planner *pl)
{
	static const enum tn_change_kind kinds[] = { TN_CHANGE_RPS_CPUS, TN_CHANGE_RPS_FLOW_CNT,
						     TN_CHANGE_XPS_CPUS };
	int ret;

	for (int i = 0; i < pl->s->n_nics; i++) {
		const struct tn_iface_rule *rule;

		if (pl->rule_of[i] < 0)
			continue;
		rule = &pl->p->ifaces[pl->rule_of[i]];
		if ((rule->rps.policy != TN_RPS_UNSET || rule->xps != TN_XPS_UNSET) &&
		    !pl->s->nics[i].n_rxq && !pl->s->nics[i].n_txq)
			tn_diag_warn(pl->d,
				     "%s: no queue files (rps_cpus, xps_cpus) found: RPS "
				     "and XPS not planned",
				     pl->s->nics[i].name);
	}
	for (size_t k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++)
		for (int i = 0; i < pl->s->n_nics; i++)
			if (pl->rule_of[i] >= 0 && (ret = nic_queues(pl, i, kinds[k])) < 0)
				return ret;
	return 0;
}

/* A sysctl change, when the value differs; the sysctl must be on the host. */
static int sysctl_change(struct planner *pl, const char *name, const char *after, const char *why)
{
	const struct tn_sysctl *cur = tn_state_sysctl(pl->s, name);
	struct tn_change *c;

	if (!cur || !cur->present)
		return tn_diag_error(
			pl->d, -EINVAL, "sysctl %s: this host has no such setting (%s)", name,
			cur ? "not present on this kernel: no CONFIG_RPS?" : "not in the snapshot");
	if (strcmp(cur->value, after) == 0)
		return 0;
	c = NEW_CHANGE(pl, TN_CHANGE_SYSCTL);
	snprintf(c->target, sizeof(c->target), "%s", name);
	snprintf(c->key, sizeof(c->key), "value");
	SET_VALUE(pl, c->before, "%s", cur->value);
	SET_VALUE(pl, c->after, "%s", after);
	SET_VALUE(pl, c->reason, "%s", why);
	return 0;
}

static int flow_limit(struct planner *pl)
{
	const struct tn_flow_limit_rule *fl = &pl->p->flow_limit;
	const char *bm = "net.core.flow_limit_cpu_bitmap";
	const struct tn_sysctl *cur = tn_state_sysctl(pl->s, bm);
	char buf[TN_HEXMASK_MAX + 1], len[24];
	struct tn_cpuset want, now;
	int nbits, ret;

	if (!fl->set)
		return 0;
	if (fl->table_len != TN_VAL_UNSET) {
		snprintf(len, sizeof(len), "%lld", (long long)fl->table_len);
		if ((ret = sysctl_change(pl, "net.core.flow_limit_table_len", len,
					 "profile flow_limit.table_len")) < 0)
			return ret;
	}
	if (fl->irq_cpus) {
		tn_cpuset_zero(&want);
		for (int i = 0; i < pl->s->n_nics; i++) {
			if (pl->rule_of[i] >= 0) {
				nic_irq_cpus(pl, i, &now);
				tn_cpuset_or(&want, &now);
			}
		}
		if (tn_cpuset_empty(&want))
			tn_diag_warn(pl->d, "flow_limit.cpus irq: no queue IRQ CPU is known: the "
					    "bitmap is emptied");
	} else {
		want = fl->cpus;
	}
	if (cur && cur->present && tn_hexmask_parse(cur->value, &now, &nbits) < 0)
		return tn_diag_error(pl->d, -EINVAL, "sysctl %s: \"%.40s\" is not a CPU mask", bm,
				     cur->value);
	if (!cur || !cur->present)
		return sysctl_change(pl, bm, "", "");
	if (tn_cpuset_equal(&now, &want))
		return 0;
	if (tn_hexmask_format(&want, nbits, buf, sizeof(buf)) < 0)
		return tn_diag_error(pl->d, -EINVAL,
				     "flow_limit.cpus: CPU %d is beyond the %d "
				     "the kernel's mask holds",
				     tn_cpuset_last(&want), nbits);
	return sysctl_change(pl, bm, buf,
			     fl->irq_cpus
				     ? "profile flow_limit.cpus irq: the CPUs taking queue IRQs"
				     : "profile flow_limit.cpus list");
}

int tn_plan_rps_sysctls(struct planner *pl)
{
	int64_t entries = TN_VAL_UNSET;
	char v[24];
	int ret;

	for (int i = 0; i < pl->s->n_nics; i++) {
		int64_t e;

		if (pl->rule_of[i] < 0)
			continue;
		e = pl->p->ifaces[pl->rule_of[i]].rps.flow_entries;
		if (e != TN_VAL_UNSET)
			e = e ? (int64_t)pow2_up((uint64_t)e) : 0;
		if (e > entries)
			entries = e;
	}
	if (entries != TN_VAL_UNSET) {
		snprintf(v, sizeof(v), "%lld", (long long)entries);
		if ((ret = sysctl_change(pl, "net.core.rps_sock_flow_entries", v,
					 "profile rps.flow_entries (the largest of the rules), "
					 "a power of two as the kernel keeps it")) < 0)
			return ret;
	}
	return flow_limit(pl);
}
