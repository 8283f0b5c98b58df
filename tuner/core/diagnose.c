/* SPDX-License-Identifier: MIT */
#include "diagnose_int.h"

#include <errno.h>
#include <fnmatch.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "hexmask.h"

const char *const tn_diag_sysctls[] = {
	"net.core.somaxconn",
	NULL,
};

TN_ENUM_NAME_FN(tn_stage_name, enum tn_stage, TN_STAGE_LIST)

/* ---- helpers ---- */

void tn_diagnose_appendf(char *buf, size_t len, const char *fmt, ...)
{
	static const char more[] = " ..."; /* said once where the rest did not fit */
	size_t n = strnlen(buf, len), m = sizeof(more) - 1;
	va_list ap;
	int need;

	if (n + 1 >= len || (n >= m && strcmp(buf + n - m, more) == 0))
		return;
	va_start(ap, fmt);
	need = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (need < 0)
		return;
	if (n + (size_t)need + m < len) {
		va_start(ap, fmt);
		vsnprintf(buf + n, len - n, fmt, ap);
		va_end(ap);
	} else if (n + m < len) {
		memcpy(buf + n, more, m + 1); /* never a part of an item: "rx_queue_1" */
	}
}

/* A numeric sysctl of the snapshot: 1 to 3 fields; 0 when not present or not numeric. */
int tn_diagnose_sysctl_fields(const struct tn_state *s, const char *name, int64_t *f)
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

int64_t tn_diagnose_twice_capped(int64_t cur, int64_t floor_, int64_t cap)
{
	int64_t v = cur > cap / 2 ? cap : cur * 2;

	if (v < floor_)
		v = floor_;
	return v > cap ? cap : v;
}

struct tn_finding *tn_diagnose_new_finding(struct dctx *c, enum tn_stage st)
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

void tn_diagnose_set_rate(struct dctx *c, struct tn_finding *f, uint64_t count)
{
	f->count = count;
	f->rate = c->out->interval > 0 ? (double)count / c->out->interval : 0;
}

/* Raise a one-field sysctl; false (no knob) when it is unknown or already there. */
bool tn_diagnose_knob_sysctl(struct tn_finding *f, const struct tn_state *s, const char *name,
			     int64_t floor_, int64_t cap, int64_t *cur_out)
{
	int64_t cur[TN_SYSCTL_MAX_FIELDS];
	struct tn_knob *k;

	if (tn_diagnose_sysctl_fields(s, name, cur) != 1 || f->n_knobs >= TN_FINDING_MAX_KNOBS)
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
	k->after[0] = tn_diagnose_twice_capped(cur[0], floor_, cap);
	return true;
}

void tn_diagnose_cpus_text(const struct tn_cpuset *s, char *buf, size_t len)
{
	if (tn_cpuset_format_list(s, buf, len) >= len)
		snprintf(buf, len, "(%d CPUs: the finding's list)", tn_cpuset_count(s));
	else if (!buf[0])
		snprintf(buf, len, "none");
}
/* ---- softnet: budget, backlog, flow limit ---- */

struct softnet_delta {
	uint64_t dropped, squeeze, flow, rps;
	uint64_t drop_most; /* the most one CPU dropped */
	int drop_most_cpu;
	uint64_t squeeze_processed; /* packets processed on the squeezed CPUs */
	struct tn_cpuset drop_cpus, squeeze_cpus, flow_cpus, rps_cpus;
};

/* CPUs of one sample's softnet_stat only (offline in the other): said once. */
static void softnet_unmatched(struct dctx *c, const struct tn_cpuset *set, const char *which)
{
	char *list;

	if (tn_cpuset_empty(set))
		return;
	list = tn_cpuset_list_alloc(set);
	tn_diag_warn(c->d,
		     "/proc/net/softnet_stat: CPUs %s in the %s only (a CPU taken "
		     "offline or brought online between them): their counters are not compared",
		     list ? list : "(out of memory)", which);
	free(list);
}

static void softnet_deltas(struct dctx *c, struct softnet_delta *sd)
{
	const struct tn_sample *a = c->a, *b = c->b;
	struct tn_cpuset only_a, only_b;
	int i = 0, k = 0;

	memset(sd, 0, sizeof(*sd));
	tn_cpuset_zero(&only_a);
	tn_cpuset_zero(&only_b);
	while (i < a->n_softnet || k < b->n_softnet) {
		const struct tn_softnet_cpu *x = &a->softnet[i], *y = &b->softnet[k];
		uint64_t v;

		if (k == b->n_softnet || (i < a->n_softnet && x->cpu < y->cpu)) {
			tn_cpuset_set(&only_a, a->softnet[i++].cpu);
			continue;
		}
		if (i == a->n_softnet || y->cpu < x->cpu) {
			tn_cpuset_set(&only_b, b->softnet[k++].cpu);
			continue;
		}
		if (tn_counter_delta(x->dropped, y->dropped, true, &v) && v) {
			sd->dropped = sat_add(sd->dropped, v);
			tn_cpuset_set(&sd->drop_cpus, y->cpu);
			if (v > sd->drop_most) {
				sd->drop_most = v;
				sd->drop_most_cpu = y->cpu;
			}
		}
		if (tn_counter_delta(x->time_squeeze, y->time_squeeze, true, &v) && v) {
			sd->squeeze = sat_add(sd->squeeze, v);
			tn_cpuset_set(&sd->squeeze_cpus, y->cpu);
			if (tn_counter_delta(x->processed, y->processed, true, &v))
				sd->squeeze_processed = sat_add(sd->squeeze_processed, v);
		}
		if (x->has_flow_limit && y->has_flow_limit &&
		    tn_counter_delta(x->flow_limit_count, y->flow_limit_count, true, &v) && v) {
			sd->flow = sat_add(sd->flow, v);
			tn_cpuset_set(&sd->flow_cpus, y->cpu);
		}
		if (tn_counter_delta(x->received_rps, y->received_rps, true, &v) && v) {
			sd->rps = sat_add(sd->rps, v);
			tn_cpuset_set(&sd->rps_cpus, y->cpu);
		}
		i++;
		k++;
	}
	softnet_unmatched(c, &only_a, "first sample");
	softnet_unmatched(c, &only_b, "second sample");
}

/*
 * A round that used up netdev_budget processed at least that many packets, so
 * the squeezed CPUs' processed packets bound how many squeezes the packet
 * budget can explain; any beyond that ran out of time (netdev_budget_usecs),
 * and then a larger packet budget changes nothing.
 */
static bool squeezed_by_time(const struct softnet_delta *sd, int64_t budget)
{
	return budget > 0 && sd->squeeze > sd->squeeze_processed / (uint64_t)budget;
}

/* The bound said in the advice: why it is what it is. */
static void usecs_bound_text(const struct dctx *c, char *buf, size_t len)
{
	if (c->usecs_cap == TN_DIAG_BUDGET_USECS_CAP)
		snprintf(buf, len,
			 "at most %d us: a softirq that runs longer delays every task "
			 "of its CPU",
			 TN_DIAG_BUDGET_USECS_CAP);
	else
		snprintf(buf, len,
			 "at most %" PRId64 " us, the bound given with "
			 "--max-budget-usecs; tuner's own is %d us, since a softirq that runs "
			 "longer delays every task of its CPU",
			 c->usecs_cap, TN_DIAG_BUDGET_USECS_CAP);
}

static void budget_advice(const struct dctx *c, struct tn_finding *f, bool by_time)
{
	char bound[256];

	usecs_bound_text(c, bound, sizeof(bound));
	if (!by_time) {
		snprintf(
			f->advice, sizeof(f->advice),
			"raise net.core.netdev_budget (x2, %d to %d packets) and "
			"netdev_budget_usecs (to %s%s)",
			TN_DIAG_BUDGET_MIN, TN_DIAG_BUDGET_CAP, bound,
			c->usecs_cap != TN_DIAG_BUDGET_USECS_CAP
				? ""
				: ", and 8 ms is two jiffies at HZ=250, the least Debian's kernels accept "
				  "above the default");
		if (f->n_knobs == 0)
			tn_diagnose_appendf(
				f->advice, sizeof(f->advice),
				"; both are already at their bound: spread the NIC's queues over "
				"more CPUs instead");
		return;
	}
	if (f->n_knobs)
		snprintf(f->advice, sizeof(f->advice),
			 "raise net.core.netdev_budget_usecs (to %s); netdev_budget changes "
			 "nothing when time runs out",
			 bound);
	else
		snprintf(f->advice, sizeof(f->advice),
			 "net.core.netdev_budget_usecs is unknown or already at its bound (%" PRId64
			 " us), and netdev_budget changes nothing when time runs out: these CPUs "
			 "are too slow for this receive load; spread it over more CPUs (RPS masks, "
			 "more queues) rather than a longer softirq",
			 c->usecs_cap);
}

static int budget_finding(struct dctx *c, const struct softnet_delta *sd)
{
	struct tn_finding *f;
	char cpus[256], both[256];
	struct tn_cpuset shared = sd->squeeze_cpus;
	int64_t budget[TN_SYSCTL_MAX_FIELDS] = { TN_UNKNOWN };
	bool by_time;

	if (!sd->squeeze)
		return 0;
	if (!(f = tn_diagnose_new_finding(c, TN_STAGE_BUDGET)))
		return -ENOMEM;
	f->cpus = sd->squeeze_cpus;
	tn_diagnose_set_rate(c, f, sd->squeeze);
	tn_diagnose_cpus_text(&f->cpus, cpus, sizeof(cpus));
	if (tn_diagnose_sysctl_fields(c->s, "net.core.netdev_budget", budget) != 1)
		budget[0] = TN_UNKNOWN;
	by_time = squeezed_by_time(sd, budget[0]);
	if (by_time)
		snprintf(f->evidence, sizeof(f->evidence),
			 "softnet_stat time_squeeze +%" PRIu64 " on CPUs %s: net_rx_action ran out "
			 "of time, not packets (%" PRIu64 " packets processed there fill at most "
			 "%" PRIu64 " rounds of netdev_budget %" PRId64 ")",
			 sd->squeeze, cpus, sd->squeeze_processed,
			 sd->squeeze_processed / (uint64_t)budget[0], budget[0]);
	else
		snprintf(f->evidence, sizeof(f->evidence),
			 "softnet_stat time_squeeze +%" PRIu64 " on CPUs %s: net_rx_action stopped "
			 "with packets left, out of budget or time",
			 sd->squeeze, cpus);
	if (!by_time)
		tn_diagnose_knob_sysctl(f, c->s, "net.core.netdev_budget", TN_DIAG_BUDGET_MIN,
					TN_DIAG_BUDGET_CAP, NULL);
	tn_diagnose_knob_sysctl(f, c->s, "net.core.netdev_budget_usecs", c->usecs_cap, c->usecs_cap,
				NULL);
	budget_advice(c, f, by_time);
	tn_cpuset_and(&shared, &c->targets);
	if (!tn_cpuset_empty(&shared)) {
		tn_diagnose_cpus_text(&shared, both, sizeof(both));
		tn_diagnose_appendf(
			f->advice, sizeof(f->advice),
			"; CPUs %s also run the target processes: keep the IRQs and the "
			"processes apart (a NUMA/IRQ split, processes \"placement\": \"opposite\") "
			"rather than a larger budget",
			both);
	} else if (!tn_cpuset_empty(&c->targets)) {
		tn_diagnose_appendf(f->advice, sizeof(f->advice),
				    "; the target processes do not run on these CPUs");
	}
	return 0;
}

/* The CPUs RPS sends packets to: every rx queue's rps_cpus in the snapshot. */
static void rps_target_cpus(const struct tn_state *s, struct tn_cpuset *out)
{
	struct tn_cpuset m;
	int nbits;

	tn_cpuset_zero(out);
	for (int i = 0; i < s->n_nics; i++)
		for (int k = 0; k < s->nics[i].n_rxq; k++)
			if (s->nics[i].rxq[k].mask &&
			    tn_hexmask_parse(s->nics[i].rxq[k].mask, &m, &nbits) == 0)
				tn_cpuset_or(out, &m);
}

/* Backlog drops on CPUs that RPS feeds: RPS placement is (part of) the fix. */
static void rps_advice(struct dctx *c, const struct softnet_delta *sd, struct tn_finding *f)
{
	struct tn_cpuset fed;
	char cpus[256];

	rps_target_cpus(c->s, &fed);
	tn_cpuset_and(&fed, &sd->drop_cpus);
	if (tn_cpuset_empty(&fed))
		return;
	tn_diagnose_cpus_text(&fed, cpus, sizeof(cpus));
	tn_diagnose_appendf(
		f->advice, sizeof(f->advice),
		"; CPUs %s are RPS targets (a queue's rps_cpus): spread RPS over more CPUs "
		"(profile interfaces[].rps.cpus, a CPU list), or turn it off where each queue "
		"has an IRQ CPU of its own (rps.cpus \"local\" does)",
		cpus);
}

/*
 * netdev_max_backlog from the evidence: a packet dropped at a full backlog
 * would otherwise have waited in it, so the deepest queue a CPU saw is at most
 * the current limit plus what that CPU dropped (all of it when the drops came
 * in one burst). Hold that for the CPU that dropped most, half as much again
 * for a deeper burst than the one seen (the VM tier's bursts varied by that
 * much from run to run), rounded up to a power of two, at most
 * TN_DIAG_BACKLOG_CAP.
 * 'cur' is below the cap (knob_sysctl). *over: even the cap holds less.
 */
static int64_t backlog_size(int64_t cur, uint64_t most, bool *over)
{
	uint64_t need, v = 1;

	*over = most >= TN_DIAG_BACKLOG_CAP;
	if (*over)
		return TN_DIAG_BACKLOG_CAP;
	need = (uint64_t)cur + most;
	need += (need + 1) / 2;
	while (v < need && v < TN_DIAG_BACKLOG_CAP)
		v <<= 1;
	*over = need > TN_DIAG_BACKLOG_CAP;
	return (int64_t)v;
}

static void backlog_knob(struct dctx *c, struct tn_finding *f, const struct softnet_delta *sd)
{
	struct tn_knob *k;
	bool over;

	if (!tn_diagnose_knob_sysctl(f, c->s, "net.core.netdev_max_backlog", 0, TN_DIAG_BACKLOG_CAP,
				     NULL)) {
		snprintf(f->advice, sizeof(f->advice),
			 "netdev_max_backlog is unknown or already at %d: spread the "
			 "traffic (RPS masks, more queues) instead",
			 TN_DIAG_BACKLOG_CAP);
		return;
	}
	k = &f->knobs[f->n_knobs - 1];
	k->after[0] = backlog_size(k->before[0], sd->drop_most, &over);
	snprintf(f->advice, sizeof(f->advice),
		 "raise net.core.netdev_max_backlog to hold the deepest queue seen: %" PRId64
		 " plus the %" PRIu64 " CPU %d dropped (the most on one CPU), half as much again, "
		 "rounded up to a power of two (at most %d)",
		 k->before[0], sd->drop_most, sd->drop_most_cpu, TN_DIAG_BACKLOG_CAP);
	if (over)
		tn_diagnose_appendf(
			f->advice, sizeof(f->advice),
			"; more was dropped than that bound holds: the CPU cannot keep up with "
			"the rate, spread the traffic (RPS masks, more queues) too");
}

static int backlog_findings(struct dctx *c, const struct softnet_delta *sd)
{
	struct tn_finding *f;
	char cpus[256];

	if (sd->dropped) {
		if (!(f = tn_diagnose_new_finding(c, TN_STAGE_BACKLOG)))
			return -ENOMEM;
		f->cpus = sd->drop_cpus;
		tn_diagnose_set_rate(c, f, sd->dropped);
		tn_diagnose_cpus_text(&f->cpus, cpus, sizeof(cpus));
		snprintf(f->evidence, sizeof(f->evidence),
			 "softnet_stat dropped +%" PRIu64 " on CPUs %s: the per-CPU backlog was "
			 "full",
			 sd->dropped, cpus);
		backlog_knob(c, f, sd);
		tn_diagnose_appendf(f->advice, sizeof(f->advice), "; the backlog is used here by:");
		if (sd->rps || c->b->rps_queues)
			tn_diagnose_appendf(
				f->advice, sizeof(f->advice),
				" RPS (%d rx queues with rps_cpus, received_rps +%" PRIu64 ")",
				c->b->rps_queues, sd->rps);
		if (c->b->bridge_ports || c->b->virtual_ifaces)
			tn_diagnose_appendf(
				f->advice, sizeof(f->advice),
				" veth/bridged traffic (%d bridge ports, %d virtual interfaces)",
				c->b->bridge_ports, c->b->virtual_ifaces);
		if (!sd->rps && !c->b->rps_queues && !c->b->bridge_ports && !c->b->virtual_ifaces)
			tn_diagnose_appendf(
				f->advice, sizeof(f->advice),
				" no RPS and no virtual interfaces: a driver that hands packets "
				"over with netif_rx (no NAPI)");
		rps_advice(c, sd, f);
	}
	if (sd->flow) {
		if (!(f = tn_diagnose_new_finding(c, TN_STAGE_FLOW_LIMIT)))
			return -ENOMEM;
		f->cpus = sd->flow_cpus;
		tn_diagnose_set_rate(c, f, sd->flow);
		tn_diagnose_cpus_text(&f->cpus, cpus, sizeof(cpus));
		snprintf(f->evidence, sizeof(f->evidence),
			 "softnet_stat flow_limit_count +%" PRIu64 " on CPUs %s", sd->flow, cpus);
		snprintf(f->advice, sizeof(f->advice),
			 "flow limit (net.core.flow_limit_cpu_bitmap) dropped packets of the "
			 "heaviest flows to protect the others, as configured: no knob is "
			 "recommended; if that flow matters, clear those CPUs from the bitmap or "
			 "raise net.core.flow_limit_table_len (profile \"flow_limit\": cpus, "
			 "table_len)");
	}
	return 0;
}

/* ---- sockets: TCP, listen queues, UDP ---- */

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
			     !strcmp(kb->target, "net.core.rmem_max")) &&
			    kb->after[0] > floor_)
				floor_ = kb->after[0];
		}
	for (int i = 0; i < o->n; i++)
		for (int k = 0; k < o->findings[i].n_knobs; k++) {
			struct tn_knob *kb = &o->findings[i].knobs[k];

			if (kb->kind == TN_KNOB_SYSCTL &&
			    !strcmp(kb->target, "net.core.rmem_max") && kb->after[0] < floor_)
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

		return r >= 0 &&
		       (p->ifaces[r].ring_rx == TN_VAL_MAX ||
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
	for (int i = 0; i < dg->n; i++)
		free(dg->findings[i].queues);
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
		return tn_diag_error(d, -EINVAL,
				     "the later sample carries no snapshot ('state'): "
				     "take it with 'tuner show --counters --json'");
	if (a->boot_id[0] && b->boot_id[0] && strcmp(a->boot_id, b->boot_id) != 0)
		return tn_diag_error(d, -EINVAL,
				     "the samples come from different boots (boot_id "
				     "%s, then %s): their counters cannot be compared",
				     a->boot_id, b->boot_id);
	if (strcmp(a->hostname, b->hostname) != 0 || strcmp(a->netns, b->netns) != 0)
		return tn_diag_error(d, -EINVAL,
				     "the samples come from different hosts or network "
				     "namespaces (%s%s%s, then %s%s%s)",
				     a->hostname, a->netns[0] ? " netns " : "", a->netns,
				     b->hostname, b->netns[0] ? " netns " : "", b->netns);
	if (b->time_us <= a->time_us)
		return tn_diag_error(d, -EINVAL,
				     "the second sample is not later than the first "
				     "(time_us %" PRIu64 ", then %" PRIu64 ")",
				     a->time_us, b->time_us);
	return 0;
}

int tn_diagnose(const struct tn_sample *a, const struct tn_sample *b, const struct tn_profile *prof,
		struct tn_diagnosis *out, struct tn_diag *d)
{
	return tn_diagnose_with_opts(a, b, prof, NULL, out, d);
}

int tn_diagnose_with_opts(const struct tn_sample *a, const struct tn_sample *b,
			  const struct tn_profile *prof, const struct tn_diagnose_opts *opts,
			  struct tn_diagnosis *out, struct tn_diag *d)
{
	struct tn_diagnosis dg = { 0 };
	struct dctx c = { .a = a,
			  .b = b,
			  .s = &b->state,
			  .prof = prof,
			  .out = &dg,
			  .d = d,
			  .usecs_cap = TN_DIAG_BUDGET_USECS_CAP };
	struct softnet_delta sd;
	int ret;

	if (opts && opts->max_budget_usecs) {
		if (opts->max_budget_usecs < TN_DIAG_MAX_BUDGET_USECS_MIN ||
		    opts->max_budget_usecs > TN_DIAG_MAX_BUDGET_USECS_MAX)
			return tn_diag_error(d, -EINVAL,
					     "the netdev_budget_usecs bound %" PRId64
					     " us is outside %d to %d",
					     opts->max_budget_usecs, TN_DIAG_MAX_BUDGET_USECS_MIN,
					     TN_DIAG_MAX_BUDGET_USECS_MAX);
		c.usecs_cap = opts->max_budget_usecs;
	}
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
	    (ret = tn_diagnose_nics(&c)) < 0 || (ret = tn_diagnose_sockets(&c)) < 0) {
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
