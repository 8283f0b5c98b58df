/* SPDX-License-Identifier: MIT */
/*
 * The socket stages of diagnose: TCP receive-queue pruning and collapsing,
 * listen queue overflows, UDP receive-buffer errors (/proc/net/netstat and
 * snmp deltas), each with the sysctl that is its fix.
 */
#include "diagnose_int.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
		tn_diagnose_appendf(ev, evlen, "%s%s %s +%" PRIu64, ev[0] ? ", " : "", group, name,
				    v);
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
		lost = sat_add(lost, net_delta(c, "TcpExt", drops[i], ev, sizeof(ev)));
	for (size_t i = 0; i < 2; i++)
		seen = sat_add(seen, net_delta(c, "TcpExt", signs[i], ev, sizeof(ev)));
	if (!lost && !seen)
		return 0;
	if (!(f = tn_diagnose_new_finding(c, TN_STAGE_TCP_RCVBUF)))
		return -ENOMEM;
	tn_diagnose_set_rate(c, f, lost);
	snprintf(f->evidence, sizeof(f->evidence), "%s", ev);
	if (tn_diagnose_sysctl_fields(c->s, "net.ipv4.tcp_rmem", rmem) != 3 ||
	    rmem[2] >= TN_DIAG_TCP_RMEM_CAP) {
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
		k->after[2] = tn_diagnose_twice_capped(rmem[2], 0, TN_DIAG_TCP_RMEM_CAP);
		/* A socket's buffer starts at the default and autotuning grows it only
		 * as the application reads: a reader that falls behind prunes and
		 * collapses at the default whatever the maximum (the VM tier measured
		 * PruneCalled up, not down, with the maximum alone), so the default
		 * rises to the new maximum too. */
		if (k->after[1] < k->after[2])
			k->after[1] = k->after[2];
		if (tn_diagnose_sysctl_fields(c->s, "net.core.rmem_max", rmax) == 1 &&
		    rmax[0] < k->after[2]) {
			struct tn_knob *m = &f->knobs[f->n_knobs++];

			m->kind = TN_KNOB_SYSCTL;
			snprintf(m->target, sizeof(m->target), "net.core.rmem_max");
			m->n_fields = 1;
			m->before[0] = rmax[0];
			m->after[0] = k->after[2];
		}
		snprintf(f->advice, sizeof(f->advice),
			 "raise the maximum of net.ipv4.tcp_rmem (x2, at most %d) and its default "
			 "to that maximum (a socket starts at the default, and autotuning grows it "
			 "only as the application reads: the maximum alone does not help a reader "
			 "that falls behind), and net.core.rmem_max with them so that the two stay "
			 "consistent; tcp_rmem is per network namespace: set it where the "
			 "receiver lives (--netns)",
			 TN_DIAG_TCP_RMEM_CAP);
	}
	tn_diagnose_appendf(f->advice, sizeof(f->advice), "%s", rcvbuf_caveat);
	if (!lost)
		tn_diagnose_appendf(
			f->advice, sizeof(f->advice),
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
	if (!(f = tn_diagnose_new_finding(c, TN_STAGE_LISTEN)))
		return -ENOMEM;
	tn_diagnose_set_rate(c, f, drops > over ? drops : over);
	snprintf(f->evidence, sizeof(f->evidence), "%s", ev);
	tn_diagnose_knob_sysctl(f, c->s, "net.core.somaxconn", 0, TN_DIAG_SOMAXCONN_CAP, NULL);
	snprintf(f->advice, sizeof(f->advice),
		 "%s; the application's own listen() backlog bounds the queue too: raise it "
		 "in the application",
		 f->n_knobs ? "raise net.core.somaxconn (x2, at most 65535)"
			    : "net.core.somaxconn is unknown or already at 65535");
	return 0;
}

/*
 * The buffers held `delivered` datagrams of the interval and dropped `lost`:
 * holding them all takes (delivered + lost) / delivered times the size, up to
 * the next power of two (the bursts vary); never below x2, never beyond cap.
 * Without a delivered count (no InDatagrams) it stays x2.
 */
static int64_t rcvbuf_scaled(int64_t cur, int64_t doubled, uint64_t lost, uint64_t delivered,
			     int64_t cap)
{
	long double want;
	int64_t v = 1;

	if (!delivered || cur >= cap)
		return doubled;
	want = (long double)cur * ((long double)delivered + (long double)lost) / delivered;
	if (want >= cap)
		return cap;
	while (v < want)
		v <<= 1;
	v = v > cap ? cap : v;
	return v > doubled ? v : doubled;
}

static int udp_finding(struct dctx *c)
{
	char ev[512] = "";
	uint64_t lost = net_delta(c, "Udp", "RcvbufErrors", ev, sizeof(ev));
	int64_t def[TN_SYSCTL_MAX_FIELDS], max[TN_SYSCTL_MAX_FIELDS];
	uint64_t delivered;
	struct tn_finding *f;

	lost = sat_add(lost, net_delta(c, "Udp6", "RcvbufErrors", ev, sizeof(ev)));
	if (!lost)
		return 0;
	net_delta(c, "Udp", "InErrors", ev, sizeof(ev));
	net_delta(c, "Udp6", "InErrors", ev, sizeof(ev));
	delivered = net_delta(c, "Udp", "InDatagrams", ev, sizeof(ev));
	delivered = sat_add(delivered, net_delta(c, "Udp6", "InDatagrams", ev, sizeof(ev)));
	if (!(f = tn_diagnose_new_finding(c, TN_STAGE_UDP_RCVBUF)))
		return -ENOMEM;
	tn_diagnose_set_rate(c, f, lost);
	snprintf(f->evidence, sizeof(f->evidence), "%s", ev);
	if (tn_diagnose_knob_sysctl(f, c->s, "net.core.rmem_default", 0, TN_DIAG_RMEM_DEFAULT_CAP,
				    def) &&
	    tn_diagnose_sysctl_fields(c->s, "net.core.rmem_max", max) == 1) {
		int64_t want = tn_diagnose_twice_capped(max[0], 0, TN_DIAG_RMEM_MAX_CAP);

		f->knobs[0].after[0] = rcvbuf_scaled(def[0], f->knobs[0].after[0], lost, delivered,
						     TN_DIAG_RMEM_DEFAULT_CAP);
		want = rcvbuf_scaled(max[0], want, lost, delivered, TN_DIAG_RMEM_MAX_CAP);
		if (want < f->knobs[0].after[0])
			want = f->knobs[0].after[0];

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
		tn_diagnose_knob_sysctl(f, c->s, "net.core.rmem_max", 0, TN_DIAG_RMEM_MAX_CAP,
					NULL);
	}
	snprintf(f->advice, sizeof(f->advice), "%s",
		 f->n_knobs ? "raise net.core.rmem_default (at most 8 MiB) and "
			      "net.core.rmem_max (at most 64 MiB): x2, or by what the "
			      "interval dropped over what it delivered (InDatagrams), up "
			      "to a power of two"
			    : "rmem_default and rmem_max are unknown or at their bounds: "
			      "the application reads too slowly");
	tn_diagnose_appendf(f->advice, sizeof(f->advice), "%s", rcvbuf_caveat);
	return 0;
}

/* ---- consistency, coverage, order ---- */

/* One value per sysctl across findings: the highest; rmem_max never below the
 * tcp_rmem maximum or rmem_default recommended. */

int tn_diagnose_sockets(struct dctx *c)
{
	int ret;

	if ((ret = tcp_finding(c)) < 0 || (ret = listen_finding(c)) < 0)
		return ret;
	return udp_finding(c);
}
