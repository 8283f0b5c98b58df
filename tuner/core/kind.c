/* SPDX-License-Identifier: MIT */
#include "kind.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cpuset.h"
#include "hexmask.h"
#include "plan.h"
#include "procid.h"
#include "state.h"

/* ---- values ---- */

/* A decimal number at *p, no sign, no leading zero, at most max; *p moves past it. */
static bool dec(const char **p, uint64_t max)
{
	const char *s = *p;
	uint64_t v = 0;

	if (!isdigit((unsigned char)*s) || (s[0] == '0' && isdigit((unsigned char)s[1])))
		return false;
	for (; isdigit((unsigned char)*s); s++) {
		if (v > (max - (uint64_t)(*s - '0')) / 10)
			return false;
		v = v * 10 + (uint64_t)(*s - '0');
	}
	*p = s;
	return true;
}

/* n numbers at most max each, separated by sep; n 0: one or more */
static bool numbers(const char *s, int n, char sep, uint64_t max)
{
	int k = 0;

	do {
		if (k && *s++ != sep)
			return false;
		if (!dec(&s, max))
			return false;
		k++;
	} while (*s && (n == 0 || k < n));
	return !*s && (n == 0 || k == n);
}

/* A CPU (or node) list as the kernel prints one: "0-3,8", ids below max. */
static bool id_list(const char *s, int max)
{
	struct tn_cpuset set;

	if (!*s || strlen(s) >= TN_CPULIST_MAX)
		return false;
	for (const char *p = s; *p; p++)
		if (!isdigit((unsigned char)*p) && *p != ',' && *p != '-')
			return false;
	return tn_cpuset_parse_list(s, &set) == 0 && !tn_cpuset_empty(&set) &&
	       tn_cpuset_last(&set) < max;
}

/* The sysctls whose values tuner knows the shape of: one or three integers. */
static const struct {
	const char *name;
	int fields;
} sysctl_shapes[] = {
	{ "net.core.netdev_max_backlog", 1 },
	{ "net.core.netdev_budget", 1 },
	{ "net.core.netdev_budget_usecs", 1 },
	{ "net.core.rmem_max", 1 },
	{ "net.core.rmem_default", 1 },
	{ "net.core.wmem_max", 1 },
	{ "net.core.wmem_default", 1 },
	{ "net.ipv4.tcp_rmem", 3 },
	{ "net.ipv4.tcp_wmem", 3 },
	{ "net.core.rps_sock_flow_entries", 1 },
	{ "net.core.flow_limit_table_len", 1 },
};

/* Other sysctls: words of letters, digits and "_.:,+-", single spaces between. */
static bool sysctl_words(const char *s)
{
	if (strlen(s) >= TN_SYSCTL_VALUE_MAX)
		return false;
	for (const char *p = s; *p; p++) {
		if (*p == ' ' && p != s && p[1] && p[1] != ' ')
			continue;
		if (!isalnum((unsigned char)*p) && !strchr("_.:,+-", *p))
			return false;
	}
	return true;
}

static bool blank(char ch)
{
	return ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r';
}

/* The next character of a value as tn_sysctl_value_normalise() writes it:
 * runs of white space are one space, none at either end; '\0' at the end. */
static char folded_next(const char **s, bool *started)
{
	bool space = false;

	while (blank(**s)) {
		(*s)++;
		space = true;
	}
	if (!**s)
		return '\0';
	if (space && *started)
		return ' ';
	*started = true;
	return *(*s)++;
}

/* Whether two values are the same once normalised, whatever their length. */
static bool equal_folded(const char *a, const char *b)
{
	bool sa = false, sb = false;

	for (;;) {
		char ca = folded_next(&a, &sa), cb = folded_next(&b, &sb);

		if (ca != cb)
			return false;
		if (!ca)
			return true;
	}
}

static bool equal_sets(const char *a, const char *b)
{
	struct tn_cpuset x, y;

	if (strcmp(a, b) == 0) /* the usual case: one parse says whether it is a set */
		return tn_cpuset_parse_list(a, &x) == 0;
	if (tn_cpuset_parse_list(a, &x) < 0 || tn_cpuset_parse_list(b, &y) < 0)
		return false;
	return tn_cpuset_equal(&x, &y);
}

/* ---- targets ---- */

static bool target_sysctl(const char *t)
{
	return tn_sysctl_name_valid(t);
}

static bool target_irq(const char *t)
{
	return dec(&t, INT_MAX) && !*t;
}

/* "PID@START/TID@TSTART"; older journals: "PID/TID" */
static bool target_thread(const char *t)
{
	struct tn_procid id;

	return tn_procid_parse(t, &id) == 0;
}

static bool target_process(const char *t)
{
	struct tn_procid id;

	return tn_procid_parse(t, &id) == 0 && id.tid == 0;
}

static bool target_ifname(const char *t)
{
	for (const char *p = t; *p; p++)
		if (*p == '/' || isspace((unsigned char)*p) || !isprint((unsigned char)*p))
			return false;
	return t[0] && strlen(t) < TN_IFNAME_MAX && strcmp(t, ".") && strcmp(t, "..");
}

/* "IFNAME/rx-N" (rx) or "IFNAME/tx-N": a queue directory of sysfs, N below
 * TN_NIC_QUEUES_MAX. */
static bool target_queue(const char *t, const char *dir)
{
	const char *slash = strchr(t, '/'), *p;
	char name[TN_IFNAME_MAX];
	size_t n = slash ? (size_t)(slash - t) : 0;

	if (!slash || n == 0 || n >= sizeof(name) || strncmp(slash + 1, dir, 3) != 0)
		return false;
	memcpy(name, t, n);
	name[n] = '\0';
	p = slash + 4;
	return target_ifname(name) && dec(&p, TN_NIC_QUEUES_MAX - 1) && !*p;
}

static bool target_rxq(const char *t)
{
	return target_queue(t, "rx-");
}

static bool target_txq(const char *t)
{
	return target_queue(t, "tx-");
}

static bool target_irqbalance(const char *t)
{
	return strcmp(t, "irqbalance") == 0;
}

/* ---- values of each kind ---- */

static bool value_sysctl(const struct tn_change *c, const char *v, const char **what)
{
	for (size_t i = 0; i < sizeof(sysctl_shapes) / sizeof(sysctl_shapes[0]); i++) {
		if (strcmp(c->target, sysctl_shapes[i].name) != 0)
			continue;
		*what = sysctl_shapes[i].fields == 3 ? "three integers 0 to 2147483647"
						     : "an integer 0 to 2147483647";
		return numbers(v, sysctl_shapes[i].fields, ' ', INT_MAX);
	}
	*what = "words of letters, digits and _.:,+- with single spaces";
	return sysctl_words(v);
}

static bool value_cpus(const struct tn_change *c, const char *v, const char **what)
{
	*what = "a CPU list";
	return id_list(v, TN_CPU_MAX);
}

static bool value_nodes(const struct tn_change *c, const char *v, const char **what)
{
	*what = "a NUMA node list (nodes 0 to 1023)";
	return id_list(v, 1024);
}

static bool value_size(const struct tn_change *c, const char *v, const char **what)
{
	*what = "a size (an integer 0 to 4294967295)";
	return numbers(v, 1, ' ', UINT32_MAX);
}

static bool value_mask(const struct tn_change *c, const char *v, const char **what)
{
	*what = "a CPU mask as sysfs prints it (\"00000000,000000ff\")";
	return tn_hexmask_valid(v);
}

static bool value_flow_cnt(const struct tn_change *c, const char *v, const char **what)
{
	*what = "an integer 0 to 2147483647";
	return numbers(v, 1, ' ', INT_MAX);
}

static bool value_coalesce(const struct tn_change *c, const char *v, const char **what)
{
	if (strcmp(c->key, "adaptive_rx") == 0) {
		*what = "\"on\" or \"off\"";
		return strcmp(v, "on") == 0 || strcmp(v, "off") == 0;
	}
	return value_size(c, v, what);
}

static bool value_irqbalance(const struct tn_change *c, const char *v, const char **what)
{
	if (strcmp(c->key, "running") == 0) {
		*what = "\"running\" or \"stopped\"";
		return strcmp(v, "running") == 0 || strcmp(v, "stopped") == 0;
	}
	*what = "\"none\" or IRQ numbers separated by commas";
	return strcmp(v, "none") == 0 ||
	       numbers(v, 0, ',', INT_MAX); /* any length: a line is at most 1 MiB */
}

/* ---- labels ---- */

const char *tn_change_short_target(const struct tn_change *c, char *buf, size_t len)
{
	const char *s = c->target;
	size_t n = 0;
	bool skip = false;

	for (; *s && n + 1 < len; s++) {
		if (*s == '@' || *s == '/')
			skip = *s == '@';
		if (!skip)
			buf[n++] = *s;
	}
	buf[n] = '\0';
	return buf;
}

/* rings, channels and coalescing: "eth0 rx ring", "eth0 rx_usecs coalesce";
 * in errors "ring eth0 rx" */
static void label_nic(const struct tn_change *c, enum tn_label_form f, char *buf, size_t len)
{
	const char *what = c->kind == TN_CHANGE_RING	   ? "ring"
			   : c->kind == TN_CHANGE_COALESCE ? "coalesce"
							   : "channels";

	if (f == TN_LABEL_ERROR)
		snprintf(buf, len, "%s %s %s", tn_change_kind_name(c->kind), c->target, c->key);
	else
		snprintf(buf, len, "%s %s %s", c->target, c->key, what);
}

static void label_sysctl(const struct tn_change *c, enum tn_label_form f, char *buf, size_t len)
{
	snprintf(buf, len, "%s", c->target);
}

static void label_irq(const struct tn_change *c, enum tn_label_form f, char *buf, size_t len)
{
	if (f == TN_LABEL_ERROR)
		snprintf(buf, len, "irq %s%s%s", c->target, tn_str(c->label)[0] ? " " : "",
			 tn_str(c->label));
	else
		snprintf(buf, len, "irq %s %s", c->target, tn_str(c->label));
}

static void label_process(const struct tn_change *c, enum tn_label_form f, char *buf, size_t len)
{
	bool cpus = c->kind == TN_CHANGE_PROCESS_AFFINITY;
	char pid[64];

	tn_change_short_target(c, pid, sizeof(pid));
	if (f == TN_LABEL_PLAN)
		snprintf(buf, len, "pid %s %s %s", pid, tn_str(c->label), cpus ? "CPUs" : "memory");
	else if (f == TN_LABEL_REPORT)
		snprintf(buf, len, "%s %s %s", tn_str(c->label), pid,
			 cpus ? "CPUs" : "memory nodes");
	else if (cpus)
		snprintf(buf, len, "thread %s (%s)", c->target, tn_str(c->label));
	else
		snprintf(buf, len, "%s %s %s", tn_change_kind_name(c->kind), c->target, c->key);
}

/* queue files: "eth0 rx-3 rps_cpus"; in errors "rps_cpus eth0/rx-3" */
static void label_queue(const struct tn_change *c, enum tn_label_form f, char *buf, size_t len)
{
	const char *slash = strchr(c->target, '/');
	int n = slash ? (int)(slash - c->target) : (int)strlen(c->target);

	if (f == TN_LABEL_ERROR)
		snprintf(buf, len, "%s %s", c->key, c->target);
	else
		snprintf(buf, len, "%.*s %s %s", n, c->target, slash ? slash + 1 : "", c->key);
}

static void label_irqbalance(const struct tn_change *c, enum tn_label_form f, char *buf, size_t len)
{
	if (f == TN_LABEL_PLAN)
		snprintf(buf, len, "%s %s", c->target, c->key);
	else
		snprintf(buf, len, "irqbalance %s",
			 strcmp(c->key, "running") ? "banned IRQs" : "running");
}

/* ---- hints: what may explain a drift (tuner verify) ---- */

static bool irq_banned(const struct tn_state *s, int irq)
{
	for (int i = 0; i < s->irqbalance.n_banned_irqs; i++)
		if (s->irqbalance.banned_irqs[i] == irq)
			return true;
	return false;
}

static void hint_irq(const struct tn_state *s, const struct tn_change *c, char *buf, size_t len)
{
	if (s->irqbalance.running && !irq_banned(s, atoi(c->target)))
		snprintf(buf, len, "irqbalance is running and may move it");
}

/* "thread 12 (on 0), 14 (on 0-3)": the threads of a drifted process that are
 * not where the profile wants them, at most four named. */
static void hint_threads(const struct tn_state *s, const struct tn_change *c, char *buf, size_t len)
{
	struct tn_cpuset want;
	int pid = atoi(c->target), shown = 0, off = 0, n = 0;

	if (tn_cpuset_parse_list(c->after, &want) < 0)
		return;
	for (int i = 0; i < s->n_processes; i++) {
		const struct tn_process *p = &s->processes[i];

		if (p->pid != pid)
			continue;
		for (int k = 0; k < p->n_threads; k++) {
			char *cpus;
			int w;

			if (tn_cpuset_equal(&p->threads[k].affinity, &want))
				continue;
			if (n++ >= 4)
				continue;
			cpus = tn_cpuset_list_alloc(&p->threads[k].affinity);
			/* a thread whose CPU list does not fit whole is counted, not cut */
			w = cpus ? snprintf(buf + off, len - (size_t)off, "%s %d (on %s)",
					    shown ? "," : "thread", p->threads[k].tid, cpus)
				 : -1;
			free(cpus);
			if (w < 0 || (size_t)(off + w) >= len - 16) {
				buf[off] = '\0';
				continue;
			}
			off += w;
			shown++;
		}
		if (n > shown && shown)
			snprintf(buf + off, len - (size_t)off, " and %d more", n - shown);
		else if (n > shown)
			snprintf(buf, len, "%d thread%s elsewhere", n, n == 1 ? "" : "s");
	}
}

/* ---- the registry ---- */

/* Each kind's fields; the table below adds its name from TN_CHANGE_KINDS. */
#define FIELDS_CHANNELS                                                                \
	.stage = 1, .keys = { "combined" }, .label = label_nic, .equal = equal_folded, \
	.target_ok = target_ifname, .value_ok = value_size, .scope = TN_SCOPE_NIC,     \
	.noun = { "channel count", "channel counts" }
#define FIELDS_RING                                                                    \
	.stage = 1, .keys = { "rx", "tx" }, .label = label_nic, .equal = equal_folded, \
	.target_ok = target_ifname, .value_ok = value_size, .scope = TN_SCOPE_NIC,     \
	.noun = { "ring size", "ring sizes" }
#define FIELDS_COALESCE                                                             \
	.stage = 2, .keys = { "adaptive_rx", "rx_usecs", "rx_frames", "tx_usecs" }, \
	.label = label_nic, .equal = equal_folded, .target_ok = target_ifname,      \
	.value_ok = value_coalesce, .scope = TN_SCOPE_NIC,                          \
	.noun = { "coalescing setting", "coalescing settings" }
#define FIELDS_SYSCTL                                                                  \
	.stage = 2, .keys = { "value" }, .label = label_sysctl, .equal = equal_folded, \
	.target_ok = target_sysctl, .value_ok = value_sysctl, .scope = TN_SCOPE_HOST,  \
	.noun = { "sysctl", "sysctls" }
#define FIELDS_IRQ_AFFINITY                                                                     \
	.stage = 2, .keys = { "smp_affinity_list", TN_HELD_KEY }, .label = label_irq,           \
	.equal = equal_sets, .target_ok = target_irq, .value_ok = value_cpus, .hint = hint_irq, \
	.scope = TN_SCOPE_IRQ, .noun = { "IRQ affinity", "IRQ affinities" }
#define FIELDS_RPS_CPUS                                                                      \
	.stage = 2, .keys = { "rps_cpus" }, .label = label_queue, .equal = tn_hexmask_equal, \
	.target_ok = target_rxq, .value_ok = value_mask, .scope = TN_SCOPE_NIC,              \
	.noun = { "RPS CPU mask", "RPS CPU masks" }
#define FIELDS_RPS_FLOW_CNT                                                                  \
	.stage = 2, .keys = { "rps_flow_cnt" }, .label = label_queue, .equal = equal_folded, \
	.target_ok = target_rxq, .value_ok = value_flow_cnt, .scope = TN_SCOPE_NIC,          \
	.noun = { "RPS flow count", "RPS flow counts" }
#define FIELDS_XPS_CPUS                                                                      \
	.stage = 2, .keys = { "xps_cpus" }, .label = label_queue, .equal = tn_hexmask_equal, \
	.target_ok = target_txq, .value_ok = value_mask, .scope = TN_SCOPE_NIC,              \
	.noun = { "XPS CPU mask", "XPS CPU masks" }
#define FIELDS_PROCESS_AFFINITY                                                     \
	.stage = 2, .per_thread = true, .keys = { "cpus" }, .label = label_process, \
	.equal = equal_sets, .target_ok = target_thread, .value_ok = value_cpus,    \
	.hint = hint_threads, .scope = TN_SCOPE_PROCESS,                            \
	.noun = { "process affinity", "process affinities" }
#define FIELDS_PROCESS_MEMORY                                                            \
	.stage = 2, .keys = { "nodes" }, .label = label_process, .equal = equal_sets,    \
	.target_ok = target_process, .value_ok = value_nodes, .scope = TN_SCOPE_PROCESS, \
	.noun = { "process memory policy", "process memory policies" }
#define FIELDS_IRQBALANCE                                                                    \
	.stage = 2, .keys = { "running", "banned_irqs" }, .label = label_irqbalance,         \
	.equal = equal_folded, .target_ok = target_irqbalance, .value_ok = value_irqbalance, \
	.scope = TN_SCOPE_HOST, .noun = { "irqbalance setting", "irqbalance settings" }

static const struct tn_kind kinds[TN_CHANGE_KIND_COUNT] = {
#define TN_KIND_ENTRY(e, n) [TN_CHANGE_##e] = { .name = n, FIELDS_##e },
	TN_CHANGE_KINDS(TN_KIND_ENTRY)
#undef TN_KIND_ENTRY
};

const struct tn_kind *tn_kind_get(enum tn_change_kind k)
{
	return (unsigned)k < TN_CHANGE_KIND_COUNT ? &kinds[k] : NULL;
}

const char *tn_change_kind_name(enum tn_change_kind k)
{
	return (unsigned)k < TN_CHANGE_KIND_COUNT ? kinds[k].name : "unknown";
}

int tn_change_kind_parse(const char *name)
{
	for (int i = 0; i < TN_CHANGE_KIND_COUNT; i++)
		if (strcmp(name, kinds[i].name) == 0)
			return i;
	return -EINVAL;
}

void tn_change_label(const struct tn_change *c, enum tn_label_form f, char *buf, size_t len)
{
	const struct tn_kind *k = tn_kind_get(c->kind);
	struct tn_change shown;
	char cut[TN_LABEL_ROOM];

	/* A label longer than a line's room for it (an IRQ's whole action
	 * list) is shown cut, with "..." saying so, and whole UTF-8
	 * characters; the change itself (JSON, journal) keeps it whole. */
	if (c->label && strlen(c->label) >= sizeof(cut)) {
		size_t n = sizeof(cut) - 4;

		while (n > 0 && ((unsigned char)c->label[n] & 0xC0) == 0x80)
			n--;
		memcpy(cut, c->label, n);
		memcpy(cut + n, "...", 4);
		shown = *c;
		shown.label = cut;
		c = &shown;
	}
	if (k)
		k->label(c, f, buf, len);
	else
		snprintf(buf, len, "%s %s", c->target, c->key);
}

void tn_change_hint(const struct tn_state *s, const struct tn_change *c, char *buf, size_t len)
{
	const struct tn_kind *k = tn_kind_get(c->kind);

	buf[0] = '\0';
	if (k && k->hint)
		k->hint(s, c, buf, len);
}

bool tn_change_same(const struct tn_change *c, const char *a, const char *b)
{
	const struct tn_kind *k = tn_kind_get(c->kind);

	return k && k->equal(a, b);
}

int tn_change_stage(const struct tn_change *c)
{
	const struct tn_kind *k = tn_kind_get(c->kind);

	return k ? k->stage : TN_STAGE_MAX;
}

/* s for a message: its first 60 bytes, other than printable ASCII as \xNN */
static const char *quoted(const char *s, char *buf, size_t len)
{
	size_t n = 0, i;

	for (i = 0; s[i] && i < 60 && n + 8 < len; i++) {
		unsigned char ch = (unsigned char)s[i];

		if (ch >= 0x20 && ch < 0x7f && ch != '\\' && ch != '"')
			buf[n++] = (char)ch;
		else
			n += (size_t)snprintf(buf + n, len - n, "\\x%02x", ch);
	}
	snprintf(buf + n, len - n, "%s", s[i] ? "..." : "");
	return buf;
}

static bool key_ok(const struct tn_kind *k, const char *key)
{
	for (int i = 0; i < TN_KIND_KEYS_MAX && k->keys[i]; i++)
		if (strcmp(key, k->keys[i]) == 0)
			return true;
	return false;
}

int tn_change_check(const struct tn_change *c, char *why, size_t len)
{
	const struct tn_kind *k = tn_kind_get(c->kind);
	const char *what = "", *bad = NULL, *name = NULL;
	char q[300], t[300];

	if (!k || !k->target_ok(c->target)) {
		snprintf(why, len, "target \"%s\" is not acceptable",
			 quoted(c->target, t, sizeof(t)));
		return -EINVAL;
	}
	if (!key_ok(k, c->key)) {
		snprintf(why, len, "%s: key \"%s\" is not one of this kind", c->target,
			 quoted(c->key, q, sizeof(q)));
		return -EINVAL;
	}
	if (!k->value_ok(c, c->before, &what))
		bad = c->before, name = "before";
	else if (!k->value_ok(c, c->after, &what))
		bad = c->after, name = "after";
	if (bad) {
		snprintf(why, len, "%s: %s \"%s\" is not %s", c->target, name,
			 quoted(bad, q, sizeof(q)), what);
		return -EINVAL;
	}
	return 0;
}
