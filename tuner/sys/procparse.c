/* SPDX-License-Identifier: MIT */
#include "procparse.h"
#include "diag.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *skip_blank(const char *p, const char *end)
{
	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	return p;
}

static const char *token_end(const char *p, const char *end)
{
	while (p < end && *p != ' ' && *p != '\t')
		p++;
	return p;
}

static int count_header_cpus(const char *p, const char *end)
{
	int n = 0;

	for (;;) {
		p = skip_blank(p, end);
		if (p == end)
			return n;
		const char *t = token_end(p, end);

		if (t - p < 4 || strncmp(p, "CPU", 3) != 0)
			return -1;
		for (const char *q = p + 3; q < t; q++)
			if (!isdigit((unsigned char)*q))
				return -1;
		n++;
		p = t;
	}
}

/* Flow handler names the kernel prints after the hwirq number ("1-edge"). */
static bool is_flow_token(const char *p, const char *t)
{
	static const char *const flows[] = { "edge",   "level",	       "fasteoi",  "simple",
					     "percpu", "percpu_devid", "Edge",	   "Level",
					     "none",   "fasteoi_ack",  "edge_irq", "bad",
					     NULL };
	const char *dash = memchr(p, '-', (size_t)(t - p));
	const char *word = p;

	if (dash) {
		for (const char *q = p; q < dash; q++)
			if (!isdigit((unsigned char)*q))
				return false;
		word = dash + 1;
	} else {
		bool digits = p < t;

		for (const char *q = p; q < t; q++)
			if (!isdigit((unsigned char)*q))
				digits = false;
		if (digits)
			return true; /* a bare hwirq number */
	}
	for (int i = 0; flows[i]; i++)
		if ((size_t)(t - word) == strlen(flows[i]) &&
		    strncmp(word, flows[i], (size_t)(t - word)) == 0)
			return true;
	return false;
}

static int cmp_row(const void *a, const void *b)
{
	return ((const struct tn_interrupt *)a)->irq - ((const struct tn_interrupt *)b)->irq;
}

static int parse_row(const char *p, const char *end, int ncpus, struct tn_interrupt *row)
{
	long irq = 0;
	uint64_t sum = 0;
	const char *t;
	size_t n;

	p = skip_blank(p, end);
	if (p == end || !isdigit((unsigned char)*p))
		return -EINVAL;
	while (p < end && isdigit((unsigned char)*p)) {
		irq = irq * 10 + (*p++ - '0');
		if (irq > 1 << 24)
			return -EINVAL;
	}
	if (p == end || *p != ':')
		return -EINVAL;
	p++;
	for (int c = 0; c < ncpus; c++) {
		uint64_t v = 0;

		/* the kernel writes each count as " %10u": a count below ten,
		 * most columns of a row at hundreds of CPUs, in one look */
		if (end - p >= 11 && memcmp(p, "          ", 10) == 0 &&
		    isdigit((unsigned char)p[10]) &&
		    (end - p == 11 || p[11] == ' ' || p[11] == '\t')) {
			sum += (uint64_t)(p[10] - '0');
			p += 11;
			continue;
		}
		/* else its blanks, eight at a time, then one by one */
		while (end - p >= 8 && memcmp(p, "        ", 8) == 0)
			p += 8;
		p = skip_blank(p, end);
		if (p == end || !isdigit((unsigned char)*p))
			return -EINVAL;
		while (p < end && isdigit((unsigned char)*p)) {
			if (v > (UINT64_MAX - 9) / 10)
				return -EINVAL;
			v = v * 10 + (uint64_t)(*p++ - '0');
		}
		if (p < end && *p != ' ' && *p != '\t')
			return -EINVAL;
		sum += v;
	}
	/* chip name, then hwirq and flow tokens, then the actions */
	p = skip_blank(p, end);
	t = token_end(p, end);
	p = skip_blank(t, end);
	while (p < end) {
		t = token_end(p, end);
		if (!is_flow_token(p, t))
			break;
		p = skip_blank(t, end);
	}
	while (end > p && (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\r'))
		end--;
	n = (size_t)(end - p);
	if (n >= TN_IRQNAME_MAX)
		return -E2BIG;
	row->name = malloc(n + 1); /* whole */
	if (!row->name)
		return -ENOMEM;
	memcpy(row->name, p, n);
	row->name[n] = '\0';
	row->irq = (int)irq;
	row->count = sum;
	return 0;
}

uint64_t tn_interrupts_size_max(int n_cpus)
{
	uint64_t per_cpu = (uint64_t)(n_cpus > 0 ? n_cpus : 0) * TN_INTERRUPTS_SIZE_PER_CPU;

	return per_cpu > TN_INTERRUPTS_SIZE_MIN ? per_cpu : TN_INTERRUPTS_SIZE_MIN;
}

void tn_interrupts_begin(struct tn_interrupts_parser *p)
{
	memset(p, 0, sizeof(*p));
}

static int feed_row(struct tn_interrupts_parser *p, const char *line, const char *end,
		    struct tn_diag *d)
{
	struct tn_interrupts *t = &p->t;
	int ret;

	if (t->n == TN_INTERRUPTS_MAX) {
		return tn_diag_error(d, -EINVAL, "line %d: more than %d IRQ rows", p->lineno,
				     TN_INTERRUPTS_MAX);
	}
	if (t->n == p->cap) {
		int ncap = p->cap ? p->cap * 2 : 256;
		struct tn_interrupt *nr = realloc(t->rows, sizeof(*nr) * (size_t)ncap);

		if (!nr)
			return tn_diag_error(d, -ENOMEM, "out of memory");
		t->rows = nr;
		p->cap = ncap;
	}
	ret = parse_row(line, end, t->n_cpus, &t->rows[t->n]);
	if (ret == -ENOMEM)
		return tn_diag_error(d, ret, "out of memory");
	if (ret == -E2BIG)
		return tn_diag_error(d, -EINVAL, "line %d: an IRQ name of more than %d bytes",
				     p->lineno, TN_IRQNAME_MAX - 1);
	if (ret < 0)
		return tn_diag_error(d, ret, "line %d: malformed interrupt row", p->lineno);
	t->n++;
	return 0;
}

int tn_interrupts_feed(struct tn_interrupts_parser *p, const char *line, size_t len,
		       struct tn_diag *d)
{
	const char *end = line + len, *q;
	int ret = 0;

	p->lineno++;
	if (len > TN_INTERRUPTS_LINE_MAX) {
		ret = tn_diag_error(d, -EINVAL, "line %d: longer than %d bytes", p->lineno,
				    TN_INTERRUPTS_LINE_MAX);
	} else if (memchr(line, '\0', len)) {
		ret = tn_diag_error(d, -EINVAL, "line %d: a NUL byte (not a text file)", p->lineno);
	} else if (p->lineno == 1) {
		p->t.n_cpus = count_header_cpus(line, end);
		if (p->t.n_cpus <= 0)
			ret = tn_diag_error(d, -EINVAL, "line 1: expected a header of CPU columns");
	} else if ((q = skip_blank(line, end)) < end && isdigit((unsigned char)*q)) {
		ret = feed_row(p, line, end, d);
	}
	/* Named rows (NMI:, LOC:, ERR: ...) and blank lines are not ours. */
	if (ret < 0)
		tn_interrupts_free(&p->t);
	return ret;
}

int tn_interrupts_end(struct tn_interrupts_parser *p, struct tn_interrupts *out, struct tn_diag *d)
{
	struct tn_interrupts *t = &p->t;

	if (p->lineno == 0)
		return tn_diag_error(d, -EINVAL, "empty file");
	if (t->rows)
		qsort(t->rows, (size_t)t->n, sizeof(*t->rows), cmp_row);
	for (int i = 1; i < t->n; i++) {
		if (t->rows[i].irq == t->rows[i - 1].irq) {
			int ret =
				tn_diag_error(d, -EINVAL, "IRQ %d is listed twice", t->rows[i].irq);

			tn_interrupts_free(t);
			return ret;
		}
	}
	*out = *t;
	memset(t, 0, sizeof(*t));
	return 0;
}

int tn_interrupts_parse(const char *text, struct tn_interrupts *out, struct tn_diag *d)
{
	struct tn_interrupts_parser p;
	const char *s = text;

	tn_interrupts_begin(&p);
	while (*s) {
		const char *eol = strchr(s, '\n');
		size_t len = eol ? (size_t)(eol - s) : strlen(s);
		int ret = tn_interrupts_feed(&p, s, len, d);

		if (ret < 0)
			return ret;
		s += len + (eol ? 1 : 0);
	}
	return tn_interrupts_end(&p, out, d);
}

void tn_interrupts_free(struct tn_interrupts *t)
{
	if (!t)
		return;
	for (int i = 0; i < t->n; i++)
		free(t->rows[i].name);
	free(t->rows);
	t->rows = NULL;
	t->n = 0;
}

const struct tn_interrupt *tn_interrupts_find(const struct tn_interrupts *t, int irq)
{
	int lo = 0, hi = t->n - 1;

	while (lo <= hi) {
		int mid = lo + (hi - lo) / 2;

		if (t->rows[mid].irq == irq)
			return &t->rows[mid];
		if (t->rows[mid].irq < irq)
			lo = mid + 1;
		else
			hi = mid - 1;
	}
	return NULL;
}

int tn_status_field(const char *text, const char *key, char *buf, size_t len)
{
	size_t klen = strlen(key);
	const char *p = text;

	while (p && *p) {
		if (strncmp(p, key, klen) == 0 && p[klen] == ':') {
			const char *v = p + klen + 1, *e;
			size_t n;

			while (*v == ' ' || *v == '\t')
				v++;
			e = strchr(v, '\n');
			if (!e)
				e = v + strlen(v);
			while (e > v && (e[-1] == ' ' || e[-1] == '\t'))
				e--;
			n = (size_t)(e - v);
			if (n >= len)
				return -ENAMETOOLONG;
			memcpy(buf, v, n);
			buf[n] = '\0';
			return 0;
		}
		p = strchr(p, '\n');
		if (p)
			p++;
	}
	return -ENOENT;
}

int tn_stat_start_time(const char *text, uint64_t *out)
{
	/* "PID (COMM) STATE PPID ...": COMM may hold anything, ')' included;
	 * the fields after the last ')' are numbered from 3. */
	const char *p = strrchr(text, ')');
	uint64_t v = 0;

	if (!p)
		return -EINVAL;
	p++;
	for (int field = 3; field <= 22; field++) {
		if (*p != ' ')
			return -EINVAL;
		p++;
		if (field < 22) {
			while (*p && *p != ' ' && *p != '\n')
				p++;
			continue;
		}
		if (*p < '0' || *p > '9')
			return -EINVAL;
		for (; *p >= '0' && *p <= '9'; p++) {
			if (v > (TN_START_TIME_MAX - (uint64_t)(*p - '0')) / 10)
				return -ERANGE;
			v = v * 10 + (uint64_t)(*p - '0');
		}
		if (*p != ' ' && *p != '\n' && *p)
			return -EINVAL;
	}
	*out = v;
	return 0;
}
