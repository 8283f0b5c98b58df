/* SPDX-License-Identifier: MIT */
/*
 * CPU masks as sysfs prints them for queues (rx-N/rps_cpus, tx-N/xps_cpus)
 * and net.core.flow_limit_cpu_bitmap: hex digits, most significant first, in
 * comma-separated groups of 32 bits; the first group has only the digits
 * nr_cpu_ids needs ("f" on 4 CPUs, "0000,00000000" on 48). The layout is kept
 * (its width in bits) so that a value written back is the same bytes.
 */
#ifndef TN_HEXMASK_H
#define TN_HEXMASK_H

#include <stdbool.h>
#include <stddef.h>

#include "cpuset.h"

/* Longest mask accepted: TN_CPU_MAX bits, 8 digits and a comma a group. */
#define TN_HEXMASK_MAX (TN_CPU_MAX / 32 * 9)

/*
 * Parse a mask strictly: 1 to 8 hex digits in the first group, exactly 8 in
 * each following one, no sign, no space (trim before). *nbits: the width the
 * layout holds (4 a first-group digit, 32 a following group). 0, or -EINVAL
 * (syntax, with nothing written) or -ERANGE (wider than TN_CPU_MAX).
 */
int tn_hexmask_parse(const char *text, struct tn_cpuset *out, int *nbits);
/* Whether text is a mask tn_hexmask_parse accepts. */
bool tn_hexmask_valid(const char *text);
/*
 * Format s in the layout of width nbits (as parsed), lower-case. Returns 0,
 * -ERANGE when s has a CPU at or above nbits, -ENOSPC when len is too small.
 */
int tn_hexmask_format(const struct tn_cpuset *s, int nbits, char *buf, size_t len);
/* Whether two masks hold the same CPUs (false when either is not a mask). */
bool tn_hexmask_equal(const char *a, const char *b);

#endif
