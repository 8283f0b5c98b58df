/* SPDX-License-Identifier: MIT */
/* What txn.c, jout.c and rollback.c share: not an API. */
#ifndef TN_TXN_INT_H
#define TN_TXN_INT_H

#include <stdbool.h>

#include "diag.h"
#include "kind.h"
#include "txn.h"

/* Add line (freed here) to what o writes; written now, and synced, when sync.
 * NULL line: out of memory. 0 or -errno with the reason in d. */
int tn_jout_append(struct tn_jout *o, char *line, bool sync, struct tn_diag *d);
/* Write what o gathered. */
int tn_jout_flush(struct tn_jout *o, struct tn_diag *d);
/* Write what o gathered, and fdatasync. */
int tn_jout_sync(struct tn_jout *o, struct tn_diag *d);
void tn_jout_free(struct tn_jout *o);

/* A change as the transaction's errors name it. */
static inline void tn_txn_describe(const struct tn_change *c, char *buf, size_t len)
{
	tn_change_label(c, TN_LABEL_ERROR, buf, len);
}

/* ": " and the kernel's words after an errno's text, when there are some. */
static inline const char *tn_txn_sep(const struct tn_diag *kd)
{
	return kd->error[0] ? ": " : "";
}

/* A rollback under way (rollback.c, rollback_held.c). */
struct tn_rb {
	const struct tn_sysroot *root;
	struct tn_live *live;
	struct tn_journal *j;
	struct tn_jout *out; /* NULL: no statuses written */
	bool force, dry_run;
	tn_txn_report report;
	void *ctx;
	struct tn_rollback_result *res;
	struct tn_diag *d;
	int ret;		 /* the first error: 0, or -errno (the record stops there) */
	struct tn_rb_held *held; /* the journal's held IRQs; NULL: none */
};

/* Entry e's status st (err: why, "" none) into the journal, unless a dry run. */
int tn_rb_record(struct tn_rb *rb, struct tn_jentry *e, enum tn_jstatus st, const char *err);
/* The original value of e could not be read (r): skipped when the object is
 * gone, else failed; err says so. */
enum tn_jstatus tn_rb_read_failed(int r, const struct tn_diag *kd, char *err, size_t len,
				  struct tn_rollback_result *res);
/* Write e's original value back and read it back; err says what failed. */
enum tn_jstatus tn_rb_write_back(struct tn_live *live, const struct tn_jentry *e,
				 struct tn_diag *kd, char *err, size_t len,
				 struct tn_rollback_result *res);

/*
 * Held IRQs (rollback_held.c; core/plan_held.c): first, which held IRQs
 * someone changed since the apply (-ENOMEM only); then, for each other entry
 * i, whether its IRQ is held (it is then recorded with the held entry's
 * outcome: true); last, after every other entry, each held IRQ put back.
 */
int tn_rb_held_look(struct tn_rb *rb);
bool tn_rb_held_defer(struct tn_rb *rb, int i);
void tn_rb_held_pass(struct tn_rb *rb);
void tn_rb_held_free(struct tn_rb *rb);

#endif
