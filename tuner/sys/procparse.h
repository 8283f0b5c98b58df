/* SPDX-License-Identifier: MIT */
/* Parsers of kernel text files. Pure functions over a buffer: no I/O here. */
#ifndef TN_PROCPARSE_H
#define TN_PROCPARSE_H

#include <stddef.h>
#include <stdint.h>

#include "cpuset.h"
#include "procid.h"
#include "state.h"

struct tn_diag;

struct tn_interrupt {
	int irq;
	char *name;	/* the action list, e.g. "eth0 (queue 0)";
					 * owned by the table */
	uint64_t count; /* sum over the CPU columns */
};

struct tn_interrupts {
	int n_cpus; /* CPU columns in the header */
	int n;
	struct tn_interrupt *rows; /* numeric IRQs only, in file order */
};

/* IRQ rows of /proc/interrupts: the most any kernel has (x86 with NR_CPUS 8192:
 * 64 vectors per CPU) is about 524,000. */
#define TN_INTERRUPTS_MAX (1 << 19)

/*
 * The largest /proc/interrupts taken: 64 MiB, or 128 KiB per CPU column when
 * that is more (the kernel writes 11 bytes per CPU in each row: 94 MB for 8,256
 * IRQs at 1024 CPUs); tn_interrupts_size_max(n_cpus) says which.
 */
#define TN_INTERRUPTS_SIZE_MIN (64 << 20)
#define TN_INTERRUPTS_SIZE_PER_CPU (128 << 10)
uint64_t tn_interrupts_size_max(int n_cpus);

/* The longest line taken: a row of 8192 CPU columns of 20-digit counts is 172 KB. */
#define TN_INTERRUPTS_LINE_MAX (256 << 10)

/*
 * /proc/interrupts as a stream, one line at a time, so that memory follows the
 * rows kept and not the file (94 MB at 1024 CPUs). More than TN_INTERRUPTS_MAX
 * rows, a line longer than TN_INTERRUPTS_LINE_MAX or holding a NUL byte are
 * refused. Named rows (NMI, LOC, ERR, MIS...) are skipped.
 *
 * feed takes one line without its newline; it and end return 0, -ENOMEM, or
 * -EINVAL with "line N: ..." in d, and free what they held on failure. end
 * sorts the rows, refuses an IRQ listed twice and moves the table to *out.
 * A parser left before its end is freed with tn_interrupts_free(&p->t).
 */
struct tn_interrupts_parser {
	struct tn_interrupts t;
	int lineno;
	int cap;
};

void tn_interrupts_begin(struct tn_interrupts_parser *p);
int tn_interrupts_feed(struct tn_interrupts_parser *p, const char *line, size_t len,
		       struct tn_diag *d);
int tn_interrupts_end(struct tn_interrupts_parser *p, struct tn_interrupts *out, struct tn_diag *d);
/* The same over a whole NUL-terminated text (the fuzzer's and the unit tests' way). */
int tn_interrupts_parse(const char *text, struct tn_interrupts *out, struct tn_diag *d);
void tn_interrupts_free(struct tn_interrupts *t);
/* The row of an IRQ, or NULL. Rows must be sorted (tn_interrupts_parse sorts them). */
const struct tn_interrupt *tn_interrupts_find(const struct tn_interrupts *t, int irq);

/*
 * From /proc/PID/status text: the value of "Key:" (trimmed) into buf.
 * Returns 0 or -ENOENT.
 */
int tn_status_field(const char *text, const char *key, char *buf, size_t len);

/*
 * From /proc/PID/stat (or /proc/PID/task/TID/stat) text: the start time,
 * field 22, in clock ticks after boot. Returns 0, -EINVAL (not a stat line)
 * or -ERANGE (above TN_START_TIME_MAX).
 */
int tn_stat_start_time(const char *text, uint64_t *out);

#endif
