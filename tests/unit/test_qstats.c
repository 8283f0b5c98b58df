/* SPDX-License-Identifier: MIT */
/* netdev-genl qstats messages: the counters of a dump message, 4- and 8-byte
 * "uint" attributes, the messages refused; per-queue messages (scope queue),
 * replies recorded from a real kernel, and the bounds of a dump. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <netlink/attr.h>
#include <netlink/genl/genl.h>
#include <netlink/msg.h>

#include "qstats.h"

/* attribute numbers of include/uapi/linux/netdev.h */
enum { A_IFINDEX = 1, A_QUEUE_TYPE = 2, A_QUEUE_ID = 3,
       A_RX_PACKETS = 8, A_RX_ALLOC_FAIL = 12, A_RX_HW_DROPS = 13,
       A_RX_HW_DROP_OVERRUNS = 14 };

static struct nl_msg *msg_new(void)
{
	struct nl_msg *m = nlmsg_alloc();

	assert_non_null(m);
	assert_non_null(genlmsg_put(m, 0, 1, 0x20, 0, 0, 12, 1));
	return m;
}

static void test_parse(void **st)
{
	struct tn_qstats q;
	struct nl_msg *m = msg_new();

	(void)st;
	nla_put_u32(m, A_IFINDEX, 7);
	nla_put_u64(m, A_RX_PACKETS, 123);		/* not a drop: ignored */
	nla_put_u32(m, A_RX_ALLOC_FAIL, 5);		/* 4-byte uint */
	nla_put_u64(m, A_RX_HW_DROPS, UINT64_MAX - 1);	/* 8-byte uint, never cut */
	assert_int_equal(tn_qstats_parse(nlmsg_hdr(m), &q), 0);
	assert_int_equal(q.ifindex, 7);
	assert_true(q.has[TN_QSTAT_RX_ALLOC_FAIL]);
	assert_int_equal(q.v[TN_QSTAT_RX_ALLOC_FAIL], 5);
	assert_true(q.has[TN_QSTAT_RX_HW_DROPS]);
	assert_true(q.v[TN_QSTAT_RX_HW_DROPS] == UINT64_MAX - 1);
	assert_false(q.has[TN_QSTAT_RX_HW_DROP_OVERRUNS]); /* the driver does not report it */
	assert_string_equal(tn_qstat_names[TN_QSTAT_RX_HW_DROPS], "rx-hw-drops");
	nlmsg_free(m);
}

static void test_refused(void **st)
{
	struct tn_qstats q = { .ifindex = 99 };
	struct nl_msg *m;
	uint16_t two = 2;

	(void)st;
	m = msg_new(); /* no ifindex */
	nla_put_u32(m, A_RX_HW_DROPS, 1);
	assert_int_equal(tn_qstats_parse(nlmsg_hdr(m), &q), -EBADMSG);
	nlmsg_free(m);
	m = msg_new(); /* ifindex 0 */
	nla_put_u32(m, A_IFINDEX, 0);
	assert_int_equal(tn_qstats_parse(nlmsg_hdr(m), &q), -EBADMSG);
	nlmsg_free(m);
	m = msg_new(); /* a 2-byte counter */
	nla_put_u32(m, A_IFINDEX, 3);
	nla_put(m, A_RX_HW_DROP_OVERRUNS, sizeof(two), &two);
	assert_int_equal(tn_qstats_parse(nlmsg_hdr(m), &q), -EBADMSG);
	nlmsg_free(m);
	m = msg_new(); /* a 2-byte ifindex */
	nla_put(m, A_IFINDEX, sizeof(two), &two);
	assert_int_equal(tn_qstats_parse(nlmsg_hdr(m), &q), -EBADMSG);
	nlmsg_free(m);
	assert_int_equal(q.ifindex, 99); /* untouched on failure */
}

static void test_find(void **st)
{
	struct tn_qstats v[3] = { { .ifindex = 2, .queue = -1 }, { .ifindex = 5, .queue = -1 },
				  { .ifindex = 9, .queue = -1 } };

	(void)st;
	assert_ptr_equal(tn_qstats_find(v, 3, 5), &v[1]);
	assert_null(tn_qstats_find(v, 3, 4));
	assert_null(tn_qstats_find(NULL, 0, 4));
}

/* A reply as the kernel sent it: the generic netlink header and attributes
 * (hex), behind a netlink header. */
static struct nlmsghdr *recorded(const char *hex)
{
	size_t n = strlen(hex) / 2;
	struct nlmsghdr *nlh = calloc(1, NLMSG_ALIGN(NLMSG_HDRLEN + n));

	assert_non_null(nlh);
	nlh->nlmsg_len = (uint32_t)(NLMSG_HDRLEN + n);
	nlh->nlmsg_type = 0x20;
	for (size_t i = 0; i < n; i++) {
		unsigned v;

		assert_int_equal(sscanf(hex + 2 * i, "%2x", &v), 1);
		((unsigned char *)nlh)[NLMSG_HDRLEN + i] = (unsigned char)v;
	}
	return nlh;
}

/* Linux 6.18, virtio_net eth0 (ifindex 4): a scope-queue dump (rx queue 0,
 * then tx queue 0) and a device dump. virtio reports packets and bytes, no
 * drop counter. */
static const char rec_rx0[] =
	"0c0100000800010004000000080002000000000008000300000000000800080010150000"
	"080009005958a60c";
static const char rec_tx0[] =
	"0c01000008000100040000000800020001000000080003000000000008000a005a0b0000"
	"08000b00dd61030008002100000000000800220000000000";
static const char rec_dev[] =
	"0c01000008000100040000000800080010150000080009005958a60c08000a005a0b0000"
	"08000b00dd61030008002100000000000800220000000000";

static void test_recorded(void **st)
{
	struct nlmsghdr *rx = recorded(rec_rx0), *tx = recorded(rec_tx0), *dev = recorded(rec_dev);
	struct tn_qstats_list l = { .ifindex = 4 }, all = { 0 };
	struct tn_qstats q;

	(void)st;
	assert_int_equal(tn_qstats_parse(rx, &q), 0);
	assert_int_equal(q.ifindex, 4);
	assert_int_equal(q.queue, 0);
	for (int i = 0; i < TN_QSTAT_N; i++)
		assert_false(q.has[i]);
	assert_int_equal(tn_qstats_parse(tx, &q), 1); /* a tx queue: not ours */
	assert_int_equal(tn_qstats_parse(dev, &q), 0);
	assert_int_equal(q.queue, -1);
	/* the queue dump keeps the rx queue, skips the tx one */
	assert_int_equal(tn_qstats_list_add(&l, rx), 0);
	assert_int_equal(tn_qstats_list_add(&l, tx), 0);
	assert_int_equal(tn_qstats_list_finish(&l), 0);
	assert_int_equal(l.n, 1);
	assert_int_equal(l.v[0].queue, 0);
	/* a device's totals in a queue dump, a queue in a device dump: refused */
	assert_int_equal(tn_qstats_list_add(&l, dev), -EBADMSG);
	assert_int_equal(tn_qstats_list_add(&all, rx), -EBADMSG);
	assert_int_equal(tn_qstats_list_add(&all, dev), 0);
	assert_int_equal(tn_qstats_list_finish(&all), 0);
	assert_ptr_equal(tn_qstats_find(all.v, all.n, 4), &all.v[0]);
	tn_qstats_list_free(&l);
	tn_qstats_list_free(&all);
	free(rx);
	free(tx);
	free(dev);
}

static struct nl_msg *queue_msg(int ifindex, uint32_t type, uint32_t id)
{
	struct nl_msg *m = msg_new();

	nla_put_u32(m, A_IFINDEX, (uint32_t)ifindex);
	nla_put_u32(m, A_QUEUE_TYPE, type);
	nla_put_u32(m, A_QUEUE_ID, id);
	return m;
}

static void test_queue_parse(void **st)
{
	struct tn_qstats q = { .ifindex = 99 };
	struct nl_msg *m = queue_msg(3, 0, 5);
	uint16_t two = 2;

	(void)st;
	nla_put_u64(m, A_RX_HW_DROPS, 7);
	nla_put_u32(m, A_RX_ALLOC_FAIL, 2);
	assert_int_equal(tn_qstats_parse(nlmsg_hdr(m), &q), 0);
	assert_int_equal(q.queue, 5);
	assert_true(q.has[TN_QSTAT_RX_HW_DROPS] && q.v[TN_QSTAT_RX_HW_DROPS] == 7);
	assert_true(q.has[TN_QSTAT_RX_ALLOC_FAIL] && q.v[TN_QSTAT_RX_ALLOC_FAIL] == 2);
	nlmsg_free(m);
	q.ifindex = 99;
	m = queue_msg(3, 0, TN_QSTATS_MAX_QUEUES - 1); /* the last id looked at */
	assert_int_equal(tn_qstats_parse(nlmsg_hdr(m), &q), 0);
	nlmsg_free(m);
	q.ifindex = 99;
	m = queue_msg(3, 0, TN_QSTATS_MAX_QUEUES); /* beyond: refused, not cut */
	assert_int_equal(tn_qstats_parse(nlmsg_hdr(m), &q), -E2BIG);
	nlmsg_free(m);
	m = queue_msg(3, 7, 0); /* a queue type of a later kernel: not ours */
	assert_int_equal(tn_qstats_parse(nlmsg_hdr(m), &q), 1);
	nlmsg_free(m);
	m = msg_new(); /* a type without an id */
	nla_put_u32(m, A_IFINDEX, 3);
	nla_put_u32(m, A_QUEUE_TYPE, 0);
	assert_int_equal(tn_qstats_parse(nlmsg_hdr(m), &q), -EBADMSG);
	nlmsg_free(m);
	m = msg_new(); /* a 2-byte id */
	nla_put_u32(m, A_IFINDEX, 3);
	nla_put_u32(m, A_QUEUE_TYPE, 0);
	nla_put(m, A_QUEUE_ID, sizeof(two), &two);
	assert_int_equal(tn_qstats_parse(nlmsg_hdr(m), &q), -EBADMSG);
	nlmsg_free(m);
	assert_int_equal(q.ifindex, 99); /* untouched on failure */
}

static void test_list_bounds(void **st)
{
	struct tn_qstats_list l = { .ifindex = 3 };
	struct nl_msg *m;

	(void)st;
	m = queue_msg(4, 0, 1); /* another device's queue */
	assert_int_equal(tn_qstats_list_add(&l, nlmsg_hdr(m)), -EBADMSG);
	nlmsg_free(m);
	for (int q = 2; q >= 0; q--) {
		m = queue_msg(3, 0, (uint32_t)q);
		assert_int_equal(tn_qstats_list_add(&l, nlmsg_hdr(m)), 0);
		nlmsg_free(m);
	}
	assert_int_equal(tn_qstats_list_finish(&l), 0);
	assert_int_equal(l.n, 3);
	assert_int_equal(l.v[0].queue, 0); /* sorted */
	assert_int_equal(l.v[2].queue, 2);
	m = queue_msg(3, 0, 1); /* a queue twice */
	assert_int_equal(tn_qstats_list_add(&l, nlmsg_hdr(m)), 0);
	assert_int_equal(tn_qstats_list_finish(&l), -EBADMSG);
	l.msgs = TN_QSTATS_MAX_MSGS; /* a dump that never ends */
	assert_int_equal(tn_qstats_list_add(&l, nlmsg_hdr(m)), -E2BIG);
	nlmsg_free(m);
	tn_qstats_list_free(&l);
	assert_int_equal(l.n, 0);
	tn_qstats_list_free(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_find),
		cmocka_unit_test(test_recorded),
		cmocka_unit_test(test_queue_parse),
		cmocka_unit_test(test_list_bounds),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
