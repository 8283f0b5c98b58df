/* SPDX-License-Identifier: MIT */
/*
 * Small helpers every layer uses: a qsort comparator and the text of a CPU
 * set or of a count that may be unknown, the same in every command.
 */
#ifndef TN_UTIL_H
#define TN_UTIL_H

#include <stddef.h>
#include <stdint.h>

#include "cpuset.h"

/* qsort/bsearch comparator of two ints (no overflow: INT_MIN sorts first). */
int tn_util_cmp_int(const void *a, const void *b);

/* A CPU or node set as a list, "0-3,8"; "none" when empty. A buffer of
 * TN_CPULIST_MAX bytes holds any set whole. Returns buf. */
const char *tn_util_fmt_cpuset(const struct tn_cpuset *s, char *buf, size_t len);

/*
 * A count as decimal text, or 'unknown' when v is TN_UNKNOWN (-1). Commands
 * spell the unknown differently today: show's ring and channel counts say "?",
 * diagnose's knob values say "unknown" (the better word: show says "rings:
 * unknown" and "CPUs unknown" elsewhere); each passes its own spelling so that
 * its output stays as it is. Returns buf.
 */
const char *tn_util_fmt_count(int64_t v, const char *unknown, char *buf, size_t len);

#endif
