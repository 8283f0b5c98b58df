/* SPDX-License-Identifier: MIT */
/* The change-kind registry (core/kind.h) and its sys side (sys/kind_sys.h):
 * every kind has every field; names round-trip; the label of each kind in
 * each form is what plan, apply and the transaction have always printed;
 * equality and validation per kind. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "kind.h"
#include "kind_sys.h"
#include "plan.h"
#include "state.h"
#include "cpuset.h"

static void test_every_field(void **state)
{
	for (int k = 0; k < TN_CHANGE_KIND_COUNT; k++) {
		const struct tn_kind *e = tn_kind_get((enum tn_change_kind)k);
		struct tn_change c = { .kind = (enum tn_change_kind)k };
		const struct tn_kind_sys *s = tn_live_ops(&c);

		assert_non_null(e);
		assert_non_null(e->name);
		assert_true(e->stage >= 1 && e->stage <= TN_STAGE_MAX);
		assert_non_null(e->keys[0]);
		assert_non_null(e->label);
		assert_non_null(e->equal);
		assert_non_null(e->target_ok);
		assert_non_null(e->value_ok);
		assert_non_null(e->noun[0]);
		assert_non_null(e->noun[1]);
		assert_true(e->scope >= TN_SCOPE_HOST && e->scope <= TN_SCOPE_PROCESS);
		assert_non_null(s->read);
		assert_non_null(s->write);
		assert_non_null(s->gone);
		assert_int_equal(tn_change_kind_parse(e->name), k);
		assert_string_equal(tn_change_kind_name((enum tn_change_kind)k), e->name);
		for (int j = 0; j < k; j++)
			assert_string_not_equal(tn_kind_get((enum tn_change_kind)j)->name, e->name);
	}
	assert_null(tn_kind_get(TN_CHANGE_KIND_COUNT));
	assert_int_equal(tn_change_kind_parse("nonsense"), -EINVAL);
	assert_string_equal(tn_change_kind_name(TN_CHANGE_KIND_COUNT), "unknown");
	/* stage 1 is what drivers reset IRQ affinity for: rings and channels only */
	for (int k = 0; k < TN_CHANGE_KIND_COUNT; k++)
		assert_int_equal(tn_kind_get((enum tn_change_kind)k)->stage == 1,
				 k == TN_CHANGE_RING || k == TN_CHANGE_CHANNELS);
}

static void test_labels(void **state)
{
	static const struct {
		enum tn_change_kind kind;
		const char *target, *key, *label;
		const char *plan, *report, *error;
	} cases[] = {
		{ TN_CHANGE_RING, "eth0", "rx", "", "eth0 rx ring", "eth0 rx ring", "ring eth0 rx" },
		{ TN_CHANGE_CHANNELS, "eth0", "combined", "", "eth0 combined channels",
		  "eth0 combined channels", "channels eth0 combined" },
		{ TN_CHANGE_SYSCTL, "net.core.netdev_budget", "value", "", "net.core.netdev_budget",
		  "net.core.netdev_budget", "net.core.netdev_budget" },
		{ TN_CHANGE_IRQ_AFFINITY, "38", "smp_affinity_list", "eth0-TxRx-0",
		  "irq 38 eth0-TxRx-0", "irq 38 eth0-TxRx-0", "irq 38 eth0-TxRx-0" },
		{ TN_CHANGE_IRQ_AFFINITY, "38", "smp_affinity_list", "", "irq 38 ", "irq 38 ",
		  "irq 38" },
		{ TN_CHANGE_PROCESS_AFFINITY, "1187@58070/1190@58072", "cpus", "redis-server",
		  "pid 1187/1190 redis-server CPUs", "redis-server 1187/1190 CPUs",
		  "thread 1187@58070/1190@58072 (redis-server)" },
		{ TN_CHANGE_PROCESS_MEMORY, "1187@58070", "nodes", "redis-server",
		  "pid 1187 redis-server memory", "redis-server 1187 memory nodes",
		  "process_memory 1187@58070 nodes" },
		{ TN_CHANGE_IRQBALANCE, "irqbalance", "running", "", "irqbalance running",
		  "irqbalance running", "irqbalance running" },
		{ TN_CHANGE_IRQBALANCE, "irqbalance", "banned_irqs", "", "irqbalance banned_irqs",
		  "irqbalance banned IRQs", "irqbalance banned IRQs" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct tn_change c = { .kind = cases[i].kind };
		char buf[TN_LABEL_MAX];

		snprintf(c.target, sizeof(c.target), "%s", cases[i].target);
		snprintf(c.key, sizeof(c.key), "%s", cases[i].key);
		c.label = (char *)cases[i].label; /* not freed: a test-local change */
		tn_change_label(&c, TN_LABEL_PLAN, buf, sizeof(buf));
		assert_string_equal(buf, cases[i].plan);
		tn_change_label(&c, TN_LABEL_REPORT, buf, sizeof(buf));
		assert_string_equal(buf, cases[i].report);
		tn_change_label(&c, TN_LABEL_ERROR, buf, sizeof(buf));
		assert_string_equal(buf, cases[i].error);
	}
}

/* A label of TN_LABEL_ROOM bytes or more (an IRQ's whole action list) is shown
 * cut with "...", on a UTF-8 character's boundary; shorter ones whole. */
static void test_label_long(void **state)
{
	struct tn_change c = { .kind = TN_CHANGE_IRQ_AFFINITY };
	char label[TN_LABEL_ROOM + 40], buf[TN_LABEL_MAX], want[TN_LABEL_MAX];

	snprintf(c.target, sizeof(c.target), "38");
	snprintf(c.key, sizeof(c.key), "smp_affinity_list");
	memset(label, 'a', sizeof(label));
	label[TN_LABEL_ROOM - 1] = '\0';
	c.label = label;
	tn_change_label(&c, TN_LABEL_PLAN, buf, sizeof(buf));
	snprintf(want, sizeof(want), "irq 38 %s", label);
	assert_string_equal(buf, want); /* 127 bytes: whole */
	label[TN_LABEL_ROOM - 1] = 'b';
	label[TN_LABEL_ROOM + 20] = '\0';
	tn_change_label(&c, TN_LABEL_ERROR, buf, sizeof(buf));
	snprintf(want, sizeof(want), "irq 38 %.*s...", TN_LABEL_ROOM - 4, label);
	assert_string_equal(buf, want);
	/* "é" (2 bytes) across the cut: left out whole */
	memcpy(label + TN_LABEL_ROOM - 5, "\xc3\xa9", 2);
	tn_change_label(&c, TN_LABEL_REPORT, buf, sizeof(buf));
	snprintf(want, sizeof(want), "irq 38 %.*s...", TN_LABEL_ROOM - 5, label);
	assert_string_equal(buf, want);
	assert_string_equal(c.label, label); /* the change keeps it whole */
}

/* verify's hints come from the registry: irqbalance for an IRQ it may move,
 * the threads elsewhere for a process; nothing for the other kinds. */
static void test_hints(void **state)
{
	int banned[] = { 40 };
	struct tn_thread th[] = { { .tid = 10 }, { .tid = 11 }, { .tid = 12 } };
	struct tn_process proc = { .pid = 10, .n_threads = 3, .threads = th };
	struct tn_state s = { .n_processes = 1, .processes = &proc };
	struct tn_change c = { .kind = TN_CHANGE_IRQ_AFFINITY };
	char buf[256];

	snprintf(c.target, sizeof(c.target), "38");
	c.after = (char *)"3"; /* not freed: a test-local change */
	tn_change_hint(&s, &c, buf, sizeof(buf));
	assert_string_equal(buf, "");
	s.irqbalance.running = true;
	s.irqbalance.banned_irqs = banned;
	s.irqbalance.n_banned_irqs = 1;
	tn_change_hint(&s, &c, buf, sizeof(buf));
	assert_string_equal(buf, "irqbalance is running and may move it");
	snprintf(c.target, sizeof(c.target), "40");
	tn_change_hint(&s, &c, buf, sizeof(buf));
	assert_string_equal(buf, ""); /* banned: irqbalance leaves it */

	c.kind = TN_CHANGE_PROCESS_AFFINITY;
	snprintf(c.target, sizeof(c.target), "10@5/11@6");
	tn_cpuset_set(&th[0].affinity, 3);
	tn_cpuset_set(&th[1].affinity, 0);
	tn_cpuset_set(&th[2].affinity, 3);
	tn_change_hint(&s, &c, buf, sizeof(buf));
	assert_string_equal(buf, "thread 11 (on 0)");

	c.kind = TN_CHANGE_SYSCTL;
	tn_change_hint(&s, &c, buf, sizeof(buf));
	assert_string_equal(buf, "");
}

static void test_equal(void **state)
{
	static const struct {
		enum tn_change_kind kind;
		const char *a, *b;
		bool same;
	} cases[] = {
		{ TN_CHANGE_IRQ_AFFINITY, "0-3", "0,1,2,3", true },
		{ TN_CHANGE_IRQ_AFFINITY, "0-3", "0-2", false },
		{ TN_CHANGE_PROCESS_AFFINITY, "4,5", "4-5", true },
		{ TN_CHANGE_PROCESS_MEMORY, "1", "0", false },
		{ TN_CHANGE_PROCESS_MEMORY, "x", "x", false },	/* not a list: never the same */
		{ TN_CHANGE_SYSCTL, "4096 87380 6291456", "4096\t87380  6291456\n", true },
		{ TN_CHANGE_SYSCTL, "300", "3000", false },
		{ TN_CHANGE_RING, "4096", "4096", true },
		{ TN_CHANGE_CHANNELS, "8", "16", false },
		{ TN_CHANGE_IRQBALANCE, "24,25", "24,25", true },
		{ TN_CHANGE_IRQBALANCE, "running", "stopped", false },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct tn_change c = { .kind = cases[i].kind };

		assert_int_equal(tn_change_same(&c, cases[i].a, cases[i].b), cases[i].same);
	}
}

static void test_check(void **state)
{
	static const struct {
		enum tn_change_kind kind;
		const char *target, *key, *before, *after;
		bool ok;
	} cases[] = {
		{ TN_CHANGE_RING, "eth0", "rx", "512", "4096", true },
		{ TN_CHANGE_RING, "../x", "rx", "512", "4096", false },
		{ TN_CHANGE_RING, "eth0", "combined", "512", "4096", false },
		{ TN_CHANGE_CHANNELS, "eth0", "combined", "4", "-1", false },
		{ TN_CHANGE_SYSCTL, "net.core.netdev_budget", "value", "300", "600", true },
		{ TN_CHANGE_SYSCTL, "net/../core", "value", "300", "600", false },
		{ TN_CHANGE_SYSCTL, "net.ipv4.tcp_rmem", "value", "1 2 3", "1 2", false },
		{ TN_CHANGE_IRQ_AFFINITY, "38", "smp_affinity_list", "0-3", "4", true },
		{ TN_CHANGE_IRQ_AFFINITY, "38x", "smp_affinity_list", "0-3", "4", false },
		{ TN_CHANGE_IRQ_AFFINITY, "38", "smp_affinity_list", "0-3", "", false },
		{ TN_CHANGE_PROCESS_AFFINITY, "1187@5/1190@6", "cpus", "0-3", "4", true },
		{ TN_CHANGE_PROCESS_MEMORY, "1187@5/1190@6", "nodes", "0", "1", false },
		{ TN_CHANGE_PROCESS_MEMORY, "1187@5", "nodes", "0", "1", true },
		{ TN_CHANGE_IRQBALANCE, "irqbalance", "running", "running", "stopped", true },
		{ TN_CHANGE_IRQBALANCE, "irqbalance", "banned_irqs", "none", "24,25", true },
		{ TN_CHANGE_IRQBALANCE, "irqbalance", "banned_irqs", "none", "24;25", false },
		{ TN_CHANGE_IRQBALANCE, "other", "running", "running", "stopped", false },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct tn_change c = { .kind = cases[i].kind };
		char why[600] = "";

		snprintf(c.target, sizeof(c.target), "%s", cases[i].target);
		snprintf(c.key, sizeof(c.key), "%s", cases[i].key);
		c.before = (char *)cases[i].before;
		c.after = (char *)cases[i].after;
		if (cases[i].ok != (tn_change_check(&c, why, sizeof(why)) == 0))
			fail_msg("case %zu (%s %s): %s", i, tn_change_kind_name(c.kind), c.target,
				 why);
		assert_true(cases[i].ok || why[0]);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_field),
		cmocka_unit_test(test_labels),
		cmocka_unit_test(test_label_long),
		cmocka_unit_test(test_hints),
		cmocka_unit_test(test_equal),
		cmocka_unit_test(test_check),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
