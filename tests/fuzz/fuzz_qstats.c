/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target: netdev-genl qstats replies (NETDEV_CMD_QSTATS_GET), as
 * the kernel would send them, through tn_qstats_parse and a whole dump
 * through tn_qstats_list_add and tn_qstats_list_finish. The input: one byte,
 * 0 for a device dump or the ifindex of a queue dump, then messages, each a
 * 2-byte length and that many bytes (the generic netlink header and the
 * attributes). A message the parser refuses leaves its output untouched; what
 * a dump keeps is within its bounds, of the device asked for, sorted, once.
 */
#include <linux/netlink.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "qstats.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct nlmsghdr *message(const uint8_t *data, size_t size)
{
	size_t len = NLMSG_HDRLEN + size;
	struct nlmsghdr *nlh = calloc(1, NLMSG_ALIGN(len));

	if (!nlh)
		return NULL;
	nlh->nlmsg_len = (uint32_t)len;
	nlh->nlmsg_type = 0x20; /* a resolved family id */
	memcpy((char *)nlh + NLMSG_HDRLEN, data, size);
	return nlh;
}

static void check_one(struct nlmsghdr *nlh)
{
	struct tn_qstats q, before;
	int ret;

	memset(&q, 0x5a, sizeof(q));
	before = q;
	ret = tn_qstats_parse(nlh, &q);
	if (ret == 0) {
		if (q.ifindex <= 0 || q.queue < -1 || q.queue >= TN_QSTATS_MAX_QUEUES)
			abort();
	} else if (memcmp(&q, &before, sizeof(q)) != 0) {
		abort();
	}
}

static void check_list(const struct tn_qstats_list *l, bool finished)
{
	if (l->n < 0 || l->n > (l->ifindex ? TN_QSTATS_MAX_QUEUES : TN_QSTATS_MAX_DEVS))
		abort();
	for (int i = 0; i < l->n; i++) {
		const struct tn_qstats *q = &l->v[i];

		if (l->ifindex ? q->ifindex != l->ifindex || q->queue < 0 : q->queue != -1)
			abort();
		if (finished && i > 0 && q->ifindex == q[-1].ifindex && q->queue <= q[-1].queue)
			abort();
		if (finished && i > 0 && q->ifindex < q[-1].ifindex)
			abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tn_qstats_list l = { 0 };
	int ret = 0;

	if (size < 1 || size > 65536)
		return 0;
	l.ifindex = data[0];
	data++;
	size--;
	while (size >= 2 && ret == 0) {
		size_t n = (size_t)data[0] | (size_t)data[1] << 8;
		struct nlmsghdr *nlh;

		if (n > size - 2)
			n = size - 2;
		nlh = message(data + 2, n);
		if (!nlh)
			break;
		check_one(nlh);
		ret = tn_qstats_list_add(&l, nlh);
		free(nlh);
		data += 2 + n;
		size -= 2 + n;
		check_list(&l, false);
	}
	if (ret == 0 && tn_qstats_list_finish(&l) == 0)
		check_list(&l, true);
	tn_qstats_list_free(&l);
	return 0;
}
