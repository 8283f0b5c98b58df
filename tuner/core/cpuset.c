/* SPDX-License-Identifier: MIT */
#include "cpuset.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void tn_cpuset_zero(struct tn_cpuset *s)
{
	memset(s, 0, sizeof(*s));
}

int tn_cpuset_set(struct tn_cpuset *s, int cpu)
{
	if (cpu < 0 || cpu >= TN_CPU_MAX)
		return -ERANGE;
	s->w[cpu / 64] |= UINT64_C(1) << (cpu % 64);
	return 0;
}

void tn_cpuset_clear(struct tn_cpuset *s, int cpu)
{
	if (cpu >= 0 && cpu < TN_CPU_MAX)
		s->w[cpu / 64] &= ~(UINT64_C(1) << (cpu % 64));
}

bool tn_cpuset_test(const struct tn_cpuset *s, int cpu)
{
	if (cpu < 0 || cpu >= TN_CPU_MAX)
		return false;
	return (s->w[cpu / 64] >> (cpu % 64)) & 1;
}

int tn_cpuset_count(const struct tn_cpuset *s)
{
	int n = 0;

	for (int i = 0; i < TN_CPUSET_WORDS; i++)
		n += __builtin_popcountll(s->w[i]);
	return n;
}

bool tn_cpuset_empty(const struct tn_cpuset *s)
{
	for (int i = 0; i < TN_CPUSET_WORDS; i++)
		if (s->w[i])
			return false;
	return true;
}

bool tn_cpuset_equal(const struct tn_cpuset *a, const struct tn_cpuset *b)
{
	return memcmp(a->w, b->w, sizeof(a->w)) == 0;
}

bool tn_cpuset_intersects(const struct tn_cpuset *a, const struct tn_cpuset *b)
{
	for (int i = 0; i < TN_CPUSET_WORDS; i++)
		if (a->w[i] & b->w[i])
			return true;
	return false;
}

bool tn_cpuset_subset(const struct tn_cpuset *a, const struct tn_cpuset *b)
{
	for (int i = 0; i < TN_CPUSET_WORDS; i++)
		if (a->w[i] & ~b->w[i])
			return false;
	return true;
}

void tn_cpuset_or(struct tn_cpuset *dst, const struct tn_cpuset *src)
{
	for (int i = 0; i < TN_CPUSET_WORDS; i++)
		dst->w[i] |= src->w[i];
}

void tn_cpuset_and(struct tn_cpuset *dst, const struct tn_cpuset *src)
{
	for (int i = 0; i < TN_CPUSET_WORDS; i++)
		dst->w[i] &= src->w[i];
}

void tn_cpuset_andnot(struct tn_cpuset *dst, const struct tn_cpuset *src)
{
	for (int i = 0; i < TN_CPUSET_WORDS; i++)
		dst->w[i] &= ~src->w[i];
}

int tn_cpuset_next(const struct tn_cpuset *s, int from)
{
	int i;
	uint64_t w;

	if (from < 0)
		from = 0;
	if (from >= TN_CPU_MAX)
		return -1;
	i = from / 64;
	w = s->w[i] & (~UINT64_C(0) << (from % 64));
	while (!w) {
		/* the planner asks sets of a few CPUs in 128 words: skip zeros 4 words at a time */
		for (i++; i + 4 <= TN_CPUSET_WORDS; i += 4)
			if (s->w[i] | s->w[i + 1] | s->w[i + 2] | s->w[i + 3])
				break;
		if (i >= TN_CPUSET_WORDS)
			return -1;
		w = s->w[i]; /* zero when the set word is in the block's rest, or in the tail */
	}
	return i * 64 + __builtin_ctzll(w);
}

int tn_cpuset_last(const struct tn_cpuset *s)
{
	for (int i = TN_CPUSET_WORDS - 1; i >= 0; i--)
		if (s->w[i])
			return i * 64 + 63 - __builtin_clzll(s->w[i]);
	return -1;
}

static int parse_cpu_number(const char **p, int *out)
{
	const char *s = *p;
	long v = 0;

	if (!isdigit((unsigned char)*s))
		return -EINVAL;
	while (isdigit((unsigned char)*s)) {
		v = v * 10 + (*s - '0');
		if (v >= TN_CPU_MAX)
			return -ERANGE;
		s++;
	}
	*p = s;
	*out = (int)v;
	return 0;
}

static const char *skip_space(const char *s)
{
	while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')
		s++;
	return s;
}

/* CPUs lo..hi, both below TN_CPU_MAX, a word at a time. */
static void set_range(struct tn_cpuset *s, int lo, int hi)
{
	for (int i = lo / 64; i <= hi / 64; i++) {
		uint64_t m = ~UINT64_C(0);

		if (i == lo / 64)
			m &= ~UINT64_C(0) << (lo % 64);
		if (i == hi / 64)
			m &= ~UINT64_C(0) >> (63 - hi % 64);
		s->w[i] |= m;
	}
}

int tn_cpuset_parse_list(const char *text, struct tn_cpuset *out)
{
	struct tn_cpuset s;
	const char *p = skip_space(text);
	int r;

	tn_cpuset_zero(&s);
	if (*p == '\0') {
		*out = s;
		return 0;
	}
	for (;;) {
		int lo, hi, stride = 1;

		r = parse_cpu_number(&p, &lo);
		if (r < 0)
			return r;
		hi = lo;
		if (*p == '-') {
			p++;
			r = parse_cpu_number(&p, &hi);
			if (r < 0)
				return r;
			if (hi < lo)
				return -EINVAL;
			if (*p == ':') {
				p++;
				r = parse_cpu_number(&p, &stride);
				if (r < 0)
					return r;
				if (stride == 0)
					return -EINVAL;
			}
		}
		if (stride == 1)
			set_range(&s, lo, hi);
		else
			for (int c = lo; c <= hi; c += stride)
				tn_cpuset_set(&s, c);
		if (*p == ',') {
			p++;
			continue;
		}
		p = skip_space(p);
		if (*p != '\0')
			return -EINVAL;
		break;
	}
	*out = s;
	return 0;
}

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = tolower(c);
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

int tn_cpuset_parse_mask(const char *text, struct tn_cpuset *out)
{
	struct tn_cpuset s;
	const char *start = skip_space(text);
	const char *end = start + strlen(start);
	int bit = 0, ndigits = 0;

	while (end > start &&
	       (end[-1] == '\n' || end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\r'))
		end--;
	if (end == start)
		return -EINVAL;
	tn_cpuset_zero(&s);
	/* Walk from the least significant digit; each comma closes a 32-bit group. */
	for (const char *p = end; p > start; p--) {
		int c = p[-1];

		if (c == ',') {
			if (ndigits == 0 || ndigits > 8)
				return -EINVAL;
			bit = ((bit + 31) / 32) * 32;
			ndigits = 0;
			continue;
		}
		int v = hexval(c);

		if (v < 0)
			return -EINVAL;
		for (int i = 0; i < 4; i++, bit++) {
			if (!(v & (1 << i)))
				continue;
			if (bit >= TN_CPU_MAX)
				return -ERANGE;
			tn_cpuset_set(&s, bit);
		}
		ndigits++;
	}
	if (ndigits == 0 || ndigits > 8)
		return -EINVAL;
	*out = s;
	return 0;
}

/* First CPU at or after 'from' that is not in the set; TN_CPU_MAX when none. */
static int next_clear(const struct tn_cpuset *s, int from)
{
	for (int i = from / 64; i < TN_CPUSET_WORDS; i++) {
		uint64_t w = ~s->w[i];

		if (i == from / 64)
			w &= ~UINT64_C(0) << (from % 64);
		if (w)
			return i * 64 + __builtin_ctzll(w);
	}
	return TN_CPU_MAX;
}

/* Decimal digits of v (>= 0) at p; returns their count. */
static size_t put_int(char *p, int v)
{
	char tmp[12];
	size_t n = 0;

	do {
		tmp[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	for (size_t i = 0; i < n; i++)
		p[i] = tmp[n - 1 - i];
	return n;
}

size_t tn_cpuset_format_list(const struct tn_cpuset *s, char *buf, size_t len)
{
	size_t n = 0;
	int cpu = tn_cpuset_next(s, 0);

	if (len)
		buf[0] = '\0';
	while (cpu >= 0) {
		int end = next_clear(s, cpu) - 1;
		char tmp[32];
		size_t k = 0;

		if (n)
			tmp[k++] = ',';
		k += put_int(tmp + k, cpu);
		if (end != cpu) {
			tmp[k++] = '-';
			k += put_int(tmp + k, end);
		}
		/* only whole items: a cut list would name other CPUs */
		if (n + k < len) {
			memcpy(buf + n, tmp, k);
			buf[n + k] = '\0';
		}
		n += k;
		cpu = end + 1 < TN_CPU_MAX ? tn_cpuset_next(s, end + 1) : -1;
	}
	return n;
}

char *tn_cpuset_list_alloc(const struct tn_cpuset *s)
{
	size_t n = tn_cpuset_format_list(s, NULL, 0);
	char *buf = malloc(n + 1);

	if (buf)
		tn_cpuset_format_list(s, buf, n + 1);
	return buf;
}

size_t tn_cpuset_format_mask(const struct tn_cpuset *s, int ncpus, char *buf, size_t len)
{
	int last = tn_cpuset_last(s);
	int top = last + 1 > ncpus ? last + 1 : ncpus;
	int groups = top > 0 ? (top + 31) / 32 : 1;
	size_t n = 0;

	if (len)
		buf[0] = '\0';
	for (int g = groups - 1; g >= 0; g--) {
		uint32_t v = (uint32_t)(s->w[g / 2] >> ((g % 2) * 32));
		char tmp[16];
		int k = snprintf(tmp, sizeof(tmp), "%s%08x", n ? "," : "", v);

		if (n + (size_t)k < len)
			memcpy(buf + n, tmp, (size_t)k + 1);
		n += (size_t)k;
	}
	return n;
}

int tn_cpus_assign(struct tn_cpus *dst, const struct tn_cpuset *src)
{
	int last = tn_cpuset_last(src), nw = last < 0 ? 0 : last / 64 + 1;
	uint64_t *w = NULL;

	if (nw > 0) {
		w = malloc(sizeof(*w) * (size_t)nw);
		if (!w)
			return -ENOMEM;
		memcpy(w, src->w, sizeof(*w) * (size_t)nw);
	}
	free(dst->w);
	dst->w = w;
	dst->nw = nw;
	return 0;
}

int tn_cpus_parse_list(const char *text, struct tn_cpus *dst)
{
	struct tn_cpuset s;
	int ret = tn_cpuset_parse_list(text, &s);

	return ret < 0 ? ret : tn_cpus_assign(dst, &s);
}

void tn_cpus_get(const struct tn_cpus *src, struct tn_cpuset *out)
{
	tn_cpuset_zero(out);
	if (src->nw > 0)
		memcpy(out->w, src->w, sizeof(*src->w) * (size_t)src->nw);
}

bool tn_cpus_equal(const struct tn_cpus *a, const struct tn_cpuset *b)
{
	/* a's words are those up to its highest CPU: b must have none above */
	if (a->nw > 0 && memcmp(a->w, b->w, sizeof(*a->w) * (size_t)a->nw) != 0)
		return false;
	for (int i = a->nw; i < TN_CPUSET_WORDS; i++)
		if (b->w[i])
			return false;
	return true;
}

bool tn_cpus_empty(const struct tn_cpus *s)
{
	for (int i = 0; i < s->nw; i++)
		if (s->w[i])
			return false;
	return true;
}

void tn_cpus_or_into(struct tn_cpuset *dst, const struct tn_cpus *src)
{
	for (int i = 0; i < src->nw; i++)
		dst->w[i] |= src->w[i];
}

void tn_cpus_free(struct tn_cpus *s)
{
	if (!s)
		return;
	free(s->w);
	s->w = NULL;
	s->nw = 0;
}
