/* SPDX-License-Identifier: MIT */
/*
 * Which process a change is about. A PID alone names whatever process holds
 * that number now: after a process exits its PID is given to the next one. A
 * process is identified by its PID and its start time (field 22 of
 * /proc/PID/stat, clock ticks after boot), a thread by its TID and its own
 * start time. Change targets carry them as text:
 *
 *   "PID@START"                  a process (plan records)
 *   "PID@START/TID@TSTART"       one of its threads (journal records)
 *
 * "PID" and "PID/TID", the forms of journals written before start times were
 * recorded, parse with has_start false: such a target identifies nothing.
 */
#ifndef TN_PROCID_H
#define TN_PROCID_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Start times are below 2^53 (JSON numbers hold them exactly; at the kernel's
 * 100 ticks a second that is 2.8 million years of uptime). */
#define TN_START_TIME_MAX ((UINT64_C(1) << 53) - 1)

struct tn_procid {
	int pid;
	bool has_start;
	uint64_t start;
	int tid; /* 0: the process as a whole */
	bool has_tstart;
	uint64_t tstart;
};

/* Returns 0, or -EINVAL when t is not one of the forms above (numbers are
 * decimal without sign or leading zeros, PIDs and TIDs 1 to INT_MAX). */
int tn_procid_parse(const char *t, struct tn_procid *out);
/* The target text of id; 0 or -ENAMETOOLONG. */
int tn_procid_format(const struct tn_procid *id, char *buf, size_t len);

#endif
