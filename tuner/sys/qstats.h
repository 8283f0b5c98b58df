/* SPDX-License-Identifier: MIT */
/*
 * The per-device queue statistics of netdev-genl (NETDEV_CMD_QSTATS_GET,
 * kernels 6.9 and later, drivers that implement them), through libnl-genl.
 * Live host only: netlink has no sysroot.
 */
#ifndef TN_QSTATS_H
#define TN_QSTATS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TN_QSTATS_MAX_DEVS 65536	/* devices in one dump; beyond: refused */
#define TN_QSTATS_TIMEOUT_S 5		/* no answer within: -ETIMEDOUT */

enum { TN_QSTAT_RX_ALLOC_FAIL, TN_QSTAT_RX_HW_DROPS, TN_QSTAT_RX_HW_DROP_OVERRUNS, TN_QSTAT_N };

/* The counters' names, as the kernel's netdev.yaml spells them. */
extern const char *const tn_qstat_names[TN_QSTAT_N];

struct tn_qstats {
	int ifindex;
	bool has[TN_QSTAT_N];		/* the driver reports it */
	uint64_t v[TN_QSTAT_N];
};

/*
 * One dump of every device's totals (scope: device), sorted by ifindex.
 * Returns 0 (*n 0 on a kernel without netdev-genl qstats), or -errno with
 * the reason in err. out untouched on failure.
 */
int tn_qstats_dump(struct tn_qstats **out, int *n, char *err, size_t errlen);
/* One message of the dump (exposed for tests): 0, or -EBADMSG for a message
 * without a valid ifindex or with a counter neither 4 nor 8 bytes long. */
struct nlmsghdr;
int tn_qstats_parse(struct nlmsghdr *nlh, struct tn_qstats *out);
/* Binary search of a dump sorted by ifindex; NULL when absent. */
const struct tn_qstats *tn_qstats_find(const struct tn_qstats *v, int n, int ifindex);

#endif
