/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "state_json.h"
#include "unit_util.h"

static char *print(const struct tn_state *s)
{
	cJSON *j = tn_state_to_json(s);
	char *text;

	assert_non_null(j);
	text = cJSON_Print(j);
	cJSON_Delete(j);
	return text;
}

/* Every golden snapshot loads, and prints back to the same text. */
static void test_roundtrip_goldens(void **state)
{
	static const char *const names[] = { "24em64t", "32em64t", "16intel64" };

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		char path[512], *text, *again;
		struct tn_state s;
		struct tn_diag d;
		cJSON *orig;

		snprintf(path, sizeof(path), "%s/tests/golden/%s.show.json", TN_SOURCE_DIR,
			 names[i]);
		text = tn_test_read_file(path);
		assert_non_null(text);
		tn_diag_init(&d);
		if (tn_state_parse(text, path, &s, &d) < 0)
			fail_msg("%s", d.error);
		again = print(&s);
		orig = cJSON_Parse(text);
		{
			char *canon = cJSON_Print(orig);

			assert_string_equal(again, canon);
			free(canon);
		}
		cJSON_Delete(orig);
		free(again);
		free(text);
		tn_state_free(&s);
		tn_state_free(&s);
		tn_diag_free(&d);
	}
}

static const char minimal[] =
	"{\"schema_version\": 1, \"topology\": {\"cpus\": \"0-3\", \"online\": \"0-3\","
	" \"nodes\": [{\"id\": 0, \"cpus\": \"0-1\"}, {\"id\": 1, \"cpus\": \"2-3\"}]}%s}";

static void test_minimal(void **state)
{
	char text[1024];
	struct tn_state s;
	struct tn_diag d;

	snprintf(text, sizeof(text), minimal, "");
	tn_diag_init(&d);
	assert_int_equal(tn_state_parse(text, "m.json", &s, &d), 0);
	assert_int_equal(s.topo.n_nodes, 2);
	assert_int_equal(tn_topology_cpu_node(&s.topo, 3), 1);
	assert_int_equal(s.n_nics, 0);
	tn_state_free(&s);
	tn_diag_free(&d);
}

static void test_errors(void **state)
{
	static const struct {
		const char *extra, *err;
	} cases[] = {
		{ ", \"nics\": {}", "bad.json: nics: expected an array, found an object" },
		{ ", \"nics\": [{\"ifindex\": 2}]", "bad.json: nics[0].name: missing" },
		{ ", \"nics\": [{\"name\": \"eth0\", \"irqs\": [{\"irq\": 1, \"kind\": \"x\"}]}]",
		  "bad.json: nics[0].irqs[0].kind: \"x\" is not one of rx, tx, txrx, other" },
		{ ", \"nics\": [{\"name\": \"eth0\", \"irqs\": [{\"irq\": 1, \"affinity\": \"0-\"}]}]",
		  "bad.json: nics[0].irqs[0].affinity: \"0-\" is not a CPU list" },
		{ ", \"nics\": [{\"name\": \"eth0\"}, {\"name\": \"eth0\"}]",
		  "bad.json: nics[1]: NIC \"eth0\" is listed twice" },
		{ ", \"sysctls\": {\"net/core/x\": \"1\"}",
		  "bad.json: sysctls[\"net/core/x\"]: not a valid sysctl name" },
		{ ", \"surprise\": 1", "bad.json: surprise: unknown key" },
		{ ", \"processes\": [{\"pid\": -4}]",
		  "bad.json: processes[0].pid: -4 is out of range (1 to 2147483647)" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char text[1024];
		struct tn_state s = { .n_nics = 4242 };
		struct tn_diag d;

		snprintf(text, sizeof(text), minimal, cases[i].extra);
		tn_diag_init(&d);
		assert_int_equal(tn_state_parse(text, "bad.json", &s, &d), -EINVAL);
		assert_string_equal(d.error, cases[i].err);
		assert_int_equal(s.n_nics, 4242);
		tn_diag_free(&d);
	}
	{
		struct tn_state s;
		struct tn_diag d;

		tn_diag_init(&d);
		assert_int_equal(tn_state_parse("{\"schema_version\": 2}", "v.json", &s, &d),
				 -EINVAL);
		assert_string_equal(d.error, "v.json: schema_version: 2 is not supported (this "
					     "tuner reads 1)");
		tn_diag_free(&d);
		tn_diag_init(&d);
		assert_int_equal(tn_state_parse("{\"schema_version\": 1,\n x}", "s.json", &s, &d),
				 -EINVAL);
		/* cJSON reports the character after a bad key's first one */
		assert_string_equal(d.error, "s.json:2:3: JSON syntax error");
		tn_diag_free(&d);
		tn_diag_init(&d);
		assert_int_equal(tn_state_parse("{\"schema_version\": 1, \"kind\": \"plan\"}",
						"k.json", &s, &d),
				 -EINVAL);
		assert_string_equal(d.error,
				    "k.json: (top level): kind is \"plan\", expected a \"state\" snapshot");
		tn_diag_free(&d);
	}
}

/* A process's uid round-trips; a snapshot from before uids loads with none. */
static void test_process_uid(void **state)
{
	static const char *const extra[] = {
		", \"processes\": [{\"pid\": 7, \"comm\": \"a\"}]",
		", \"processes\": [{\"pid\": 7, \"comm\": \"a\", \"uid\": null}]",
		", \"processes\": [{\"pid\": 7, \"comm\": \"a\", \"uid\": 112}]",
	};
	static const int64_t want[] = { -1, -1, 112 };

	for (size_t i = 0; i < sizeof(extra) / sizeof(extra[0]); i++) {
		char text[1024], *out;
		struct tn_state s, again;
		struct tn_diag d;
		cJSON *doc;

		snprintf(text, sizeof(text), minimal, extra[i]);
		tn_diag_init(&d);
		assert_int_equal(tn_state_parse(text, "u.json", &s, &d), 0);
		assert_int_equal(s.processes[0].uid, want[i]);
		doc = tn_state_to_json(&s);
		out = cJSON_Print(doc);
		cJSON_Delete(doc);
		assert_non_null(out);
		assert_non_null(strstr(out, want[i] < 0 ? "\"uid\":\tnull" : "\"uid\":\t112"));
		assert_int_equal(tn_state_parse(out, "again.json", &again, &d), 0);
		assert_int_equal(again.processes[0].uid, want[i]);
		cJSON_free(out);
		tn_state_free(&again);
		tn_state_free(&s);
		tn_diag_free(&d);
	}
	{
		char text[1024];
		struct tn_state s;
		struct tn_diag d;

		snprintf(text, sizeof(text), minimal,
			 ", \"processes\": [{\"pid\": 7, \"uid\": 4294967295}]");
		tn_diag_init(&d);
		assert_int_equal(tn_state_parse(text, "u.json", &s, &d), -EINVAL);
		assert_string_equal(d.error, "u.json: processes[0].uid: 4294967295 is out of range "
					     "(0 to 4294967294)");
		tn_diag_free(&d);
	}
}

/* ---- Hardening (area d): every count a snapshot gives is bounded ---- */

/* A growing text buffer for the large snapshots below. */
struct text {
	char *s;
	size_t n, cap;
};

static void add(struct text *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void add(struct text *t, const char *fmt, ...)
{
	va_list ap;
	int k;

	for (;;) {
		va_start(ap, fmt);
		k = vsnprintf(t->s ? t->s + t->n : NULL, t->s ? t->cap - t->n : 0, fmt, ap);
		va_end(ap);
		assert_true(k >= 0);
		if (t->s && t->n + (size_t)k < t->cap)
			break;
		t->cap = t->cap ? 2 * t->cap + (size_t)k : 4096 + (size_t)k;
		t->s = realloc(t->s, t->cap);
		assert_non_null(t->s);
	}
	t->n += (size_t)k;
}

/* prefix, n copies of item joined by commas (its "%d", if any, the index), suffix */
static char *many(const char *prefix, const char *item, int n, const char *suffix)
{
	const char *at = strstr(item, "%d");
	int head = at ? (int)(at - item) : (int)strlen(item);
	struct text t = { 0 };

	add(&t, "%s", prefix);
	for (int i = 0; i < n; i++) {
		add(&t, "%s%.*s", i ? "," : "", head, item);
		if (at)
			add(&t, "%d%s", i, at + 2);
	}
	add(&t, "%s", suffix);
	return t.s;
}

static void expect_refused(char *text, const char *err)
{
	struct tn_state s = { .n_nics = 4242 };
	struct tn_diag d;

	tn_diag_init(&d);
	assert_int_equal(tn_state_parse(text, "big.json", &s, &d), -EINVAL);
	assert_string_equal(d.error, err);
	assert_int_equal(s.n_nics, 4242);
	tn_diag_free(&d);
	free(text);
}

#define TOPO_HEAD "{\"schema_version\": 1, \"topology\": {\"cpus\": \"0\", \"online\": \"0\", "
#define ONE_NODE "\"nodes\": [{\"id\": 0, \"cpus\": \"0\"}]"

static void test_limits(void **state)
{
	struct tn_state s;
	struct tn_diag d;
	char *text;

	/* 2M cores took 2.5 GB: 8193 are refused before anything is allocated */
	expect_refused(many(TOPO_HEAD ONE_NODE ", \"cores\": [", "{\"cpus\": \"0\"}", 8193, "]}}"),
		       "big.json: topology.cores: 8193 cores: more than the 8192 tuner accepts");
	text = many(TOPO_HEAD ONE_NODE ", \"cores\": [", "{\"cpus\": \"0\"}", 8192, "]}}");
	tn_diag_init(&d);
	assert_int_equal(tn_state_parse(text, "big.json", &s, &d), 0);
	assert_int_equal(s.topo.n_cores, 8192);
	tn_state_free(&s);
	tn_diag_free(&d);
	free(text);
	expect_refused(many(TOPO_HEAD "\"nodes\": [", "{\"id\": %d, \"cpus\": \"\"}", 1025, "]}}"),
		       "big.json: topology.nodes: 1025 NUMA nodes: more than the 1024 tuner "
		       "accepts");
	expect_refused(strdup(TOPO_HEAD "\"nodes\": [{\"id\": 1024, \"cpus\": \"0\"}]}}"),
		       "big.json: topology.nodes[0].id: 1024 is out of range (0 to 1023)");
	expect_refused(many(TOPO_HEAD ONE_NODE "}, \"nics\": [", "{\"name\": \"e%d\"}", 65537,
			    "]}"),
		       "big.json: nics: 65537 NICs: more than the 65536 tuner accepts");
	/* IRQs and threads are counted over all NICs and processes */
	text = many(TOPO_HEAD ONE_NODE "}, \"nics\": [{\"name\": \"a\", \"irqs\": [",
		    "{\"irq\": %d}", 40000, "]}, ");
	{
		char *second = many("{\"name\": \"b\", \"irqs\": [", "{\"irq\": %d}", 30000,
				    "]}]}");
		struct text t = { 0 };

		add(&t, "%s%s", text, second);
		free(text);
		free(second);
		expect_refused(t.s, "big.json: nics[1].irqs: more than 65536 NIC IRQs in all: more "
				    "than tuner accepts");
	}
	expect_refused(many(TOPO_HEAD ONE_NODE "}, \"processes\": [{\"pid\": 1, \"threads\": [",
			    "{\"tid\": %d, \"affinity\": \"0\"}", 262145, "]}]}"),
		       "big.json: processes[0].threads: more than 262144 threads in all: more than "
		       "tuner accepts");
	expect_refused(many(TOPO_HEAD ONE_NODE "}, \"processes\": [", "{\"pid\": %d}", 65537, "]}"),
		       "big.json: processes: 65537 processes: more than the 65536 tuner accepts");
	expect_refused(many(TOPO_HEAD ONE_NODE "}, \"irqbalance\": {\"banned_irqs\": [", "%d",
			    65537, "]}}"),
		       "big.json: irqbalance.banned_irqs: 65537 banned IRQs: more than the 65536 "
		       "tuner accepts");
	expect_refused(many(TOPO_HEAD ONE_NODE "}, \"sysctls\": {", "\"net.x%d\": \"1\"", 65537,
			    "}}"),
		       "big.json: sysctls: 65537 sysctls: more than the 65536 tuner accepts");
	/* values cJSON would make: refused before it makes them ("0,", 80 bytes each) */
	expect_refused(many("{\"schema_version\": 1, \"x\": [", "0", TN_STATE_JSON_VALUES_MAX,
			    "]}"),
		       "big.json: more than 4194304 JSON values, more than a snapshot within "
		       "tuner's limits has; refused");
}

/* A sysctl value is kept whole (it was cut at 255 characters), up to 1 MiB. */
static void test_long_sysctl(void **state)
{
	char *value = many("", "%d", 1000, ""), *text;
	struct tn_state s;
	struct tn_diag d;
	struct text t = { 0 };

	assert_true(strlen(value) > 1000);
	add(&t,
	    TOPO_HEAD ONE_NODE "}, \"sysctls\": {\"net.ipv4.ip_local_reserved_ports\": \"%s\"}}",
	    value);
	tn_diag_init(&d);
	assert_int_equal(tn_state_parse(t.s, "long.json", &s, &d), 0);
	assert_string_equal(tn_state_sysctl(&s, "net.ipv4.ip_local_reserved_ports")->value, value);
	tn_state_free(&s);
	tn_diag_free(&d);
	free(t.s);
	free(value);
	text = malloc(TN_SYSCTL_VALUE_MAX + 200);
	assert_non_null(text);
	value = malloc(TN_SYSCTL_VALUE_MAX + 1);
	assert_non_null(value);
	memset(value, '7', TN_SYSCTL_VALUE_MAX);
	value[TN_SYSCTL_VALUE_MAX] = '\0';
	snprintf(text, TN_SYSCTL_VALUE_MAX + 200,
		 TOPO_HEAD ONE_NODE "}, \"sysctls\": {\"net.x\": \"%s\"}}", value);
	free(value);
	expect_refused(text, "big.json: sysctls[\"net.x\"]: value longer than 1048575 bytes");
}

/* An IRQ's name is kept whole (it was cut at 127 bytes), up to 65535 bytes;
 * a missing one is "". */
static void test_long_irq_name(void **state)
{
	char *name = malloc(TN_IRQNAME_MAX + 1), *text = malloc(TN_IRQNAME_MAX + 300);
	struct tn_state s;
	struct tn_diag d;

	assert_non_null(name);
	assert_non_null(text);
	memset(name, 'q', TN_IRQNAME_MAX - 1);
	name[TN_IRQNAME_MAX - 1] = '\0';
	snprintf(text, TN_IRQNAME_MAX + 300,
		 TOPO_HEAD ONE_NODE "}, \"nics\": [{\"name\": \"e\", \"irqs\": [{\"irq\": 5, "
				    "\"name\": \"%s\"}, {\"irq\": 6}]}]}",
		 name);
	tn_diag_init(&d);
	assert_int_equal(tn_state_parse(text, "long.json", &s, &d), 0);
	assert_string_equal(s.nics[0].irqs[0].name, name);
	assert_string_equal(s.nics[0].irqs[1].name, "");
	tn_state_free(&s);
	tn_diag_free(&d);
	name[TN_IRQNAME_MAX - 1] = 'q';
	name[TN_IRQNAME_MAX] = '\0';
	snprintf(text, TN_IRQNAME_MAX + 300,
		 TOPO_HEAD ONE_NODE "}, \"nics\": [{\"name\": \"e\", \"irqs\": [{\"irq\": 5, "
				    "\"name\": \"%s\"}]}]}",
		 name);
	free(name);
	expect_refused(text, "big.json: nics[0].irqs[0].name: longer than 65535 characters");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_roundtrip_goldens),
		cmocka_unit_test(test_minimal),
		cmocka_unit_test(test_process_uid),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_long_sysctl),
		cmocka_unit_test(test_long_irq_name),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
