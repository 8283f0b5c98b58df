/* SPDX-License-Identifier: MIT */
/*
 * Interrupt coalescing (issue 15 part B): the ethtool COALESCE_GET reply
 * parser on a reply recorded from a real kernel and on hostile messages; the
 * snapshot's "coalesce" object (saved, loaded, refused, absent in older
 * snapshots).
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <linux/ethtool_netlink.h>
#include <netlink/attr.h>
#include <netlink/genl/genl.h>
#include <netlink/msg.h>

#include "ethtool.h"
#include "state_json.h"

#define DATA TN_SOURCE_DIR "/tests/unit/data/"

/* Line 'line' (0-based) of a recorder file (tests/unit/data/nlrecord.py): one
 * whole netlink message in hex. *len: its length in bytes. */
static struct nlmsghdr *recorded(const char *file, int line, size_t *len)
{
	char buf[8192];
	FILE *f = fopen(file, "r");
	unsigned char *m;
	size_t n;

	assert_non_null(f);
	for (int i = 0; i <= line; i++)
		assert_non_null(fgets(buf, sizeof(buf), f));
	fclose(f);
	buf[strcspn(buf, "\n")] = '\0';
	n = strlen(buf) / 2;
	m = calloc(1, NLMSG_ALIGN(n) + 4);
	assert_non_null(m);
	for (size_t i = 0; i < n; i++) {
		unsigned v;

		assert_int_equal(sscanf(buf + 2 * i, "%2x", &v), 1);
		m[i] = (unsigned char)v;
	}
	*len = n;
	return (struct nlmsghdr *)m;
}

/* Linux 6.18, virtio_net eth0: rx-usecs 0, rx-frames 1, tx-usecs 0 (and
 * tx-frames 1), adaptive-rx off; the header nest first. */
static void test_recorded(void **st)
{
	struct tn_coalesce c;
	size_t len;
	struct nlmsghdr *nlh = recorded(DATA "coalesce-virtio_net-6.18.hex", 0, &len);

	(void)st;
	assert_int_equal(tn_ethtool_parse_coalesce(nlh, len, &c), 0);
	assert_int_equal(c.rx_usecs, 0);
	assert_int_equal(c.rx_frames, 1);
	assert_int_equal(c.tx_usecs, 0);
	assert_int_equal(c.adaptive_rx, 0);
	free(nlh);
}

static struct nl_msg *reply_new(uint8_t cmd)
{
	struct nl_msg *m = nlmsg_alloc();

	assert_non_null(m);
	assert_non_null(genlmsg_put(m, 0, 1, 0x20, 0, 0, cmd, 1));
	return m;
}

static int parse(struct nl_msg *m, struct tn_coalesce *c)
{
	struct nlmsghdr *nlh = nlmsg_hdr(m);

	return tn_ethtool_parse_coalesce(nlh, nlh->nlmsg_len, c);
}

/* A parameter not in the reply is unsupported: TN_UNKNOWN; a flag is 0 or 1. */
static void test_fields(void **st)
{
	struct tn_coalesce c;
	struct nl_msg *m = reply_new(ETHTOOL_MSG_COALESCE_GET_REPLY);

	(void)st;
	nla_put_u32(m, ETHTOOL_A_COALESCE_RX_USECS, UINT32_MAX);	/* never cut */
	nla_put_u8(m, ETHTOOL_A_COALESCE_USE_ADAPTIVE_RX, 7);		/* true */
	nla_put_u32(m, ETHTOOL_A_COALESCE_RATE_SAMPLE_INTERVAL, 9);	/* not ours */
	assert_int_equal(parse(m, &c), 0);
	assert_true(c.rx_usecs == (int64_t)UINT32_MAX);
	assert_int_equal(c.rx_frames, TN_UNKNOWN);
	assert_int_equal(c.tx_usecs, TN_UNKNOWN);
	assert_int_equal(c.adaptive_rx, 1);
	nlmsg_free(m);
}

/* Refused messages leave the output alone. */
static void test_hostile(void **st)
{
	struct tn_coalesce c = { 11, 12, 13, 1 }, keep = c;
	struct nl_msg *m;
	struct nlmsghdr *nlh;
	size_t len;

	(void)st;
	/* another command's reply */
	m = reply_new(ETHTOOL_MSG_RINGS_GET_REPLY);
	nla_put_u32(m, ETHTOOL_A_COALESCE_RX_USECS, 5);
	assert_int_equal(parse(m, &c), -EBADMSG);
	nlmsg_free(m);
	/* a u32 of 2 bytes, a flag of 0 bytes */
	m = reply_new(ETHTOOL_MSG_COALESCE_GET_REPLY);
	nla_put(m, ETHTOOL_A_COALESCE_TX_USECS, 2, "\1\2");
	assert_int_equal(parse(m, &c), -EBADMSG);
	nlmsg_free(m);
	m = reply_new(ETHTOOL_MSG_COALESCE_GET_REPLY);
	nla_put(m, ETHTOOL_A_COALESCE_USE_ADAPTIVE_RX, 0, NULL);
	assert_int_equal(parse(m, &c), -EBADMSG);
	nlmsg_free(m);
	/* a header saying more than was received; shorter than a header */
	nlh = recorded(DATA "coalesce-virtio_net-6.18.hex", 0, &len);
	assert_int_equal(tn_ethtool_parse_coalesce(nlh, len - 4, &c), -EBADMSG);
	assert_int_equal(tn_ethtool_parse_coalesce(nlh, 8, &c), -EBADMSG);
	/* an attribute running past the message (its last 4 bytes cut) */
	nlh->nlmsg_len -= 4;
	assert_int_equal(tn_ethtool_parse_coalesce(nlh, len, &c), -EBADMSG);
	/* no generic netlink header */
	nlh->nlmsg_len = NLMSG_HDRLEN + 2;
	assert_int_equal(tn_ethtool_parse_coalesce(nlh, len, &c), -EBADMSG);
	free(nlh);
	assert_memory_equal(&c, &keep, sizeof(c));
}

static const char snap_head[] =
	"{\"schema_version\": 1, \"topology\": {\"cpus\": \"0-3\", \"online\": \"0-3\","
	" \"nodes\": [{\"id\": 0, \"cpus\": \"0-3\"}]}, \"nics\": [{\"name\": \"eth0\"";

static int load(const char *nic_tail, struct tn_state *s, struct tn_diag *d)
{
	char text[1024];

	snprintf(text, sizeof(text), "%s%s}]}", snap_head, nic_tail);
	tn_state_init(s);
	tn_diag_init(d);
	return tn_state_parse(text, "s.json", s, d);
}

static void test_snapshot(void **st)
{
	struct tn_state s, s2;
	struct tn_diag d;
	cJSON *j;
	char *text;

	(void)st;
	/* an older snapshot: no coalesce, none read */
	assert_int_equal(load("", &s, &d), 0);
	assert_false(s.nics[0].has_coalesce);
	j = tn_state_to_json(&s);
	assert_null(cJSON_GetObjectItem(cJSON_GetArrayItem(cJSON_GetObjectItem(j, "nics"), 0),
					"coalesce"));
	cJSON_Delete(j);
	tn_state_free(&s);
	tn_diag_free(&d);

	assert_int_equal(load(", \"coalesce\": {\"rx_usecs\": 4294967295, \"rx_frames\": null, "
			      "\"tx_usecs\": null, \"adaptive_rx\": true}", &s, &d), 0);
	assert_true(s.nics[0].has_coalesce);
	assert_true(s.nics[0].coalesce.rx_usecs == (int64_t)UINT32_MAX);
	assert_int_equal(s.nics[0].coalesce.rx_frames, TN_UNKNOWN);
	assert_int_equal(s.nics[0].coalesce.tx_usecs, TN_UNKNOWN);
	assert_int_equal(s.nics[0].coalesce.adaptive_rx, 1);
	/* the round trip */
	j = tn_state_to_json(&s);
	text = cJSON_PrintUnformatted(j);
	assert_non_null(strstr(text, "\"coalesce\":{\"rx_usecs\":4294967295,\"rx_frames\":null,"
				     "\"tx_usecs\":null,\"adaptive_rx\":true}"));
	tn_state_init(&s2);
	assert_int_equal(tn_state_parse(text, "s2.json", &s2, &d), 0);
	assert_memory_equal(&s2.nics[0].coalesce, &s.nics[0].coalesce, sizeof(s.nics[0].coalesce));
	free(text);
	cJSON_Delete(j);
	tn_state_free(&s2);
	tn_state_free(&s);
	tn_diag_free(&d);
}

static void test_snapshot_refused(void **st)
{
	static const struct {
		const char *tail, *error;
	} cases[] = {
#define ALL "\"rx_usecs\": 1, \"rx_frames\": 1, \"tx_usecs\": 1"
		{ ", \"coalesce\": {\"rx_usecs\": 4294967296}", "nics[0].coalesce.rx_usecs" },
		{ ", \"coalesce\": {\"rx_usecs\": 1, \"rx_frames\": -1}", "nics[0].coalesce.rx_frames" },
		{ ", \"coalesce\": {" ALL ", \"adaptive_rx\": 1}", "nics[0].coalesce.adaptive_rx" },
		{ ", \"coalesce\": {" ALL "}", "nics[0].coalesce.adaptive_rx: missing" },
		{ ", \"coalesce\": {" ALL ", \"adaptive_rx\": null, \"tx_frames\": 1}", "tx_frames" },
		{ ", \"coalesce\": [1]", "nics[0].coalesce" },
	};
	struct tn_state s;
	struct tn_diag d;

	(void)st;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_int_equal(load(cases[i].tail, &s, &d), -EINVAL);
		if (!strstr(d.error, cases[i].error))
			fail_msg("case %zu: \"%s\" does not name %s", i, d.error, cases[i].error);
		tn_state_free(&s);
		tn_diag_free(&d);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_recorded),	 cmocka_unit_test(test_fields),
		cmocka_unit_test(test_hostile),		 cmocka_unit_test(test_snapshot),
		cmocka_unit_test(test_snapshot_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
