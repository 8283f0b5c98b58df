/* SPDX-License-Identifier: MIT */
/*
 * Reading a counter sample (tuner/core/counters.h) from a host: every file
 * through the sysroot, bounded in size; the driver statistics (ethtool -S)
 * through the SIOCETHTOOL ioctl on the live host only.
 */
#ifndef TN_COUNTERS_READ_H
#define TN_COUNTERS_READ_H

#include "counters.h"
#include "diag.h"
#include "sysroot.h"

struct tn_counters_opts {
	/* Network namespace of a process: /proc/PID/net/... instead of
	 * /proc/net/...; 0 for tuner's own. */
	int netns_pid;
	bool driver_stats;	/* ask the drivers (ioctl): live host only */
};

/*
 * Take one sample. 's' is the snapshot taken just before (its NICs and
 * online CPUs); the sample keeps no pointer to it. Returns 0 or -errno with
 * the file and the reason in d; out untouched on failure.
 */
int tn_counters_read(const struct tn_sysroot *r, const struct tn_state *s,
		     const struct tn_counters_opts *o, struct tn_sample *out, struct tn_diag *d);

#endif
