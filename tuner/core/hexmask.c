/* SPDX-License-Identifier: MIT */
#include "hexmask.h"

#include <errno.h>
#include <stdint.h>
#include <string.h>

static int hexdigit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int tn_hexmask_parse(const char *text, struct tn_cpuset *out, int *nbits)
{
	size_t len = strnlen(text, TN_HEXMASK_MAX + 1), first, groups;
	struct tn_cpuset s;
	int bit = 0;

	if (len == 0)
		return -EINVAL;
	if (len > TN_HEXMASK_MAX)
		return -ERANGE;
	first = strcspn(text, ",");
	if (first == 0 || first > 8 || (len - first) % 9 != 0)
		return -EINVAL;
	groups = 1 + (len - first) / 9;
	for (size_t g = 1; g < groups; g++)
		if (text[first + (g - 1) * 9] != ',')
			return -EINVAL;
	if ((groups - 1) * 32 + first * 4 > TN_CPU_MAX)
		return -ERANGE;
	tn_cpuset_zero(&s);
	/* from the least significant digit */
	for (size_t i = len; i-- > 0;) {
		int v;

		if (i >= first && (i - first) % 9 == 0)
			continue; /* a separator, checked above */
		v = hexdigit(text[i]);
		if (v < 0)
			return -EINVAL;
		for (int k = 0; k < 4; k++)
			if (v & (1 << k))
				tn_cpuset_set(&s, bit + k);
		bit += 4;
	}
	*out = s;
	*nbits = bit;
	return 0;
}

bool tn_hexmask_valid(const char *text)
{
	struct tn_cpuset s;
	int n;

	return tn_hexmask_parse(text, &s, &n) == 0;
}

int tn_hexmask_format(const struct tn_cpuset *s, int nbits, char *buf, size_t len)
{
	static const char digits[] = "0123456789abcdef";
	int last = tn_cpuset_last(s), ndig, first;
	size_t need, p = 0;

	if (nbits <= 0 || nbits % 4 || nbits > TN_CPU_MAX)
		return -EINVAL;
	if (last >= nbits)
		return -ERANGE;
	ndig = nbits / 4;
	first = ndig % 8 ? ndig % 8 : 8;
	need = (size_t)ndig + (size_t)(ndig - first) / 8 + 1;
	if (need > len)
		return -ENOSPC;
	for (int d = ndig - 1; d >= 0; d--) {
		int v = 0;

		for (int k = 0; k < 4; k++)
			if (tn_cpuset_test(s, d * 4 + k))
				v |= 1 << k;
		buf[p++] = digits[v];
		if (d && d % 8 == 0)
			buf[p++] = ',';
	}
	buf[p] = '\0';
	return 0;
}

bool tn_hexmask_equal(const char *a, const char *b)
{
	struct tn_cpuset x, y;
	int n;

	if (strcmp(a, b) == 0) /* the usual case: one parse says whether it is a mask */
		return tn_hexmask_parse(a, &x, &n) == 0;
	return tn_hexmask_parse(a, &x, &n) == 0 && tn_hexmask_parse(b, &y, &n) == 0 &&
	       tn_cpuset_equal(&x, &y);
}
