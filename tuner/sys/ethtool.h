/* SPDX-License-Identifier: MIT */
/*
 * Ring sizes and channel counts through the kernel's ethtool generic netlink
 * family (Linux 5.6 and later). One handle is one genl socket; it talks to the
 * network namespace it was opened in.
 *
 * Every function returns 0 or -errno. The errno is the kernel's own when the
 * kernel refused the request (-ENODEV: no such device, -EOPNOTSUPP: the driver
 * lacks the operation, -EINVAL: a value the driver rejects, -EPERM: no
 * CAP_NET_ADMIN for a set). Output parameters are written only on success.
 *
 * When the kernel refuses a request with an extended-ack text ("requested ring
 * size exceeds maximum"), that text is recorded as d's error (d may be NULL);
 * an error without text, or found before anything was sent, records nothing,
 * and neither does a warning the kernel attaches to a success.
 */
#ifndef TN_ETHTOOL_H
#define TN_ETHTOOL_H

#include <stddef.h>
#include <stdint.h>

#include "diag.h"
#include "state.h"

struct tn_ethtool;

/* 0 or -errno; -EOPNOTSUPP when the kernel has no ethtool netlink family. */
int tn_ethtool_open(struct tn_ethtool **out);
void tn_ethtool_close(struct tn_ethtool *e); /* accepts NULL */

/* Fields the kernel does not report (a zero maximum) are TN_UNKNOWN. */
int tn_ethtool_get_rings(struct tn_ethtool *e, const char *ifname, struct tn_ring *out,
			 struct tn_diag *d);
int tn_ethtool_get_channels(struct tn_ethtool *e, const char *ifname, struct tn_channels *out,
			    struct tn_diag *d);

/*
 * Set the rx and/or tx ring size. TN_UNKNOWN leaves that one alone; other
 * values must be in [0, UINT32_MAX] (-EINVAL otherwise, nothing sent). The
 * request is sent even when both are TN_UNKNOWN, so that a missing device or
 * operation is still reported.
 */
int tn_ethtool_set_rings(struct tn_ethtool *e, const char *ifname, int64_t rx, int64_t tx,
			 struct tn_diag *d);
/* Set channel counts, with the same rules as tn_ethtool_set_rings(). */
int tn_ethtool_set_channels(struct tn_ethtool *e, const char *ifname, int64_t combined, int64_t rx,
			    int64_t tx, struct tn_diag *d);

/*
 * Interrupt coalescing. A parameter the kernel does not report (the driver
 * does not support it) is TN_UNKNOWN. For a set, TN_UNKNOWN leaves that
 * parameter alone; adaptive_rx is 0 or 1, the others in [0, UINT32_MAX]
 * (-EINVAL otherwise, nothing sent). The kernel refuses a parameter the
 * driver does not support (-EOPNOTSUPP, "unsupported parameter").
 */
int tn_ethtool_get_coalesce(struct tn_ethtool *e, const char *ifname, struct tn_coalesce *out,
			    struct tn_diag *d);
int tn_ethtool_set_coalesce(struct tn_ethtool *e, const char *ifname, const struct tn_coalesce *c,
			    struct tn_diag *d);

/*
 * One ETHTOOL_MSG_COALESCE_GET_REPLY message of len bytes (exposed for tests
 * and the fuzzer): 0, or -EBADMSG for a message shorter than its header says,
 * another command's, or one with an attribute of the wrong size. out is
 * written only on success.
 */
struct nlmsghdr;
int tn_ethtool_parse_coalesce(struct nlmsghdr *nlh, size_t len, struct tn_coalesce *out);

#endif
