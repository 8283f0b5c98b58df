/* SPDX-License-Identifier: MIT */
#include "counters.h"
#include "diag.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void tn_counter_list_free(struct tn_counter_list *l)
{
	if (!l)
		return;
	free(l->v);
	l->v = NULL;
	l->n = l->cap = 0;
}

int tn_counter_list_add(struct tn_counter_list *l, const char *group, const char *name,
			uint64_t value)
{
	struct tn_counter *c;

	if (strlen(group) >= TN_CTR_GROUP_MAX || strlen(name) >= TN_CTR_NAME_MAX)
		return -ENAMETOOLONG;
	if (l->n >= TN_COUNTERS_MAX)
		return -E2BIG;
	if (l->n == l->cap) {
		int cap = l->cap ? l->cap * 2 : 64;
		struct tn_counter *nv = realloc(l->v, (size_t)cap * sizeof(*nv));

		if (!nv)
			return -ENOMEM;
		l->v = nv;
		l->cap = cap;
	}
	c = &l->v[l->n++];
	memset(c, 0, sizeof(*c));
	memcpy(c->group, group, strlen(group) + 1);
	memcpy(c->name, name, strlen(name) + 1);
	c->value = value;
	return 0;
}

static int counter_cmp(const void *a, const void *b)
{
	const struct tn_counter *x = a, *y = b;
	int r = strcmp(x->group, y->group);

	return r ? r : strcmp(x->name, y->name);
}

int tn_counter_list_sort(struct tn_counter_list *l, const struct tn_counter **dup)
{
	if (l->n > 1)
		qsort(l->v, (size_t)l->n, sizeof(*l->v), counter_cmp);
	for (int i = 1; i < l->n; i++) {
		if (counter_cmp(&l->v[i - 1], &l->v[i]) == 0) {
			if (dup)
				*dup = &l->v[i];
			return -EEXIST;
		}
	}
	return 0;
}

const struct tn_counter *tn_counter_find(const struct tn_counter_list *l, const char *group,
					 const char *name)
{
	struct tn_counter key;

	if (!l->n || strlen(group) >= sizeof(key.group) || strlen(name) >= sizeof(key.name))
		return NULL;
	snprintf(key.group, sizeof(key.group), "%s", group);
	snprintf(key.name, sizeof(key.name), "%s", name);
	return bsearch(&key, l->v, (size_t)l->n, sizeof(*l->v), counter_cmp);
}

bool tn_counter_delta(uint64_t before, uint64_t after, bool is32, uint64_t *out)
{
	if (after >= before) {
		*out = after - before;
		return true;
	}
	if (is32 && before <= UINT32_MAX && after <= UINT32_MAX) {
		*out = after + ((uint64_t)1 << 32) - before;
		return true;
	}
	return false;
}

/* ---- /proc/net/softnet_stat ---- */

/* One hexadecimal column of 1 to 16 digits; *p moves past it. */
static int hex_column(const char **p, uint64_t *out)
{
	const char *s = *p;
	uint64_t v = 0;
	int n = 0;

	while (isxdigit((unsigned char)*s)) {
		if (++n > 16)
			return -1;
		v = v * 16 + (uint64_t)(isdigit((unsigned char)*s)
						? *s - '0'
						: tolower((unsigned char)*s) - 'a' + 10);
		s++;
	}
	if (n == 0)
		return -1;
	*p = s;
	*out = v;
	return 0;
}

/* Columns of one line; returns their count or -1 (bad column at *bad). */
static int softnet_line(const char *line, size_t len, uint64_t *cols, int *bad)
{
	const char *p = line, *end = line + len;
	int n = 0;

	for (;;) {
		while (p < end && (*p == ' ' || *p == '\t'))
			p++;
		if (p >= end)
			return n;
		if (n >= TN_SOFTNET_MAX_COLUMNS || hex_column(&p, &cols[n]) < 0 ||
		    (p < end && *p != ' ' && *p != '\t')) {
			*bad = n + 1;
			return -1;
		}
		n++;
	}
}

static int softnet_fill(struct tn_softnet_cpu *r, const uint64_t *c, int ncol, int lineno,
			struct tn_diag *d)
{
	memset(r, 0, sizeof(*r));
	r->processed = c[0];
	r->dropped = c[1];
	r->time_squeeze = c[2];
	r->received_rps = c[9];
	r->cpu = -1;
	if (ncol >= 11) {
		r->flow_limit_count = c[10];
		r->has_flow_limit = true;
	}
	if (ncol >= 13) {
		if (c[12] >= TN_CPU_MAX)
			return tn_diag_error(d, -EINVAL, "line %d: CPU %llu out of range (0-%d)",
					     lineno, (unsigned long long)c[12], TN_CPU_MAX - 1);
		r->cpu = (int)c[12];
	}
	return 0;
}

static int softnet_cmp(const void *a, const void *b)
{
	const struct tn_softnet_cpu *x = a, *y = b;

	return (x->cpu > y->cpu) - (x->cpu < y->cpu);
}

int tn_softnet_parse(const char *text, struct tn_softnet_cpu **out, int *n, int *columns,
		     struct tn_diag *d)
{
	struct tn_softnet_cpu *rows = NULL;
	int nrows = 0, cap = 0, ncol = 0, lineno = 0, ret = 0;
	const char *p = text;

	while (*p) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		uint64_t cols[TN_SOFTNET_MAX_COLUMNS];
		int k, bad = 0;

		lineno++;
		if (len > TN_SOFTNET_LINE_MAX) {
			ret = tn_diag_error(d, -EINVAL, "line %d: longer than %d bytes", lineno,
					    TN_SOFTNET_LINE_MAX);
			goto fail;
		}
		k = softnet_line(p, len, cols, &bad);
		p += len + (nl ? 1 : 0);
		if (k == 0)
			continue;
		if (k < 0) {
			ret = tn_diag_error(d, -EINVAL, "line %d, column %d: %s", lineno, bad,
					    bad > TN_SOFTNET_MAX_COLUMNS
						    ? "too many columns"
						    : "not a hexadecimal counter");
			goto fail;
		}
		if (k < 10 || (ncol && k != ncol)) {
			ret = tn_diag_error(d, -EINVAL, "line %d: %d columns, expected %s", lineno,
					    k, ncol ? "the same count as line 1" : "10 or more");
			goto fail;
		}
		ncol = k;
		if (nrows >= TN_SOFTNET_MAX_ROWS) {
			ret = tn_diag_error(d, -EINVAL, "more than %d lines", TN_SOFTNET_MAX_ROWS);
			goto fail;
		}
		if (nrows == cap) {
			int nc = cap ? cap * 2 : 16;
			struct tn_softnet_cpu *nr = realloc(rows, (size_t)nc * sizeof(*nr));

			if (!nr) {
				ret = -ENOMEM;
				goto fail;
			}
			rows = nr;
			cap = nc;
		}
		if ((ret = softnet_fill(&rows[nrows], cols, k, lineno, d)) < 0)
			goto fail;
		nrows++;
	}
	if (nrows == 0) {
		ret = tn_diag_error(d, -EINVAL, "no CPU lines");
		goto fail;
	}
	if (ncol >= 13) {
		qsort(rows, (size_t)nrows, sizeof(*rows), softnet_cmp);
		for (int i = 1; i < nrows; i++)
			if (rows[i].cpu == rows[i - 1].cpu) {
				ret = tn_diag_error(d, -EINVAL, "CPU %d is listed twice",
						    rows[i].cpu);
				goto fail;
			}
	}
	*out = rows;
	*n = nrows;
	*columns = ncol;
	return 0;
fail:
	free(rows);
	return ret;
}

int tn_softnet_assign_cpus(struct tn_softnet_cpu *rows, int n, const struct tn_cpuset *online,
			   struct tn_diag *d)
{
	int k = 0, cpu;

	if (tn_cpuset_count(online) != n)
		return tn_diag_error(
			d, -EINVAL,
			"%d lines without a CPU column but %d online CPUs: cannot tell "
			"which line is which CPU",
			n, tn_cpuset_count(online));
	tn_cpuset_foreach (cpu, online)
		rows[k++].cpu = cpu;
	return 0;
}

/* ---- /proc/net/netstat, /proc/net/snmp, /proc/net/snmp6 ---- */

/* Split a line in place on spaces; returns the word count or -1 past max. */
static int split_words(char *line, char **words, int max)
{
	int n = 0;
	char *save = NULL;

	for (char *w = strtok_r(line, " \t", &save); w; w = strtok_r(NULL, " \t", &save)) {
		if (n >= max)
			return -1;
		words[n++] = w;
	}
	return n;
}

/* A decimal counter, or 1 for a negative number (skipped), or -1. */
static int dec_value(const char *s, uint64_t *out)
{
	uint64_t v = 0;
	const char *p = s;

	if (*p == '-') {
		p++;
		if (!isdigit((unsigned char)*p))
			return -1;
		while (isdigit((unsigned char)*p))
			p++;
		return *p ? -1 : 1;
	}
	if (!isdigit((unsigned char)*p))
		return -1;
	for (; isdigit((unsigned char)*p); p++) {
		unsigned d = (unsigned)(*p - '0');

		if (v > (UINT64_MAX - d) / 10)
			return -1;
		v = v * 10 + d;
	}
	if (*p)
		return -1;
	*out = v;
	return 0;
}

/* "TcpExt:" -> "TcpExt"; false unless a word of [A-Za-z0-9] and a colon. */
static bool group_word(const char *w, char *group, size_t len)
{
	size_t n = strlen(w);

	if (n < 2 || n - 1 >= len || w[n - 1] != ':')
		return false;
	for (size_t i = 0; i + 1 < n; i++)
		if (!isalnum((unsigned char)w[i]))
			return false;
	memcpy(group, w, n - 1);
	group[n - 1] = '\0';
	return true;
}

static bool name_word(const char *w)
{
	size_t n = strlen(w);

	if (n == 0 || n >= TN_CTR_NAME_MAX)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!isalnum((unsigned char)w[i]) && w[i] != '_')
			return false;
	return true;
}

/* One header line and its value line; both are modified. */
static int netstat_pair(char *head, char *vals, int lineno, struct tn_counter_list *l,
			struct tn_diag *d)
{
	char *hw[TN_NETSTAT_MAX_FIELDS + 1], *vw[TN_NETSTAT_MAX_FIELDS + 1];
	char g1[TN_CTR_GROUP_MAX], g2[TN_CTR_GROUP_MAX];
	int nh = split_words(head, hw, TN_NETSTAT_MAX_FIELDS + 1);
	int nv = split_words(vals, vw, TN_NETSTAT_MAX_FIELDS + 1);
	int ret;

	if (nh < 0 || nv < 0)
		return tn_diag_error(d, -EINVAL, "line %d: more than %d fields", lineno,
				     TN_NETSTAT_MAX_FIELDS);
	if (nh < 1 || !group_word(hw[0], g1, sizeof(g1)))
		return tn_diag_error(d, -EINVAL, "line %d: expected \"Group: Name...\"", lineno);
	if (nv < 1 || !group_word(vw[0], g2, sizeof(g2)) || strcmp(g1, g2) != 0)
		return tn_diag_error(d, -EINVAL, "line %d: expected the values of %s", lineno + 1,
				     g1);
	if (nh != nv)
		return tn_diag_error(d, -EINVAL, "line %d: %s has %d names but %d values",
				     lineno + 1, g1, nh - 1, nv - 1);
	for (int i = 1; i < nh; i++) {
		uint64_t v;
		int k;

		if (!name_word(hw[i]))
			return tn_diag_error(d, -EINVAL, "line %d, field %d: bad counter name",
					     lineno, i);
		k = dec_value(vw[i], &v);
		if (k < 0)
			return tn_diag_error(d, -EINVAL, "line %d, field %d (%s %s): not a number",
					     lineno + 1, i, g1, hw[i]);
		if (k > 0)
			continue;
		ret = tn_counter_list_add(l, g1, hw[i], v);
		if (ret == -E2BIG)
			return tn_diag_error(d, -EINVAL, "more than %d counters", TN_COUNTERS_MAX);
		if (ret < 0)
			return ret;
	}
	return 0;
}

/* Copy one line (without its newline) of at most max bytes; NULL at the end. */
static const char *next_line(const char *p, char *buf, size_t max, int *toolong)
{
	const char *nl;
	size_t len;

	if (!*p)
		return NULL;
	nl = strchr(p, '\n');
	len = nl ? (size_t)(nl - p) : strlen(p);
	*toolong = len >= max;
	if (!*toolong) {
		memcpy(buf, p, len);
		buf[len] = '\0';
	}
	return p + len + (nl ? 1 : 0);
}

int tn_netstat_parse(const char *text, struct tn_counter_list *l, struct tn_diag *d)
{
	char *a = malloc(TN_NETSTAT_LINE_MAX), *b = malloc(TN_NETSTAT_LINE_MAX);
	int n0 = l->n, lineno = 0, groups = 0, ret = 0, toolong = 0;
	const char *p = text;

	if (!a || !b) {
		ret = -ENOMEM;
		goto out;
	}
	while ((p = next_line(p, a, TN_NETSTAT_LINE_MAX, &toolong))) {
		lineno++;
		if (toolong) {
			ret = tn_diag_error(d, -EINVAL, "line %d: longer than %d bytes", lineno,
					    TN_NETSTAT_LINE_MAX - 1);
			goto out;
		}
		if (strspn(a, " \t") == strlen(a))
			continue;
		if (!(p = next_line(p, b, TN_NETSTAT_LINE_MAX, &toolong)) || toolong) {
			ret = tn_diag_error(d, -EINVAL, "line %d: %s", lineno + 1,
					    p ? "too long" : "a header without its values");
			goto out;
		}
		if (++groups > TN_NETSTAT_MAX_GROUPS) {
			ret = tn_diag_error(d, -EINVAL, "more than %d groups",
					    TN_NETSTAT_MAX_GROUPS);
			goto out;
		}
		if ((ret = netstat_pair(a, b, lineno, l, d)) < 0)
			goto out;
		lineno++;
	}
out:
	if (ret < 0)
		l->n = n0;
	free(a);
	free(b);
	return ret;
}

int tn_snmp6_parse(const char *text, struct tn_counter_list *l, struct tn_diag *d)
{
	static const char *const prefixes[] = { "UdpLite6", "Icmp6", "Udp6", "Ip6" };
	char line[256], *w[3];
	int n0 = l->n, lineno = 0, toolong = 0, ret = 0;
	const char *p = text;

	while ((p = next_line(p, line, sizeof(line), &toolong))) {
		const char *pre = NULL;
		uint64_t v;
		int k;

		lineno++;
		if (toolong) {
			ret = tn_diag_error(d, -EINVAL, "line %d: longer than %zu bytes", lineno,
					    sizeof(line) - 1);
			goto out;
		}
		k = split_words(line, w, 3);
		if (k == 0)
			continue;
		if (k != 2 || !name_word(w[0])) {
			ret = tn_diag_error(d, -EINVAL, "line %d: expected \"Name value\"", lineno);
			goto out;
		}
		for (size_t i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]) && !pre; i++)
			if (strncmp(w[0], prefixes[i], strlen(prefixes[i])) == 0 &&
			    w[0][strlen(prefixes[i])])
				pre = prefixes[i];
		k = dec_value(w[1], &v);
		if (k < 0) {
			ret = tn_diag_error(d, -EINVAL, "line %d (%s): not a number", lineno, w[0]);
			goto out;
		}
		if (!pre || k > 0)
			continue;
		ret = tn_counter_list_add(l, pre, w[0] + strlen(pre), v);
		if (ret == -E2BIG)
			ret = tn_diag_error(d, -EINVAL, "more than %d counters", TN_COUNTERS_MAX);
		if (ret < 0)
			goto out;
	}
out:
	if (ret < 0)
		l->n = n0;
	return ret;
}
