/* SPDX-License-Identifier: MIT */
/*
 * The apply journal: JSON Lines, one object per line, appended as the apply
 * goes. A header, then for each change a "pending" record written and synced
 * before the kernel is touched, then status records; rollbacks append theirs.
 * The last status of a change is its state. This file is the pure part:
 * encoding and decoding lines.
 */
#ifndef TN_JOURNAL_H
#define TN_JOURNAL_H

#include <stdbool.h>
#include <stdint.h>

#include "diag.h"
#include "plan.h"

enum tn_jstatus {
	TN_J_PENDING, /* recorded; the kernel may or may not have it */
	TN_J_APPLIED,
	TN_J_FAILED,
	TN_J_SKIPPED, /* kernel-managed IRQ, thread gone, ... */
	TN_J_ROLLED_BACK,
	TN_J_LEFT, /* rollback left it: changed by someone since */
	TN_J_STATUS_COUNT,
};

struct tn_jentry {
	int seq;
	struct tn_change c;
	enum tn_jstatus status;
	char *error; /* its last status's words, malloc'ed, whole; NULL: none */
};

/* The longest error a status record may hold (tuner writes at most ~1.2 KB). */
#define TN_JOURNAL_ERROR_MAX 4096
/* e->error becomes a copy of err (NULL or "": none); -ENOMEM leaves none. */
int tn_jentry_set_error(struct tn_jentry *e, const char *err);

struct tn_journal {
	char id[64];
	char time[32];
	char boot_id[64];
	char profile[128];
	char digest[17];
	char sysroot[TN_PATH_MAX]; /* as long as any --sysroot: a cut one never matches */
	int64_t boottime_us;	   /* CLOCK_BOOTTIME at its start; TN_JOURNAL_NO_BOOTTIME: not
				 * recorded (a journal of an older tuner) */
	int n;
	struct tn_jentry *e;
	char end[32]; /* last "end" record: "applied", "partial", "failed",
				 * "rolled back", "nothing"; "" = interrupted */
};

/* boottime_us of a journal that does not record it. The largest recorded one
 * is 2^53 - 1 (285 years of uptime): a JSON number holds it exactly. */
#define TN_JOURNAL_NO_BOOTTIME (-1)
#define TN_JOURNAL_BOOTTIME_MAX ((INT64_C(1) << 53) - 1)

const char *tn_jstatus_name(enum tn_jstatus s);

/* Lines (malloc'ed, newline-terminated), or NULL on out-of-memory. */
char *tn_journal_header_line(const struct tn_journal *j);
char *tn_journal_change_line(int seq, const struct tn_change *c);
char *tn_journal_status_line(int seq, enum tn_jstatus s, const char *error);
char *tn_journal_end_line(const char *status);

/* A journal line is at most this long (a change of two lists of 8192 CPUs takes
 * 60 KB): a longer one is refused before cJSON makes a tree of it. */
#define TN_JOURNAL_LINE_MAX (1 << 20)

/*
 * Parse a whole journal. A line that is not complete JSON (a truncated last
 * line included), a record of an unknown kind, a change whose target could
 * name a path (a sysctl with '/' or '..', a non-numeric IRQ or pid) or whose
 * key or values are not of its kind (tn_journal_check_change) are all refused
 * with "FILE:LINE: ..." and nothing is returned.
 */
int tn_journal_parse(const char *text, const char *file, struct tn_journal *out, struct tn_diag *d);
/*
 * Whether a change may be recorded and restored: a target that names no path
 * outside its kind's files, the key of its kind, and before and after values
 * of its kind's form: CPU lists (IRQs, threads), node lists (memory), one or
 * three integers (the sysctls tuner knows; words of [A-Za-z0-9_.:,+-] for
 * others), sizes (rings, channels), "running"/"stopped" or an IRQ list
 * (irqbalance). Returns 0, or -EINVAL with the reason in why.
 */
int tn_journal_check_change(const struct tn_change *c, char *why, size_t len);
/*
 * Parse only the header (the first line) of a journal's beginning: id,
 * boot_id, boottime_us and the rest, checked as tn_journal_parse checks them;
 * out->n is 0. The line must be whole (ending in a newline).
 */
int tn_journal_parse_head(const char *text, const char *file, struct tn_journal *out,
			  struct tn_diag *d);
void tn_journal_free(struct tn_journal *j);
/* The changes it records, held IRQs (tn_change_is_held) left out. */
int tn_journal_changes(const struct tn_journal *j);

/*
 * The order of journals. A journal's name is made from the wall clock, which
 * can step back within a boot (NTP, date -s, a resumed VM); CLOCK_BOOTTIME
 * does not. One entry per journal file; boot_id "" and boottime_us
 * TN_JOURNAL_NO_BOOTTIME when its header does not say (an older journal, or
 * one whose header could not be read).
 */
struct tn_jorder {
	const char *id;
	char boot_id[64];
	int64_t boottime_us;
	bool unreadable; /* its header could not be read: its place is unknown */
};

/*
 * v is sorted by id (name order, oldest first). Journals of one boot that
 * record their boottime are put in boottime order, in the places they hold in
 * name order; every other journal keeps its place. With no clock step, name
 * order and boottime order agree and nothing moves.
 */
int tn_journal_order(struct tn_jorder *v, int n);
/*
 * The journal 'rollback --last' undoes, an index into v (sorted by id): among
 * the journals of boot 'boot_id' (not ""), the one with the highest boottime
 * (those that record none come before those that do, in name order); with no
 * journal of this boot, the last by name. -1 when n is 0. A journal whose
 * header could not be read and that is named after the one picked may be the
 * newest: the caller refuses to guess past it (tn_journal_unreadable_after).
 */
int tn_journal_pick_last(const struct tn_jorder *v, int n, const char *boot_id);
/* The first journal after index 'pick' (in name order) whose header could not
 * be read, or -1. */
int tn_journal_unreadable_after(const struct tn_jorder *v, int n, int pick);

/* The apply's status as history shows it. */
const char *tn_journal_state(const struct tn_journal *j);

#endif
