/* SPDX-License-Identifier: MIT */
/*
 * Reading a counter sample (tuner/core/counters.h) from a host: every file
 * through the sysroot, bounded in size; on the live host only, the link
 * statistics over rtnetlink (libnl-route; sysfs under a sysroot), the
 * netdev-genl qstats, and the driver statistics (ethtool -S) through the
 * SIOCETHTOOL ioctl.
 */
#ifndef TN_COUNTERS_READ_H
#define TN_COUNTERS_READ_H

#include "counters.h"
#include "diag.h"
#include "netns.h"
#include "sysroot.h"

struct tn_counters_opts {
	/* Under a --sysroot tree: the network namespace of a process,
	 * proc/PID/net/... instead of proc/net/...; 0 for the tree's own. */
	int netns_pid;
	/* On the live host: a namespace to enter (setns) for its netstat, snmp
	 * and snmp6 and its per-namespace sysctls; NULL for tuner's own. */
	const struct tn_netns *netns;
	bool driver_stats; /* ask the drivers (ioctl): live host only */
};

/*
 * Take one sample. 's' is the snapshot taken just before (its NICs and
 * online CPUs); the sample keeps no pointer to it. With o->netns, each "net."
 * sysctl of 's' that the namespace has its own copy of gets the namespace's
 * value, and is named in out->netns_sysctls. Returns 0 or -errno with the
 * file and the reason in d; out (and s) untouched on failure.
 */
int tn_counters_read(const struct tn_sysroot *r, struct tn_state *s,
		     const struct tn_counters_opts *o, struct tn_sample *out, struct tn_diag *d);

#endif
