/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target: one netdev-genl qstats reply message (NETDEV_CMD_QSTATS_GET),
 * as the kernel would send it, through tn_qstats_parse. The input is the
 * message after its netlink header: the generic netlink header and the
 * attributes. A message the parser accepts has a valid ifindex; one it refuses
 * leaves its output untouched.
 */
#include <linux/netlink.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "qstats.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tn_qstats q, before;
	struct nlmsghdr *nlh;
	size_t len = NLMSG_HDRLEN + size;

	if (size > 65536)
		return 0;
	nlh = calloc(1, NLMSG_ALIGN(len));
	if (!nlh)
		return 0;
	nlh->nlmsg_len = (uint32_t)len;
	nlh->nlmsg_type = 0x20; /* a resolved family id */
	memcpy((char *)nlh + NLMSG_HDRLEN, data, size);
	memset(&q, 0x5a, sizeof(q));
	before = q;
	if (tn_qstats_parse(nlh, &q) == 0) {
		if (q.ifindex <= 0)
			abort();
	} else if (memcmp(&q, &before, sizeof(q)) != 0) {
		abort();
	}
	free(nlh);
	return 0;
}
