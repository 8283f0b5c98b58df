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
static enum tn_jstatus read_failed(int r, const struct tn_diag *kd, char *err, size_t len,
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
static enum tn_jstatus write_back(struct tn_live *live, const struct tn_jentry *e,
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
			snprintf(err, len, "restore %s: %s%s%s", e->c.before, strerror(-r), tn_txn_sep(kd),
				 kd->error);
		else
			snprintf(err, len, "restore %s: read back %s", e->c.before, cur);
		res->failed++;
	} else {
		res->restored++;
	}
	free(cur);
	return st;
}

int tn_rollback(const struct tn_sysroot *root, struct tn_journal *j, struct tn_jout *out, bool force,
		bool dry_run, tn_txn_report report, void *ctx, struct tn_rollback_result *res,
		struct tn_diag *d)
{
	struct tn_live *live;
	int ret = 0;

	memset(res, 0, sizeof(*res));
	if (tn_live_open(root, &live) < 0)
		return tn_diag_error(d, -ENOMEM, "out of memory");
	if (!dry_run) /* each value read through the file its restore writes */
		tn_sysroot_keep(root, j->n);
	for (int i = j->n - 1; i >= 0; i--) {
		struct tn_jentry *e = &j->e[i];
		char *cur = NULL, *note = NULL, err[TN_DIAG_MSG_MAX + 128] = "", what[TN_LABEL_MAX];
		struct tn_diag kd;
		size_t notelen; /* what the report says, values whole; err: the journal's, cut */
		enum tn_jstatus st;
		int r;

		if (e->status == TN_J_ROLLED_BACK || e->status == TN_J_SKIPPED ||
		    (e->status == TN_J_LEFT && !force))
			continue;
		tn_txn_describe(&e->c, what, sizeof(what));
		tn_diag_init(&kd);
		r = tn_live_read(live, &e->c, &cur, &kd);
		notelen = 256 + TN_DIAG_MSG_MAX + strlen(e->c.before) + strlen(e->c.after) +
			  (r == 0 ? strlen(cur) : 0);
		note = calloc(1, notelen);
		if (!note) {
			free(cur);
			tn_diag_free(&kd);
			ret = tn_diag_error(d, -ENOMEM, "out of memory");
			break;
		}
		if (r < 0) {
			st = read_failed(r, &kd, note, notelen, res);
		} else if (tn_change_same(&e->c, cur, e->c.before)) {
			st = TN_J_ROLLED_BACK; /* already the original value */
			as_before(e, res, note, notelen);
		} else if (!tn_change_same(&e->c, cur, e->c.after) && !force) {
			st = TN_J_LEFT;
			snprintf(note, notelen,
				 "changed since the apply: now %s, tuner had set %s (--force "
				 "restores %s)",
				 cur, e->c.after, e->c.before);
			if (!report) /* a reporter shows it with its status */
				tn_diag_warn(d, "%s: %s", what, note);
			res->left++;
		} else if (dry_run) {
			st = TN_J_ROLLED_BACK;
			res->restored++;
			forced_note(e, cur, true, note, notelen);
		} else {
			forced_note(e, cur, false, note, notelen);
			st = write_back(live, e, &kd, note, notelen, res);
		}
		free(cur);
		tn_diag_free(&kd);
		if (report)
			report(ctx, &e->c, st, note);
		/* a status line's error is bounded (TN_JOURNAL_ERROR_MAX) where values
		 * are not: the journal keeps the start of it, the report all of it */
		if (st != TN_J_ROLLED_BACK)
			snprintf(err, sizeof(err), "%s", note);
		free(note);
		if (dry_run)
			continue;
		e->status = st;
		tn_jentry_set_error(e, err); /* out of memory: the journal has it */
		/* a journal that cannot be written (a full disk) stops the record, not
		 * the restores: the statuses not written leave values that rollback
		 * finds as before */
		if (out && ret == 0)
			ret = tn_jout_append(out, tn_journal_status_line(e->seq, st, err), false,
					     d);
	}
	tn_sysroot_keep_end(root);
	tn_live_close(live);
	if (ret == 0 && res->failed)
		ret = tn_diag_error(d, -EIO, "%d change%s could not be restored", res->failed,
				    res->failed == 1 ? "" : "s");
	return ret;
}

int tn_rollback_journal(const struct tn_sysroot *root, int dirfd, const char *id,
			struct tn_journal *j, bool force, bool dry_run, tn_txn_report report, void *ctx,
			struct tn_rollback_result *res, struct tn_diag *d)
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
		r = tn_jout_append(&out, tn_journal_end_line(end), true, d); /* with the statuses before it */
		if (r < 0 && ret == 0)
			ret = r;
		snprintf(j->end, sizeof(j->end), "%s", end);
		tn_jout_free(&out);
		close(fd);
	}
	return ret;
}
