/* SPDX-License-Identifier: MIT */
/*
 * Issue 15 part A: RPS/RFS, XPS and flow limits. The sysfs mask parser and
 * formatter (core/hexmask.c), the profile's rps/xps/flow_limit (profile_rps.c),
 * the queue files in the snapshot JSON (qfiles_json.c), the three kinds'
 * targets, values and labels (kind.c), and the planner (plan_rps.c) on the
 * 24em64t snapshot (tests/golden/24em64t.show.json).
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

#include "counters.h"
#include "diagnose.h"
#include "hexmask.h"
#include "kind.h"
#include "plan.h"
#include "profile.h"
#include "state_json.h"
#include "unit_util.h"

/* ---- masks ---- */

static void test_hexmask(void **state)
{
	static const struct {
		const char *text, *cpus, *canon;
		int nbits;
	} good[] = {
		{ "0", "", "0", 4 },
		{ "f", "0-3", "f", 4 },
		{ "000000", "", "000000", 24 },
		{ "00000e", "1-3", "00000e", 24 },
		{ "0000,00000000", "", "0000,00000000", 48 },
		{ "8000,00000001", "0,47", "8000,00000001", 48 },
		{ "FF,FFFFFFFF", "0-39", "ff,ffffffff", 40 },
		{ "00000000,00000000,00000100", "8", "00000000,00000000,00000100", 96 },
	};
	static const char *const bad[] = {
		"", ",", "0,", ",0", "0,0", "00000000,", "g", "123456789", " 1", "1 ",
		"1,0000000", "1,000000000", "00000000,00000000,00000,00", "0x1", "-1", "1,,00000000", "+1",
	};
	struct tn_cpuset s, want;
	char buf[TN_HEXMASK_MAX + 1], *big;
	int nbits;

	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		assert_int_equal(tn_hexmask_parse(good[i].text, &s, &nbits), 0);
		assert_int_equal(nbits, good[i].nbits);
		assert_int_equal(tn_cpuset_parse_list(good[i].cpus, &want), 0);
		assert_true(tn_cpuset_equal(&s, &want));
		assert_int_equal(tn_hexmask_format(&s, nbits, buf, sizeof(buf)), 0);
		assert_string_equal(buf, good[i].canon);
		assert_true(tn_hexmask_valid(good[i].text));
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		tn_cpuset_zero(&s);
		tn_cpuset_set(&s, 5);
		if (tn_hexmask_parse(bad[i], &s, &nbits) != -EINVAL)
			fail_msg("\"%s\" accepted", bad[i]);
		assert_true(tn_cpuset_test(&s, 5)); /* untouched */
	}
	/* a CPU the layout does not hold; a buffer too small */
	tn_cpuset_zero(&s);
	tn_cpuset_set(&s, 24);
	assert_int_equal(tn_hexmask_format(&s, 24, buf, sizeof(buf)), -ERANGE);
	assert_int_equal(tn_hexmask_format(&s, 48, buf, 13), -ENOSPC);
	assert_int_equal(tn_hexmask_format(&s, 48, buf, 14), 0);
	assert_string_equal(buf, "0000,01000000");
	/* wider than TN_CPU_MAX */
	big = malloc(TN_HEXMASK_MAX + 20);
	assert_non_null(big);
	strcpy(big, "1");
	for (int g = 0; g < TN_CPU_MAX / 32; g++)
		strcat(big, ",00000000");
	assert_int_equal(tn_hexmask_parse(big, &s, &nbits), -ERANGE);
	free(big);
	assert_true(tn_hexmask_equal("0f", "0000000f"));
	assert_false(tn_hexmask_equal("0f", "1f"));
	assert_false(tn_hexmask_equal("0f", "x"));
}

/* ---- profiles ---- */

static int parse(const char *text, struct tn_profile *p, struct tn_diag *d)
{
	tn_diag_init(d);
	memset(p, 0, sizeof(*p));
	return tn_profile_parse(text, "t.json", NULL, NULL, p, d);
}

static void test_profile_good(void **state)
{
	struct tn_profile p;
	struct tn_diag d;

	assert_int_equal(parse("{\"name\": \"x\", \"interfaces\": ["
			       "{\"match\": \"all\", \"rps\": {\"cpus\": \"2-5\", "
			       "\"flow_entries\": 32768}, \"xps\": {\"cpus\": \"irq\"}},"
			       "{\"match\": {\"name\": \"e*\"}, \"rps\": {}, \"xps\": {\"cpus\": "
			       "\"none\"}},"
			       "{\"match\": {\"name\": \"f*\"}, \"rps\": {\"cpus\": \"none\", "
			       "\"flow_entries\": 0}},"
			       "{\"match\": {\"name\": \"g*\"}}],"
			       "\"flow_limit\": {\"cpus\": \"irq\", \"table_len\": 8192}}",
			       &p, &d),
			 0);
	assert_int_equal(p.ifaces[0].rps.policy, TN_RPS_LIST);
	assert_int_equal(tn_cpuset_count(&p.ifaces[0].rps.cpus), 4);
	assert_int_equal(p.ifaces[0].rps.flow_entries, 32768);
	assert_int_equal(p.ifaces[0].xps, TN_XPS_IRQ);
	assert_int_equal(p.ifaces[1].rps.policy, TN_RPS_LOCAL);
	assert_int_equal(p.ifaces[1].rps.flow_entries, TN_VAL_UNSET);
	assert_int_equal(p.ifaces[1].xps, TN_XPS_NONE);
	assert_int_equal(p.ifaces[2].rps.policy, TN_RPS_NONE);
	assert_int_equal(p.ifaces[2].rps.flow_entries, 0);
	assert_int_equal(p.ifaces[3].rps.policy, TN_RPS_UNSET);
	assert_int_equal(p.ifaces[3].xps, TN_XPS_UNSET);
	assert_true(p.flow_limit.set && p.flow_limit.irq_cpus);
	assert_int_equal(p.flow_limit.table_len, 8192);
	tn_profile_free(&p);
	tn_diag_free(&d);

	assert_int_equal(parse("{\"name\": \"x\", \"flow_limit\": {\"cpus\": \"0-3\"}}", &p, &d), 0);
	assert_false(p.flow_limit.irq_cpus);
	assert_int_equal(p.flow_limit.table_len, TN_VAL_UNSET);
	assert_int_equal(tn_cpuset_count(&p.flow_limit.cpus), 4);
	tn_profile_free(&p);
	tn_diag_free(&d);
	/* no flow_limit: not set */
	assert_int_equal(parse("{\"name\": \"x\"}", &p, &d), 0);
	assert_false(p.flow_limit.set);
	tn_profile_free(&p);
	tn_diag_free(&d);
}

static void test_profile_bad(void **state)
{
#define IF(x) "{\"name\": \"x\", \"interfaces\": [{\"match\": \"all\", " x "}]}"
	static const struct {
		const char *text, *error;
	} cases[] = {
		{ IF("\"rps\": 1"), "interfaces[0].rps: expected an object" },
		{ IF("\"rps\": {\"cpus\": \"remote\"}"), "interfaces[0].rps.cpus: \"remote\" is not" },
		{ IF("\"rps\": {\"cpus\": 3}"), "interfaces[0].rps.cpus: expected \"local\"" },
		{ IF("\"rps\": {\"cpus\": \"\"}"), "interfaces[0].rps.cpus: the CPU list is empty" },
		{ IF("\"rps\": {\"cpus\": \"9000\"}"), "interfaces[0].rps.cpus: \"9000\": CPU numbers" },
		{ IF("\"rps\": {\"flow_entries\": -1}"), "interfaces[0].rps.flow_entries" },
		{ IF("\"rps\": {\"flow_entries\": 536870913}"), "interfaces[0].rps.flow_entries" },
		{ IF("\"rps\": {\"flow_entries\": 1.5}"), "interfaces[0].rps.flow_entries" },
		{ IF("\"rps\": {\"cpus\": \"none\", \"flow_entries\": 8}"),
		  "interfaces[0].rps.flow_entries: flow entries steer RPS" },
		{ IF("\"rps\": {\"cpu\": \"local\"}"), "interfaces[0].rps.cpu" },
		{ IF("\"rps\": {\"cpus\": \"local\", \"cpus\": \"none\"}"), "interfaces[0].rps.cpus" },
		{ IF("\"xps\": {}"), "interfaces[0].xps.cpus: missing" },
		{ IF("\"xps\": {\"cpus\": \"local\"}"),
		  "interfaces[0].xps.cpus: expected \"irq\" or \"none\"" },
		{ IF("\"xps\": \"irq\""), "interfaces[0].xps: expected an object" },
		{ "{\"name\": \"x\", \"flow_limit\": {\"table_len\": 1000, \"cpus\": \"irq\"}}",
		  "flow_limit.table_len: 1000 is not a power of two" },
		{ "{\"name\": \"x\", \"flow_limit\": {\"table_len\": 0, \"cpus\": \"irq\"}}",
		  "flow_limit.table_len" },
		{ "{\"name\": \"x\", \"flow_limit\": {\"table_len\": 4096}}",
		  "flow_limit.cpus: missing" },
		{ "{\"name\": \"x\", \"flow_limit\": {\"cpus\": \"all\"}}",
		  "flow_limit.cpus: \"all\" is not \"irq\"" },
		{ "{\"name\": \"x\", \"flow_limit\": [1]}", "flow_limit" },
		{ "{\"name\": \"x\", \"flow_limit\": {\"cpus\": \"irq\", \"x\": 1}}", "flow_limit.x" },
		{ "{\"name\": \"x\", \"flow_limit\": {\"cpus\": \"irq\"}, \"sysctl\": "
		  "{\"net.core.flow_limit_cpu_bitmap\": \"3\"}}",
		  "sysctl[\"net.core.flow_limit_cpu_bitmap\"]: also set by \"flow_limit\"" },
		{ "{\"name\": \"x\", \"flow_limit\": {\"cpus\": \"irq\", \"table_len\": 64}, \"sysctl\": "
		  "{\"net.core.flow_limit_table_len\": 64}}",
		  "also set by \"flow_limit\"" },
		{ "{\"name\": \"x\", \"interfaces\": [{\"match\": \"all\", \"rps\": {\"flow_entries\": "
		  "64}}], \"sysctl\": {\"net.core.rps_sock_flow_entries\": 64}}",
		  "also set by an interface rule's rps.flow_entries" },
	};
#undef IF
	struct tn_profile p;
	struct tn_diag d;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		if (parse(cases[i].text, &p, &d) != -EINVAL)
			fail_msg("accepted: %s", cases[i].text);
		if (!strstr(d.error, cases[i].error))
			fail_msg("%s\n  error: %s\n  wanted: %s", cases[i].text, d.error,
				 cases[i].error);
		assert_non_null(strstr(d.error, "t.json:"));
		tn_profile_free(&p);
		tn_diag_free(&d);
	}
}

/* ---- snapshots ---- */

static void test_state_json(void **state)
{
	static const struct {
		const char *from, *to, *error;
	} bad[] = {
		{ "\"rps_cpus\":\t\"000000\"", "\"rps_cpus\": \"00 0000\"", "rps[0].rps_cpus: expected a CPU mask" },
		{ "\"rps_cpus\":\t\"000000\"", "\"rps_cpus\": 7", "rps[0].rps_cpus: expected a CPU mask" },
		{ "\"queue\":\t1,", "\"queue\": 0,", "rps[1].queue: queues must be in ascending order" },
		{ "\"queue\":\t1,", "\"queue\": 99,", "rps[1].queue: queue 99, but the NIC has 8" },
		{ "\"rps_flow_cnt\":\t0", "\"rps_flow_cnt\": -2", "rps[0].rps_flow_cnt" },
		{ "\"xps_cpus\":\t\"000000\"", "\"xps_cpus\": \"00000g\"", "xps[0].xps_cpus" },
		{ "\"xps_cpus\":\t\"000000\"", "\"rps_cpus\": \"000000\"", "xps[0].rps_cpus" },
	};
	struct tn_state s, back;
	struct tn_diag d;
	char *out, *edited, *at;
	cJSON *j;

	tn_test_load_golden("24em64t", &s);
	assert_int_equal(s.nics[0].n_rxq, 8);
	assert_int_equal(s.nics[0].n_txq, 8);
	assert_string_equal(s.nics[0].rxq[3].mask, "000000");
	assert_int_equal(s.nics[0].rxq[3].flow_cnt, 0);
	assert_int_equal(s.nics[0].txq[7].index, 7);
	assert_int_equal(s.nics[0].txq[7].flow_cnt, TN_UNKNOWN);
	/* round trip */
	j = tn_state_to_json(&s);
	assert_non_null(j);
	out = cJSON_Print(j);
	cJSON_Delete(j);
	tn_diag_init(&d);
	assert_int_equal(tn_state_parse(out, "rt.json", &back, &d), 0);
	assert_int_equal(back.nics[2].n_rxq, 8);
	assert_string_equal(back.nics[2].txq[5].mask, "000000");
	tn_state_free(&back);
	tn_diag_free(&d);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		at = strstr(strstr(out, bad[i].from[1] == 'x' ? "\"xps\":" : "\"rps\":"),
			    bad[i].from);
		assert_non_null(at);
		edited = malloc(strlen(out) + strlen(bad[i].to) + 1);
		assert_non_null(edited);
		memcpy(edited, out, (size_t)(at - out));
		strcpy(edited + (at - out), bad[i].to);
		strcat(edited, at + strlen(bad[i].from));
		tn_diag_init(&d);
		if (tn_state_parse(edited, "bad.json", &back, &d) != -EINVAL)
			fail_msg("accepted: %s", bad[i].to);
		if (!strstr(d.error, bad[i].error))
			fail_msg("%s: %s (wanted %s)", bad[i].to, d.error, bad[i].error);
		tn_diag_free(&d);
		free(edited);
	}
	free(out);
	tn_state_free(&s);
}

static void test_old_snapshot(void **state)
{
	struct tn_state s, old;
	struct tn_diag d;
	char *out;
	cJSON *j;

	tn_test_load_golden("24em64t", &s);
	for (int i = 0; i < s.n_nics; i++) {
		for (int k = 0; k < s.nics[i].n_rxq; k++)
			free(s.nics[i].rxq[k].mask);
		for (int k = 0; k < s.nics[i].n_txq; k++)
			free(s.nics[i].txq[k].mask);
		free(s.nics[i].rxq);
		free(s.nics[i].txq);
		s.nics[i].rxq = s.nics[i].txq = NULL;
		s.nics[i].n_rxq = s.nics[i].n_txq = 0;
	}
	j = tn_state_to_json(&s);
	out = cJSON_Print(j);
	cJSON_Delete(j);
	assert_null(strstr(out, "\"rps\""));
	assert_null(strstr(out, "\"xps\""));
	tn_diag_init(&d);
	assert_int_equal(tn_state_parse(out, "old.json", &old, &d), 0);
	assert_int_equal(old.nics[0].n_rxq, 0);
	tn_state_free(&old);
	tn_diag_free(&d);
	free(out);
	tn_state_free(&s);
}

/* ---- kinds ---- */

static void test_kinds(void **state)
{
	static const struct {
		enum tn_change_kind kind;
		const char *target, *key, *before, *after;
		int ok;
	} cases[] = {
		{ TN_CHANGE_RPS_CPUS, "eth0/rx-3", "rps_cpus", "000000", "00000e", 0 },
		{ TN_CHANGE_RPS_CPUS, "eth0/rx-16383", "rps_cpus", "0", "f", 0 },
		{ TN_CHANGE_RPS_CPUS, "eth0/rx-16384", "rps_cpus", "0", "f", -EINVAL },
		{ TN_CHANGE_RPS_CPUS, "eth0/tx-3", "rps_cpus", "0", "f", -EINVAL },
		{ TN_CHANGE_RPS_CPUS, "eth0/rx-03", "rps_cpus", "0", "f", -EINVAL },
		{ TN_CHANGE_RPS_CPUS, "eth0/rx-", "rps_cpus", "0", "f", -EINVAL },
		{ TN_CHANGE_RPS_CPUS, "eth0/rx-1/x", "rps_cpus", "0", "f", -EINVAL },
		{ TN_CHANGE_RPS_CPUS, "../rx-1", "rps_cpus", "0", "f", -EINVAL },
		{ TN_CHANGE_RPS_CPUS, "/rx-1", "rps_cpus", "0", "f", -EINVAL },
		{ TN_CHANGE_RPS_CPUS, "eth0", "rps_cpus", "0", "f", -EINVAL },
		{ TN_CHANGE_RPS_CPUS, "eth0/rx-1", "xps_cpus", "0", "f", -EINVAL },
		{ TN_CHANGE_RPS_CPUS, "eth0/rx-1", "rps_cpus", "0", "0-3", -EINVAL },
		{ TN_CHANGE_RPS_CPUS, "eth0/rx-1", "rps_cpus", "0\n1", "f", -EINVAL },
		{ TN_CHANGE_RPS_FLOW_CNT, "eth0/rx-1", "rps_flow_cnt", "0", "4096", 0 },
		{ TN_CHANGE_RPS_FLOW_CNT, "eth0/rx-1", "rps_flow_cnt", "0", "-1", -EINVAL },
		{ TN_CHANGE_RPS_FLOW_CNT, "eth0/rx-1", "rps_flow_cnt", "0", "2147483648", -EINVAL },
		{ TN_CHANGE_RPS_FLOW_CNT, "eth0/rx-1", "rps_flow_cnt", "0", "ff", -EINVAL },
		{ TN_CHANGE_XPS_CPUS, "eth0/tx-0", "xps_cpus", "00,00000000", "01,00000000", 0 },
		{ TN_CHANGE_XPS_CPUS, "eth0/rx-0", "xps_cpus", "0", "1", -EINVAL },
		{ TN_CHANGE_SYSCTL, "net.core.rps_sock_flow_entries", "value", "0", "32768", 0 },
		{ TN_CHANGE_SYSCTL, "net.core.rps_sock_flow_entries", "value", "0", "1 2", -EINVAL },
		{ TN_CHANGE_SYSCTL, "net.core.flow_limit_table_len", "value", "4096", "x", -EINVAL },
		{ TN_CHANGE_SYSCTL, "net.core.flow_limit_cpu_bitmap", "value", "00000000",
		  "00000003", 0 },
	};
	char why[400], label[TN_LABEL_MAX];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct tn_change c = { .kind = cases[i].kind };

		snprintf(c.target, sizeof(c.target), "%s", cases[i].target);
		snprintf(c.key, sizeof(c.key), "%s", cases[i].key);
		c.before = (char *)cases[i].before;
		c.after = (char *)cases[i].after;
		if (tn_change_check(&c, why, sizeof(why)) != cases[i].ok)
			fail_msg("case %zu (%s %s %s): %s", i, cases[i].target, cases[i].key,
				 cases[i].after, cases[i].ok ? "accepted" : why);
	}
	{
		struct tn_change c = { .kind = TN_CHANGE_XPS_CPUS, .target = "eth0/tx-3",
				       .key = "xps_cpus" };

		tn_change_label(&c, TN_LABEL_PLAN, label, sizeof(label));
		assert_string_equal(label, "eth0 tx-3 xps_cpus");
		tn_change_label(&c, TN_LABEL_REPORT, label, sizeof(label));
		assert_string_equal(label, "eth0 tx-3 xps_cpus");
		tn_change_label(&c, TN_LABEL_ERROR, label, sizeof(label));
		assert_string_equal(label, "xps_cpus eth0/tx-3");
		assert_true(tn_change_same(&c, "0f", "0000000f"));
		assert_false(tn_change_same(&c, "0f", "0e"));
		c.kind = TN_CHANGE_RPS_FLOW_CNT;
		assert_true(tn_change_same(&c, "4096", "4096"));
		assert_false(tn_change_same(&c, "4096", "2048"));
	}
}

/* ---- the planner ---- */

static void plan_text(const struct tn_state *s, const char *text, struct tn_plan *plan,
		      struct tn_diag *d, int expect)
{
	struct tn_profile p;

	memset(&p, 0, sizeof(p));
	tn_diag_init(d);
	if (tn_profile_parse(text, "t.json", NULL, NULL, &p, d) < 0)
		fail_msg("%s", d->error);
	memset(plan, 0, sizeof(*plan));
	assert_int_equal(tn_plan_compute(s, &p, plan, d), expect);
	tn_profile_free(&p);
}

static const struct tn_change *find(const struct tn_plan *p, enum tn_change_kind k,
				    const char *target)
{
	for (int i = 0; i < p->n; i++)
		if (p->changes[i].kind == k && strcmp(p->changes[i].target, target) == 0)
			return &p->changes[i];
	return NULL;
}

static int count(const struct tn_plan *p, enum tn_change_kind k)
{
	int n = 0;

	for (int i = 0; i < p->n; i++)
		n += p->changes[i].kind == k;
	return n;
}

/*
 * 24em64t, IRQs placed by the default rule (see test_planner.c): eth0's 8
 * queues on CPUs 2 4 6 8 10 12 14 16, one CPU each: RPS stays off; tx-N's XPS
 * follows queue N's IRQ; 32768 flow entries over 8 queues: 4096 each.
 */
static void test_plan_multiqueue(void **state)
{
	static const int eth0_cpu[8] = { 2, 4, 6, 8, 10, 12, 14, 16 };
	struct tn_state s;
	struct tn_plan plan;
	struct tn_diag d;
	const struct tn_change *c;
	char target[32], want[16];
	int last_kind = -1;

	tn_test_load_golden("24em64t", &s);
	plan_text(&s, "{\"name\": \"x\", \"interfaces\": [{\"match\": \"all\", \"irq\": {}, "
		      "\"rps\": {\"flow_entries\": 30000}, \"xps\": {\"cpus\": \"irq\"}}], "
		      "\"flow_limit\": {\"cpus\": \"irq\", \"table_len\": 8192}}",
		  &plan, &d, 0);
	assert_int_equal(count(&plan, TN_CHANGE_RPS_CPUS), 0);
	assert_int_equal(count(&plan, TN_CHANGE_RPS_FLOW_CNT), 24);
	assert_int_equal(count(&plan, TN_CHANGE_XPS_CPUS), 24);
	for (int q = 0; q < 8; q++) {
		snprintf(target, sizeof(target), "eth0/tx-%d", q);
		c = find(&plan, TN_CHANGE_XPS_CPUS, target);
		assert_non_null(c);
		assert_string_equal(c->before, "000000");
		snprintf(want, sizeof(want), "%06x", 1u << eth0_cpu[q]);
		assert_string_equal(c->after, want);
		snprintf(target, sizeof(target), "eth0/rx-%d", q);
		c = find(&plan, TN_CHANGE_RPS_FLOW_CNT, target);
		assert_non_null(c);
		assert_string_equal(c->after, "4096");
	}
	c = find(&plan, TN_CHANGE_SYSCTL, "net.core.rps_sock_flow_entries");
	assert_non_null(c);
	assert_string_equal(c->before, "0");
	assert_string_equal(c->after, "32768"); /* 30000 rounded up as the kernel does */
	c = find(&plan, TN_CHANGE_SYSCTL, "net.core.flow_limit_table_len");
	assert_non_null(c);
	assert_string_equal(c->after, "8192");
	c = find(&plan, TN_CHANGE_SYSCTL, "net.core.flow_limit_cpu_bitmap");
	assert_non_null(c);
	assert_string_equal(c->before, "000000");
	assert_string_equal(c->after, "555554"); /* every placed IRQ CPU: 2,4,...,22 */
	/* a kind's changes together, in registry order */
	for (int i = 0; i < plan.n; i++) {
		assert_true((int)plan.changes[i].kind >= last_kind);
		last_kind = (int)plan.changes[i].kind;
		assert_int_equal(tn_change_check(&plan.changes[i], target, sizeof(target)), 0);
	}
	tn_plan_free(&plan);
	tn_diag_free(&d);
	tn_state_free(&s);
}

/* All of eth0's queues on one CPU (count 1): RPS on its node, not that CPU. */
static void test_plan_shared_cpu(void **state)
{
	struct tn_state s;
	struct tn_plan plan;
	struct tn_diag d;
	const struct tn_change *c;

	tn_test_load_golden("24em64t", &s);
	plan_text(&s, "{\"name\": \"x\", \"interfaces\": [{\"match\": {\"name\": \"eth0\"}, "
		      "\"irq\": {\"count\": 1}, \"rps\": {\"cpus\": \"local\"}}]}",
		  &plan, &d, 0);
	assert_int_equal(count(&plan, TN_CHANGE_RPS_CPUS), 8);
	c = find(&plan, TN_CHANGE_RPS_CPUS, "eth0/rx-5");
	assert_non_null(c);
	/* node 0: CPUs 0,2,...,22; the IRQ CPU is 2 */
	assert_string_equal(c->after, "555551");
	assert_non_null(strstr(c->reason, "queues sharing IRQ CPUs: RPS on node 0"));
	assert_string_equal(c->note, "(CPUs 0,4,6,8,10,12,14,16,18,20,22)");
	tn_plan_free(&plan);
	tn_diag_free(&d);

	/* a single-queue NIC */
	s.nics[0].rx_queues = 1;
	for (int k = 1; k < s.nics[0].n_rxq; k++)
		free(s.nics[0].rxq[k].mask);
	s.nics[0].n_rxq = 1;
	plan_text(&s, "{\"name\": \"x\", \"interfaces\": [{\"match\": {\"name\": \"eth0\"}, "
		      "\"irq\": {}, \"rps\": {\"cpus\": \"local\", \"flow_entries\": 1000}}]}",
		  &plan, &d, 0);
	assert_int_equal(count(&plan, TN_CHANGE_RPS_CPUS), 1);
	c = find(&plan, TN_CHANGE_RPS_CPUS, "eth0/rx-0");
	assert_non_null(c);
	assert_non_null(strstr(c->reason, "single-queue NIC"));
	c = find(&plan, TN_CHANGE_RPS_FLOW_CNT, "eth0/rx-0");
	assert_non_null(c);
	assert_string_equal(c->after, "1024"); /* the whole table on its one queue */
	tn_plan_free(&plan);
	tn_diag_free(&d);
	tn_state_free(&s);
}

static void test_plan_lists_and_refusals(void **state)
{
	struct tn_state s;
	struct tn_plan plan;
	struct tn_diag d;
	const struct tn_change *c;

	tn_test_load_golden("24em64t", &s);
	plan_text(&s, "{\"name\": \"x\", \"interfaces\": [{\"match\": {\"name\": \"eth1\"}, "
		      "\"rps\": {\"cpus\": \"1-3\"}}], \"flow_limit\": {\"cpus\": \"5\"}}",
		  &plan, &d, 0);
	assert_int_equal(count(&plan, TN_CHANGE_RPS_CPUS), 8);
	c = find(&plan, TN_CHANGE_RPS_CPUS, "eth1/rx-7");
	assert_non_null(c);
	assert_string_equal(c->before, "000000");
	assert_string_equal(c->after, "00000e");
	assert_string_equal(tn_str(c->label), "");
	c = find(&plan, TN_CHANGE_SYSCTL, "net.core.flow_limit_cpu_bitmap");
	assert_non_null(c);
	assert_string_equal(c->after, "000020");
	assert_null(find(&plan, TN_CHANGE_SYSCTL, "net.core.flow_limit_table_len"));
	tn_plan_free(&plan);
	tn_diag_free(&d);

	/* already so: nothing */
	free(s.nics[1].rxq[2].mask);
	s.nics[1].rxq[2].mask = strdup("00000E");
	plan_text(&s, "{\"name\": \"x\", \"interfaces\": [{\"match\": {\"name\": \"eth1\"}, "
		      "\"rps\": {\"cpus\": \"1-3\"}}]}",
		  &plan, &d, 0);
	assert_null(find(&plan, TN_CHANGE_RPS_CPUS, "eth1/rx-2"));
	assert_int_equal(count(&plan, TN_CHANGE_RPS_CPUS), 7);
	tn_plan_free(&plan);
	tn_diag_free(&d);

	/* CPUs the host does not have online, or its masks cannot hold */
	plan_text(&s, "{\"name\": \"x\", \"interfaces\": [{\"match\": {\"name\": \"eth1\"}, "
		      "\"rps\": {\"cpus\": \"30\"}}]}",
		  &plan, &d, -EINVAL);
	assert_non_null(strstr(d.error, "eth1: rps.cpus 30: not all online"));
	tn_diag_free(&d);
	plan_text(&s, "{\"name\": \"x\", \"flow_limit\": {\"cpus\": \"40\"}}", &plan, &d, -EINVAL);
	assert_non_null(strstr(d.error, "flow_limit.cpus: CPU 40 is beyond the 24"));
	tn_diag_free(&d);
	/* a kernel without CONFIG_RPS has no rps_sock_flow_entries */
	for (int i = 0; i < s.n_sysctls; i++)
		if (strcmp(s.sysctls[i].name, "net.core.rps_sock_flow_entries") == 0)
			s.sysctls[i].present = false;
	plan_text(&s, "{\"name\": \"x\", \"interfaces\": [{\"match\": \"all\", \"rps\": "
		      "{\"flow_entries\": 64}}]}",
		  &plan, &d, -EINVAL);
	assert_non_null(strstr(d.error, "sysctl net.core.rps_sock_flow_entries: this host has no"));
	tn_diag_free(&d);
	tn_state_free(&s);
}

/* ---- diagnose: backlog drops on CPUs RPS feeds, flow limit drops ---- */

static void sample(struct tn_sample *s, bool later)
{
	struct tn_sysctl *sc;

	tn_sample_init(s);
	snprintf(s->hostname, sizeof(s->hostname), "h");
	s->time_us = later ? 11000000 : 1000000;
	s->n_softnet = 4;
	s->softnet = calloc(4, sizeof(*s->softnet));
	assert_non_null(s->softnet);
	for (int c = 0; c < 4; c++) {
		s->softnet[c].cpu = c;
		s->softnet[c].has_flow_limit = true;
	}
	s->rps_queues = 1;
	s->has_state = later;
	if (!later)
		return;
	s->state.n_sysctls = 1;
	s->state.sysctls = sc = calloc(1, sizeof(*sc));
	assert_non_null(sc);
	snprintf(sc->name, sizeof(sc->name), "net.core.netdev_max_backlog");
	sc->value = strdup("1000");
	sc->present = true;
	tn_cpuset_parse_list("0-3", &s->state.topo.online);
	s->state.topo.cpus = s->state.topo.online;
	s->state.n_nics = 1;
	s->state.nics = calloc(1, sizeof(*s->state.nics));
	assert_non_null(s->state.nics);
	snprintf(s->state.nics[0].name, TN_IFNAME_MAX, "eth0");
	s->state.nics[0].rx_queues = 1;
	s->state.nics[0].n_rxq = 1;
	s->state.nics[0].rxq = calloc(1, sizeof(struct tn_qfiles));
	assert_non_null(s->state.nics[0].rxq);
	s->state.nics[0].rxq[0].mask = strdup("c"); /* RPS to CPUs 2-3 */
}

static void test_diagnose_hints(void **state)
{
	struct tn_sample a, b;
	struct tn_diagnosis dg;
	struct tn_diag d;
	const struct tn_finding *backlog = NULL, *flow = NULL;

	sample(&a, false);
	sample(&b, true);
	b.softnet[2].dropped = 100;	/* an RPS target */
	b.softnet[2].received_rps = 5000;
	b.softnet[0].dropped = 50;	/* not one */
	b.softnet[1].flow_limit_count = 7;
	tn_diag_init(&d);
	assert_int_equal(tn_diagnose(&a, &b, NULL, &dg, &d), 0);
	for (int i = 0; i < dg.n; i++) {
		if (dg.findings[i].stage == TN_STAGE_BACKLOG)
			backlog = &dg.findings[i];
		if (dg.findings[i].stage == TN_STAGE_FLOW_LIMIT)
			flow = &dg.findings[i];
	}
	assert_non_null(backlog);
	if (!strstr(backlog->advice, "; CPUs 2 are RPS targets (a queue's rps_cpus): spread RPS "
				     "over more CPUs (profile interfaces[].rps.cpus"))
		fail_msg("%s", backlog->advice);
	assert_non_null(flow);
	assert_non_null(strstr(flow->advice, "(profile \"flow_limit\": cpus, table_len)"));
	tn_diagnosis_free(&dg);
	tn_diag_free(&d);
	/* drops on no RPS target: no RPS hint */
	b.softnet[2].dropped = 0;
	tn_diag_init(&d);
	assert_int_equal(tn_diagnose(&a, &b, NULL, &dg, &d), 0);
	for (int i = 0; i < dg.n; i++)
		if (dg.findings[i].stage == TN_STAGE_BACKLOG)
			assert_null(strstr(dg.findings[i].advice, "RPS targets"));
	tn_diagnosis_free(&dg);
	tn_diag_free(&d);
	tn_sample_free(&a);
	tn_sample_free(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hexmask),
		cmocka_unit_test(test_profile_good),
		cmocka_unit_test(test_profile_bad),
		cmocka_unit_test(test_state_json),
		cmocka_unit_test(test_old_snapshot),
		cmocka_unit_test(test_kinds),
		cmocka_unit_test(test_plan_multiqueue),
		cmocka_unit_test(test_plan_shared_cpu),
		cmocka_unit_test(test_plan_lists_and_refusals),
		cmocka_unit_test(test_diagnose_hints),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
