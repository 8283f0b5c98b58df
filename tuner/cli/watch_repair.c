/* SPDX-License-Identifier: MIT */
/*
 * tuner watch: a repair. Under the state directory's lock, the host is
 * discovered and the profile planned (as apply does); the changes the
 * events' NICs and processes cover, and that no fight holds back, are made as
 * a new journaled transaction (tn_apply, undone on failure); one line says
 * what was restored. Each value repaired is counted for fights (watch.h).
 */
#include <errno.h>
#include <malloc.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cmd_watch.h"
#include "discover.h"
#include "fighter.h"
#include "process.h"

int64_t tn_watch_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* "8 IRQ affinities, 1 process affinity" of the journal's applied entries. */
static void summary(const struct tn_journal *j, char *buf, size_t len)
{
	int per[TN_CHANGE_KIND_COUNT] = { 0 };
	size_t n = 0;

	buf[0] = '\0';
	for (int i = 0; i < j->n; i++)
		if (j->e[i].status == TN_J_APPLIED && j->e[i].c.kind < TN_CHANGE_KIND_COUNT)
			per[j->e[i].c.kind]++;
	for (int k = 0; k < TN_CHANGE_KIND_COUNT && n < len; k++)
		if (per[k])
			n += (size_t)snprintf(buf + n, len - n, "%s%d %s", n ? ", " : "", per[k],
					      tn_kind_get(k)->noun[per[k] != 1]);
}

/* Failures only: one line per repair says the rest. */
static void report_failed(void *ctx, const struct tn_change *c, enum tn_jstatus st, const char *err)
{
	struct tn_cli *cli = ctx;
	char what[TN_LABEL_MAX];

	if (st != TN_J_FAILED)
		return;
	tn_change_label(c, TN_LABEL_REPORT, what, sizeof(what));
	tn_cli_printf(cli->err, "tuner: watch: %s: failed: %s\n", what, err ? err : "");
}

/* The changes of plan to make: all (dirty NULL), or those dirty covers that
 * no fight holds back; *held counts those held back. 0 or -ENOMEM. */
static int pick(struct tn_watch_ctx *w, const struct tn_state *s, const struct tn_plan *plan,
		const struct tn_watch_dirty *dirty, struct tn_plan *out, int *held)
{
	int64_t now = tn_watch_now_ms();
	char id[TN_FIGHT_ID_MAX];

	*held = 0;
	memset(out, 0, sizeof(*out));
	memcpy(out->profile, plan->profile, sizeof(out->profile));
	memcpy(out->digest, plan->digest, sizeof(out->digest));
	out->changes = calloc((size_t)plan->n + 1, sizeof(*out->changes));
	if (!out->changes)
		return -ENOMEM;
	for (int i = 0; i < plan->n; i++) {
		const struct tn_change *c = &plan->changes[i];

		if (dirty && !tn_watch_covers(s, dirty, c))
			continue;
		tn_fight_id(c, id, sizeof(id));
		if (dirty && tn_fight_blocked(w->fights, id, now)) {
			(*held)++;
			continue;
		}
		if (tn_change_copy(&out->changes[out->n], c) < 0) {
			tn_plan_free(out);
			return -ENOMEM;
		}
		out->n++;
	}
	return 0;
}

/* A recheck: each fought value that the plan no longer changes is holding. */
static void note_held(struct tn_watch_ctx *w, const struct tn_plan *plan)
{
	int64_t now = tn_watch_now_ms();
	char id[TN_FIGHT_ID_MAX];

	for (int i = w->fights->n - 1; i >= 0; i--) {
		bool drifted = false;

		for (int k = 0; k < plan->n && !drifted; k++) {
			tn_fight_id(&plan->changes[k], id, sizeof(id));
			drifted = strcmp(id, w->fights->e[i].id) == 0;
		}
		if (!drifted)
			tn_fight_held(w->fights, w->fights->e[i].id, now);
	}
}

/* A fight was found on c: say it once, with the likely fighter. */
static void say_fight(struct tn_watch_ctx *w, const struct tn_change *c)
{
	const struct tn_nic *nic = tn_watch_change_nic(&w->state, c);
	struct tn_fighter_facts facts;
	char what[TN_LABEL_MAX], who[512];

	tn_fighter_facts_read(&w->root, &w->state, nic ? nic->name : "", nic ? nic->driver : "",
			      &facts);
	tn_fighter_describe(&facts, who, sizeof(who));
	tn_change_label(c, TN_LABEL_REPORT, what, sizeof(what));
	tn_cli_printf(w->cli->err,
		      "tuner: watch: %s: undone %d times within %d s: another tool is fighting "
		      "tuner; leaving it for %d s, then backing off longer each time (likely: "
		      "%s)\n",
		      what, TN_FIGHT_REPAIRS, TN_FIGHT_WINDOW_MS / 1000, TN_FIGHT_BACKOFF_MS / 1000,
		      who);
}

static void count_fights(struct tn_watch_ctx *w, const struct tn_journal *j)
{
	int64_t now = tn_watch_now_ms();
	char id[TN_FIGHT_ID_MAX], prev[TN_FIGHT_ID_MAX] = "";

	for (int i = 0; i < j->n; i++) {
		if (j->e[i].status != TN_J_APPLIED)
			continue;
		tn_fight_id(&j->e[i].c, id, sizeof(id));
		if (strcmp(id, prev) == 0)
			continue; /* another thread of the process: one repair */
		memcpy(prev, id, sizeof(prev));
		if (tn_fight_repaired(w->fights, id, now) == TN_FIGHT_STARTED)
			say_fight(w, &j->e[i].c);
	}
}

/*
 * A repair's journal, kept (--keep-journals): beyond the last keep, the
 * oldest repair journal this watch wrote is deleted. Only those: the first
 * apply's and a reload's journals (the values before tuner, for rollback),
 * and any other tuner's, are never touched. A deletion that fails is said
 * once and the journal forgotten, not retried.
 */
static void keep_journal(struct tn_watch_ctx *w, int dirfd, const char *id)
{
	char name[96];

	if (w->keep_journals <= 0 || !id[0])
		return;
	if (!w->kept) {
		w->kept = calloc((size_t)w->keep_journals + 1, sizeof(*w->kept));
		if (!w->kept)
			return; /* kept all: nothing lost but disk */
	}
	snprintf(w->kept[w->n_kept++], sizeof(w->kept[0]), "%s", id);
	if (w->n_kept <= w->keep_journals)
		return;
	snprintf(name, sizeof(name), "%s%s", w->kept[0], TN_JOURNAL_SUFFIX);
	if (unlinkat(dirfd, name, 0) < 0 && errno != ENOENT)
		tn_cli_printf(w->cli->err, "tuner: watch: warning: journal %s: delete: %s\n",
			      w->kept[0], strerror(errno));
	memmove(w->kept[0], w->kept[1], sizeof(w->kept[0]) * (size_t)w->keep_journals);
	w->n_kept--;
}

/* c's repair failed: it is left alone for a back-off (tn_fight_failed), said. */
static void back_off(struct tn_watch_ctx *w, const struct tn_change *c, int64_t now)
{
	char id[TN_FIGHT_ID_MAX], what[TN_LABEL_MAX];
	int64_t ms;

	tn_fight_id(c, id, sizeof(id));
	ms = tn_fight_failed(w->fights, id, now);
	if (!ms)
		return;
	w->failures++;
	tn_change_label(c, TN_LABEL_REPORT, what, sizeof(what));
	tn_cli_printf(w->cli->err,
		      "tuner: watch: %s: its repair failed; left alone for %lld s (longer each "
		      "time it fails again), the other repairs go on\n",
		      what, (long long)(ms / 1000));
}

/* A repair that failed: each value whose write failed, and the value whose
 * read failed before it was recorded (t->unrecorded), is left alone for a
 * back-off, so that the next repair makes the others (they were undone with
 * it). Said with the back-off; before the undo, which records the failed
 * value as never applied. */
static void back_off_failed(struct tn_watch_ctx *w, const struct tn_txn *t)
{
	int64_t now = tn_watch_now_ms();

	for (int i = 0; i < t->j.n; i++)
		if (t->j.e[i].status == TN_J_FAILED)
			back_off(w, &t->j.e[i].c, now);
	if (t->has_unrecorded)
		back_off(w, &t->unrecorded, now);
}

/* plan made as one transaction; the line saying it. fights: a repair (not
 * the whole profile applied): its fights counted and its journal among those
 * --keep-journals keeps. Returns 0 or -errno. */
static int transact(struct tn_watch_ctx *w, struct tn_profile *prof, int dirfd,
		    struct tn_plan *plan, const char *why, bool fights, struct tn_diag *d)
{
	/* a repair writes over a value changed since its plan (milliseconds
	 * ago: a racing writer, which the fight count is for); the journal
	 * keeps the value found, for rollback */
	struct tn_txn_opts to = { .force = fights, .report = report_failed, .ctx = w->cli };
	char what[256];
	struct tn_txn txn;
	int ret;

	ret = tn_txn_begin(&txn, &w->root, dirfd, prof->name, prof->digest, &to, d);
	if (ret < 0) { /* no journal (a full state directory): nothing made */
		w->drift += plan->n;
		goto out;
	}
	ret = tn_apply(&txn, &w->state, true, prof, plan, d);
	if (ret < 0) {
		tn_cli_printf(w->cli->err, "tuner: watch: %s: %s; undone\n", why, d->error);
		if (fights)
			back_off_failed(w, &txn);
		tn_diag_free(d);
		tn_diag_init(d);
		tn_txn_undo(&txn, d);
		tn_txn_end(&txn, "failed", d);
		if (fights)
			keep_journal(w, dirfd, txn.j.id);
		w->drift += plan->n;
		goto out;
	}
	tn_txn_end(&txn, txn.n_failed ? "partial" : "applied", d);
	if (fights) /* a repair (the first apply and a reload are kept) */
		keep_journal(w, dirfd, txn.j.id);
	w->drift += txn.n_failed;
	summary(&txn.j, what, sizeof(what));
	if (txn.n_applied)
		w->last_apply = time(NULL);
	if (txn.n_applied && !w->cli->quiet) /* -q: failures, fights and refusals only */
		tn_cli_printf(w->cli->err, "tuner: watch: %s: %s %s (journal %s)\n", why, what,
			      fights ? "restored" : "applied", txn.j.id);
	if (fights)
		count_fights(w, &txn.j);
out:
	tn_txn_free(&txn);
	return ret;
}

/* The processes of the kept snapshot scanned again for prof's rules (their
 * users resolved when prof was first planned); with values, every value of it
 * read again too, irqbalance's included (tn_discover_refresh): 0 or -errno. */
static int rescan(struct tn_watch_ctx *w, const struct tn_profile *prof, bool values,
		  struct tn_diag *d)
{
	struct tn_discover_opts o = { .plan_only = true,
				      .queue_files = tn_profile_uses_queues(prof) };
	int ret;

	o.procs = tn_cli_profile_selectors(prof, &o.n_procs);
	if (!o.procs)
		return -ENOMEM;
	ret = values ? tn_discover_refresh(&w->root, &o, &w->state, d)
		     : tn_process_rescan(&w->root, o.procs, o.n_procs, &w->state, d);
	free((void *)o.procs);
	return ret;
}

/*
 * A repair of what the events name only, in the kept snapshot: each known
 * NIC discovered again (tn_discover_nic: its queues, IRQs and their
 * affinities, rings, channels), the processes scanned again (a process
 * started, or the rescan without the proc connector), then the profile
 * planned on it. Its other parts are stale, but the changes of other NICs
 * and of sysctls are not the repair's (tn_watch_covers). A periodic check
 * reads every value of the snapshot again (tn_discover_refresh): a writer
 * that sends no event changes values, not NICs or vectors, which come with
 * events. false when this does not do (a new NIC, all NICs, a NIC or an IRQ
 * gone, a plan refused): then the host is discovered whole, and the kept
 * snapshot replaced.
 */
static bool plan_part(struct tn_watch_ctx *w, struct tn_profile *prof,
		      const struct tn_watch_dirty *dirty, struct tn_plan *plan)
{
	struct tn_diag quiet; /* a failure here is only a reason to discover all */
	bool ok = true;

	if (!dirty || !w->have_state || dirty->all_nics || dirty->rediscover ||
	    (!dirty->n_nics && !dirty->procs && !dirty->everything))
		return false;
	tn_diag_init(&quiet);
	for (int i = 0; i < dirty->n_nics && ok; i++)
		ok = tn_discover_nic(&w->root, &w->state, dirty->nics[i], &quiet) == 0;
	if (ok && (dirty->procs || dirty->everything))
		ok = rescan(w, prof, dirty->everything, &quiet) == 0;
	ok = ok && tn_plan_compute(&w->state, prof, plan, &quiet) == 0;
	tn_diag_free(&quiet);
	return ok;
}

/*
 * Plan prof on a new snapshot and make what dirty covers (all: NULL), under
 * the lock. The snapshot is kept as w->state when planning succeeds.
 */
static int repair(struct tn_watch_ctx *w, struct tn_profile *prof,
		  const struct tn_watch_dirty *dirty, bool recheck, const char *why)
{
	struct tn_plan plan, todo;
	struct tn_state s;
	struct tn_diag d;
	int dirfd = -1, ret, held = 0;

	tn_diag_init(&d);
	ret = tn_txn_cli_lock(w->cli, &w->to, true, &dirfd, &d);
	if (ret < 0)
		goto out;
	if (!plan_part(w, prof, dirty, &plan)) {
		ret = tn_cli_plan_profile(w->cli, prof, &s, &plan, &d);
		if (ret < 0)
			goto out;
		if (w->have_state)
			tn_state_free(&w->state);
		w->state = s;
		w->have_state = true;
	}
	if (recheck)
		note_held(w, &plan);
	ret = pick(w, &w->state, &plan, dirty, &todo, &held);
	tn_plan_free(&plan);
	if (ret < 0) {
		tn_diag_error(&d, ret, "out of memory");
		goto out;
	}
	w->drift = held;
	if (todo.n)
		ret = transact(w, prof, dirfd, &todo, why, dirty != NULL, &d);
	if (todo.n && ret == 0 && dirty)
		w->repairs++;
	tn_plan_free(&todo);
out:
	/* the lock held by an apply or rollback: tried again later, said at
	 * the first try and then every TN_WATCH_BUSY_SAY tries */
	if (ret == -EBUSY && w->busy++ % TN_WATCH_BUSY_SAY != 0) {
		tn_diag_free(&d);
		tn_diag_init(&d);
	}
	if (ret != -EBUSY)
		w->busy = 0;
	/* the first apply says the plan's warnings; a repair, its error only */
	if (ret < 0 && !dirty)
		tn_cli_report(w->cli, &d);
	else if (ret < 0 && d.error[0])
		tn_cli_printf(w->cli->err, "tuner: watch: %s: %s\n", why, d.error);
	if (dirfd >= 0)
		close(dirfd);
	tn_diag_free(&d);
	tn_watch_prometheus(w);
	/* what discovery and the plan freed goes back to the system: the watch
	 * sleeps for hours holding only its snapshot */
	malloc_trim(0);
	return ret;
}

int tn_watch_apply_all(struct tn_watch_ctx *w, struct tn_profile *prof)
{
	char why[200];

	snprintf(why, sizeof(why), "profile %s", prof->name);
	return repair(w, prof, NULL, false, why);
}

int tn_watch_repair(struct tn_watch_ctx *w, const struct tn_watch_dirty *dirty, bool recheck)
{
	return repair(w, &w->prof, dirty, recheck, recheck ? "recheck" : dirty->why);
}

void tn_watch_status(const struct tn_watch_ctx *w, char *buf, size_t len)
{
	int nics = w->have_state ? tn_watch_count_nics(&w->state, &w->prof) : 0;
	int procs = w->have_state ? w->state.n_processes : 0;

	snprintf(buf, len, "watching %d NIC%s, %d process%s; %ld repair%s", nics,
		 nics == 1 ? "" : "s", procs, procs == 1 ? "" : "es", w->repairs,
		 w->repairs == 1 ? "" : "s");
}

void tn_watch_prometheus(struct tn_watch_ctx *w)
{
	char text[1024];
	struct tn_diag d;

	if (!w->prometheus)
		return;
	snprintf(text, sizeof(text),
		 "# HELP tuner_repairs_total Repairs tuner watch made after events and checks "
		 "(transactions).\n"
		 "# TYPE tuner_repairs_total counter\n"
		 "tuner_repairs_total %ld\n"
		 "# HELP tuner_drift Changes found drifted at the last check and left so "
		 "(backing off from a fight, or failed).\n"
		 "# TYPE tuner_drift gauge\n"
		 "tuner_drift %d\n"
		 "# HELP tuner_last_apply_timestamp_seconds When tuner last changed a value "
		 "(Unix time; 0: never).\n"
		 "# TYPE tuner_last_apply_timestamp_seconds gauge\n"
		 "tuner_last_apply_timestamp_seconds %lld\n",
		 w->repairs, w->drift, (long long)w->last_apply);
	tn_diag_init(&d);
	if (tn_cli_write_atomic(w->prometheus, text, &d) < 0)
		tn_cli_report(w->cli, &d);
	tn_diag_free(&d);
}
