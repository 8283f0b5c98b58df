/* SPDX-License-Identifier: MIT */
/*
 * The state directory (0700, default /var/lib/tuner): one journal per apply
 * (ID.journal, 0600, JSON Lines, see journal.h) and a lock. Every file and
 * directory on the way is checked: owned by root or the caller, not writable
 * by others, no symlink.
 */
#ifndef TN_STATEDIR_H
#define TN_STATEDIR_H

#include <stdbool.h>

#include "diag.h"
#include "journal.h"

#define TN_JOURNAL_SUFFIX ".journal"
#define TN_STATE_DIR_DEFAULT "/var/lib/tuner"

/* Open (creating it 0700 if needed) and check the state directory: refused if
 * it is a symlink, not a directory, not owned by us, or writable by others. */
int tn_statedir_open(const char *path, bool create, int *dirfd, struct tn_diag *d);
/* flock the state directory, waiting up to wait_secs (0: do not wait). */
int tn_statedir_lock(int dirfd, const char *path, int wait_secs, struct tn_diag *d);
/* Journal ids, oldest first. */
int tn_journal_list(int dirfd, char ***ids, int *n);
void tn_journal_list_free(char **ids, int n);
/* Read one journal: refused if a symlink, not a regular file, not ours or
 * writable by others, damaged. */
int tn_journal_load(int dirfd, const char *dir, const char *id, struct tn_journal *out,
		    struct tn_diag *d);
/* Read only a journal's header (its first line), with the same checks. */
int tn_journal_load_head(int dirfd, const char *dir, const char *id, struct tn_journal *out,
			 struct tn_diag *d);
/*
 * The order entries of journals ids[0..n) (tn_journal_list's, name order),
 * from their headers: *out is malloc'ed, its ids point into ids. A journal
 * whose header cannot be read (damaged, not ours, ...) gets an entry of
 * unknown boot, which keeps its place by name; loading it says what is wrong.
 */
int tn_journal_heads(int dirfd, const char *dir, char **ids, int n, struct tn_jorder **out);
/* Open a journal for appending (the same checks as loading). */
int tn_journal_open_append(int dirfd, const char *id, int *fd, struct tn_diag *d);

#endif
