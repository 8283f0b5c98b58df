/* SPDX-License-Identifier: MIT */
/* netdev-genl qstats messages: the counters of a dump message, 4- and 8-byte
 * "uint" attributes, and the messages refused. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <netlink/attr.h>
#include <netlink/genl/genl.h>
#include <netlink/msg.h>

#include "qstats.h"

/* attribute numbers of include/uapi/linux/netdev.h */
enum { A_IFINDEX = 1, A_RX_PACKETS = 8, A_RX_ALLOC_FAIL = 12, A_RX_HW_DROPS = 13,
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
	struct tn_qstats v[3] = { { .ifindex = 2 }, { .ifindex = 5 }, { .ifindex = 9 } };

	(void)st;
	assert_ptr_equal(tn_qstats_find(v, 3, 5), &v[1]);
	assert_null(tn_qstats_find(v, 3, 4));
	assert_null(tn_qstats_find(NULL, 0, 4));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_find),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
