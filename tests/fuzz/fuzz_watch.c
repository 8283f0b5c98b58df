/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target: the datagrams of tuner watch's event sources (rtnetlink
 * link messages, ethtool monitor notifications, proc connector events)
 * through tn_watch_parse_rtnl/_ethtool/_cn. The input: one byte choosing the
 * parser, then the datagram. Every event returned is within the array, its
 * names terminated and without '/'.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "watchsrc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FAMILY 0x1c

static void check(const struct tn_wevent *ev, int n, int max)
{
	if (n < 0 || n > max)
		abort();
	for (int i = 0; i < n; i++) {
		if (!memchr(ev[i].ifname, '\0', sizeof(ev[i].ifname)) ||
		    !memchr(ev[i].comm, '\0', sizeof(ev[i].comm)) || strchr(ev[i].ifname, '/'))
			abort();
		if ((ev[i].kind == TN_WEV_EXEC || ev[i].kind == TN_WEV_COMM) && ev[i].pid <= 0)
			abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tn_wevent ev[4];
	int n, max;
	void *copy;

	if (size < 1)
		return 0;
	max = (data[0] >> 2) % 5; /* 0..4: the bound is kept */
	/* the datagram in its own allocation: ASan sees a read past its end */
	copy = malloc(size - 1 ? size - 1 : 1);
	if (!copy)
		return 0;
	memcpy(copy, data + 1, size - 1);
	memset(ev, 0x5a, sizeof(ev));
	switch (data[0] & 3) {
	case 0:
		n = tn_watch_parse_rtnl(copy, size - 1, ev, max);
		break;
	case 1:
		n = tn_watch_parse_ethtool(copy, size - 1, FAMILY, ev, max);
		break;
	default:
		n = tn_watch_parse_cn(copy, size - 1, ev, max);
		break;
	}
	check(ev, n, max);
	free(copy);
	return 0;
}
