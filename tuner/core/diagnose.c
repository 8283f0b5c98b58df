/* SPDX-License-Identifier: MIT */
#include "diagnose.h"

#include <errno.h>
#include <fnmatch.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

const char *const tn_diag_sysctls[] = {
	"net.core.somaxconn",
	NULL,
};

TN_ENUM_NAME_FN(tn_stage_name, enum tn_stage, TN_STAGE_LIST)

/* ---- the driver table: ethtool -S names ---- */

struct nicstat_rule {
	const char *drivers;	/* space-separated driver names; NULL: any */
	const char *pattern;	/* fnmatch() on the statistic's name */
	enum tn_nicstat_kind kind;
};

static const struct nicstat_rule nicstat_rules[] = {
	/* mlx5: no receive WQE posted (ring empty); the port's buffer, per priority */
	{ "mlx5_core", "rx_out_of_buffer", TN_NICSTAT_RING },
	{ "mlx5_core", "rx_discards_phy", TN_NICSTAT_PORT },
	{ "mlx5_core", "rx_prio[0-7]_discards", TN_NICSTAT_PORT },
	/* Intel: no free descriptor */
	{ "ixgbe igb igc e1000e", "rx_no_buffer_count", TN_NICSTAT_RING },
	{ "i40e ice", "rx_dropped", TN_NICSTAT_RING },
	{ "i40e ice", "rx_discards", TN_NICSTAT_RING },
	{ "i40e ice", "port.rx_dropped", TN_NICSTAT_RING },
	/* virtio-net: per-queue drops */
	{ "virtio_net", "rx_queue_*_drops", TN_NICSTAT_RING },
	{ "virtio_net", "rx*_drops", TN_NICSTAT_RING },
	/* ENA: ring drops; the instance's allowances (AWS) */
	{ "ena", "rx_drops", TN_NICSTAT_RING },
	{ "ena", "queue_*_rx_page_alloc_fail", TN_NICSTAT_RING },
	{ "ena", "bw_in_allowance_exceeded", TN_NICSTAT_ALLOWANCE },
	{ "ena", "pps_allowance_exceeded", TN_NICSTAT_ALLOWANCE },
	{ "ena", "conntrack_allowance_exceeded", TN_NICSTAT_ALLOWANCE },
	{ "ena", "linklocal_allowance_exceeded", TN_NICSTAT_ALLOWANCE },
	/* Broadcom: per-ring and total discards */
	{ "bnxt_en", "[[]*[]]: rx_discards", TN_NICSTAT_RING },
	{ "bnxt_en", "rx_total_discard_pkts", TN_NICSTAT_RING },
	{ "bnxt_en", "rx_discards", TN_NICSTAT_RING },
	/* Solarflare */
	{ "sfc", "rx_nodesc_drop_cnt", TN_NICSTAT_RING },
	/* gVNIC */
	{ "gve", "rx_no_buffers_posted", TN_NICSTAT_RING },
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

enum tn_nicstat_kind tn_nicstat_classify(const char *driver, const char *name)
{
	for (size_t i = 0; i < sizeof(nicstat_rules) / sizeof(nicstat_rules[0]); i++) {
		const struct nicstat_rule *r = &nicstat_rules[i];

		if (r->drivers && !driver_listed(r->drivers, driver))
			continue;
		if (fnmatch(r->pattern, name, 0) == 0)
			return r->kind;
	}
	return TN_NICSTAT_NONE;
}

/* ---- helpers ---- */

static void appendf(char *buf, size_t len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void appendf(char *buf, size_t len, const char *fmt, ...)
{
	size_t n = strnlen(buf, len);
	va_list ap;

	if (n + 1 >= len)
		return;
	va_start(ap, fmt);
	vsnprintf(buf + n, len - n, fmt, ap);
	va_end(ap);
}

/* A numeric sysctl of the snapshot: 1 to 3 fields; 0 when not present or not numeric. */
static int sysctl_fields(const struct tn_state *s, const char *name, int64_t *f)
{
	const struct tn_sysctl *sc = tn_state_sysctl(s, name);
	const char *p;
	int n = 0;

	if (!sc || !sc->present)
		return 0;
	for (p = sc->value; *p && n < TN_SYSCTL_MAX_FIELDS;) {
		char *end;
		long long v;

		while (*p == ' ')
			p++;
		if (!*p)
			break;
		errno = 0;
		v = strtoll(p, &end, 10);
		if (end == p || errno || v < 0 || (*end && *end != ' '))
			return 0;
		f[n++] = v;
		p = end;
	}
	return *p ? 0 : n;
}

static int64_t twice_capped(int64_t cur, int64_t floor_, int64_t cap)
{
	int64_t v = cur > cap / 2 ? cap : cur * 2;

	if (v < floor_)
		v = floor_;
	return v > cap ? cap : v;
}

struct dctx {
	const struct tn_sample *a, *b;
	const struct tn_state *s;
	const struct tn_profile *prof;
	struct tn_diagnosis *out;
	struct tn_diag *d;
	int cap;
	struct tn_cpuset squeezed;	/* CPUs whose time_squeeze grew */
	struct tn_cpuset targets;	/* CPUs the --process targets may run on */
};

static struct tn_finding *new_finding(struct dctx *c, enum tn_stage st)
{
	struct tn_diagnosis *o = c->out;
	struct tn_finding *f;

	if (o->n == c->cap) {
		int cap = c->cap ? c->cap * 2 : 8;
		struct tn_finding *nf = realloc(o->findings, (size_t)cap * sizeof(*nf));

		if (!nf)
			return NULL;
		o->findings = nf;
		c->cap = cap;
	}
	f = &o->findings[o->n++];
	memset(f, 0, sizeof(*f));
	f->stage = st;
	f->fixable = true;
	return f;
}

static void set_rate(struct dctx *c, struct tn_finding *f, uint64_t count)
{
	f->count = count;
	f->rate = c->out->interval > 0 ? (double)count / c->out->interval : 0;
}

/* Raise a one-field sysctl; false (no knob) when it is unknown or already there. */
static bool knob_sysctl(struct tn_finding *f, const struct tn_state *s, const char *name,
			int64_t floor_, int64_t cap, int64_t *cur_out)
{
	int64_t cur[TN_SYSCTL_MAX_FIELDS];
	struct tn_knob *k;

	if (sysctl_fields(s, name, cur) != 1 || f->n_knobs >= TN_FINDING_MAX_KNOBS)
		return false;
	if (cur_out)
		*cur_out = cur[0];
	if (cur[0] >= cap)
		return false;
	k = &f->knobs[f->n_knobs++];
	memset(k, 0, sizeof(*k));
	k->kind = TN_KNOB_SYSCTL;
	snprintf(k->target, sizeof(k->target), "%s", name);
	k->n_fields = 1;
	k->before[0] = cur[0];
	k->after[0] = twice_capped(cur[0], floor_, cap);
	return true;
}

static void cpus_text(const struct tn_cpuset *s, char *buf, size_t len)
{
	if (tn_cpuset_format_list(s, buf, len) >= len || !buf[0])
		snprintf(buf, len, "%s", buf[0] ? "(many)" : "none");
}

/* ---- softnet: budget, backlog, flow limit ---- */

struct softnet_delta {
	uint64_t dropped, squeeze, flow, rps;
	struct tn_cpuset drop_cpus, squeeze_cpus, flow_cpus, rps_cpus;
};

static void softnet_deltas(struct dctx *c, struct softnet_delta *sd)
{
	const struct tn_sample *a = c->a, *b = c->b;
	int i = 0, k = 0;

	memset(sd, 0, sizeof(*sd));
	while (i < a->n_softnet && k < b->n_softnet) {
		const struct tn_softnet_cpu *x = &a->softnet[i], *y = &b->softnet[k];
		uint64_t v;

		if (x->cpu != y->cpu) {
			x->cpu < y->cpu ? i++ : k++;
			continue;
		}
		if (tn_counter_delta(x->dropped, y->dropped, true, &v) && v) {
			sd->dropped += v;
			tn_cpuset_set(&sd->drop_cpus, y->cpu);
		}
		if (tn_counter_delta(x->time_squeeze, y->time_squeeze, true, &v) && v) {
			sd->squeeze += v;
			tn_cpuset_set(&sd->squeeze_cpus, y->cpu);
		}
		if (x->has_flow_limit && y->has_flow_limit &&
		    tn_counter_delta(x->flow_limit_count, y->flow_limit_count, true, &v) && v) {
			sd->flow += v;
			tn_cpuset_set(&sd->flow_cpus, y->cpu);
		}
		if (tn_counter_delta(x->received_rps, y->received_rps, true, &v) && v) {
			sd->rps += v;
			tn_cpuset_set(&sd->rps_cpus, y->cpu);
		}
		i++;
		k++;
	}
}

static int budget_finding(struct dctx *c, const struct softnet_delta *sd)
{
	struct tn_finding *f;
	char cpus[256], both[256];
	struct tn_cpuset shared = sd->squeeze_cpus;
	int64_t budget = TN_UNKNOWN, usecs = TN_UNKNOWN;

	if (!sd->squeeze)
		return 0;
	if (!(f = new_finding(c, TN_STAGE_BUDGET)))
		return -ENOMEM;
	f->cpus = sd->squeeze_cpus;
	set_rate(c, f, sd->squeeze);
	cpus_text(&f->cpus, cpus, sizeof(cpus));
	snprintf(f->evidence, sizeof(f->evidence),
		 "softnet_stat time_squeeze +%" PRIu64 " on CPUs %s: net_rx_action stopped with "
		 "packets left, out of budget or time",
		 sd->squeeze, cpus);
	knob_sysctl(f, c->s, "net.core.netdev_budget", TN_DIAG_BUDGET_MIN, TN_DIAG_BUDGET_CAP,
		    &budget);
	knob_sysctl(f, c->s, "net.core.netdev_budget_usecs", TN_DIAG_BUDGET_USECS_CAP,
		    TN_DIAG_BUDGET_USECS_CAP, &usecs);
	snprintf(f->advice, sizeof(f->advice),
		 "raise net.core.netdev_budget (x2, %d to %d packets) and netdev_budget_usecs "
		 "(to at most %d us: a softirq that runs longer delays every task of its CPU, "
		 "and 8 ms is two jiffies at HZ=250, the least Debian's kernels accept above the "
		 "default)",
		 TN_DIAG_BUDGET_MIN, TN_DIAG_BUDGET_CAP, TN_DIAG_BUDGET_USECS_CAP);
	if (f->n_knobs == 0)
		appendf(f->advice, sizeof(f->advice),
			"; both are already at their bound: spread the NIC's queues over more "
			"CPUs instead");
	tn_cpuset_and(&shared, &c->targets);
	if (!tn_cpuset_empty(&shared)) {
		cpus_text(&shared, both, sizeof(both));
		appendf(f->advice, sizeof(f->advice),
			"; CPUs %s also run the target processes: keep the IRQs and the "
			"processes apart (a NUMA/IRQ split, processes \"placement\": \"opposite\") "
			"rather than a larger budget",
			both);
	} else if (!tn_cpuset_empty(&c->targets)) {
		appendf(f->advice, sizeof(f->advice),
			"; the target processes do not run on these CPUs");
	}
	return 0;
}

static int backlog_findings(struct dctx *c, const struct softnet_delta *sd)
{
	struct tn_finding *f;
	char cpus[256];

	if (sd->dropped) {
		if (!(f = new_finding(c, TN_STAGE_BACKLOG)))
			return -ENOMEM;
		f->cpus = sd->drop_cpus;
		set_rate(c, f, sd->dropped);
		cpus_text(&f->cpus, cpus, sizeof(cpus));
		snprintf(f->evidence, sizeof(f->evidence),
			 "softnet_stat dropped +%" PRIu64 " on CPUs %s: the per-CPU backlog was "
			 "full", sd->dropped, cpus);
		if (!knob_sysctl(f, c->s, "net.core.netdev_max_backlog", 0, TN_DIAG_BACKLOG_CAP,
				 NULL))
			snprintf(f->advice, sizeof(f->advice),
				 "netdev_max_backlog is unknown or already at %d: spread the "
				 "traffic (RPS masks, more queues) instead",
				 TN_DIAG_BACKLOG_CAP);
		else
			snprintf(f->advice, sizeof(f->advice),
				 "raise net.core.netdev_max_backlog (x2, at most %d)",
				 TN_DIAG_BACKLOG_CAP);
		appendf(f->advice, sizeof(f->advice), "; the backlog is used here by:");
		if (sd->rps || c->b->rps_queues)
			appendf(f->advice, sizeof(f->advice),
				" RPS (%d rx queues with rps_cpus, received_rps +%" PRIu64 ")",
				c->b->rps_queues, sd->rps);
		if (c->b->bridge_ports || c->b->virtual_ifaces)
			appendf(f->advice, sizeof(f->advice),
				" veth/bridged traffic (%d bridge ports, %d virtual interfaces)",
				c->b->bridge_ports, c->b->virtual_ifaces);
		if (!sd->rps && !c->b->rps_queues && !c->b->bridge_ports && !c->b->virtual_ifaces)
			appendf(f->advice, sizeof(f->advice),
				" no RPS and no virtual interfaces: a driver that hands packets "
				"over with netif_rx (no NAPI)");
	}
	if (sd->flow) {
		if (!(f = new_finding(c, TN_STAGE_FLOW_LIMIT)))
			return -ENOMEM;
		f->cpus = sd->flow_cpus;
		set_rate(c, f, sd->flow);
		cpus_text(&f->cpus, cpus, sizeof(cpus));
		snprintf(f->evidence, sizeof(f->evidence),
			 "softnet_stat flow_limit_count +%" PRIu64 " on CPUs %s", sd->flow, cpus);
		snprintf(f->advice, sizeof(f->advice),
			 "flow limit (net.core.flow_limit_cpu_bitmap) dropped packets of the "
			 "heaviest flows to protect the others, as configured: no knob is "
			 "recommended; if that flow matters, clear those CPUs from the bitmap or "
			 "raise net.core.flow_limit_table_len");
	}
	return 0;
}

/* ---- NICs ---- */

struct nic_delta {
	uint64_t ring, port, allowance, dropped;
	char ev[TN_STAGE_COUNT][768];
};

static void nic_counter(struct nic_delta *nd, const char *driver, const struct tn_counter *cb,
			uint64_t v)
{
	enum tn_stage st = TN_STAGE_COUNT;

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
		switch (tn_nicstat_classify(driver, cb->name)) {
		case TN_NICSTAT_RING: st = TN_STAGE_NIC_RING; break;
		case TN_NICSTAT_PORT: st = TN_STAGE_NIC_PORT; break;
		case TN_NICSTAT_ALLOWANCE: st = TN_STAGE_CLOUD_LIMIT; break;
		default: break;
		}
	}
	switch (st) {
	case TN_STAGE_NIC_RING: nd->ring += v; break;
	case TN_STAGE_NIC_PORT: nd->port += v; break;
	case TN_STAGE_CLOUD_LIMIT: nd->allowance += v; break;
	case TN_STAGE_NIC_DROPPED: nd->dropped += v; break;
	default: return;
	}
	appendf(nd->ev[st], sizeof(nd->ev[st]), "%s%s %s +%" PRIu64, nd->ev[st][0] ? ", " : "",
		cb->group, cb->name, v);
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
		cpus_text(&late, cpus, sizeof(cpus));
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
		       const char *ev)
{
	const struct tn_nic *n = tn_state_nic(c->s, name);
	struct tn_finding *f;

	if (!count)
		return 0;
	if (!(f = new_finding(c, st)))
		return -ENOMEM;
	snprintf(f->where, sizeof(f->where), "%s", name);
	nic_irq_cpus(n, &f->cpus);
	set_rate(c, f, count);
	snprintf(f->evidence, sizeof(f->evidence), "%s: %s", name, ev);
	switch (st) {
	case TN_STAGE_NIC_RING:
		ring_advice(c, f, n);
		break;
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

static int nic_findings(struct dctx *c)
{
	for (int i = 0; i < c->b->n_nics; i++) {
		const struct tn_nic_counters *nb = &c->b->nics[i];
		const struct tn_nic_counters *na = NULL;
		struct nic_delta *nd;
		int ret = 0;

		for (int k = 0; k < c->a->n_nics && !na; k++)
			if (strcmp(c->a->nics[k].name, nb->name) == 0)
				na = &c->a->nics[k];
		if (!na)
			continue;
		if (!(nd = calloc(1, sizeof(*nd))))
			return -ENOMEM;
		for (int k = 0; k < nb->stats.n; k++) {
			const struct tn_counter *cb = &nb->stats.v[k];
			const struct tn_counter *ca = tn_counter_find(&na->stats, cb->group, cb->name);
			uint64_t v;

			if (!ca)
				continue;
			if (!tn_counter_delta(ca->value, cb->value, false, &v)) {
				tn_diag_warn(c->d, "%s: %s %s went down: reset between the samples, "
					     "not counted", nb->name, cb->group, cb->name);
				continue;
			}
			if (v)
				nic_counter(nd, nb->driver, cb, v);
		}
		if ((ret = nic_finding(c, nb->name, TN_STAGE_NIC_RING, nd->ring,
				       nd->ev[TN_STAGE_NIC_RING])) < 0 ||
		    (ret = nic_finding(c, nb->name, TN_STAGE_NIC_PORT, nd->port,
				       nd->ev[TN_STAGE_NIC_PORT])) < 0 ||
		    (ret = nic_finding(c, nb->name, TN_STAGE_CLOUD_LIMIT, nd->allowance,
				       nd->ev[TN_STAGE_CLOUD_LIMIT])) < 0 ||
		    (ret = nic_finding(c, nb->name, TN_STAGE_NIC_DROPPED, nd->dropped,
				       nd->ev[TN_STAGE_NIC_DROPPED])) < 0) {
			free(nd);
			return ret;
		}
		free(nd);
	}
	return 0;
}

/* ---- sockets: TCP, listen queues, UDP ---- */

static uint64_t net_delta(struct dctx *c, const char *group, const char *name, char *ev,
			  size_t evlen)
{
	const struct tn_counter *x = tn_counter_find(&c->a->net, group, name);
	const struct tn_counter *y = tn_counter_find(&c->b->net, group, name);
	uint64_t v = 0;

	if (!x || !y)
		return 0;
	if (!tn_counter_delta(x->value, y->value, false, &v)) {
		tn_diag_warn(c->d, "%s %s went down: reset between the samples, not counted", group,
			     name);
		return 0;
	}
	if (v)
		appendf(ev, evlen, "%s%s %s +%" PRIu64, ev[0] ? ", " : "", group, name, v);
	return v;
}

static const char rcvbuf_caveat[] =
	"; sockets that set SO_RCVBUF themselves are bounded by net.core.rmem_max only, "
	"not by these defaults";

static int tcp_finding(struct dctx *c)
{
	static const char *const signs[] = { "PruneCalled", "TCPRcvCollapsed" };
	static const char *const drops[] = { "RcvPruned", "OfoPruned", "TCPRcvQDrop",
					     "TCPBacklogDrop" };
	char ev[1024] = "";
	uint64_t lost = 0, seen = 0;
	int64_t rmem[TN_SYSCTL_MAX_FIELDS], rmax[TN_SYSCTL_MAX_FIELDS];
	struct tn_finding *f;

	for (size_t i = 0; i < 4; i++)
		lost += net_delta(c, "TcpExt", drops[i], ev, sizeof(ev));
	for (size_t i = 0; i < 2; i++)
		seen += net_delta(c, "TcpExt", signs[i], ev, sizeof(ev));
	if (!lost && !seen)
		return 0;
	if (!(f = new_finding(c, TN_STAGE_TCP_RCVBUF)))
		return -ENOMEM;
	set_rate(c, f, lost);
	snprintf(f->evidence, sizeof(f->evidence), "%s", ev);
	if (sysctl_fields(c->s, "net.ipv4.tcp_rmem", rmem) != 3 || rmem[2] >= TN_DIAG_TCP_RMEM_CAP) {
		snprintf(f->advice, sizeof(f->advice),
			 "net.ipv4.tcp_rmem is unknown or its maximum already at %d: the "
			 "application reads too slowly; look at its CPU and placement",
			 TN_DIAG_TCP_RMEM_CAP);
	} else {
		struct tn_knob *k = &f->knobs[f->n_knobs++];

		k->kind = TN_KNOB_SYSCTL;
		snprintf(k->target, sizeof(k->target), "net.ipv4.tcp_rmem");
		k->n_fields = 3;
		memcpy(k->before, rmem, sizeof(rmem));
		memcpy(k->after, rmem, sizeof(rmem));
		k->after[2] = twice_capped(rmem[2], 0, TN_DIAG_TCP_RMEM_CAP);
		if (sysctl_fields(c->s, "net.core.rmem_max", rmax) == 1 && rmax[0] < k->after[2]) {
			struct tn_knob *m = &f->knobs[f->n_knobs++];

			m->kind = TN_KNOB_SYSCTL;
			snprintf(m->target, sizeof(m->target), "net.core.rmem_max");
			m->n_fields = 1;
			m->before[0] = rmax[0];
			m->after[0] = k->after[2];
		}
		snprintf(f->advice, sizeof(f->advice),
			 "raise the maximum of net.ipv4.tcp_rmem (x2, at most %d), and "
			 "net.core.rmem_max with it so that the two stay consistent",
			 TN_DIAG_TCP_RMEM_CAP);
	}
	appendf(f->advice, sizeof(f->advice), "%s", rcvbuf_caveat);
	if (!lost)
		appendf(f->advice, sizeof(f->advice),
			"; no packet was dropped yet: the kernel pruned or collapsed receive "
			"queues to make room");
	return 0;
}

static int listen_finding(struct dctx *c)
{
	char ev[512] = "";
	uint64_t over = net_delta(c, "TcpExt", "ListenOverflows", ev, sizeof(ev));
	uint64_t drops = net_delta(c, "TcpExt", "ListenDrops", ev, sizeof(ev));
	struct tn_finding *f;

	if (!over && !drops)
		return 0;
	if (!(f = new_finding(c, TN_STAGE_LISTEN)))
		return -ENOMEM;
	set_rate(c, f, drops > over ? drops : over);
	snprintf(f->evidence, sizeof(f->evidence), "%s", ev);
	knob_sysctl(f, c->s, "net.core.somaxconn", 0, TN_DIAG_SOMAXCONN_CAP, NULL);
	snprintf(f->advice, sizeof(f->advice),
		 "%s; the application's own listen() backlog bounds the queue too: raise it "
		 "in the application",
		 f->n_knobs ? "raise net.core.somaxconn (x2, at most 65535)"
			    : "net.core.somaxconn is unknown or already at 65535");
	return 0;
}

static int udp_finding(struct dctx *c)
{
	char ev[512] = "";
	uint64_t lost = net_delta(c, "Udp", "RcvbufErrors", ev, sizeof(ev)) +
			net_delta(c, "Udp6", "RcvbufErrors", ev, sizeof(ev));
	int64_t def[TN_SYSCTL_MAX_FIELDS], max[TN_SYSCTL_MAX_FIELDS];
	struct tn_finding *f;

	if (!lost)
		return 0;
	net_delta(c, "Udp", "InErrors", ev, sizeof(ev));
	net_delta(c, "Udp6", "InErrors", ev, sizeof(ev));
	if (!(f = new_finding(c, TN_STAGE_UDP_RCVBUF)))
		return -ENOMEM;
	set_rate(c, f, lost);
	snprintf(f->evidence, sizeof(f->evidence), "%s", ev);
	if (knob_sysctl(f, c->s, "net.core.rmem_default", 0, TN_DIAG_RMEM_DEFAULT_CAP, def) &&
	    sysctl_fields(c->s, "net.core.rmem_max", max) == 1) {
		int64_t want = twice_capped(max[0], f->knobs[0].after[0], TN_DIAG_RMEM_MAX_CAP);

		if (want > max[0]) {
			struct tn_knob *m = &f->knobs[f->n_knobs++];

			memset(m, 0, sizeof(*m));
			m->kind = TN_KNOB_SYSCTL;
			snprintf(m->target, sizeof(m->target), "net.core.rmem_max");
			m->n_fields = 1;
			m->before[0] = max[0];
			m->after[0] = want;
		}
	} else if (f->n_knobs == 0) {
		knob_sysctl(f, c->s, "net.core.rmem_max", 0, TN_DIAG_RMEM_MAX_CAP, NULL);
	}
	snprintf(f->advice, sizeof(f->advice),
		 "%s", f->n_knobs ? "raise net.core.rmem_default (x2, at most 8 MiB) and "
				    "net.core.rmem_max (x2, at most 64 MiB)"
				  : "rmem_default and rmem_max are unknown or at their bounds: "
				    "the application reads too slowly");
	appendf(f->advice, sizeof(f->advice), "%s", rcvbuf_caveat);
	return 0;
}

/* ---- consistency, coverage, order ---- */

/* One value per sysctl across findings: the highest; rmem_max never below the
 * tcp_rmem maximum or rmem_default recommended. */
static void reconcile(struct tn_diagnosis *o)
{
	int64_t floor_ = 0;

	for (int i = 0; i < o->n; i++)
		for (int k = 0; k < o->findings[i].n_knobs; k++) {
			const struct tn_knob *kb = &o->findings[i].knobs[k];

			if (kb->kind != TN_KNOB_SYSCTL)
				continue;
			if (!strcmp(kb->target, "net.ipv4.tcp_rmem") && kb->after[2] > floor_)
				floor_ = kb->after[2];
			if ((!strcmp(kb->target, "net.core.rmem_default") ||
			     !strcmp(kb->target, "net.core.rmem_max")) && kb->after[0] > floor_)
				floor_ = kb->after[0];
		}
	for (int i = 0; i < o->n; i++)
		for (int k = 0; k < o->findings[i].n_knobs; k++) {
			struct tn_knob *kb = &o->findings[i].knobs[k];

			if (kb->kind == TN_KNOB_SYSCTL && !strcmp(kb->target, "net.core.rmem_max") &&
			    kb->after[0] < floor_)
				kb->after[0] = floor_;
		}
}

static bool iface_matches(const struct tn_iface_match *m, const struct tn_nic *n)
{
	if (m->name[0] && fnmatch(m->name, n->name, 0) != 0)
		return false;
	if (m->driver[0] && strcmp(m->driver, n->driver) != 0)
		return false;
	return !(m->pci[0] && strcasecmp(m->pci, n->pci) != 0);
}

int tn_diag_profile_rule(const struct tn_profile *p, const struct tn_nic *n)
{
	for (int r = 0; p && n && r < p->n_ifaces; r++)
		if (iface_matches(&p->ifaces[r].match, n))
			return r;
	return -1;
}

static bool knob_covered(const struct tn_knob *k, const struct tn_profile *p,
			 const struct tn_state *s)
{
	if (!p)
		return false;
	if (k->kind == TN_KNOB_RING) {
		int r = tn_diag_profile_rule(p, tn_state_nic(s, k->target));

		return r >= 0 && (p->ifaces[r].ring_rx == TN_VAL_MAX ||
				  (k->after[0] != TN_VAL_MAX && p->ifaces[r].ring_rx >= k->after[0]));
	}
	for (int i = 0; i < p->n_sysctls; i++) {
		const struct tn_sysctl_rule *sr = &p->sysctls[i];

		if (strcmp(sr->name, k->target) != 0)
			continue;
		if (!sr->numeric || sr->n_fields != k->n_fields)
			return false;
		for (int f = 0; f < k->n_fields; f++)
			if (sr->fields[f] < k->after[f])
				return false;
		return true;
	}
	return false;
}

static int finding_cmp(const void *x, const void *y)
{
	const struct tn_finding *a = x, *b = y;

	if (a->rate != b->rate)
		return a->rate < b->rate ? 1 : -1;
	if (a->stage != b->stage)
		return (int)a->stage - (int)b->stage;
	return strcmp(a->where, b->where);
}

void tn_diagnosis_free(struct tn_diagnosis *dg)
{
	if (!dg)
		return;
	free(dg->findings);
	memset(dg, 0, sizeof(*dg));
}

static bool netns_sysctl(const struct tn_sample *b, const char *name)
{
	for (int i = 0; i < b->n_netns_sysctls; i++)
		if (strcmp(b->netns_sysctls[i], name) == 0)
			return true;
	return false;
}

static int check_pair(const struct tn_sample *a, const struct tn_sample *b, struct tn_diag *d)
{
	if (!b->has_state)
		return tn_diag_error(d, -EINVAL, "the later sample carries no snapshot ('state'): "
						 "take it with 'tuner show --counters --json'");
	if (a->boot_id[0] && b->boot_id[0] && strcmp(a->boot_id, b->boot_id) != 0)
		return tn_diag_error(d, -EINVAL, "the samples come from different boots (boot_id "
						 "%s, then %s): their counters cannot be compared",
				     a->boot_id, b->boot_id);
	if (strcmp(a->hostname, b->hostname) != 0 || strcmp(a->netns, b->netns) != 0)
		return tn_diag_error(d, -EINVAL, "the samples come from different hosts or network "
						 "namespaces (%s%s%s, then %s%s%s)",
				     a->hostname, a->netns[0] ? " netns " : "", a->netns, b->hostname,
				     b->netns[0] ? " netns " : "", b->netns);
	if (b->time_us <= a->time_us)
		return tn_diag_error(d, -EINVAL, "the second sample is not later than the first "
						 "(time_us %" PRIu64 ", then %" PRIu64 ")",
				     a->time_us, b->time_us);
	return 0;
}

int tn_diagnose(const struct tn_sample *a, const struct tn_sample *b, const struct tn_profile *prof,
		struct tn_diagnosis *out, struct tn_diag *d)
{
	struct tn_diagnosis dg = { 0 };
	struct dctx c = { .a = a, .b = b, .s = &b->state, .prof = prof, .out = &dg, .d = d };
	struct softnet_delta sd;
	int ret;

	if ((ret = check_pair(a, b, d)) < 0)
		return ret;
	dg.interval = (double)(b->time_us - a->time_us) / 1e6;
	snprintf(dg.profile, sizeof(dg.profile), "%s", prof ? prof->name : "");
	for (int i = 0; i < b->state.n_processes; i++)
		for (int t = 0; t < b->state.processes[i].n_threads; t++)
			tn_cpuset_or(&c.targets, &b->state.processes[i].threads[t].affinity);
	softnet_deltas(&c, &sd);
	c.squeezed = sd.squeeze_cpus;
	if ((ret = budget_finding(&c, &sd)) < 0 || (ret = backlog_findings(&c, &sd)) < 0 ||
	    (ret = nic_findings(&c)) < 0 || (ret = tcp_finding(&c)) < 0 ||
	    (ret = listen_finding(&c)) < 0 || (ret = udp_finding(&c)) < 0) {
		tn_diagnosis_free(&dg);
		return tn_diag_error(d, ret, "out of memory");
	}
	reconcile(&dg);
	snprintf(dg.netns, sizeof(dg.netns), "%s", b->netns);
	for (int i = 0; i < dg.n; i++)
		for (int k = 0; k < dg.findings[i].n_knobs; k++) {
			struct tn_knob *kb = &dg.findings[i].knobs[k];

			kb->covered = knob_covered(kb, prof, &b->state);
			kb->per_netns = kb->kind == TN_KNOB_SYSCTL && netns_sysctl(b, kb->target);
		}
	if (dg.n > 1)
		qsort(dg.findings, (size_t)dg.n, sizeof(*dg.findings), finding_cmp);
	*out = dg;
	return 0;
}
