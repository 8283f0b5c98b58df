/* SPDX-License-Identifier: MIT */
/* Parsers of kernel text files. Pure functions over a buffer: no I/O here. */
#ifndef TN_PROCPARSE_H
#define TN_PROCPARSE_H

#include <stddef.h>
#include <stdint.h>

#include "cpuset.h"
#include "procid.h"
#include "state.h"

struct tn_interrupt {
	int irq;
	char name[TN_IRQNAME_MAX];	/* the action list, e.g. "eth0 (queue 0)" */
	uint64_t count;			/* sum over the CPU columns */
};

struct tn_interrupts {
	int n_cpus;			/* CPU columns in the header */
	int n;
	struct tn_interrupt *rows;	/* numeric IRQs only, in file order */
};

/* IRQ rows of /proc/interrupts: the most any kernel has (x86 with NR_CPUS 8192:
 * 64 vectors per CPU) is about 524,000. */
#define TN_INTERRUPTS_MAX (1 << 19)

/*
 * Parse /proc/interrupts (more than TN_INTERRUPTS_MAX rows are refused). Named
 * rows (NMI, LOC, ERR, MIS...) are skipped.
 * Returns 0, -ENOMEM, or -EINVAL with "line N: ..." in err.
 */
int tn_interrupts_parse(const char *text, struct tn_interrupts *out, char *err, size_t errlen);
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
