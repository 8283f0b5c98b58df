/* SPDX-License-Identifier: MIT */
#include "txn.h"

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
#include "txn_int.h"
#include "procid.h"

#define MAX_THREAD_PASSES 16

void tn_boot_id(const struct tn_sysroot *root, char *buf, size_t len)
{
	if (tn_sysroot_read_line(root, "proc/sys/kernel/random/boot_id", buf, len) < 0)
		buf[0] = '\0';
}

#ifdef TN_FAULT_INJECTION
/*
 * Fault injection, compiled into test builds only (TUNER_FAULT_INJECTION, by
 * default with TUNER_TESTS; never in an installed or packaged binary):
 * TUNER_FAULT=K:WHAT acts at the change with journal seq K. WHAT is EIO,
 * EINVAL or EPERM (the write fails with it), exit (_exit(99) before the
 * write) or exit-after (_exit(99) after the write, before its status is
 * recorded). Anything else there means EIO.
 */
static void parse_fault(struct tn_txn *t)
{
	const char *f = getenv("TUNER_FAULT");
	char *end;

	t->fault_at = -1;
	if (!f || !*f)
		return;
	t->fault_at = (int)strtol(f, &end, 10);
	if (*end != ':') {
		t->fault_at = -1;
		return;
	}
	end++;
	if (strcmp(end, "exit") == 0)
		t->fault_err = 0;
	else if (strcmp(end, "exit-after") == 0)
		t->fault_err = -1;
	else if (strcmp(end, "EINVAL") == 0)
		t->fault_err = EINVAL;
	else if (strcmp(end, "EPERM") == 0)
		t->fault_err = EPERM;
	else
		t->fault_err = EIO;
}

/* Before the write of change seq: -errno to fail it with (kd says why), or
 * 0 to write; or the process ends here. */
static int fault_before(const struct tn_txn *t, int seq, struct tn_diag *kd)
{
	if (seq != t->fault_at || t->fault_err < 0)
		return 0;
	if (t->fault_err == 0)
		_exit(99); /* a crash: the journal names this change, the kernel may have it */
	return tn_diag_error(kd, -t->fault_err, "injected by TUNER_FAULT");
}

/* After the write of change seq, before its status line: a crash there. */
static void fault_after(const struct tn_txn *t, int seq)
{
	if (seq == t->fault_at && t->fault_err < 0)
		_exit(99);
}
#else
/* A release build: TUNER_FAULT is not read and nothing is injected. */
static void parse_fault(struct tn_txn *t)
{
	t->fault_at = -1;
}

static int fault_before(const struct tn_txn *t, int seq, struct tn_diag *kd)
{
	return 0;
}

static void fault_after(const struct tn_txn *t, int seq)
{
}
#endif

/* The journal could not be begun (a full or failing state directory): nothing
 * was changed, so the file, empty or cut in its header, is removed rather
 * than left for history and rollback --last to find damaged. */
static void begin_failed(struct tn_txn *t, const char *name)
{
	close(t->fd);
	t->fd = -1;
	t->out.fd = -1;
	t->out.len = 0;
	unlinkat(t->dirfd, name, 0);
}

int tn_txn_begin(struct tn_txn *t, const struct tn_sysroot *root, int dirfd, const char *profile,
		 const char *digest, const struct tn_txn_opts *o, struct tn_diag *d)
{
	struct timespec ts;
	struct tm tm;
	char name[96];
	int ret;

	memset(t, 0, sizeof(*t));
	t->root = root;
	t->dirfd = dirfd;
	t->fd = -1;
	t->o = *o;
	parse_fault(t);
	ret = tn_live_open(root, &t->live);
	if (ret < 0)
		return tn_diag_error(d, ret, "out of memory");
	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	strftime(t->j.time, sizeof(t->j.time), "%Y-%m-%dT%H:%M:%SZ", &tm);
	/* sortable, unique under the lock: time to the millisecond and pid */
	snprintf(t->j.id, sizeof(t->j.id), "%04d%02d%02dT%02d%02d%02d.%03ldZ-%d", tm.tm_year + 1900,
		 tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, ts.tv_nsec / 1000000,
		 (int)getpid());
	for (char *p = t->j.id; *p; p++)
		if (*p == '.')
			*p = '_';
	tn_boot_id(root, t->j.boot_id, sizeof(t->j.boot_id));
	/* the journal's place in its boot, which a step of the wall clock (the
	 * name's) does not move: rollback --last and history go by it */
	t->j.boottime_us = TN_JOURNAL_NO_BOOTTIME;
	if (clock_gettime(CLOCK_BOOTTIME, &ts) == 0)
		t->j.boottime_us = (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
	snprintf(t->j.profile, sizeof(t->j.profile), "%s", profile);
	snprintf(t->j.digest, sizeof(t->j.digest), "%s", digest);
	snprintf(t->j.sysroot, sizeof(t->j.sysroot), "%s", root->path);
	snprintf(name, sizeof(name), "%s%s", t->j.id, TN_JOURNAL_SUFFIX);
	t->fd = openat(dirfd, name, O_WRONLY | O_CREAT | O_EXCL | O_APPEND | O_NOFOLLOW | O_CLOEXEC,
		       0600);
	if (t->fd < 0)
		return tn_diag_error(d, -errno, "journal %s: %s", name, strerror(errno));
	t->out.fd = t->fd;
	ret = tn_jout_append(&t->out, tn_journal_header_line(&t->j), true, d);
	/* the new file's name must survive a crash too */
	if (ret == 0 && fsync(dirfd) < 0)
		ret = tn_diag_error(d, -errno, "state directory: fsync: %s", strerror(errno));
	if (ret < 0)
		begin_failed(t, name);
	return ret;
}

/* Room for ncap entries (no less than there are). */
static int entries_cap(struct tn_txn *t, int ncap, struct tn_diag *d)
{
	struct tn_jentry *ne = realloc(t->j.e, sizeof(*ne) * (size_t)ncap);

	if (!ne)
		return tn_diag_error(d, -ENOMEM, "out of memory");
	t->j.e = ne;
	t->cap = ncap;
	return 0;
}

static int add_entry(struct tn_txn *t, const struct tn_change *c, struct tn_diag *d)
{
	if (t->j.n == t->cap && entries_cap(t, t->cap ? t->cap * 2 : 64, d) < 0)
		return -ENOMEM;
	memset(&t->j.e[t->j.n], 0, sizeof(t->j.e[0]));
	if (tn_change_copy(&t->j.e[t->j.n].c, c) < 0)
		return tn_diag_error(d, -ENOMEM, "out of memory");
	t->j.e[t->j.n].seq = t->j.n;
	t->j.e[t->j.n].status = TN_J_PENDING;
	t->j.n++;
	return 0;
}

static int set_status(struct tn_txn *t, int seq, enum tn_jstatus st, const char *err,
		      struct tn_diag *d)
{
	struct tn_jentry *e = &t->j.e[seq];

	e->status = st;
	tn_jentry_set_error(e, err); /* out of memory: the journal has it whole still */
	if (st == TN_J_APPLIED)
		t->n_applied++;
	else if (st == TN_J_FAILED)
		t->n_failed++;
	else if (st == TN_J_SKIPPED)
		t->n_skipped++;
	if (t->o.report && (st != TN_J_FAILED || t->o.keep_going))
		t->o.report(t->o.ctx, &e->c, st, err);
	return tn_jout_append(&t->out, tn_journal_status_line(seq, st, err), false, d);
}

/* A change that failed (its write, or its readback): recorded and reported.
 * When the transaction stops here the one message of it goes to d, and the
 * reporter is not told of it (keep_going: it is, and d is not): said once. */
static int change_failed(struct tn_txn *t, int seq, int ret, bool write, const char *err,
			 struct tn_diag *d)
{
	struct tn_change *c = &t->j.e[seq].c;
	char what[TN_LABEL_MAX];

	set_status(t, seq, TN_J_FAILED, err, d);
	if (t->o.keep_going)
		return 0;
	tn_change_label(c, TN_LABEL_REPORT, what, sizeof(what));
	if (write)
		return tn_diag_error(d, ret, "%s: set %s: %s", what, c->after, err);
	return tn_diag_error(d, ret, "%s: %s", what, err);
}

/* Write one recorded change, read it back; its status is recorded. Returns
 * -errno when the transaction must stop. */
static int make_change(struct tn_txn *t, int seq, struct tn_diag *d)
{
	struct tn_change *c = &t->j.e[seq].c;
	const struct tn_kind_sys *ops = tn_live_ops(c);
	char *back = NULL, err[TN_DIAG_MSG_MAX + 64], what[TN_LABEL_MAX];
	const char *skip;
	struct tn_diag kd;
	int ret;

	tn_diag_init(&kd);
	ret = fault_before(t, seq, &kd);
	if (ret == 0) {
		ret = tn_live_write(t->live, c, c->after, &kd);
		if (ret >= 0)
			fault_after(t, seq);
	}
	for (int i = 0; i < kd.n_warnings; i++) {
		tn_change_label(c, TN_LABEL_ERROR, what, sizeof(what));
		tn_diag_warn(d, "%s: %s", what, kd.warnings[i]);
	}
	if (ret < 0) {
		skip = ops->skip_reason ? ops->skip_reason(ret) : NULL;
		if (ret == -ESRCH)
			snprintf(err, sizeof(err), "the %s exited%s%s", ops->gone, tn_txn_sep(&kd),
				 kd.error);
		else
			snprintf(err, sizeof(err), "%s%s%s%s%s", skip ? skip : "", skip ? ": " : "",
				 strerror(-ret), tn_txn_sep(&kd), kd.error);
		tn_diag_free(&kd);
		if (skip || ret == -ESRCH)
			return set_status(t, seq, TN_J_SKIPPED, err, d);
		return change_failed(t, seq, ret, true, err, d);
	}
	ret = tn_live_readback(t->live, c, &back, &kd);
	tn_diag_free(&kd);
	if (ret < 0 || !tn_change_same(c, back, c->after)) {
		if (ret < 0)
			snprintf(err, sizeof(err), "read back: %s", strerror(-ret));
		else
			snprintf(err, sizeof(err), "read back %s, not %s", back, c->after);
		free(back);
		return change_failed(t, seq, -EIO, false, err, d);
	}
	if (ops->settled) {
		tn_change_label(c, TN_LABEL_ERROR, what, sizeof(what));
		ops->settled(t->live, c, what, d);
	}
	free(back);
	return set_status(t, seq, TN_J_APPLIED, NULL, d);
}

/* Forget the entries from first on: the journal does not hold them (their
 * batch failed before it was recorded), so nothing of them was made, and the
 * undo must not append statuses of changes the journal lacks (its loader
 * refuses those). */
static void drop_entries(struct tn_txn *t, int first)
{
	while (t->j.n > first) {
		t->j.n--;
		tn_change_free(&t->j.e[t->j.n].c);
		free(t->j.e[t->j.n].error);
	}
}

/* c stopped the transaction before it was recorded (tn_txn.unrecorded); out
 * of memory: not kept (the error says it still). */
static void stopped_at(struct tn_txn *t, const struct tn_change *c)
{
	if (!t->has_unrecorded && tn_change_copy(&t->unrecorded, c) == 0)
		t->has_unrecorded = true;
}

/* The change records of [first, n), gathered with the journal's other lines. */
static int append_changes(struct tn_txn *t, int first, struct tn_diag *d)
{
	int ret = 0;

	for (int i = first; i < t->j.n && ret == 0; i++)
		ret = tn_jout_append(&t->out, tn_journal_change_line(i, &t->j.e[i].c), false, d);
	return ret;
}

/* Record a batch (synced), then make its changes; their statuses are gathered. */
static int run_batch(struct tn_txn *t, int first, struct tn_diag *d)
{
	char why[600];
	int ret;

	/* nothing is recorded (nor written) that the journal loader would refuse */
	for (int i = first; i < t->j.n; i++)
		if (tn_journal_check_change(&t->j.e[i].c, why, sizeof(why)) < 0) {
			ret = tn_diag_error(d, -EINVAL,
					    "%s %s: tuner cannot record it to restore it later; "
					    "nothing of it was changed",
					    tn_change_kind_name(t->j.e[i].c.kind), why);
			stopped_at(t, &t->j.e[i].c);
			drop_entries(t, first);
			return ret;
		}
	ret = append_changes(t, first, d);
	if (ret == 0)
		ret = tn_jout_sync(&t->out, d);
	if (ret < 0) {
		drop_entries(t, first); /* not all recorded, none made */
		return ret;
	}
	for (int i = first; i < t->j.n; i++) {
		ret = make_change(t, i, d);
		if (ret < 0) {
			/* what was not reached stays pending: rollback checks it */
			tn_jout_sync(&t->out, d);
			return ret;
		}
	}
	/* the statuses are written with the next sync: the next batch's
	 * records, or the end record (a crash before leaves them pending) */
	return 0;
}

/*
 * The threads already recorded, as (pid, tid) keys in an open-addressing hash
 * set: a process of 100k threads is expanded in linear time, not by comparing
 * each new thread with every journal entry.
 */
struct tn_tidset {
	uint64_t *v;   /* 0: empty slot (pids and tids are >= 1) */
	size_t cap, n; /* cap a power of two, n <= cap / 2 */
};

static size_t tidset_slot(const struct tn_tidset *s, uint64_t key)
{
	size_t i = (size_t)((key * UINT64_C(0x9e3779b97f4a7c15)) >> 32) & (s->cap - 1);

	while (s->v[i] && s->v[i] != key)
		i = (i + 1) & (s->cap - 1);
	return i;
}

static bool tidset_has(const struct tn_tidset *s, int pid, int tid)
{
	uint64_t key = (uint64_t)pid << 32 | (uint32_t)tid;

	return s && s->cap && s->v[tidset_slot(s, key)] == key;
}

static int tidset_add(struct tn_tidset **sp, int pid, int tid)
{
	uint64_t key = (uint64_t)pid << 32 | (uint32_t)tid;
	struct tn_tidset *s = *sp;

	if (!s && !(s = *sp = calloc(1, sizeof(*s))))
		return -ENOMEM;
	if (2 * (s->n + 1) > s->cap) {
		struct tn_tidset g = { .cap = s->cap ? s->cap * 2 : 1024 };

		g.v = calloc(g.cap, sizeof(*g.v));
		if (!g.v)
			return -ENOMEM;
		for (size_t i = 0; i < s->cap; i++)
			if (s->v[i])
				g.v[tidset_slot(&g, s->v[i])] = s->v[i], g.n++;
		free(s->v);
		*s = g;
	}
	if (!s->v[tidset_slot(s, key)]) {
		s->v[tidset_slot(s, key)] = key;
		s->n++;
	}
	return 0;
}

static void tidset_free(struct tn_tidset *s)
{
	if (s)
		free(s->v);
	free(s);
}

static void report_gone(struct tn_txn *t, const struct tn_change *c, const char *msg)
{
	char err[400];

	snprintf(err, sizeof(err), "the process exited%s%s", msg[0] ? ": " : "", msg);
	if (t->o.report)
		t->o.report(t->o.ctx, c, TN_J_SKIPPED, err);
}

/* One thread's change: target "PID@START/TID@TSTART", before as it is now.
 * 1: record it; 0: skip it (gone, or already as wanted). */
static int thread_change(struct tn_txn *t, struct tn_procid id, int tid, struct tn_change *tc,
			 char **before)
{
	struct tn_diag kd;
	int ret;

	id.tid = tid;
	if (tn_live_thread_start(t->live, id.pid, tid, &id.tstart) < 0)
		return 0; /* exited meanwhile */
	id.has_tstart = true;
	if (tn_procid_format(&id, tc->target, sizeof(tc->target)) < 0)
		return -ENAMETOOLONG;
	/* the process was checked by the caller, the thread's start just read */
	tn_diag_init(&kd);
	ret = tn_live_readback(t->live, tc, before, &kd);
	tn_diag_free(&kd);
	if (ret < 0)
		return 0; /* exited meanwhile */
	return tn_change_same(tc, *before, tc->after) ? 0 : 1;
}

/* A process change becomes one change per thread; passes until no new thread.
 * The process must still be the one planned (tn_live_check). */
static int expand_threads(struct tn_txn *t, const struct tn_change *c, bool *added,
			  struct tn_diag *d)
{
	struct tn_procid id;
	struct tn_diag kd;
	int *tids = NULL, n = 0, ret;

	*added = false;
	tn_diag_init(&kd);
	ret = tn_live_check(t->live, c, &kd);
	if (ret == 0 && tn_procid_parse(c->target, &id) < 0)
		ret = -EINVAL;
	if (ret == 0)
		ret = tn_live_threads(t->live, id.pid, &tids, &n);
	if (ret == -ESRCH)
		report_gone(t, c, kd.error);
	tn_diag_free(&kd);
	if (ret == -ESRCH)
		return 0;
	if (ret < 0) {
		stopped_at(t, c);
		return tn_diag_error(d, ret, "pid %s: threads: %s", c->target, strerror(-ret));
	}
	for (int i = 0; i < n; i++) {
		struct tn_change tc = *c; /* its values are c's: add_entry copies them */
		char *before = NULL;

		if (tidset_has(t->threads, id.pid, tids[i]))
			continue;
		ret = thread_change(t, id, tids[i], &tc, &before);
		if (ret <= 0) {
			free(before);
			if (ret == 0)
				continue;
			tn_diag_error(d, ret, "pid %s: thread %d: %s", c->target, tids[i],
				      strerror(-ret));
			break;
		}
		tc.before = before;
		ret = add_entry(t, &tc, d);
		free(before);
		if (ret < 0)
			break;
		ret = tidset_add(&t->threads, id.pid, tids[i]);
		if (ret < 0) {
			tn_diag_error(d, ret, "out of memory");
			break;
		}
		*added = true;
	}
	free(tids);
	return ret < 0 ? ret : 0;
}

/* Changes [i, end) of one kind recorded, each after its value is read again:
 * someone else may have changed it since the plan. */
static int record_batch(struct tn_txn *t, const struct tn_change *changes, int i, int end,
			struct tn_diag *d)
{
	int ret;

	/* sized to the batch: doubling would leave up to half of it unused */
	if (t->j.n + (end - i) > t->cap && entries_cap(t, t->j.n + (end - i), d) < 0)
		return -ENOMEM;
	for (int k = i; k < end; k++) {
		const struct tn_change *c = &changes[k];
		char *cur = NULL, what[TN_LABEL_MAX];
		struct tn_diag kd;

		tn_diag_init(&kd);
		ret = tn_live_read(t->live, c, &cur, &kd);
		tn_txn_describe(c, what, sizeof(what));
		if (ret == -ESRCH && tn_live_ops(c)->may_exit)
			report_gone(t, c, kd.error);
		else if (ret < 0)
			tn_diag_error(d, ret, "%s: read: %s%s%s", what, strerror(-ret),
				      tn_txn_sep(&kd), kd.error);
		tn_diag_free(&kd);
		if (ret == -ESRCH && tn_live_ops(c)->may_exit)
			continue;
		if (ret < 0) {
			stopped_at(t, c);
			return ret;
		}
		if (!tn_change_same(c, cur, c->before) && !t->o.force) {
			ret = tn_diag_error(d, -EAGAIN,
					    "%s is %s now, not %s as planned: someone else "
					    "changed it (--force to apply anyway)",
					    what, cur, c->before);
			free(cur);
			return ret;
		}
		ret = add_entry(t, c, d);
		if (ret == 0 && !tn_change_same(c, cur, c->before)) {
			/* the journal keeps what is there now: rollback restores it */
			free(t->j.e[t->j.n - 1].c.before);
			t->j.e[t->j.n - 1].c.before = cur;
			cur = NULL;
		}
		free(cur);
		if (ret < 0)
			return ret;
	}
	return 0;
}

static int run_changes(struct tn_txn *t, const struct tn_change *changes, int n, struct tn_diag *d)
{
	int i = 0, ret;

	while (i < n) {
		int end = i, first = t->j.n;

		while (end < n && changes[end].kind == changes[i].kind)
			end++;
		if (tn_kind_get(changes[i].kind)->per_thread) {
			for (int pass = 0; pass < MAX_THREAD_PASSES; pass++) {
				bool any = false;

				first = t->j.n;
				for (int k = i; k < end; k++) {
					bool added;

					ret = expand_threads(t, &changes[k], &added, d);
					if (ret < 0) {
						drop_entries(t, first); /* not recorded */
						return ret;
					}
					any |= added;
				}
				if (!any)
					break;
				ret = run_batch(t, first, d);
				if (ret < 0)
					return ret;
			}
			i = end;
			continue;
		}
		/* read through files kept open for the writes that follow
		 * (discovery may have kept some already) */
		tn_sysroot_keep(t->root, end - i);
		ret = record_batch(t, changes, i, end, d);
		tn_sysroot_keep_pause(t->root);
		if (ret < 0)
			drop_entries(t, first); /* not recorded */
		else
			ret = run_batch(t, first, d);
		if (ret < 0)
			return ret;
		i = end;
	}
	return 0;
}

int tn_txn_run(struct tn_txn *t, const struct tn_change *changes, int n, struct tn_diag *d)
{
	int ret = run_changes(t, changes, n, d);

	tn_sysroot_keep_end(t->root); /* what was kept and not written too */
	return ret;
}

int tn_txn_hold(struct tn_txn *t, const struct tn_change *held, int n, struct tn_diag *d)
{
	int first = t->j.n, ret = 0;

	if (t->j.n + n > t->cap && entries_cap(t, t->j.n + n, d) < 0)
		return -ENOMEM;
	for (int i = 0; i < n && ret == 0; i++) {
		char why[600];

		/* a value the journal loader would refuse is not held (nothing of
		 * it is written: a driver's reset of it is left) */
		if (tn_journal_check_change(&held[i], why, sizeof(why)) == 0)
			ret = add_entry(t, &held[i], d);
	}
	if (ret == 0)
		ret = append_changes(t, first, d);
	if (ret < 0)
		drop_entries(t, first);
	return ret;
}

int tn_txn_undo(struct tn_txn *t, struct tn_diag *d)
{
	struct tn_rollback_result res;
	struct tn_diag quiet;
	int ret;

	/* the error that made us undo stays the reported one */
	tn_diag_init(&quiet);
	ret = tn_rollback(t->root, &t->j, &t->out, true, false, t->o.report, t->o.ctx, &res,
			  &quiet);
	if (ret < 0)
		tn_diag_warn(d, "undo: %s", quiet.error);
	for (int i = 0; i < quiet.n_warnings; i++)
		tn_diag_warn(d, "%s", quiet.warnings[i]);
	tn_diag_free(&quiet);
	return ret;
}

int tn_txn_end(struct tn_txn *t, const char *status, struct tn_diag *d)
{
	int ret = tn_jout_append(&t->out, tn_journal_end_line(status), true, d);

	snprintf(t->j.end, sizeof(t->j.end), "%s", status);
	return ret;
}

void tn_txn_free(struct tn_txn *t)
{
	if (t->fd >= 0 && t->out.len) {
		struct tn_diag quiet; /* ended without an end record: what is gathered, at least */

		tn_diag_init(&quiet);
		tn_jout_flush(&t->out, &quiet);
		tn_diag_free(&quiet);
	}
	tn_jout_free(&t->out);
	if (t->fd >= 0)
		close(t->fd);
	t->fd = -1;
	tn_live_close(t->live);
	t->live = NULL;
	tidset_free(t->threads);
	t->threads = NULL;
	if (t->has_unrecorded)
		tn_change_free(&t->unrecorded);
	t->has_unrecorded = false;
	tn_journal_free(&t->j);
}
