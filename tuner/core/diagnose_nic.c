/* SPDX-License-Identifier: MIT */
/* diagnose: the driver table (ethtool -S names) and the NIC stages. */
#include <errno.h>
#include <fnmatch.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diagnose_int.h"

/* ---- the driver table: ethtool -S names ---- */

struct nicstat_rule {
	const char *drivers; /* space-separated driver names; NULL: any */
	const char *pattern; /* fnmatch() on the name; per-queue: the suffix after the id */
	enum tn_nicstat_kind kind;
	const char *queue_at; /* per-queue: the name is this, a decimal queue id, pattern */
};

static const struct nicstat_rule nicstat_rules[] = {
	/* mlx5: no receive WQE posted (ring empty); the port's buffer, per priority */
	{ "mlx5_core", "rx_out_of_buffer", TN_NICSTAT_RING, NULL },
	{ "mlx5_core", "rx_discards_phy", TN_NICSTAT_PORT, NULL },
	{ "mlx5_core", "rx_prio[0-7]_discards", TN_NICSTAT_PORT, NULL },
	/* Intel: no free descriptor */
	{ "ixgbe igb igc e1000e", "rx_no_buffer_count", TN_NICSTAT_RING, NULL },
	{ "i40e ice", "rx_dropped", TN_NICSTAT_RING, NULL },
	{ "i40e ice", "rx_discards", TN_NICSTAT_RING, NULL },
	{ "i40e ice", "port.rx_dropped", TN_NICSTAT_RING, NULL },
	/* virtio-net: per-queue drops (rx_queue_N_drops before 6.10, rxN_drops
	 * since, with rx_drops their sum: not counted twice); not the
	 * rx*_xdp_drops of an XDP program */
	{ "virtio_net", "_drops", TN_NICSTAT_RING, "rx_queue_" },
	{ "virtio_net", "_drops", TN_NICSTAT_RING, "rx" },
	/* ENA: ring drops; the instance's allowances (AWS) */
	{ "ena", "rx_drops", TN_NICSTAT_RING, NULL },
	{ "ena", "_rx_page_alloc_fail", TN_NICSTAT_RING, "queue_" },
	{ "ena", "bw_in_allowance_exceeded", TN_NICSTAT_ALLOWANCE, NULL },
	{ "ena", "pps_allowance_exceeded", TN_NICSTAT_ALLOWANCE, NULL },
	{ "ena", "conntrack_allowance_exceeded", TN_NICSTAT_ALLOWANCE, NULL },
	{ "ena", "linklocal_allowance_exceeded", TN_NICSTAT_ALLOWANCE, NULL },
	/* Broadcom: per-ring and total discards */
	{ "bnxt_en", "]: rx_discards", TN_NICSTAT_RING, "[" },
	{ "bnxt_en", "rx_total_discard_pkts", TN_NICSTAT_RING, NULL },
	{ "bnxt_en", "rx_discards", TN_NICSTAT_RING, NULL },
	/* Solarflare */
	{ "sfc", "rx_nodesc_drop_cnt", TN_NICSTAT_RING, NULL },
	/* gVNIC */
	{ "gve", "rx_no_buffers_posted", TN_NICSTAT_RING, NULL },
};

static bool driver_listed(const char *list, const char *driver)
{
	size_t n = strlen(driver);

	for (const char *p = list; *p;) {
		size_t k = strcspn(p, " ");

		if (k == n && strncmp(p, driver, n) == 0)
			return true;
		p += k;
		p += strspn(p, " ");
	}
	return false;
}

/* A per-queue name: the prefix, 1 to 9 digits, the suffix. *queue -1 for an id
 * beyond TN_COUNTERS_MAX_QUEUES - 1 (counted for the NIC, not for a queue). */
static bool queue_match(const struct nicstat_rule *r, const char *name, int *queue)
{
	size_t k = strlen(r->queue_at);
	const char *p = name + k;
	long q = 0;
	int digits = 0;

	if (strncmp(name, r->queue_at, k) != 0)
		return false;
	for (; *p >= '0' && *p <= '9'; p++, digits++)
		if (digits < 9)
			q = q * 10 + (*p - '0');
	if (!digits || digits > 9 || strcmp(p, r->pattern) != 0)
		return false;
	*queue = q < TN_COUNTERS_MAX_QUEUES ? (int)q : -1;
	return true;
}

enum tn_nicstat_kind tn_nicstat_classify_queue(const char *driver, const char *name, int *queue)
{
	*queue = -1;
	for (size_t i = 0; i < sizeof(nicstat_rules) / sizeof(nicstat_rules[0]); i++) {
		const struct nicstat_rule *r = &nicstat_rules[i];

		if (r->drivers && !driver_listed(r->drivers, driver))
			continue;
		if (r->queue_at ? queue_match(r, name, queue) : fnmatch(r->pattern, name, 0) == 0)
			return r->kind;
	}
	return TN_NICSTAT_NONE;
}

enum tn_nicstat_kind tn_nicstat_classify(const char *driver, const char *name)
{
	int q;

	return tn_nicstat_classify_queue(driver, name, &q);
}

/* ---- NICs ---- */

struct nic_delta {
	uint64_t ring, port, allowance, dropped;
	char ev[TN_STAGE_COUNT][768];
	uint64_t queue[TN_COUNTERS_MAX_QUEUES]; /* ring drops of each rx queue */
	int down;				/* counters that went down (reset) */
	char down_first[128];			/* the first of them, "driver rx_drops" */
};

/* A counter that went down: reset between the samples (a driver reload, a
 * device reset resets them all), said once per NIC by warn_down. */
static void note_down(struct nic_delta *nd, const char *what, const char *name, int queue)
{
	if (nd->down++ > 0)
		return;
	if (queue >= 0)
		snprintf(nd->down_first, sizeof(nd->down_first), "queue %d %s", queue, name);
	else
		snprintf(nd->down_first, sizeof(nd->down_first), "%s %s", what, name);
}

static void warn_down(struct dctx *c, const char *nic, const struct nic_delta *nd)
{
	if (nd->down == 1)
		tn_diag_warn(c->d, "%s: %s went down: reset between the samples, not counted", nic,
			     nd->down_first);
	else if (nd->down > 1)
		tn_diag_warn(c->d,
			     "%s: %s went down, and %d more of its counters: reset between "
			     "the samples (a driver reload or a device reset), not counted",
			     nic, nd->down_first, nd->down - 1);
}

static void nic_counter(struct nic_delta *nd, const char *driver, const struct tn_counter *cb,
			uint64_t v)
{
	enum tn_stage st = TN_STAGE_COUNT;
	int q = -1;

	if (strcmp(cb->group, "link") == 0) {
		if (!strcmp(cb->name, "rx_missed_errors") || !strcmp(cb->name, "rx_fifo_errors") ||
		    !strcmp(cb->name, "rx_over_errors"))
			st = TN_STAGE_NIC_RING;
		else if (!strcmp(cb->name, "rx_dropped"))
			st = TN_STAGE_NIC_DROPPED;
	} else if (strcmp(cb->group, "qstats") == 0) {
		if (!strcmp(cb->name, "rx-hw-drops") || !strcmp(cb->name, "rx-alloc-fail"))
			st = TN_STAGE_NIC_RING;
	} else if (strcmp(cb->group, "driver") == 0) {
		switch (tn_nicstat_classify_queue(driver, cb->name, &q)) {
		case TN_NICSTAT_RING:
			st = TN_STAGE_NIC_RING;
			break;
		case TN_NICSTAT_PORT:
			st = TN_STAGE_NIC_PORT;
			break;
		case TN_NICSTAT_ALLOWANCE:
			st = TN_STAGE_CLOUD_LIMIT;
			break;
		default:
			break;
		}
	}
	if (st == TN_STAGE_NIC_RING && q >= 0)
		nd->queue[q] = sat_add(nd->queue[q], v);
	switch (st) {
	case TN_STAGE_NIC_RING:
		nd->ring = sat_add(nd->ring, v);
		break;
	case TN_STAGE_NIC_PORT:
		nd->port = sat_add(nd->port, v);
		break;
	case TN_STAGE_CLOUD_LIMIT:
		nd->allowance = sat_add(nd->allowance, v);
		break;
	case TN_STAGE_NIC_DROPPED:
		nd->dropped = sat_add(nd->dropped, v);
		break;
	default:
		return;
	}
	tn_diagnose_appendf(nd->ev[st], sizeof(nd->ev[st]), "%s%s %s +%" PRIu64,
			    nd->ev[st][0] ? ", " : "", cb->group, cb->name, v);
}

/* The per-queue qstats of a NIC (both samples sorted by queue): a breakdown
 * of its device totals, already counted; each queue's share. */
static void queue_deltas(const struct tn_nic_counters *na, const struct tn_nic_counters *nb,
			 struct nic_delta *nd)
{
	for (int i = 0, k = 0; i < na->n_queues && k < nb->n_queues;) {
		const struct tn_queue_counters *x = &na->queues[i], *y = &nb->queues[k];

		if (x->queue != y->queue) {
			x->queue < y->queue ? i++ : k++;
			continue;
		}
		for (int m = 0; m < TN_QCTR_N; m++) {
			uint64_t v;

			if (!x->has[m] || !y->has[m])
				continue;
			if (!tn_counter_delta(x->v[m], y->v[m], false, &v))
				note_down(nd, "queue", tn_qctr_names[m], y->queue);
			else if (y->queue >= 0 && y->queue < TN_COUNTERS_MAX_QUEUES)
				nd->queue[y->queue] = sat_add(nd->queue[y->queue], v);
		}
		i++;
		k++;
	}
}

/* The queues of a ring finding: those that dropped, by queue. */
static int ring_queues(struct dctx *c, struct tn_finding *f, const uint64_t *queue)
{
	int n = 0;

	for (int q = 0; q < TN_COUNTERS_MAX_QUEUES; q++)
		n += queue[q] != 0;
	if (!n)
		return 0;
	if (!(f->queues = calloc((size_t)n, sizeof(*f->queues))))
		return -ENOMEM;
	for (int q = 0; q < TN_COUNTERS_MAX_QUEUES; q++) {
		struct tn_queue_loss *l;

		if (!queue[q])
			continue;
		l = &f->queues[f->n_queues++];
		l->queue = q;
		l->count = queue[q];
		l->rate = c->out->interval > 0 ? (double)queue[q] / c->out->interval : 0;
	}
	return 0;
}

static void nic_irq_cpus(const struct tn_nic *n, struct tn_cpuset *out)
{
	tn_cpuset_zero(out);
	for (int i = 0; n && i < n->n_irqs; i++) {
		const struct tn_irq *q = &n->irqs[i];

		if (q->kind == TN_IRQ_OTHER)
			continue;
		if (q->has_effective && !tn_cpus_empty(&q->effective))
			tn_cpus_or_into(out, &q->effective);
		else if (q->has_affinity)
			tn_cpus_or_into(out, &q->affinity);
	}
}

static void ring_advice(struct dctx *c, struct tn_finding *f, const struct tn_nic *n)
{
	struct tn_cpuset late = f->cpus;
	char cpus[256];
	struct tn_knob *k;

	tn_cpuset_and(&late, &c->squeezed);
	if (!tn_cpuset_empty(&late)) {
		tn_diagnose_cpus_text(&late, cpus, sizeof(cpus));
		snprintf(f->advice, sizeof(f->advice),
			 "CPUs %s, which serve %s's IRQs, also ran out of softirq budget: the "
			 "softirq is late, not the ring too small; see the softirq_budget finding",
			 cpus, f->where);
		return;
	}
	if (n && n->has_ring && n->ring.rx != TN_UNKNOWN && n->ring.rx_max != TN_UNKNOWN &&
	    n->ring.rx >= n->ring.rx_max) {
		snprintf(f->advice, sizeof(f->advice),
			 "the rx ring of %s is already at its maximum (%" PRId64 "): spread its "
			 "queues over more CPUs, or add queues (channels)",
			 f->where, n->ring.rx_max);
		return;
	}
	k = &f->knobs[f->n_knobs++];
	memset(k, 0, sizeof(*k));
	k->kind = TN_KNOB_RING;
	snprintf(k->target, sizeof(k->target), "%s", f->where);
	k->n_fields = 1;
	k->before[0] = n && n->has_ring ? n->ring.rx : TN_UNKNOWN;
	k->after[0] = n && n->has_ring && n->ring.rx_max != TN_UNKNOWN && k->before[0] != TN_UNKNOWN
			      ? n->ring.rx_max
			      : TN_VAL_MAX;
	snprintf(f->advice, sizeof(f->advice), "raise the rx ring of %s to its maximum", f->where);
}

static int nic_finding(struct dctx *c, const char *name, enum tn_stage st, uint64_t count,
		       const struct nic_delta *nd)
{
	const char *ev = nd->ev[st];
	const struct tn_nic *n = tn_state_nic(c->s, name);
	struct tn_finding *f;

	if (!count)
		return 0;
	if (!(f = tn_diagnose_new_finding(c, st)))
		return -ENOMEM;
	snprintf(f->where, sizeof(f->where), "%s", name);
	nic_irq_cpus(n, &f->cpus);
	tn_diagnose_set_rate(c, f, count);
	snprintf(f->evidence, sizeof(f->evidence), "%s: %s", name, ev);
	switch (st) {
	case TN_STAGE_NIC_RING:
		ring_advice(c, f, n);
		return ring_queues(c, f, nd->queue);
	case TN_STAGE_NIC_PORT:
		f->fixable = false;
		snprintf(f->advice, sizeof(f->advice),
			 "the NIC's own port buffer overflowed (flow control, priority or burst "
			 "beyond the port): no host setting fixes this");
		break;
	case TN_STAGE_CLOUD_LIMIT:
		f->fixable = false;
		snprintf(f->advice, sizeof(f->advice),
			 "the cloud instance's network allowance was exceeded: no host setting "
			 "fixes this; a larger instance type or less traffic does");
		break;
	default:
		f->fixable = false;
		snprintf(f->advice, sizeof(f->advice),
			 "the kernel's rx_dropped of %s also counts frames of unknown protocols "
			 "and backlog drops: no knob of its own; see the other findings",
			 name);
		break;
	}
	return 0;
}

static const struct tn_nic_counters *nic_in(const struct tn_sample *s, const char *name)
{
	for (int k = 0; k < s->n_nics; k++)
		if (strcmp(s->nics[k].name, name) == 0)
			return &s->nics[k];
	return NULL;
}

/* A NIC of one sample only (removed, renamed or added between them): its
 * counters cannot be compared; said, not left out in silence. */
static void nics_unmatched(struct dctx *c)
{
	for (int i = 0; i < c->a->n_nics; i++)
		if (!nic_in(c->b, c->a->nics[i].name))
			tn_diag_warn(c->d,
				     "%s: in the first sample only (removed or renamed "
				     "since): its counters are not compared",
				     c->a->nics[i].name);
	for (int i = 0; i < c->b->n_nics; i++)
		if (!nic_in(c->a, c->b->nics[i].name))
			tn_diag_warn(c->d,
				     "%s: in the second sample only (added or renamed "
				     "since the first): its counters are not compared",
				     c->b->nics[i].name);
}

int tn_diagnose_nics(struct dctx *c)
{
	nics_unmatched(c);
	for (int i = 0; i < c->b->n_nics; i++) {
		const struct tn_nic_counters *nb = &c->b->nics[i];
		const struct tn_nic_counters *na = nic_in(c->a, nb->name);
		struct nic_delta *nd;
		int ret = 0;

		if (!na)
			continue;
		if (!(nd = calloc(1, sizeof(*nd))))
			return -ENOMEM;
		for (int k = 0; k < nb->stats.n; k++) {
			const struct tn_counter *cb = &nb->stats.v[k];
			const struct tn_counter *ca =
				tn_counter_find(&na->stats, cb->group, cb->name);
			uint64_t v;

			if (!ca)
				continue;
			if (!tn_counter_delta(ca->value, cb->value, false, &v)) {
				note_down(nd, cb->group, cb->name, -1);
				continue;
			}
			if (v)
				nic_counter(nd, nb->driver, cb, v);
		}
		queue_deltas(na, nb, nd);
		warn_down(c, nb->name, nd);
		if ((ret = nic_finding(c, nb->name, TN_STAGE_NIC_RING, nd->ring, nd)) < 0 ||
		    (ret = nic_finding(c, nb->name, TN_STAGE_NIC_PORT, nd->port, nd)) < 0 ||
		    (ret = nic_finding(c, nb->name, TN_STAGE_CLOUD_LIMIT, nd->allowance, nd)) < 0 ||
		    (ret = nic_finding(c, nb->name, TN_STAGE_NIC_DROPPED, nd->dropped, nd)) < 0) {
			free(nd);
			return ret;
		}
		free(nd);
	}
	return 0;
}
