/* SPDX-License-Identifier: MIT */
/*
 * Reading and writing the live value a change record names, on the host or in
 * a sysroot tree, through each kind's entry (kind_sys.h): the writers of apply and rollback, the readers of apply's
 * re-read, readback and verify. Values are in the planner's forms (CPU lists
 * canonical, sysctl whitespace folded).
 */
#ifndef TN_LIVE_H
#define TN_LIVE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "diag.h"
#include "plan.h"
#include "sysroot.h"

struct tn_live;

int tn_live_open(const struct tn_sysroot *root, struct tn_live **out);
void tn_live_close(struct tn_live *l);

/*
 * The current value, whole, in a malloc'ed string the caller frees (*out
 * untouched on failure). -ESRCH: the process or thread is gone; -ENOENT: the
 * IRQ or sysctl is gone; -EOPNOTSUPP: not readable here (rings under a
 * sysroot). The kernel's own words, where there are some, go to d (its error).
 */
int tn_live_read(struct tn_live *l, const struct tn_change *c, char **out, struct tn_diag *d);
/* The same, without the identity check of a process change (tn_live_check):
 * for a value read right after that check or a write that made it. */
int tn_live_readback(struct tn_live *l, const struct tn_change *c, char **out, struct tn_diag *d);
/* Write value. -EIO/-EPERM on an IRQ: kernel-managed. A process change is
 * checked first (tn_live_check): -ESRCH when the pid is another process now. */
int tn_live_write(struct tn_live *l, const struct tn_change *c, const char *value,
		  struct tn_diag *d);
/*
 * For a process change: 0 when the pid in c->target is still the process
 * recorded there (start time, and comm when c->label has one); -ESRCH when it
 * exited or is another process now, with d saying which. Reads and writes of
 * process changes make this check themselves; 0 for other kinds.
 */
int tn_live_check(struct tn_live *l, const struct tn_change *c, struct tn_diag *d);
/* The start time of thread tid of pid (field 22 of its stat); -ESRCH when gone. */
int tn_live_thread_start(struct tn_live *l, int pid, int tid, uint64_t *start);
/* The threads of a process now (sorted tids); -ESRCH when it is gone. */
int tn_live_threads(struct tn_live *l, int pid, int **tids, int *n);

#endif
