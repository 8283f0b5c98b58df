/* SPDX-License-Identifier: MIT */
/* Processes and their threads, read from the sysroot's /proc. */
#ifndef TN_PROCESS_H
#define TN_PROCESS_H

#include "diag.h"
#include "procmatch.h"
#include "state.h"
#include "sysroot.h"

/*
 * Walk /proc once: record irqbalance (and what it is told to leave alone) in
 * s->irqbalance, and every process matching any selector, with its threads'
 * affinity, in s->processes. Processes that exit meanwhile are skipped.
 */
int tn_process_scan(const struct tn_sysroot *root, const struct tn_procsel *sels, int n_sels,
		    struct tn_state *s, struct tn_diag *d);
/* s's processes found again (tn_process_scan), sorted; irqbalance too when
 * s does not have it running (the scan records it once). */
int tn_process_rescan(const struct tn_sysroot *root, const struct tn_procsel *sels, int n_sels,
		      struct tn_state *s, struct tn_diag *d);
/* Read one process (comm, cmdline, cgroup, threads). -ESRCH when it is gone. */
int tn_process_read(const struct tn_sysroot *root, int pid, struct tn_process *out);

#endif
