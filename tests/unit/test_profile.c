/* SPDX-License-Identifier: MIT */
/*
 * Profile parsing: a table of malformed profiles, each with the exact message
 * an operator would read, then valid profiles and "extends".
 *
 * A failing table case prints the message it got (as a C string) so that a
 * deliberate change of wording is a copy and paste.
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

#include "profile.h"

/* ---- helpers ---- */

/* Print s as a C string literal, for copying into the table. */
static void print_c_string(const char *s)
{
	fputc('"', stderr);
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p == '"' || *p == '\\')
			fprintf(stderr, "\\%c", *p);
		else if (*p == '\n')
			fputs("\\n", stderr);
		else if (*p < 0x20 || *p >= 0x7f)
			fprintf(stderr, "\\x%02x\"\"", *p);
		else
			fputc(*p, stderr);
	}
	fputc('"', stderr);
}

/* A profile of more than TN_PROFILE_MAX_BYTES: a very long description. */
static char *build_huge(void)
{
	static const char head[] = "{\"name\": \"x\", \"description\": \"";
	static const char tail[] = "\"}";
	size_t n = TN_PROFILE_MAX_BYTES + 16;
	char *t = malloc(n + 1);

	assert_non_null(t);
	memcpy(t, head, strlen(head));
	memset(t + strlen(head), 'a', n - strlen(head) - strlen(tail));
	memcpy(t + n - strlen(tail), tail, strlen(tail) + 1);
	assert_true(strlen(t) > TN_PROFILE_MAX_BYTES);
	return t;
}

/* 100 nested arrays as the value of "description". */
static char *build_deep(void)
{
	char *t = malloc(512);
	size_t n = 0;

	assert_non_null(t);
	n += (size_t)sprintf(t, "{\"name\": \"x\",\n \"description\": ");
	for (int i = 0; i < 100; i++)
		t[n++] = '[';
	for (int i = 0; i < 100; i++)
		t[n++] = ']';
	strcpy(t + n, "}\n");
	return t;
}

/* Exactly TN_PROFILE_MAX_BYTES: still accepted. */
static char *build_max_size(void)
{
	static const char head[] = "{\"name\": \"x\", \"description\": \"\"}";
	size_t n = TN_PROFILE_MAX_BYTES;
	char *t = malloc(n + 1);

	assert_non_null(t);
	memcpy(t, head, strlen(head));
	memset(t + strlen(head), ' ', n - strlen(head));
	t[n] = '\0';
	return t;
}

/* ---- malformed profiles ---- */

/* The head of a multi-line profile with one interface, for cases that need a
 * realistic context and a line other than 1. */
#define IFACE_HEAD "{\n  \"name\": \"bad\",\n  \"interfaces\": [\n    {\n      \"match\": \"all\",\n"

struct bad_case {
	const char *what;
	const char *text;	/* or NULL and build */
	char *(*build)(void);
	int ret;
	const char *error;
};

static const struct bad_case bad_cases[] = {
	/* -- syntax -- */
	/* FIXME: 1:15 is one past the '}' where a key was expected (cJSON reports
	 * the offset after the failing character); 1:14 would be exact. */
	{ "trailing comma", "{\"name\": \"x\",}", NULL, -EINVAL,
	  "bad.json:1:15: JSON syntax error" },
	{ "missing closing brace", "{\"name\": \"x\"\n", NULL, -EINVAL,
	  "bad.json:2:1: JSON syntax error" },
	/* FIXME: 2:12 is the first character inside the string, not its opening
	 * quote at 2:11, and "JSON syntax error" does not say it is unterminated. */
	{ "unterminated string", "{\n  \"name\": \"x}\n", NULL, -EINVAL,
	  "bad.json:2:12: JSON syntax error" },
	{ "garbage after the document", "{\"name\": \"x\"}\n}", NULL, -EINVAL,
	  "bad.json:2:1: JSON syntax error" },
	{ "garbage word after the document", "{\"name\": \"x\"} trailing", NULL, -EINVAL,
	  "bad.json:1:15: JSON syntax error" },
	{ "empty text", "", NULL, -EINVAL,
	  "bad.json:1:1: JSON syntax error" },
	{ "not an object", "[{\"name\": \"x\"}]", NULL, -EINVAL,
	  "bad.json:1:1: (top level): a profile is a JSON object" },
	/* FIXME: 1:3, one past the quote at 1:2 (the same cJSON offset). */
	{ "single quotes", "{'name': 'x'}", NULL, -EINVAL,
	  "bad.json:1:3: JSON syntax error" },
	{ "comment", "{\"name\": \"x\" // the name\n}", NULL, -EINVAL,
	  "bad.json:1:14: JSON syntax error" },
	/* -- types -- */
	{ "name a number", "{\"name\": 5}", NULL, -EINVAL,
	  "bad.json:1:10: name: expected a string, found a number" },
	{ "name missing", "{\"description\": \"no name\"}", NULL, -EINVAL,
	  "bad.json: name: missing" },
	{ "interfaces an object", "{\"name\": \"x\", \"interfaces\": {\"match\": \"all\"}}", NULL,
	  -EINVAL,
	  "bad.json:1:29: interfaces: expected an array, found an object" },
	{ "interface not an object", "{\"name\": \"x\", \"interfaces\": [\"eth0\"]}", NULL, -EINVAL,
	  "bad.json:1:30: interfaces[0]: expected an object" },
	/* FIXME: no line:column, although interfaces[0] is in the text: a missing
	 * key could point at the object that lacks it. */
	{ "interface without match", "{\"name\": \"x\", \"interfaces\": [{\"required\": true}]}", NULL,
	  -EINVAL,
	  "bad.json: interfaces[0].match: missing" },
	{ "rings.rx a string other than max",
	  IFACE_HEAD "      \"rings\": {\"rx\": \"maximum\"}\n    }\n  ]\n}\n", NULL, -EINVAL,
	  "bad.json:6:23: interfaces[0].rings.rx: expected a number or \"max\"" },
	{ "rings an array", IFACE_HEAD "      \"rings\": [4096]\n    }\n  ]\n}\n", NULL, -EINVAL,
	  "bad.json:6:16: interfaces[0].rings: expected an object with rx and/or tx" },
	{ "channels.combined a bool",
	  IFACE_HEAD "      \"channels\": {\"combined\": true}\n    }\n  ]\n}\n", NULL, -EINVAL,
	  "bad.json:6:32: interfaces[0].channels.combined: expected a number or"
	  " \"max\" or \"cpus\"" },
	{ "smt a number", IFACE_HEAD "      \"irq\": {\"smt\": 1}\n    }\n  ]\n}\n", NULL, -EINVAL,
	  "bad.json:6:22: interfaces[0].irq.smt: expected \"avoid\" or \"allow\"" },
	{ "smt an unknown word", IFACE_HEAD "      \"irq\": {\"smt\": \"off\"}\n    }\n  ]\n}\n", NULL,
	  -EINVAL,
	  "bad.json:6:22: interfaces[0].irq.smt: \"off\" is not \"avoid\" or \"allow\"" },
	{ "required a string", IFACE_HEAD "      \"required\": \"yes\"\n    }\n  ]\n}\n", NULL,
	  -EINVAL,
	  "bad.json:6:19: interfaces[0].required: expected true or false, found a string" },
	{ "processes[0].match a string",
	  "{\n  \"name\": \"x\",\n  \"processes\": [\n    {\"match\": \"nginx\"}\n  ]\n}\n", NULL,
	  -EINVAL,
	  "bad.json:4:15: processes[0].match: expected an object, found a string" },
	{ "processes[0].match.pid a string",
	  "{\"name\": \"x\", \"processes\": [{\"match\": {\"pid\": \"12\"}}]}", NULL, -EINVAL,
	  "bad.json:1:47: processes[0].match.pid: expected a process id" },
	{ "processes[0].match.comm a number",
	  "{\"name\": \"x\", \"processes\": [{\"match\": {\"comm\": 12}}]}", NULL, -EINVAL,
	  "bad.json:1:48: processes[0].match.comm: expected a string" },
	{ "extends a number", "{\"name\": \"x\", \"extends\": 1}", NULL, -EINVAL,
	  "bad.json:1:26: extends: expected the name or path of a profile" },
	{ "sysctl an array", "{\"name\": \"x\", \"sysctl\": [1]}", NULL, -EINVAL,
	  "bad.json:1:25: sysctl: expected an object, found an array" },
	{ "sysctl value a bool", "{\"name\": \"x\", \"sysctl\": {\"net.core.netdev_budget\": true}}",
	  NULL, -EINVAL,
	  "bad.json:1:52: sysctl[\"net.core.netdev_budget\"]: expected a number, a"
	  " string, or an array of numbers" },
	{ "sysctl value a word for a known sysctl",
	  "{\"name\": \"x\", \"sysctl\": {\"net.core.netdev_budget\": \"lots\"}}", NULL, -EINVAL,
	  "bad.json:1:52: sysctl[\"net.core.netdev_budget\"]: expected a number" },
	{ "sysctl min a word", "{\"name\": \"x\", \"sysctl\": {\"vm.swappiness\": {\"min\": \"low\"}}}",
	  NULL, -EINVAL,
	  "bad.json:1:51: sysctl[\"vm.swappiness\"].min: \"min\" needs numbers" },
	{ "sysctl object without min",
	  "{\"name\": \"x\", \"sysctl\": {\"net.core.netdev_budget\": {}}}", NULL, -EINVAL,
	  "bad.json:1:52: sysctl[\"net.core.netdev_budget\"]: expected {\"min\": VALUE}" },
	{ "memory an unknown word",
	  "{\"name\": \"x\", \"processes\": [{\"match\": {\"comm\": \"nginx\"}, \"memory\": "
	  "\"interleave\"}]}",
	  NULL, -EINVAL,
	  "bad.json:1:68: processes[0].memory: \"interleave\" is not \"keep\","
	  " \"bind\" or \"prefer\"" },
	{ "placement an unknown word",
	  "{\"name\": \"x\", \"processes\": [{\"match\": {\"comm\": \"nginx\"}, \"placement\": "
	  "\"remote\"}]}",
	  NULL, -EINVAL,
	  "bad.json:1:71: processes[0].placement: expected \"opposite\", \"local\","
	  " {\"nodes\": [...]} or {\"cpus\": \"CPUS\"}" },
	{ "irqbalance maybe", "{\"name\": \"x\",\n \"irqbalance\": \"maybe\"}", NULL, -EINVAL,
	  "bad.json:2:16: irqbalance: \"maybe\" is not \"ban\", \"stop\" or \"ignore\"" },
	{ "irqbalance a bool", "{\"name\": \"x\", \"irqbalance\": false}", NULL, -EINVAL,
	  "bad.json:1:29: irqbalance: expected \"ban\", \"stop\" or \"ignore\"" },
	/* -- unknown keys -- */
	{ "unknown top-level key", "{\n  \"name\": \"x\",\n  \"sysctls\": {}\n}\n", NULL, -EINVAL,
	  "bad.json:3:3: sysctls: unknown key" },
	{ "unknown key in irq", IFACE_HEAD "      \"irq\": {\"cpus\": \"local\", \"cpu\": 3}\n    }\n"
	  "  ]\n}\n", NULL, -EINVAL,
	  "bad.json:6:32: interfaces[0].irq.cpu: unknown key" },
	{ "unknown key in irq.cpus",
	  IFACE_HEAD "      \"irq\": {\"cpus\": {\"node\": [0]}}\n    }\n  ]\n}\n", NULL, -EINVAL,
	  "bad.json:6:24: interfaces[0].irq.cpus.node: unknown key" },
	{ "unknown key in rings", IFACE_HEAD "      \"rings\": {\"rx\": 4096, \"rx_jumbo\": 512}\n"
	  "    }\n  ]\n}\n", NULL, -EINVAL,
	  "bad.json:6:29: interfaces[0].rings.rx_jumbo: unknown key" },
	{ "unknown key in interface match",
	  "{\"name\": \"x\", \"interfaces\": [{\"match\": {\"name\": \"eth*\", \"mac\": "
	  "\"00:11:22:33:44:55\"}}]}",
	  NULL, -EINVAL,
	  "bad.json:1:57: interfaces[0].match.mac: unknown key" },
	{ "unknown key in process match",
	  "{\"name\": \"x\", \"processes\": [{\"match\": {\"exe\": \"/usr/sbin/nginx\"}}]}", NULL,
	  -EINVAL,
	  "bad.json:1:40: processes[0].match.exe: unknown key" },
	{ "unknown key in sysctl min",
	  "{\"name\": \"x\", \"sysctl\": {\"net.core.netdev_budget\": {\"max\": 600}}}", NULL, -EINVAL,
	  "bad.json:1:53: sysctl[\"net.core.netdev_budget\"].max: unknown key" },
	/* -- numbers out of range -- */
	/* FIXME: the path names the key twice (count_value() pushes "rx" and
	 * tn_jr_int() pushes it again), so it is wrong and tn_json_locate() cannot
	 * find it: no line:column. Want "bad.json:6:23: interfaces[0].rings.rx: ...".
	 * The same for the two cases below. */
	{ "rings.rx -1", IFACE_HEAD "      \"rings\": {\"rx\": -1}\n    }\n  ]\n}\n", NULL, -EINVAL,
	  "bad.json: interfaces[0].rings.rx.rx: -1 is out of range (1 to 1048576)" },
	/* FIXME: as above; also "%.0f" spells 1e30 in 31 digits. */
	{ "rings.rx 1e30", IFACE_HEAD "      \"rings\": {\"rx\": 1e30}\n    }\n  ]\n}\n", NULL,
	  -EINVAL,
	  "bad.json: interfaces[0].rings.rx.rx: 1000000000000000019884624838656 is out of"
	  " range (1 to 1048576)" },
	{ "rings.tx 1.5", IFACE_HEAD "      \"rings\": {\"tx\": 1.5}\n    }\n  ]\n}\n", NULL, -EINVAL,
	  "bad.json: interfaces[0].rings.tx.tx: expected an integer, found 1.5" },
	{ "irq.count 0", IFACE_HEAD "      \"irq\": {\"count\": 0}\n    }\n  ]\n}\n", NULL, -EINVAL,
	  "bad.json:6:24: interfaces[0].irq.count: 0 is out of range (1 to 8192)" },
	{ "irq.cpus.nodes -1", IFACE_HEAD "      \"irq\": {\"cpus\": {\"nodes\": [0, -1]}}\n    }\n"
	  "  ]\n}\n", NULL, -EINVAL,
	  "bad.json:6:37: interfaces[0].irq.cpus.nodes[1]: expected a NUMA node number from"
	  " 0 to 4095" },
	{ "sysctl netdev_budget 99999999999",
	  "{\n  \"name\": \"x\",\n  \"sysctl\": {\n    \"net.core.netdev_budget\": 99999999999\n  }\n}\n",
	  NULL, -EINVAL,
	  "bad.json:4:31: sysctl[\"net.core.netdev_budget\"]: 99999999999 is out of range"
	  " (1 to 2147483647)" },
	{ "sysctl netdev_budget 0",
	  "{\"name\": \"x\", \"sysctl\": {\"net.core.netdev_budget\": 0}}", NULL, -EINVAL,
	  "bad.json:1:52: sysctl[\"net.core.netdev_budget\"]: 0 is out of range"
	  " (1 to 2147483647)" },
	/* FIXME: 1e30 is an integer, only too large: want "out of range". And
	 * sysctl_numbers() casts it to int64_t before the range check, which is
	 * undefined behaviour (clang -fsanitize=float-cast-overflow reports it). */
	{ "sysctl netdev_budget 1e30",
	  "{\"name\": \"x\", \"sysctl\": {\"net.core.netdev_budget\": 1e30}}", NULL, -EINVAL,
	  "bad.json:1:52: sysctl[\"net.core.netdev_budget\"]: expected an integer" },
	{ "sysctl netdev_budget 2.5",
	  "{\"name\": \"x\", \"sysctl\": {\"net.core.netdev_budget\": 2.5}}", NULL, -EINVAL,
	  "bad.json:1:52: sysctl[\"net.core.netdev_budget\"]: expected an integer" },
	{ "pid 0", "{\"name\": \"x\", \"processes\": [{\"match\": {\"pid\": 0}}]}", NULL, -EINVAL,
	  "bad.json:1:47: processes[0].match.pid: expected a process id" },
	/* -- tcp_rmem-like triples and rmem_max -- */
	{ "descending tcp_rmem",
	  "{\"name\": \"x\", \"sysctl\": {\"net.ipv4.tcp_rmem\": [6291456, 131072, 4096]}}", NULL,
	  -EINVAL,
	  "bad.json:1:47: sysctl[\"net.ipv4.tcp_rmem\"]: the three values must be ascending"
	  " (min <= default <= max)" },
	{ "tcp_rmem with 2 numbers",
	  "{\"name\": \"x\", \"sysctl\": {\"net.ipv4.tcp_rmem\": [4096, 131072]}}", NULL, -EINVAL,
	  "bad.json:1:47: sysctl[\"net.ipv4.tcp_rmem\"]: expected three numbers (min default"
	  " max)" },
	{ "tcp_wmem with 2 numbers in a string",
	  "{\"name\": \"x\", \"sysctl\": {\"net.ipv4.tcp_wmem\": \"4096 16384\"}}", NULL, -EINVAL,
	  "bad.json:1:47: sysctl[\"net.ipv4.tcp_wmem\"]: expected three numbers (min default"
	  " max)" },
	{ "tcp_rmem with 4 numbers",
	  "{\"name\": \"x\", \"sysctl\": {\"net.ipv4.tcp_rmem\": [1, 2, 3, 4]}}", NULL, -EINVAL,
	  "bad.json:1:57: sysctl[\"net.ipv4.tcp_rmem\"][3]: at most 3 numbers" },
	{ "tcp_rmem beyond 32 bits",
	  "{\"name\": \"x\", \"sysctl\": {\"net.ipv4.tcp_rmem\": [4096, 131072, 4294967296]}}", NULL,
	  -EINVAL,
	  "bad.json:1:47: sysctl[\"net.ipv4.tcp_rmem\"]: 4294967296 is out of range (1 to"
	  " 2147483647)" },
	{ "tcp_rmem empty array", "{\"name\": \"x\", \"sysctl\": {\"net.ipv4.tcp_rmem\": []}}", NULL,
	  -EINVAL,
	  "bad.json:1:47: sysctl[\"net.ipv4.tcp_rmem\"]: empty array" },
	{ "rmem_max below the tcp_rmem maximum",
	  "{\n  \"name\": \"x\",\n  \"sysctl\": {\n    \"net.ipv4.tcp_rmem\": [4096, 131072, 6291456],\n"
	  "    \"net.core.rmem_max\": 4194304\n  }\n}\n",
	  NULL, -EINVAL,
	  "bad.json:5:26: sysctl[\"net.core.rmem_max\"]: 4194304 is below the tcp_rmem maximum"
	  " 6291456 it is meant to allow" },
	/* -- sysctl names that look like paths -- */
	/* FIXME: the four cases below point at the value (1:47) while the fault is
	 * the key (1:26 here): the key position, as for "unknown key", would be
	 * right. */
	{ "sysctl name with slashes", "{\"name\": \"x\", \"sysctl\": {\"net/core/rmem_max\": 4194304}}",
	  NULL, -EINVAL,
	  "bad.json:1:47: sysctl[\"net/core/rmem_max\"]: not a sysctl name (dotted, like"
	  " net.core.netdev_budget; no '/' or '..')" },
	{ "sysctl name with an empty component",
	  "{\"name\": \"x\", \"sysctl\": {\"net.core..rmem_max\": 4194304}}", NULL, -EINVAL,
	  "bad.json:1:48: sysctl[\"net.core..rmem_max\"]: not a sysctl name (dotted, like"
	  " net.core.netdev_budget; no '/' or '..')" },
	{ "sysctl name ../../etc/passwd",
	  "{\"name\": \"x\", \"sysctl\": {\"../../etc/passwd\": \"root\"}}", NULL, -EINVAL,
	  "bad.json:1:46: sysctl[\"../../etc/passwd\"]: not a sysctl name (dotted, like"
	  " net.core.netdev_budget; no '/' or '..')" },
	{ "sysctl name empty", "{\"name\": \"x\", \"sysctl\": {\"\": 1}}", NULL, -EINVAL,
	  "bad.json:1:30: sysctl[\"\"]: not a sysctl name (dotted, like net.core.netdev_budget;"
	  " no '/' or '..')" },
	{ "sysctl name with a trailing dot", "{\"name\": \"x\", \"sysctl\": {\"net.core.\": 1}}", NULL,
	  -EINVAL,
	  "bad.json:1:39: sysctl[\"net.core.\"]: not a sysctl name (dotted, like"
	  " net.core.netdev_budget; no '/' or '..')" },
	/* -- size, depth, encoding -- */
	{ "huge file", NULL, build_huge, -EFBIG,
	  "bad.json: larger than 1048576 bytes; not a profile" },
	{ "100 nested arrays", NULL, build_deep, -EINVAL,
	  "bad.json:2:48: nested deeper than 32 levels" },
	{ "overlong UTF-8", "{\"name\": \"\xc0\xaf\"}", NULL, -EINVAL,
	  "bad.json:1:11: invalid UTF-8" },
	{ "lone UTF-8 continuation byte", "{\"name\": \"x\",\n \"description\": \"a\x80\"}", NULL,
	  -EINVAL,
	  "bad.json:2:19: invalid UTF-8" },
	{ "Latin-1 in a string", "{\"name\": \"caf\xe9\"}", NULL, -EINVAL,
	  "bad.json:1:14: invalid UTF-8" },
	{ "UTF-8 surrogate", "{\"name\": \"\xed\xa0\x80\"}", NULL, -EINVAL,
	  "bad.json:1:11: invalid UTF-8" },
	{ "truncated UTF-8 sequence", "{\"name\": \"\xe2\x82\"}", NULL, -EINVAL,
	  "bad.json:1:11: invalid UTF-8" },
	/* -- duplicates, empty and conflicting rules -- */
	/* FIXME: the three cases below point at the value of the first
	 * occurrence (2:11 here); the duplicate is the second one (3:3). */
	{ "duplicate top-level key", "{\n  \"name\": \"x\",\n  \"name\": \"y\"\n}\n", NULL, -EINVAL,
	  "bad.json:2:11: name: duplicate key" },
	{ "duplicate sysctl",
	  "{\"name\": \"x\", \"sysctl\": {\"net.core.netdev_budget\": 600, \"net.core.netdev_budget\": "
	  "700}}",
	  NULL, -EINVAL,
	  "bad.json:1:52: sysctl[\"net.core.netdev_budget\"]: duplicate key" },
	{ "duplicate key in rings", IFACE_HEAD "      \"rings\": {\"rx\": 512, \"rx\": 1024}\n    }\n"
	  "  ]\n}\n", NULL, -EINVAL,
	  "bad.json:6:23: interfaces[0].rings.rx: duplicate key" },
	{ "empty interface match", IFACE_HEAD "      \"rings\": {}\n    },\n    {\"match\": {}}\n"
	  "  ]\n}\n", NULL, -EINVAL,
	  "bad.json:8:15: interfaces[1].match: name, driver or pci is needed (or \"all\")" },
	{ "empty process match", "{\"name\": \"x\", \"processes\": [{\"match\": {}}]}", NULL, -EINVAL,
	  "bad.json:1:39: processes[0].match: give pid, comm, cmdline, cgroup or systemd_unit" },
	{ "irq.cpus with both nodes and list",
	  IFACE_HEAD "      \"irq\": {\"cpus\": {\"nodes\": [0], \"list\": \"0-3\"}}\n    }\n  ]\n}\n",
	  NULL, -EINVAL,
	  "bad.json:6:23: interfaces[0].irq.cpus: give either \"nodes\" or \"list\"" },
	{ "process nodes with placement cpus",
	  "{\"name\": \"x\", \"processes\": [{\"match\": {\"comm\": \"nginx\"}, \"placement\": "
	  "{\"cpus\": \"4-7\"}, \"nodes\": [1]}]}",
	  NULL, -EINVAL,
	  "bad.json:1:97: processes[0].nodes: \"nodes\" goes with placement \"opposite\";"
	  " use {\"nodes\": [...]} as the placement instead" },
	{ "processes on the IRQ CPUs",
	  "{\n  \"name\": \"x\",\n  \"interfaces\": [\n    {\"match\": {\"name\": \"eth0\"}, \"irq\": "
	  "{\"cpus\": {\"list\": \"0-3\"}}}\n  ],\n  \"processes\": [\n    {\"match\": {\"comm\": "
	  "\"nginx\"}, \"placement\": {\"cpus\": \"3-7\"}}\n  ]\n}\n",
	  NULL, -EINVAL,
	  "bad.json:7:47: processes[0].placement: processes placed on the IRQ CPUs"
	  " of interfaces[0]" },
	/* -- process selectors -- */
	{ "invalid cmdline regex",
	  "{\"name\": \"x\", \"processes\": [{\"match\": {\"cmdline\": \"java (-jar\"}}]}", NULL,
	  -EINVAL,
	  "bad.json:1:51: processes[0].match.cmdline: cmdline regex \"java (-jar\":"
	  " Unmatched ( or \\(" },
	{ "relative cgroup path",
	  "{\"name\": \"x\", \"processes\": [{\"match\": {\"cgroup\": \"system.slice/nginx.service\"}}]}",
	  NULL, -EINVAL,
	  "bad.json:1:50: processes[0].match.cgroup: cgroup \"system.slice/nginx.service\""
	  " must be an absolute path" },
	{ "empty comm", "{\"name\": \"x\", \"processes\": [{\"match\": {\"comm\": \"\"}}]}", NULL,
	  -EINVAL,
	  "bad.json:1:48: processes[0].match.comm: empty comm selector" },
	/* -- extends without a loader -- */
	/* FIXME: no line:column and no reason: "extends" is at 1:15 and the
	 * reason is that this caller cannot load other profiles. (The CLI always
	 * passes a loader; this is what other library callers would see.) */
	{ "extends with no loader", "{\"name\": \"x\", \"extends\": \"default\"}", NULL, -EINVAL,
	  "bad.json: \"extends\" is not available here" },
	/* -- CPU lists -- */
	{ "CPU list 0-", IFACE_HEAD "      \"irq\": {\"cpus\": {\"list\": \"0-\"}}\n    }\n  ]\n}\n",
	  NULL, -EINVAL,
	  "bad.json:6:32: interfaces[0].irq.cpus.list: \"0-\" is not a CPU list such as"
	  " \"0-7,16\"" },
	{ "CPU 9000", IFACE_HEAD "      \"irq\": {\"exclude\": \"0,9000\"}\n    }\n  ]\n}\n", NULL,
	  -EINVAL,
	  "bad.json:6:26: interfaces[0].irq.exclude: \"0,9000\": CPU numbers go up to 8191" },
	{ "empty CPU list", IFACE_HEAD "      \"irq\": {\"cpus\": {\"list\": \"\"}}\n    }\n  ]\n}\n",
	  NULL, -EINVAL,
	  "bad.json:6:32: interfaces[0].irq.cpus.list: the CPU list is empty" },
	{ "process placement CPU list a number",
	  "{\"name\": \"x\", \"processes\": [{\"match\": {\"comm\": \"nginx\"}, \"placement\": "
	  "{\"cpus\": 3}}]}",
	  NULL, -EINVAL,
	  "bad.json:1:80: processes[0].placement.cpus: expected a CPU list such as \"0-7,16\"" },
	{ "node 4096", "{\"name\": \"x\", \"processes\": [{\"match\": {\"comm\": \"nginx\"}, "
	  "\"placement\": {\"nodes\": [4096]}}]}", NULL, -EINVAL,
	  "bad.json:1:82: processes[0].placement.nodes[0]: expected a NUMA node number from"
	  " 0 to 4095" },
	/* -- long strings -- */
	{ "interface name too long",
	  "{\"name\": \"x\", \"interfaces\": [{\"match\": {\"name\": "
	  "\"eth0123456789012345678901234567890123456789012345678901234567890123\"}}]}",
	  NULL, -EINVAL,
	  "bad.json:1:49: interfaces[0].match.name: longer than 63 characters" },
};

static void test_bad_profiles(void **state)
{
	int failures = 0;

	for (size_t i = 0; i < sizeof(bad_cases) / sizeof(bad_cases[0]); i++) {
		const struct bad_case *c = &bad_cases[i];
		char *built = c->build ? c->build() : NULL;
		struct tn_profile p;
		struct tn_diag d;
		int ret;

		tn_diag_init(&d);
		memset(&p, 0xa5, sizeof(p));
		ret = tn_profile_parse(built ? built : c->text, "bad.json", NULL, NULL, &p, &d);
		if (ret != c->ret || strcmp(d.error, c->error) != 0) {
			fprintf(stderr, "case \"%s\": returned %d (want %d), error:\n\t", c->what, ret,
				c->ret);
			print_c_string(d.error);
			fputc('\n', stderr);
			failures++;
		}
		/* the output is not touched on error */
		for (size_t k = 0; k < sizeof(p); k++)
			if (((unsigned char *)&p)[k] != 0xa5) {
				fprintf(stderr, "case \"%s\": output written on error\n", c->what);
				failures++;
				break;
			}
		tn_diag_free(&d);
		free(built);
	}
	assert_int_equal(failures, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bad_profiles),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
