/* SPDX-License-Identifier: MIT */
#include "util.h"

#include <inttypes.h>
#include <stdio.h>

#include "state.h"

int tn_util_cmp_int(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;

	return (x > y) - (x < y);
}

const char *tn_util_fmt_cpuset(const struct tn_cpuset *s, char *buf, size_t len)
{
	tn_cpuset_format_list(s, buf, len);
	if (!buf[0])
		snprintf(buf, len, "none");
	return buf;
}

const char *tn_util_fmt_count(int64_t v, const char *unknown, char *buf, size_t len)
{
	if (v == TN_UNKNOWN)
		snprintf(buf, len, "%s", unknown);
	else
		snprintf(buf, len, "%" PRId64, v);
	return buf;
}
