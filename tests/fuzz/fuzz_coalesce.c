/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target: ethtool COALESCE_GET replies through
 * tn_ethtool_parse_coalesce. The input is one whole netlink message (its
 * header's length included, as hostile as the rest). A refused message leaves
 * the output untouched; a read one holds u32 values or TN_UNKNOWN, and a flag
 * 0, 1 or TN_UNKNOWN.
 */
#include <linux/netlink.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ethtool.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static bool u32_or_unknown(int64_t v)
{
	return v == TN_UNKNOWN || (v >= 0 && v <= (int64_t)UINT32_MAX);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tn_coalesce c, before;
	struct nlmsghdr *nlh;

	if (size > 65536)
		return 0;
	nlh = calloc(1, size + 8);	/* aligned as a receive buffer is */
	if (!nlh)
		return 0;
	memcpy(nlh, data, size);
	memset(&c, 0x5a, sizeof(c));
	before = c;
	if (tn_ethtool_parse_coalesce(nlh, size, &c) == 0) {
		if (!u32_or_unknown(c.rx_usecs) || !u32_or_unknown(c.rx_frames) ||
		    !u32_or_unknown(c.tx_usecs) ||
		    (c.adaptive_rx != TN_UNKNOWN && c.adaptive_rx != 0 && c.adaptive_rx != 1))
			abort();
	} else if (memcmp(&c, &before, sizeof(c)) != 0) {
		abort();
	}
	free(nlh);
	return 0;
}
