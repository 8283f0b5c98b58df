/* SPDX-License-Identifier: MIT */
/* Process identity (PID@START targets, field 22 of stat) and what a journal's
 * change records may hold (tn_journal_check_change). */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "journal.h"
#include "procid.h"
#include "procparse.h"

static void test_procid_parse(void **state)
{
	static const struct {
		const char *text;
		int ret, pid, tid;
		bool has_start, has_tstart;
		uint64_t start, tstart;
	} cases[] = {
		{ "1187@58070", 0, 1187, 0, true, false, 58070, 0 },
		{ "1187@58070/1190@58072", 0, 1187, 1190, true, true, 58070, 58072 },
		{ "1@0/1@0", 0, 1, 1, true, true, 0, 0 },
		{ "1187", 0, 1187, 0, false, false, 0, 0 },		/* older journals */
		{ "1187/1190", 0, 1187, 1190, false, false, 0, 0 },
		{ "1187@58070/1190", 0, 1187, 1190, true, false, 58070, 0 },
		{ "2147483647@9007199254740991", 0, 2147483647, 0, true, false,
		  9007199254740991ULL, 0 },
	};
	static const char *const bad[] = {
		"1187/1190@5",	/* a thread's start without its process's */
		"2147483648@1",
		"1@9007199254740992",
		"0@1",
		"01@1",
		"1@01",
		"1@",
		"@1",
		"1@1/",
		"1@1/2@3/4",
		"1187/../../x",
		"-1@1",
		"1@1 ",
		"",
		"1@-1",
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct tn_procid id;
		char back[64];
		int ret = tn_procid_parse(cases[i].text, &id);

		print_message("%s\n", cases[i].text);
		assert_int_equal(ret, cases[i].ret);
		if (ret < 0)
			continue;
		assert_int_equal(id.pid, cases[i].pid);
		assert_int_equal(id.tid, cases[i].tid);
		assert_int_equal(id.has_start, cases[i].has_start);
		assert_int_equal(id.has_tstart, cases[i].has_tstart);
		assert_true(id.start == cases[i].start);
		assert_true(id.tstart == cases[i].tstart);
		assert_int_equal(tn_procid_format(&id, back, sizeof(back)), 0);
		assert_string_equal(back, cases[i].text);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct tn_procid id = { .pid = 7 };

		print_message("bad: \"%s\"\n", bad[i]);
		assert_int_equal(tn_procid_parse(bad[i], &id), -EINVAL);
		assert_int_equal(id.pid, 7); /* untouched */
	}
}

static void test_procid_format(void **state)
{
	struct tn_procid id = { .pid = 2147483647, .has_start = true, .start = 9007199254740991ULL,
				.tid = 2147483647, .has_tstart = true,
				.tstart = 9007199254740991ULL };
	char buf[64], small[10];

	/* the longest target fits in a change record's 64 bytes */
	assert_int_equal(tn_procid_format(&id, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "2147483647@9007199254740991/2147483647@9007199254740991");
	assert_int_equal(tn_procid_format(&id, small, sizeof(small)), -ENAMETOOLONG);
}

static void test_stat_start(void **state)
{
	static const char real[] =
		"1187 (redis-server) S 1 1187 1187 0 -1 4194560 2170 0 10 0 470 170 0 0 20 0 4 0 "
		"58070 230574080 2370 18446744073709551615 1 1 0 0 0 0 0 4096 17642 0 0 0 17 3 0 "
		"0 0 0 0 0 0 0 0 0 0 0 0\n";
	/* a comm may hold spaces and ')': fields count from the last ')' */
	static const char odd[] = "42 (a) b) (c 1 2) R 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 "
				  "777 20 21\n";
	uint64_t v = 1;

	assert_int_equal(tn_stat_start_time(real, &v), 0);
	assert_true(v == 58070);
	assert_int_equal(tn_stat_start_time(odd, &v), 0);
	assert_true(v == 777);
	v = 5;
	assert_int_equal(tn_stat_start_time("", &v), -EINVAL);
	assert_int_equal(tn_stat_start_time("1 (x) S 1 2 3\n", &v), -EINVAL);
	assert_int_equal(tn_stat_start_time("1 (x) S 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 "
					    "-5 1\n", &v), -EINVAL);
	assert_int_equal(tn_stat_start_time("1 (x) S 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 "
					    "99999999999999999999 1\n", &v), -ERANGE);
	assert_int_equal(tn_stat_start_time("1 (x) S 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 "
					    "12x 1\n", &v), -EINVAL);
	assert_true(v == 5); /* untouched on failure */
}

static struct tn_change change(enum tn_change_kind kind, const char *target, const char *key,
			       const char *before, const char *after)
{
	struct tn_change c = { .kind = kind };

	snprintf(c.target, sizeof(c.target), "%s", target);
	snprintf(c.key, sizeof(c.key), "%s", key);
	c.before = (char *)before; /* only read: tn_journal_check_change */
	c.after = (char *)after;
	return c;
}

static void test_journal_values(void **state)
{
	static const struct {
		enum tn_change_kind kind;
		const char *target, *key, *before, *after;
		bool ok;
	} cases[] = {
		{ TN_CHANGE_IRQ_AFFINITY, "48", "smp_affinity_list", "0-23", "2", true },
		{ TN_CHANGE_IRQ_AFFINITY, "0", "smp_affinity_list", "0,2,4-6", "8191", true },
		{ TN_CHANGE_IRQ_AFFINITY, "48", "smp_affinity_list", "garbage;rm -rf /", "2", false },
		{ TN_CHANGE_IRQ_AFFINITY, "48", "smp_affinity_list", "", "2", false },
		{ TN_CHANGE_IRQ_AFFINITY, "48", "smp_affinity_list", "2", "8192", false },
		{ TN_CHANGE_IRQ_AFFINITY, "48", "smp_affinity_list", " 2", "3", false },
		{ TN_CHANGE_IRQ_AFFINITY, "48", "smp_affinity_list", "0-15:2", "3", false },
		{ TN_CHANGE_IRQ_AFFINITY, "48", "smp_affinity", "2", "3", false },
		{ TN_CHANGE_IRQ_AFFINITY, "048", "smp_affinity_list", "2", "3", false },
		{ TN_CHANGE_IRQ_AFFINITY, "4294967296", "smp_affinity_list", "2", "3", false },
		{ TN_CHANGE_SYSCTL, "net.core.netdev_budget", "value", "300", "600", true },
		{ TN_CHANGE_SYSCTL, "net.core.netdev_budget", "value", "0", "2147483647", true },
		{ TN_CHANGE_SYSCTL, "net.core.netdev_budget", "value", "300", "2147483648", false },
		{ TN_CHANGE_SYSCTL, "net.core.netdev_budget", "value", "300;x", "600", false },
		{ TN_CHANGE_SYSCTL, "net.core.netdev_budget", "value", "300 1", "600", false },
		{ TN_CHANGE_SYSCTL, "net.core.netdev_budget", "value", "", "600", false },
		{ TN_CHANGE_SYSCTL, "net.ipv4.tcp_rmem", "value", "4096 131072 6291456",
		  "4096 87380 6291456", true },
		{ TN_CHANGE_SYSCTL, "net.ipv4.tcp_rmem", "value", "4096 131072", "1 2 3", false },
		{ TN_CHANGE_SYSCTL, "net.ipv4.tcp_rmem", "value", "4096  131072 1", "1 2 3", false },
		{ TN_CHANGE_SYSCTL, "net.ipv4.tcp_congestion_control", "value", "cubic", "bbr", true },
		{ TN_CHANGE_SYSCTL, "net.ipv4.ip_local_port_range", "value", "32768 60999", "1024 65535",
		  true },
		{ TN_CHANGE_SYSCTL, "net.ipv4.conf.all.rp_filter", "value", "-1", "", true },
		{ TN_CHANGE_SYSCTL, "net.core.default_qdisc", "value", "fq;x", "fq", false },
		{ TN_CHANGE_SYSCTL, "net.core.somaxconn", "value", "|/tmp/evil %p", "1", false },
		{ TN_CHANGE_SYSCTL, "net.core.somaxconn", "value", "1\n2", "1", false },
		{ TN_CHANGE_SYSCTL, "net.core.somaxconn", "value", " 1", "1", false },
		{ TN_CHANGE_SYSCTL, "net.core.somaxconn", "value", "1 ", "1", false },
		{ TN_CHANGE_SYSCTL, "net/../../etc/x", "value", "1", "2", false },
		{ TN_CHANGE_SYSCTL, "net.core.somaxconn", "cpus", "1", "2", false },
		{ TN_CHANGE_PROCESS_AFFINITY, "1187@58070/1190@58072", "cpus", "0-23", "1,3", true },
		{ TN_CHANGE_PROCESS_AFFINITY, "1187/1190", "cpus", "0-23", "1,3", true },
		{ TN_CHANGE_PROCESS_AFFINITY, "1187@58070/1190@58072", "cpus", "mixed", "1,3", false },
		{ TN_CHANGE_PROCESS_AFFINITY, "1187@x/1190", "cpus", "0", "1", false },
		{ TN_CHANGE_PROCESS_MEMORY, "1187@58070", "nodes", "0", "1", true },
		{ TN_CHANGE_PROCESS_MEMORY, "1187@58070", "nodes", "0", "1024", false },
		{ TN_CHANGE_PROCESS_MEMORY, "1187@58070/1190@58072", "nodes", "0", "1", false },
		{ TN_CHANGE_RING, "eth0", "rx", "256", "4096", true },
		{ TN_CHANGE_RING, "eth0", "tx", "0", "4294967295", true },
		{ TN_CHANGE_RING, "eth0", "rx", "256", "4294967296", false },
		{ TN_CHANGE_RING, "eth0", "rx", "-1", "4096", false },
		{ TN_CHANGE_RING, "eth0", "combined", "256", "4096", false },
		{ TN_CHANGE_RING, "a-very-long-ifname", "rx", "256", "4096", false },
		{ TN_CHANGE_CHANNELS, "eth0", "combined", "4", "8", true },
		{ TN_CHANGE_CHANNELS, "eth0", "rx", "4", "8", false },
		{ TN_CHANGE_IRQBALANCE, "irqbalance", "banned_irqs", "none", "48,49", true },
		{ TN_CHANGE_IRQBALANCE, "irqbalance", "banned_irqs", "48,49;x", "none", false },
		{ TN_CHANGE_IRQBALANCE, "irqbalance", "banned_irqs", "48,,49", "none", false },
		{ TN_CHANGE_IRQBALANCE, "irqbalance", "running", "running", "stopped", true },
		{ TN_CHANGE_IRQBALANCE, "irqbalance", "running", "maybe", "stopped", false },
		{ TN_CHANGE_IRQBALANCE, "irqbalancd", "running", "running", "stopped", false },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct tn_change c = change(cases[i].kind, cases[i].target, cases[i].key,
					    cases[i].before, cases[i].after);
		char why[600] = "";
		int ret = tn_journal_check_change(&c, why, sizeof(why));

		print_message("%s %s %s \"%s\" \"%s\": %s\n", tn_change_kind_name(c.kind), c.target,
			      c.key, c.before, c.after, ret < 0 ? why : "ok");
		assert_int_equal(ret, cases[i].ok ? 0 : -EINVAL);
		if (!cases[i].ok)
			assert_true(why[0] != '\0' && !strchr(why, '\n'));
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_procid_parse),
		cmocka_unit_test(test_procid_format),
		cmocka_unit_test(test_stat_start),
		cmocka_unit_test(test_journal_values),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
