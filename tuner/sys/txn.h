/* SPDX-License-Identifier: MIT */
/*
 * Apply as a transaction. A state directory (0700) holds one journal per apply
 * (0600, JSON Lines, see journal.h) and a lock. Each batch of changes is
 * recorded and synced before the kernel is touched; each change is re-read
 * first, written, and read back. Rollback replays the journal in reverse and
 * is safe to run twice.
 */
#ifndef TN_TXN_H
#define TN_TXN_H

#include <stdbool.h>

#include "diag.h"
#include "journal.h"
#include "live.h"
#include "statedir.h"
#include "sysroot.h"

/* The boot id of the sysroot's kernel, "" when it cannot be read. */
void tn_boot_id(const struct tn_sysroot *root, char *buf, size_t len);

/*
 * What happens to each change, for the caller to print as it goes. 'error'
 * says why a change failed, was skipped or left alone. A failure that stops
 * an apply is not reported here: it is the error in the diag (said once). For TN_J_ROLLED_BACK
 * (rollback and undo) it is "" when the original value was written back over
 * the one tuner had set, else it says what happened instead: nothing was
 * written because the change was never applied or the value was already the
 * original, or a value set since the apply was overwritten (--force).
 */
typedef void (*tn_txn_report)(void *ctx, const struct tn_change *c, enum tn_jstatus st,
			      const char *error);

struct tn_txn_opts {
	bool force;	 /* apply over values changed since the plan */
	bool keep_going; /* record failures and go on */
	tn_txn_report report;
	void *ctx;
};

/* Lines for a journal, written in batches: statuses and change records
 * wait here until a sync, an end record or 64 KiB (sys/txn.c). */
struct tn_jout {
	int fd;
	char *buf;
	size_t len, cap;
};

struct tn_txn {
	const struct tn_sysroot *root;
	struct tn_live *live;
	int dirfd;
	int fd;		     /* the journal */
	struct tn_jout out;  /* its lines not yet written (out.fd == fd) */
	struct tn_journal j; /* what was recorded, with statuses */
	int cap;
	struct tn_txn_opts o;
	int fault_at;  /* TUNER_FAULT (test builds): fail or exit here (-1: none) */
	int fault_err; /* errno to fail with; 0: _exit before, -1: after */
	int n_applied, n_failed, n_skipped;
	struct tn_tidset *threads; /* the (pid, tid) recorded so far */
	/* The change that stopped the transaction before it was recorded: its
	 * value could not be read again (nor a process's threads listed), or
	 * the journal could not hold it. A copy, for tuner watch to back it
	 * off as it does a write that failed; has_unrecorded false: none. */
	struct tn_change unrecorded;
	bool has_unrecorded;
};

/* Create the journal and write its header. */
int tn_txn_begin(struct tn_txn *t, const struct tn_sysroot *root, int dirfd, const char *profile,
		 const char *digest, const struct tn_txn_opts *o, struct tn_diag *d);
/*
 * Make the changes, in order. Process changes (target PID) are made on each
 * thread, as many passes as it takes for no new thread to appear. A value is
 * read, written and read back through one open file, the one discovery kept
 * where it kept one (sysroot.h, keep mode); every file kept is closed at the
 * end. Returns 0, or -errno after the first failure (unless keep_going):
 * then call tn_txn_undo.
 */
int tn_txn_run(struct tn_txn *t, const struct tn_change *changes, int n, struct tn_diag *d);
/*
 * Record held IRQs (tn_plan_held): their records are written with the next
 * batch's, synced before it is made. Rollback puts each back after the rings
 * and channels (tn_rollback).
 */
int tn_txn_hold(struct tn_txn *t, const struct tn_change *held, int n, struct tn_diag *d);
/*
 * Apply a plan of state and prof as transaction t: the changes of each stage
 * of the registry in turn (tn_change_stage). Stage 1 (rings, channels) makes
 * drivers reset IRQ affinity and may replace queue IRQs: after it, the NICs
 * whose rings or channels changed are discovered again (tn_discover_nic,
 * nothing else) and the later stages planned again from the same profile;
 * state and plan are updated. The IRQs of those NICs are held (tn_txn_hold)
 * before stage 1, and those the driver moved and the profile does not place
 * are put back in stage 2 (tn_plan_restore_held). Unless keep_state, the
 * snapshot is freed (state left initialised, empty) once that re-planning is
 * over, so that it is not kept while the later stages run: apply's peak
 * memory is then the plan and the journal. Returns 0, or -errno after the first failure (unless
 * keep_going): then call tn_txn_undo.
 */
int tn_apply(struct tn_txn *t, struct tn_state *state, bool keep_state,
	     const struct tn_profile *prof, struct tn_plan *plan, struct tn_diag *d);
/* Undo what this transaction applied, in reverse. */
int tn_txn_undo(struct tn_txn *t, struct tn_diag *d);
/* Append the end record and close. */
int tn_txn_end(struct tn_txn *t, const char *status, struct tn_diag *d);
void tn_txn_free(struct tn_txn *t);

struct tn_rollback_result {
	int restored;	   /* written back */
	int unchanged;	   /* applied, at the original again since: nothing written */
	int never_applied; /* pending or failed, at the original: nothing written */
	int left, skipped, failed;
	bool ran; /* tn_rollback_journal: false when the journal could not be opened */
};

/*
 * Roll a journal back: every change not already undone, in reverse order.
 * A value someone changed since is left alone (and reported) unless force.
 * With out, statuses are appended to that journal, gathered: the caller's end
 * record (tn_txn_end, or tn_rollback_journal's) writes and syncs them with it;
 * dry_run writes nothing.
 */
int tn_rollback(const struct tn_sysroot *root, struct tn_journal *j, struct tn_jout *out,
		bool force, bool dry_run, tn_txn_report report, void *ctx,
		struct tn_rollback_result *res, struct tn_diag *d);
/*
 * Roll back journal id (its file name) of the state directory (opened and locked), as
 * tn_rollback() does, appending the statuses and then the end record ("rolled
 * back", or "rollback incomplete" after a failure), synced; dry_run opens and
 * writes nothing. j is the loaded journal, its end updated.
 */
int tn_rollback_journal(const struct tn_sysroot *root, int dirfd, const char *id,
			struct tn_journal *j, bool force, bool dry_run, tn_txn_report report,
			void *ctx, struct tn_rollback_result *res, struct tn_diag *d);

#endif
