/* SPDX-License-Identifier: MIT */
#include "procid.h"

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>

/* A decimal number at *p no greater than max, without sign or leading zero. */
static int number(const char **p, uint64_t max, uint64_t *out)
{
	const char *s = *p;
	uint64_t v = 0;

	if (*s < '0' || *s > '9' || (s[0] == '0' && s[1] >= '0' && s[1] <= '9'))
		return -EINVAL;
	for (; *s >= '0' && *s <= '9'; s++) {
		if (v > (max - (uint64_t)(*s - '0')) / 10)
			return -EINVAL;
		v = v * 10 + (uint64_t)(*s - '0');
	}
	*p = s;
	*out = v;
	return 0;
}

/* "N" or "N@START" */
static int part(const char **p, int *id, bool *has_start, uint64_t *start)
{
	uint64_t v;

	if (number(p, INT_MAX, &v) < 0 || v == 0)
		return -EINVAL;
	*id = (int)v;
	*has_start = false;
	*start = 0;
	if (**p != '@')
		return 0;
	(*p)++;
	if (number(p, TN_START_TIME_MAX, start) < 0)
		return -EINVAL;
	*has_start = true;
	return 0;
}

int tn_procid_parse(const char *t, struct tn_procid *out)
{
	struct tn_procid id = { 0 };
	const char *p = t;

	if (part(&p, &id.pid, &id.has_start, &id.start) < 0)
		return -EINVAL;
	if (*p == '/') {
		p++;
		if (part(&p, &id.tid, &id.has_tstart, &id.tstart) < 0)
			return -EINVAL;
		/* a thread's start time without its process's says nothing */
		if (id.has_tstart && !id.has_start)
			return -EINVAL;
	}
	if (*p)
		return -EINVAL;
	*out = id;
	return 0;
}

int tn_procid_format(const struct tn_procid *id, char *buf, size_t len)
{
	char start[24] = "", tid[16] = "", tstart[24] = "";
	int k;

	if (id->has_start)
		snprintf(start, sizeof(start), "@%" PRIu64, id->start);
	if (id->tid > 0)
		snprintf(tid, sizeof(tid), "/%d", id->tid);
	if (id->tid > 0 && id->has_tstart)
		snprintf(tstart, sizeof(tstart), "@%" PRIu64, id->tstart);
	k = snprintf(buf, len, "%d%s%s%s", id->pid, start, tid, tstart);
	return k < 0 || (size_t)k >= len ? -ENAMETOOLONG : 0;
}
