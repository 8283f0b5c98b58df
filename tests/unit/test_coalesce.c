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
#include "plan.h"
#include "profile.h"
#include "state_json.h"
#include "unit_util.h"

#define DATA TN_SOURCE_DIR "/tests/unit/data/"

/* Linux 6.18, virtio_net eth0: rx-usecs 0, rx-frames 1, tx-usecs 0 (and
 * tx-frames 1), adaptive-rx off; the header nest first. */
static void test_recorded(void **st)
{
	struct tn_coalesce c;
	size_t len;
	struct nlmsghdr *nlh = tn_test_recorded(DATA "coalesce-virtio_net-6.18.hex", 0, &len);

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
	nlh = tn_test_recorded(DATA "coalesce-virtio_net-6.18.hex", 0, &len);
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

static char *no_loader(const char *name, const char *from, char *resolved, size_t len,
		       void *ctx, struct tn_diag *d)
{
	return NULL;
}

static int profile(const char *coalesce, struct tn_profile *p, struct tn_diag *d)
{
	char text[1024];

	snprintf(text, sizeof(text),
		 "{\"name\": \"c\", \"interfaces\": [{\"match\": {\"name\": \"eth0\"},\n"
		 "\"coalesce\": %s}]}", coalesce);
	tn_diag_init(d);
	return tn_profile_parse(text, "c.json", no_loader, NULL, p, d);
}

static void test_profile(void **st)
{
	static const struct {
		const char *coalesce, *error;
	} bad[] = {
		{ "{}", "c.json:2:13: interfaces[0].coalesce: expected an object with rx_usecs, "
			"rx_frames, adaptive_rx and/or tx_usecs" },
		{ "[]", "interfaces[0].coalesce: expected an object" },
		{ "{\"rx_usecs\": -1}", "interfaces[0].coalesce.rx_usecs" },
		{ "{\"rx_usecs\": 1000001}", "interfaces[0].coalesce.rx_usecs" },
		{ "{\"rx_frames\": 1.5}", "interfaces[0].coalesce.rx_frames" },
		{ "{\"tx_usecs\": \"8\"}", "interfaces[0].coalesce.tx_usecs: expected an integer "
					     "0 to 1000000" },
		{ "{\"adaptive_rx\": \"on\"}", "interfaces[0].coalesce.adaptive_rx: expected true "
						"or false" },
		{ "{\"rx_usecs\": 8, \"rx_usecs\": 9}", "rx_usecs" },
		{ "{\"rx-usecs\": 8}", "rx-usecs" },
	};
	struct tn_profile p;
	struct tn_diag d;

	(void)st;
	assert_int_equal(profile("{\"rx_usecs\": 1000000, \"adaptive_rx\": false, "
				 "\"tx_usecs\": 0}", &p, &d), 0);
	assert_int_equal(p.ifaces[0].coalesce.rx_usecs, 1000000);
	assert_int_equal(p.ifaces[0].coalesce.adaptive_rx, 0);
	assert_int_equal(p.ifaces[0].coalesce.tx_usecs, 0);
	assert_int_equal(p.ifaces[0].coalesce.rx_frames, TN_VAL_UNSET);
	tn_profile_free(&p);
	tn_diag_free(&d);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(profile(bad[i].coalesce, &p, &d), -EINVAL);
		if (!strstr(d.error, bad[i].error))
			fail_msg("case %zu: \"%s\" does not say %s", i, d.error, bad[i].error);
		tn_profile_free(&p);
		tn_diag_free(&d);
	}
}

/* eth0 a virtio_net (all four read), eth1 an e1000e (rx_usecs only), eth2
 * not read. */
static const char plan_nics[] =
	", \"driver\": \"virtio_net\", \"coalesce\": {\"rx_usecs\": 0, \"rx_frames\": 1, "
	"\"tx_usecs\": 0, \"adaptive_rx\": false}}, {\"name\": \"eth1\", \"driver\": \"e1000e\", "
	"\"coalesce\": {\"rx_usecs\": 3, \"rx_frames\": null, \"tx_usecs\": null, "
	"\"adaptive_rx\": null}}, {\"name\": \"eth2\"";

static int plan(const char *rules, struct tn_state *s, struct tn_plan *out, struct tn_diag *d)
{
	char text[2048];
	struct tn_profile p;
	int ret;

	assert_int_equal(load(plan_nics, s, d), 0);
	snprintf(text, sizeof(text), "{\"name\": \"c\", \"interfaces\": [%s]}", rules);
	if (tn_profile_parse(text, "c.json", no_loader, NULL, &p, d) < 0)
		fail_msg("%s", d->error);
	ret = tn_plan_compute(s, &p, out, d);
	tn_profile_free(&p);
	return ret;
}

static void test_plan(void **st)
{
	struct tn_state s;
	struct tn_plan pl;
	struct tn_diag d;
	const struct tn_change *c;
	char why[256];

	(void)st;
	/* adaptive first; a value in place is no change; eth2 not read: said */
	assert_int_equal(plan("{\"match\": {\"name\": \"eth*\"}, \"coalesce\": {\"rx_usecs\": 3, "
			      "\"rx_frames\": 1, \"adaptive_rx\": true}}", &s, &pl, &d), -EINVAL);
	assert_string_equal(d.error, "eth1: coalesce.adaptive_rx: the driver e1000e does not "
				     "support it (interfaces[0])");
	assert_int_equal(pl.n, 0);
	tn_state_free(&s);
	tn_diag_free(&d);

	assert_int_equal(plan("{\"match\": {\"name\": \"eth0\"}, \"coalesce\": {\"rx_usecs\": 50, "
			      "\"rx_frames\": 1, \"adaptive_rx\": true, \"tx_usecs\": 0}},"
			      "{\"match\": {\"name\": \"eth*\"}, \"coalesce\": {\"rx_usecs\": 8}}",
			      &s, &pl, &d), 0);
	assert_int_equal(pl.n, 3);
	c = &pl.changes[0];
	assert_int_equal(c->kind, TN_CHANGE_COALESCE);
	assert_string_equal(c->target, "eth0");
	assert_string_equal(c->key, "adaptive_rx");
	assert_string_equal(c->before, "off");
	assert_string_equal(c->after, "on");
	assert_int_equal(tn_change_check(c, why, sizeof(why)), 0);
	c = &pl.changes[1];
	assert_string_equal(c->key, "rx_usecs");
	assert_string_equal(c->before, "0");
	assert_string_equal(c->after, "50");
	assert_string_equal(c->reason, "profile coalesce.rx_usecs");
	assert_int_equal(tn_change_check(c, why, sizeof(why)), 0);
	c = &pl.changes[2];
	assert_string_equal(c->target, "eth1");
	assert_string_equal(c->key, "rx_usecs");
	assert_string_equal(c->before, "3");
	assert_string_equal(c->after, "8");
	assert_int_equal(d.n_warnings, 1);
	assert_string_equal(d.warnings[0], "eth2: interrupt coalescing not read (netlink not "
					   "asked or failed); coalesce not planned");
	tn_plan_free(&pl);
	tn_state_free(&s);
	tn_diag_free(&d);
}

/* A journal's coalesce record: its keys and values checked before a rollback
 * writes them. */
static void test_kind(void **st)
{
	static const struct {
		const char *target, *key, *before, *after;
		int ret;
	} cases[] = {
		{ "eth0", "adaptive_rx", "off", "on", 0 },
		{ "eth0", "rx_usecs", "0", "4294967295", 0 },
		{ "eth0", "adaptive_rx", "off", "1", -EINVAL },
		{ "eth0", "rx_frames", "1", "4294967296", -EINVAL },
		{ "eth0", "tx_usecs", "-1", "0", -EINVAL },
		{ "eth0", "tx_frames", "1", "2", -EINVAL },
		{ "../x", "rx_usecs", "1", "2", -EINVAL },
	};
	char why[256];

	(void)st;
	assert_string_equal(tn_change_kind_name(TN_CHANGE_COALESCE), "coalesce");
	assert_int_equal(tn_change_kind_parse("coalesce"), TN_CHANGE_COALESCE);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct tn_change c = { .kind = TN_CHANGE_COALESCE };

		snprintf(c.target, sizeof(c.target), "%s", cases[i].target);
		snprintf(c.key, sizeof(c.key), "%s", cases[i].key);
		c.before = (char *)cases[i].before;
		c.after = (char *)cases[i].after;
		if (tn_change_check(&c, why, sizeof(why)) != cases[i].ret)
			fail_msg("case %zu: %s", i, why);
		if (i == 0) {
			tn_change_label(&c, TN_LABEL_PLAN, why, sizeof(why));
			assert_string_equal(why, "eth0 adaptive_rx coalesce");
			tn_change_label(&c, TN_LABEL_ERROR, why, sizeof(why));
			assert_string_equal(why, "coalesce eth0 adaptive_rx");
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_recorded),	 cmocka_unit_test(test_fields),
		cmocka_unit_test(test_hostile),		 cmocka_unit_test(test_snapshot),
		cmocka_unit_test(test_snapshot_refused), cmocka_unit_test(test_profile),
		cmocka_unit_test(test_plan),		 cmocka_unit_test(test_kind),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
