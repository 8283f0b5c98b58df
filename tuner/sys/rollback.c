/* SPDX-License-Identifier: MIT */
/* Rollback: a journal's changes restored in reverse, with their statuses. */
#include "txn.h"
#include "txn_int.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "kind_sys.h"
#include "procid.h"

/* A change found at its original value: nothing is written; say why. */
static void as_before(const struct tn_jentry *e, struct tn_rollback_result *res, char *buf,
		      size_t len)
{
	if (e->status == TN_J_PENDING || e->status == TN_J_FAILED) {
		snprintf(buf, len, "never applied%s; nothing written",
			 e->status == TN_J_FAILED ? " (its write failed)" : "");
		res->never_applied++;
	} else {
		snprintf(buf, len, "already as before; nothing written");
		res->unchanged++;
	}
}

/* A restore over a value someone set since the apply (--force) says so. */
static void forced_note(const struct tn_jentry *e, const char *cur, bool dry_run, char *buf,
			size_t len)
{
	if (!tn_change_same(&e->c, cur, e->c.after))
		snprintf(buf, len, "%s from %s, set since the apply (--force)",
			 dry_run ? "would be restored" : "restored", cur);
}

/* The original value could not be read: skipped when the object is gone. */
enum tn_jstatus tn_rb_read_failed(int r, const struct tn_diag *kd, char *err, size_t len,
				  struct tn_rollback_result *res)
{
	/* gone: a process (ESRCH), a file (ENOENT), a NIC (ENODEV: netlink, or
	 * a removed device's sysfs file): nothing left to restore */
	if (r == -ESRCH || r == -ENOENT || r == -ENODEV) {
		snprintf(err, len, "%s%s%s",
			 r == -ESRCH ? "the process or thread exited" : "it no longer exists",
			 tn_txn_sep(kd), kd->error);
		res->skipped++;
		return TN_J_SKIPPED;
	}
	snprintf(err, len, "read: %s%s%s", strerror(-r), tn_txn_sep(kd), kd->error);
	res->failed++;
	return TN_J_FAILED;
}

/* Write the original value back and read it back. */
enum tn_jstatus tn_rb_write_back(struct tn_live *live, const struct tn_jentry *e,
				 struct tn_diag *kd, char *err, size_t len,
				 struct tn_rollback_result *res)
{
	char *cur = NULL;
	enum tn_jstatus st = TN_J_ROLLED_BACK;
	int r = tn_live_write(live, &e->c, e->c.before, kd);

	if (r == 0)
		r = tn_live_readback(live, &e->c, &cur, kd);
	if (r == -ESRCH) {
		st = TN_J_SKIPPED;
		snprintf(err, len, "the process or thread exited%s%s", tn_txn_sep(kd), kd->error);
		res->skipped++;
	} else if (r < 0 || !tn_change_same(&e->c, cur, e->c.before)) {
		st = TN_J_FAILED;
		if (r < 0)
			snprintf(err, len, "restore %s: %s%s%s", e->c.before, strerror(-r),
				 tn_txn_sep(kd), kd->error);
		else
			snprintf(err, len, "restore %s: read back %s", e->c.before, cur);
		res->failed++;
	} else {
		res->restored++;
	}
	free(cur);
	return st;
}

int tn_rb_record(struct tn_rb *rb, struct tn_jentry *e, enum tn_jstatus st, const char *err)
{
	if (rb->dry_run)
		return 0;
	e->status = st;
	tn_jentry_set_error(e, err); /* out of memory: the journal has it */
	/* a journal that cannot be written (a full disk) stops the record, not
	 * the restores: the statuses not written leave values that rollback
	 * finds as before */
	if (!rb->out || rb->ret < 0)
		return rb->ret;
	return rb->ret = tn_jout_append(rb->out, tn_journal_status_line(e->seq, st, err), false,
					rb->d);
}

/* What to do with entry e, its value read (cur, or r < 0): into note. */
static enum tn_jstatus decide(struct tn_rb *rb, const struct tn_jentry *e, int r, const char *cur,
			      struct tn_diag *kd, char *note, size_t notelen)
{
	char what[TN_LABEL_MAX];

	if (r < 0)
		return tn_rb_read_failed(r, kd, note, notelen, rb->res);
	if (tn_change_same(&e->c, cur, e->c.before)) {
		as_before(e, rb->res, note, notelen); /* already the original value */
		return TN_J_ROLLED_BACK;
	}
	if (!tn_change_same(&e->c, cur, e->c.after) && !rb->force) {
		snprintf(note, notelen,
			 "changed since the apply: now %s, tuner had set %s (--force restores %s)",
			 cur, e->c.after, e->c.before);
		tn_txn_describe(&e->c, what, sizeof(what));
		if (!rb->report) /* a reporter shows it with its status */
			tn_diag_warn(rb->d, "%s: %s", what, note);
		rb->res->left++;
		return TN_J_LEFT;
	}
	forced_note(e, cur, rb->dry_run, note, notelen);
	if (!rb->dry_run)
		return tn_rb_write_back(rb->live, e, kd, note, notelen, rb->res);
	rb->res->restored++;
	return TN_J_ROLLED_BACK;
}

/* Restore entry e (read it, decide, write back), report and record it.
 * -ENOMEM when rollback must stop (a failed record is rb->ret, and the
 * restores go on). */
static int restore_entry(struct tn_rb *rb, struct tn_jentry *e)
{
	char *cur = NULL, *note, err[TN_DIAG_MSG_MAX + 128] = "";
	struct tn_diag kd;
	size_t notelen; /* what the report says, values whole; err: the journal's, cut */
	enum tn_jstatus st;
	int r;

	tn_diag_init(&kd);
	r = tn_live_read(rb->live, &e->c, &cur, &kd);
	notelen = 256 + TN_DIAG_MSG_MAX + strlen(e->c.before) + strlen(e->c.after) +
		  (r == 0 ? strlen(cur) : 0);
	note = calloc(1, notelen);
	if (note)
		st = decide(rb, e, r, cur, &kd, note, notelen);
	free(cur);
	tn_diag_free(&kd);
	if (!note) {
		rb->ret = tn_diag_error(rb->d, -ENOMEM, "out of memory");
		return -ENOMEM;
	}
	if (rb->report)
		rb->report(rb->ctx, &e->c, st, note);
	/* a status line's error is bounded (TN_JOURNAL_ERROR_MAX) where values
	 * are not: the journal keeps the start of it, the report all of it */
	if (st != TN_J_ROLLED_BACK)
		snprintf(err, sizeof(err), "%s", note);
	free(note);
	tn_rb_record(rb, e, st, err);
	return 0;
}

int tn_rollback(const struct tn_sysroot *root, struct tn_journal *j, struct tn_jout *out,
		bool force, bool dry_run, tn_txn_report report, void *ctx,
		struct tn_rollback_result *res, struct tn_diag *d)
{
	struct tn_rb rb = { .root = root,
			    .j = j,
			    .out = out,
			    .force = force,
			    .dry_run = dry_run,
			    .report = report,
			    .ctx = ctx,
			    .res = res,
			    .d = d };
	bool stopped = false;

	memset(res, 0, sizeof(*res));
	if (tn_live_open(root, &rb.live) < 0)
		return tn_diag_error(d, -ENOMEM, "out of memory");
	if (tn_rb_held_look(&rb) < 0) {
		tn_rb_held_free(&rb);
		tn_live_close(rb.live);
		return tn_diag_error(d, -ENOMEM, "out of memory");
	}
	if (!dry_run) /* each value read through the file its restore writes */
		tn_sysroot_keep(root, j->n);
	for (int i = j->n - 1; i >= 0; i--) {
		struct tn_jentry *e = &j->e[i];

		if (e->status == TN_J_ROLLED_BACK || e->status == TN_J_SKIPPED ||
		    (e->status == TN_J_LEFT && !force) || tn_change_is_held(&e->c))
			continue;
		if (!tn_rb_held_defer(&rb, i) && restore_entry(&rb, e) < 0) {
			stopped = true; /* out of memory */
			break;
		}
	}
	tn_sysroot_keep_end(root);
	/* the rings and channels restored, the IRQs their drivers reset: not
	 * through files kept from before (a driver may have replaced them);
	 * a journal that cannot be written (rb.ret) stops their record only */
	if (!stopped)
		tn_rb_held_pass(&rb);
	tn_rb_held_free(&rb);
	tn_live_close(rb.live);
	if (rb.ret == 0 && res->failed)
		rb.ret = tn_diag_error(d, -EIO, "%d change%s could not be restored", res->failed,
				       res->failed == 1 ? "" : "s");
	return rb.ret;
}

int tn_rollback_journal(const struct tn_sysroot *root, int dirfd, const char *id,
			struct tn_journal *j, bool force, bool dry_run, tn_txn_report report,
			void *ctx, struct tn_rollback_result *res, struct tn_diag *d)
{
	struct tn_jout out = { .fd = -1 };
	const char *end;
	int fd = -1, ret, r;

	memset(res, 0, sizeof(*res));
	if (!dry_run && (ret = tn_journal_open_append(dirfd, id, &fd, d)) < 0)
		return ret;
	out.fd = fd;
	ret = tn_rollback(root, j, fd >= 0 ? &out : NULL, force, dry_run, report, ctx, res, d);
	res->ran = true;
	if (fd >= 0) {
		end = ret < 0 ? "rollback incomplete" : "rolled back";
		r = tn_jout_append(&out, tn_journal_end_line(end), true,
				   d); /* with the statuses before it */
		if (r < 0 && ret == 0)
			ret = r;
		snprintf(j->end, sizeof(j->end), "%s", end);
		tn_jout_free(&out);
		close(fd);
	}
	return ret;
}
