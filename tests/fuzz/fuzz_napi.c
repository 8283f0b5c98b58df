/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target: netdev-genl queue-get and napi-get replies through
 * tn_napi_add_queue/tn_napi_add_napi, then the links applied to a NIC of
 * three IRQs (tn_napi_apply). The input: messages, each a 1-byte kind (even:
 * a queue, odd: a NAPI), a 2-byte length and that many bytes (the generic
 * netlink header and the attributes). A refused message leaves the parsers'
 * output untouched; what is kept is in range; the NIC's IRQs stay its own.
 */
#include <linux/netlink.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "napi.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct nlmsghdr *message(const uint8_t *data, size_t size)
{
	size_t len = NLMSG_HDRLEN + size;
	struct nlmsghdr *nlh = calloc(1, NLMSG_ALIGN(len));

	if (!nlh)
		return NULL;
	nlh->nlmsg_len = (uint32_t)len;
	nlh->nlmsg_type = 0x20;
	memcpy((char *)nlh + NLMSG_HDRLEN, data, size);
	return nlh;
}

static void check_parsers(struct nlmsghdr *nlh)
{
	struct tn_napi_queue q, q0;
	struct tn_napi n, n0;

	memset(&q, 0x5a, sizeof(q));
	q0 = q;
	if (tn_napi_parse_queue(nlh, &q) == 0) {
		if (q.ifindex <= 0 || q.id < 0)
			abort();
	} else if (memcmp(&q, &q0, sizeof(q)) != 0) {
		abort();
	}
	memset(&n, 0x5a, sizeof(n));
	n0 = n;
	if (tn_napi_parse_napi(nlh, &n) == 0) {
		if (n.ifindex <= 0 || n.id == 0 || n.irq < -1)
			abort();
	} else if (memcmp(&n, &n0, sizeof(n)) != 0) {
		abort();
	}
}

static void check_apply(const struct tn_napi_links *l)
{
	struct tn_irq irqs[3] = { { .irq = 1, .queue = 0, .kind = TN_IRQ_RX },
				  { .irq = 2, .queue = 1, .kind = TN_IRQ_TXRX },
				  { .irq = 3, .queue = -1, .kind = TN_IRQ_OTHER } };
	struct tn_nic nic = { .name = "eth0", .ifindex = 1, .n_irqs = 3, .irqs = irqs };
	struct tn_diag d;

	tn_diag_init(&d);
	if (tn_napi_apply(l, &nic, &d) < 0 && d.error[0] == '\0')
		abort();
	for (int i = 0; i < 3; i++)
		if (irqs[i].irq != i + 1 || irqs[i].queue < -1 || (unsigned)irqs[i].kind > TN_IRQ_TXRX)
			abort();
	tn_diag_free(&d);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tn_napi_links l = { 0 };
	int ret = 0;

	if (size > 65536)
		return 0;
	while (size >= 3 && ret == 0) {
		int kind = data[0] & 1;
		size_t n = (size_t)data[1] | (size_t)data[2] << 8;
		struct nlmsghdr *nlh;

		if (n > size - 3)
			n = size - 3;
		nlh = message(data + 3, n);
		if (!nlh)
			break;
		check_parsers(nlh);
		ret = kind ? tn_napi_add_napi(&l, nlh) : tn_napi_add_queue(&l, nlh);
		free(nlh);
		data += 3 + n;
		size -= 3 + n;
	}
	tn_napi_links_sort(&l);
	check_apply(&l);
	tn_napi_links_free(&l);
	return 0;
}
