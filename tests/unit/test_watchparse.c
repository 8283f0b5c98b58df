/* SPDX-License-Identifier: MIT */
/*
 * The parsers of tuner watch's event sources on datagrams built as the kernel
 * sends them, and on damaged ones: lengths past the end, names without NUL or
 * with '/', thread events, other connector users, more events than room.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <net/if.h>
#include <linux/cn_proc.h>
#include <linux/connector.h>
#include <linux/ethtool_netlink.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>

#include "watchsrc.h"

#define FAMILY 0x1c

struct dgram {
	char b[4096] __attribute__((aligned(4)));
	size_t len;
	size_t msg;	/* the message being built */
};

static void put(struct dgram *d, const void *p, size_t n)
{
	assert_true(d->len + NLMSG_ALIGN(n) <= sizeof(d->b));
	memcpy(d->b + d->len, p, n);
	memset(d->b + d->len + n, 0, NLMSG_ALIGN(n) - n);
	d->len += NLMSG_ALIGN(n);
}

static void msg_begin(struct dgram *d, uint16_t type)
{
	struct nlmsghdr h = { .nlmsg_type = type };

	d->msg = d->len;
	put(d, &h, sizeof(h));
}

static void msg_end(struct dgram *d)
{
	struct nlmsghdr *h = (struct nlmsghdr *)(d->b + d->msg);

	h->nlmsg_len = (uint32_t)(d->len - d->msg);
}

static void attr(struct dgram *d, uint16_t type, const void *p, size_t n)
{
	struct nlattr a = { .nla_len = (uint16_t)(NLA_HDRLEN + n), .nla_type = type };

	put(d, &a, sizeof(a));
	d->len -= NLA_ALIGN(sizeof(a)) - sizeof(a);
	if (n)
		put(d, p, n);
}

static void link_msg(struct dgram *d, uint16_t type, int index, unsigned flags, const char *name,
		     size_t name_len)
{
	struct ifinfomsg ifi = { .ifi_index = index, .ifi_flags = flags };
	uint32_t mtu = 1500;

	msg_begin(d, type);
	put(d, &ifi, sizeof(ifi));
	attr(d, IFLA_MTU, &mtu, sizeof(mtu));
	if (name)
		attr(d, IFLA_IFNAME, name, name_len);
	msg_end(d);
}

static void test_rtnl(void **unused)
{
	struct dgram d = { 0 };
	struct tn_wevent ev[4];
	int n;

	(void)unused;
	link_msg(&d, RTM_NEWLINK, 3, IFF_UP, "eth1", 5);
	link_msg(&d, RTM_DELLINK, 4, 0, "eth2", 5);
	link_msg(&d, RTM_NEWADDR, 5, 0, "eth3", 5);		/* not a link message */
	link_msg(&d, RTM_NEWLINK, 6, 0, "../x", 5);		/* a '/' in the name */
	link_msg(&d, RTM_NEWLINK, 7, 0, "0123456789abcdefXYZ", 19); /* no NUL within IFNAMSIZ */
	n = tn_watch_parse_rtnl(d.b, d.len, ev, 4);
	assert_int_equal(n, 4);
	{
		struct dgram dots = { 0 };

		link_msg(&dots, RTM_NEWLINK, 8, 0, "..", 3);
		link_msg(&dots, RTM_NEWLINK, 9, 0, ".", 2);
		assert_int_equal(tn_watch_parse_rtnl(dots.b, dots.len, ev, 4), 2);
		assert_string_equal(ev[0].ifname, "");
		assert_string_equal(ev[1].ifname, "");
	}
	n = tn_watch_parse_rtnl(d.b, d.len, ev, 4);
	assert_int_equal(ev[0].kind, TN_WEV_LINK);
	assert_int_equal(ev[0].ifindex, 3);
	assert_true(ev[0].up);
	assert_string_equal(ev[0].ifname, "eth1");
	assert_int_equal(ev[1].kind, TN_WEV_LINK_GONE);
	assert_string_equal(ev[1].ifname, "eth2");
	assert_int_equal(ev[2].ifindex, 6);
	assert_string_equal(ev[2].ifname, ""); /* refused, the index kept */
	assert_int_equal(ev[3].ifindex, 7);
	assert_string_equal(ev[3].ifname, "");
	/* room for one: one */
	assert_int_equal(tn_watch_parse_rtnl(d.b, d.len, ev, 1), 1);
	/* cut anywhere: never more, never past the end (ASan) */
	for (size_t cut = 0; cut < d.len; cut++) {
		char *copy = malloc(cut + 1);

		memcpy(copy, d.b, cut);
		assert_true(tn_watch_parse_rtnl(copy, cut, ev, 4) <= 4);
		free(copy);
	}
	/* a length beyond the datagram: nothing */
	((struct nlmsghdr *)d.b)->nlmsg_len = (uint32_t)d.len + 4;
	assert_int_equal(tn_watch_parse_rtnl(d.b, d.len, ev, 4), 0);
}

static void ethtool_msg(struct dgram *d, uint16_t family, uint8_t cmd, uint32_t index,
			const char *name)
{
	struct genlmsghdr g = { .cmd = cmd, .version = 1 };
	struct dgram hdr = { 0 };

	if (index)
		attr(&hdr, ETHTOOL_A_HEADER_DEV_INDEX, &index, sizeof(index));
	if (name)
		attr(&hdr, ETHTOOL_A_HEADER_DEV_NAME, name, strlen(name) + 1);
	msg_begin(d, family);
	put(d, &g, sizeof(g));
	attr(d, NLA_F_NESTED | ETHTOOL_A_CHANNELS_HEADER, hdr.b, hdr.len);
	msg_end(d);
}

static void test_ethtool(void **unused)
{
	struct dgram d = { 0 };
	struct tn_wevent ev[4];
	int n;

	(void)unused;
	ethtool_msg(&d, FAMILY, ETHTOOL_MSG_CHANNELS_NTF, 3, "eth1");
	ethtool_msg(&d, FAMILY, ETHTOOL_MSG_RINGS_NTF, 0, "eth2");
	ethtool_msg(&d, FAMILY, ETHTOOL_MSG_LINKINFO_NTF, 5, "eth3");	/* other notification */
	ethtool_msg(&d, FAMILY + 1, ETHTOOL_MSG_CHANNELS_NTF, 6, "eth4"); /* other family */
	ethtool_msg(&d, FAMILY, ETHTOOL_MSG_CHANNELS_NTF, 0, NULL);	/* names no device */
	n = tn_watch_parse_ethtool(d.b, d.len, FAMILY, ev, 4);
	assert_int_equal(n, 2);
	assert_int_equal(ev[0].kind, TN_WEV_ETHTOOL);
	assert_int_equal(ev[0].ifindex, 3);
	assert_string_equal(ev[0].ifname, "eth1");
	assert_int_equal(ev[1].ifindex, 0);
	assert_string_equal(ev[1].ifname, "eth2");
	for (size_t cut = 0; cut < d.len; cut++) {
		char *copy = malloc(cut + 1);

		memcpy(copy, d.b, cut);
		assert_true(tn_watch_parse_ethtool(copy, cut, FAMILY, ev, 4) <= 2);
		free(copy);
	}
}

static void cn_event(struct dgram *d, uint32_t idx, enum what what, int pid, int tgid,
		     const char *comm, size_t cut)
{
	struct {
		struct cn_msg cn;
		struct proc_event pe;
	} __attribute__((packed)) m;

	memset(&m, 0, sizeof(m));
	m.cn.id.idx = idx;
	m.cn.id.val = CN_VAL_PROC;
	m.cn.len = (uint16_t)(sizeof(m.pe) - cut);
	m.pe.what = what;
	if (what == PROC_EVENT_EXEC) {
		m.pe.event_data.exec.process_pid = pid;
		m.pe.event_data.exec.process_tgid = tgid;
	} else {
		m.pe.event_data.comm.process_pid = pid;
		m.pe.event_data.comm.process_tgid = tgid;
		if (comm)
			memcpy(m.pe.event_data.comm.comm, comm, strnlen(comm, 16));
	}
	msg_begin(d, NLMSG_DONE);
	put(d, &m, sizeof(m) - cut);
	msg_end(d);
}

static void test_cn(void **unused)
{
	struct dgram d = { 0 };
	struct tn_wevent ev[4];
	int n;

	(void)unused;
	cn_event(&d, CN_IDX_PROC, PROC_EVENT_EXEC, 4242, 4242, NULL, 0);
	cn_event(&d, CN_IDX_PROC, PROC_EVENT_EXEC, 4243, 4242, NULL, 0);	/* a thread */
	cn_event(&d, CN_IDX_PROC + 1, PROC_EVENT_EXEC, 50, 50, NULL, 0);	/* not ours */
	cn_event(&d, CN_IDX_PROC, PROC_EVENT_COMM, 77, 77, "0123456789abcdef", 0); /* 16, no NUL */
	cn_event(&d, CN_IDX_PROC, PROC_EVENT_FORK, 78, 78, NULL, 0);
	cn_event(&d, CN_IDX_PROC, PROC_EVENT_COMM, 79, 79, "short", sizeof(struct proc_event) - 20);
	n = tn_watch_parse_cn(d.b, d.len, ev, 4);
	assert_int_equal(n, 2);
	assert_int_equal(ev[0].kind, TN_WEV_EXEC);
	assert_int_equal(ev[0].pid, 4242);
	assert_string_equal(ev[0].comm, "");
	assert_int_equal(ev[1].kind, TN_WEV_COMM);
	assert_int_equal(ev[1].pid, 77);
	assert_string_equal(ev[1].comm, "0123456789abcde"); /* cut to what comm holds */
	for (size_t cut = 0; cut < d.len; cut++) {
		char *copy = malloc(cut + 1);

		memcpy(copy, d.b, cut);
		assert_true(tn_watch_parse_cn(copy, cut, ev, 4) <= 2);
		free(copy);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rtnl),
		cmocka_unit_test(test_ethtool),
		cmocka_unit_test(test_cn),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
