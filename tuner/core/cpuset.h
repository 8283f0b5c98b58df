/* SPDX-License-Identifier: MIT */
/* CPU sets: fixed-size bitmaps, parsed from and formatted as kernel CPU lists and masks. */
#ifndef TN_CPUSET_H
#define TN_CPUSET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Debian's kernels are built with NR_CPUS=8192. */
#define TN_CPU_MAX 8192
#define TN_CPUSET_WORDS (TN_CPU_MAX / 64)

struct tn_cpuset {
	uint64_t w[TN_CPUSET_WORDS];
};

void tn_cpuset_zero(struct tn_cpuset *s);
/* Returns 0, or -ERANGE when cpu is outside [0, TN_CPU_MAX). */
int tn_cpuset_set(struct tn_cpuset *s, int cpu);
void tn_cpuset_clear(struct tn_cpuset *s, int cpu);
bool tn_cpuset_test(const struct tn_cpuset *s, int cpu);
int tn_cpuset_count(const struct tn_cpuset *s);
bool tn_cpuset_empty(const struct tn_cpuset *s);
bool tn_cpuset_equal(const struct tn_cpuset *a, const struct tn_cpuset *b);
bool tn_cpuset_intersects(const struct tn_cpuset *a, const struct tn_cpuset *b);
/* a is a subset of b */
bool tn_cpuset_subset(const struct tn_cpuset *a, const struct tn_cpuset *b);
void tn_cpuset_or(struct tn_cpuset *dst, const struct tn_cpuset *src);
void tn_cpuset_and(struct tn_cpuset *dst, const struct tn_cpuset *src);
void tn_cpuset_andnot(struct tn_cpuset *dst, const struct tn_cpuset *src);
/* First set CPU at or after 'from', or -1. */
int tn_cpuset_next(const struct tn_cpuset *s, int from);
/* Highest set CPU, or -1. */
int tn_cpuset_last(const struct tn_cpuset *s);

#define tn_cpuset_foreach(cpu, s) \
	for ((cpu) = tn_cpuset_next((s), 0); (cpu) >= 0; (cpu) = tn_cpuset_next((s), (cpu) + 1))

/*
 * Parse a CPU list ("0-3,8,10-11", "" is empty, whitespace around is ignored,
 * "0-15:2" strides are accepted as the kernel does). On error returns -EINVAL
 * (syntax) or -ERANGE (CPU >= TN_CPU_MAX) and leaves *out untouched.
 */
int tn_cpuset_parse_list(const char *text, struct tn_cpuset *out);
/*
 * Parse a hex mask as in /proc/irq/N/smp_affinity or Cpus_allowed: comma-
 * separated 32-bit groups, most significant first ("ffffffff,00000001").
 */
int tn_cpuset_parse_mask(const char *text, struct tn_cpuset *out);
/*
 * Format as a compact list ("0-3,8"); writes "" for an empty set. Returns the
 * length the full text needs (like snprintf); the output is truncated to len.
 */
size_t tn_cpuset_format_list(const struct tn_cpuset *s, char *buf, size_t len);
/* Format as a kernel mask (comma-separated 32-bit hex groups), at least one group,
 * covering at least ncpus CPUs. Same return convention as tn_cpuset_format_list. */
size_t tn_cpuset_format_mask(const struct tn_cpuset *s, int ncpus, char *buf, size_t len);

/*
 * Enough for any list of CPUs below TN_CPU_MAX, NUL included. Each item of a
 * list is followed by at least one absent CPU: a single CPU ("8190,") takes at
 * most 5 characters for 2 CPU numbers, a range ("8187-8188,") at most 10 for
 * 3; so a list takes at most 10/3 characters per CPU number, 27307 for 8192
 * (pairs with gaps, "0-1,3-4,...", come close: 26568). Checked by test_cpuset.
 */
#define TN_CPULIST_MAX (TN_CPU_MAX * 4)

/*
 * A CPU set kept by the thousand (an IRQ's affinity): only the words up to its
 * highest CPU, on the heap: 24 bytes for CPUs below 192, where a tn_cpuset
 * takes 1 KiB. All zero ({ 0, NULL }) is the empty set; tn_cpus_free
 * accepts it (and NULL). Functions taking a tn_cpuset work on a copy from
 * tn_cpus_get.
 */
struct tn_cpus {
	int nw;	     /* words in w */
	uint64_t *w; /* NULL when nw is 0 */
};

/* dst becomes src (its old words freed); 0, or -ENOMEM with dst untouched. */
int tn_cpus_assign(struct tn_cpus *dst, const struct tn_cpuset *src);
/* Parse a CPU list as tn_cpuset_parse_list into dst (0, -EINVAL, -ERANGE, -ENOMEM). */
int tn_cpus_parse_list(const char *text, struct tn_cpus *dst);
void tn_cpus_get(const struct tn_cpus *src, struct tn_cpuset *out);
bool tn_cpus_equal(const struct tn_cpus *a, const struct tn_cpuset *b);
bool tn_cpus_empty(const struct tn_cpus *s);
/* dst |= src */
void tn_cpus_or_into(struct tn_cpuset *dst, const struct tn_cpus *src);
void tn_cpus_free(struct tn_cpus *s);

/* The list in a malloc'ed string (as tn_cpuset_format_list), NULL on out-of-memory. */
char *tn_cpuset_list_alloc(const struct tn_cpuset *s);

#endif
