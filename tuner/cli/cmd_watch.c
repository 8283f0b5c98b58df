/* SPDX-License-Identifier: MIT */
/*
 * tuner watch: apply the profile, then keep it applied. One poll(2) waits for
 * link, ethtool and process events (sys/watchsrc.c) and for signals (a
 * signalfd); nothing runs between events but the timers a repair leaves (its
 * rechecks, a fight's back-off), systemd's watchdog when it asks for one, and
 * the periodic check when --check-every asks for one.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "cmd_watch.h"
#include "sdnotify.h"

static const char watch_usage[] =
	"Usage: tuner watch [--profile P] [--state-dir DIR] [--prometheus FILE]\n"
	"                   [--check-every SECONDS] [--keep-journals N] [GLOBAL OPTIONS]\n"
	"\n"
	"Apply the profile (as 'tuner apply'), then keep it applied: when a NIC the\n"
	"profile covers appears or comes up, when its channels or rings change, or when\n"
	"a process a process rule matches starts, the NIC or the processes are planned\n"
	"again and what drifted is applied as a new journaled transaction, with one\n"
	"line on stderr per repair. Events come from rtnetlink, the ethtool netlink\n"
	"monitor and the proc connector (without it, processes are looked for every\n"
	"5 s): no polling, unless --check-every asks for it. A value that something\n"
	"keeps undoing (3 repairs within 30 s) is left alone for a back-off that\n"
	"doubles each time, and the fight is reported once with the likely fighter\n"
	"(irqbalance, tuned, a .link file).\n"
	"\n"
	"  -p, --profile P       a profile file or name, as for 'tuner apply'\n"
	"      --state-dir DIR   journals and lock, as for 'tuner apply' (default\n"
	"                        " TN_STATE_DIR_DEFAULT ")\n"
	"      --prometheus FILE keep a textfile for node_exporter (written atomically):\n"
	"                        tuner_repairs_total, tuner_drift,\n"
	"                        tuner_last_apply_timestamp_seconds\n"
	"      --check-every SECONDS\n"
	"                        also check the whole profile every SECONDS (1 to\n"
	"                        86400), sysctls and irqbalance included, and repair\n"
	"                        what drifted: catches writers that send no event\n"
	"                        (a script, irqbalance); each check reads the values\n"
	"                        again (a file per value), not the whole host\n"
	"      --keep-journals N keep the journals of the last N repairs, deleting older\n"
	"                        ones this watch wrote (default 100; 0 keeps all); the\n"
	"                        first apply's and a reload's are never deleted\n"
	"      --sysroot DIR     repair the tree below DIR (tests); events still come\n"
	"                        from this network namespace\n"
	"  -q, --quiet           say only failures, fights and refused reloads\n"
	"\n"
	"SIGHUP reads the profile again and applies it; a profile that does not load\n"
	"or plan is refused and the old one kept (while another apply or rollback\n"
	"holds the lock, the reload waits for it). SIGTERM and SIGINT exit 0 and leave\n"
	"the host as it is (no rollback). Under systemd (Type=notify) it reports READY,\n"
	"STATUS and, when WatchdogSec= is set, WATCHDOG. Exit status: 0 after SIGTERM,\n"
	"1 when the first apply or the event sources fail.\n";

enum {
	OPT_W_PROFILE = 3000,
	OPT_W_STATE_DIR,
	OPT_W_PROMETHEUS,
	OPT_W_KEEP_JOURNALS,
	OPT_W_CHECK_EVERY,
};

const struct option tn_watch_options[] = {
	{ "profile", required_argument, NULL, OPT_W_PROFILE },
	{ "state-dir", required_argument, NULL, OPT_W_STATE_DIR },
	{ "prometheus", required_argument, NULL, OPT_W_PROMETHEUS },
	{ "keep-journals", required_argument, NULL, OPT_W_KEEP_JOURNALS },
	{ "check-every", required_argument, NULL, OPT_W_CHECK_EVERY },
	{ NULL, 0, NULL, 0 },
};

static int handle(struct tn_cli *cli, int opt, const char *arg, void *ctx)
{
	struct tn_watch_ctx *w = ctx;
	int v;

	if (opt == 'p' || opt == OPT_W_PROFILE)
		w->to.profile = arg;
	else if (opt == OPT_W_STATE_DIR)
		w->to.state_dir = arg;
	else if (opt == OPT_W_PROMETHEUS)
		w->prometheus = arg;
	else if (opt == OPT_W_KEEP_JOURNALS) {
		if (tn_cli_parse_int(arg, 0, TN_WATCH_KEEP_JOURNALS_MAX, &v) < 0)
			return tn_cli_usage_error(cli,
						  "--keep-journals: expected a whole number "
						  "from 0 to %d, not '%s'",
						  TN_WATCH_KEEP_JOURNALS_MAX, arg);
		w->keep_journals = v;
	} else if (opt == OPT_W_CHECK_EVERY) {
		if (tn_cli_parse_int(arg, 1, TN_WATCH_CHECK_EVERY_MAX, &v) < 0)
			return tn_cli_usage_error(cli,
						  "--check-every: expected seconds, a whole "
						  "number from 1 to %d, not '%s'",
						  TN_WATCH_CHECK_EVERY_MAX, arg);
		w->check_ms = (int64_t)v * 1000;
	} else
		return -1;
	return 0;
}

/* One line of the log, unless -q. */
static void say(struct tn_watch_ctx *w, const char *what, const char *arg)
{
	if (!w->cli->quiet)
		tn_cli_printf(w->cli->err, "tuner: watch: %s%s\n", what, arg);
}

static void notify_status(struct tn_watch_ctx *w, bool ready)
{
	char status[200], msg[240];

	tn_watch_status(w, status, sizeof(status));
	snprintf(msg, sizeof(msg), "%sSTATUS=%s", ready ? "READY=1\n" : "", status);
	tn_sd_notify(msg);
}

/* The event sources for the profile (with the proc connector when it has
 * process rules); the old ones are kept when the new ones cannot be opened. */
static int open_src(struct tn_watch_ctx *w, struct tn_diag *d)
{
	struct tn_watchsrc_opts o = { .procs = w->prof.n_procs > 0 };
	struct tn_watchsrc *src;
	int ret = tn_watchsrc_open(&w->root, &o, &src, d);

	if (ret < 0)
		return ret;
	tn_watchsrc_close(w->src);
	w->src = src;
	return 0;
}

/* After an apply of everything: no recheck pending (rechecks follow
 * repairs); the next periodic check a whole period later. */
static void recheck_none(struct tn_watch_ctx *w)
{
	tn_watch_dirty_clear(&w->recheck);
	w->recheck_stage = TN_WATCH_N_RECHECKS;
	w->next_check = tn_watch_now_ms() + w->check_ms;
}

/* SIGHUP: the profile again; refused (the old one kept) unless it loads,
 * plans and applies. The state directory's lock held (an apply or rollback
 * running): put off, tried again a second later, until it is free. */
static void reload(struct tn_watch_ctx *w)
{
	bool again = w->reload_pending;
	struct tn_profile np;
	struct tn_diag d;
	int ret;

	w->reload_pending = false;
	tn_diag_init(&d);
	if (tn_cli_load_profile(w->to.profile, &np, &d) < 0) {
		tn_cli_printf(w->cli->err, "tuner: watch: SIGHUP: %s; keeping profile %s\n",
			      d.error, w->prof.name);
		tn_diag_free(&d);
		return;
	}
	ret = tn_watch_apply_all(w, &np);
	if (ret == -EBUSY) { /* not the profile's fault: said once, then waited for */
		if (!again)
			tn_cli_printf(
				w->cli->err,
				"tuner: watch: SIGHUP: the state directory is locked (another "
				"tuner apply or rollback); profile %s is loaded when it is "
				"free\n",
				np.name);
		w->reload_pending = true;
		w->reload_at = tn_watch_now_ms() + TN_WATCH_MAX_DELAY_MS;
		tn_profile_free(&np);
		tn_diag_free(&d);
		return;
	}
	if (ret < 0) {
		tn_cli_printf(w->cli->err,
			      "tuner: watch: SIGHUP: profile %s refused; keeping "
			      "profile %s\n",
			      np.name, w->prof.name);
		tn_profile_free(&np);
		tn_diag_free(&d);
		return;
	}
	tn_profile_free(&w->prof);
	w->prof = np;
	tn_fights_clear(w->fights);
	tn_watch_dirty_clear(&w->dirty);
	w->deb.armed = false;
	if (open_src(w, &d) < 0)
		tn_cli_report(w->cli, &d);
	recheck_none(w);
	say(w, "SIGHUP: loaded profile ", w->prof.name);
	notify_status(w, false);
	tn_diag_free(&d);
}

/* The earliest of the timers; -1: none. */
static int64_t next_deadline(const struct tn_watch_ctx *w, int64_t wd_next)
{
	static const int rechecks[] = TN_WATCH_RECHECKS;
	int64_t t = tn_debounce_deadline(&w->deb), r;

#define EARLIER(x) ((x) >= 0 && (t < 0 || (x) < t))
	if (w->recheck_stage < TN_WATCH_N_RECHECKS) {
		r = w->recheck_from + rechecks[w->recheck_stage];
		if (EARLIER(r))
			t = r;
	}
	for (int i = 0; i < w->fights->n; i++) {
		r = w->fights->e[i].until;
		if (w->fights->e[i].backoff_ms && r > w->last_check && EARLIER(r))
			t = r;
	}
	if (w->reload_pending && EARLIER(w->reload_at))
		t = w->reload_at;
	if (EARLIER(wd_next))
		t = wd_next;
	if (w->check_ms && EARLIER(w->next_check))
		t = w->next_check;
#undef EARLIER
	return t;
}

/* Whether a fight's back-off ends after now (its value is checked then). */
static bool backing_off(const struct tn_watch_ctx *w, int64_t now)
{
	for (int i = 0; i < w->fights->n; i++)
		if (w->fights->e[i].backoff_ms && w->fights->e[i].until > now)
			return true;
	return false;
}

/* The timers due at now: the debounced repair, the periodic check, a recheck. */
static void run_timers(struct tn_watch_ctx *w, int64_t now)
{
	static const int rechecks[] = TN_WATCH_RECHECKS;
	long before = w->repairs, failed = w->failures;
	bool due = false, check;

	if (w->reload_pending && now >= w->reload_at)
		reload(w); /* a SIGHUP that found the lock held */
	check = w->check_ms && now >= w->next_check;

	if (check) {
		/* everything: the events waiting for their debounce too */
		w->dirty.everything = true;
		if (!w->dirty.why[0])
			snprintf(w->dirty.why, sizeof(w->dirty.why), "check");
		w->deb.armed = false;
	}
	if (check || tn_debounce_take(&w->deb, now)) {
		if (tn_watch_repair(w, &w->dirty, false) == -EBUSY) {
			/* another apply or rollback holds the lock: again later */
			if (check)
				w->next_check = tn_watch_now_ms() + TN_WATCH_MAX_DELAY_MS;
			else
				tn_debounce_kick(&w->deb,
						 tn_watch_now_ms() + TN_WATCH_MAX_DELAY_MS);
			return;
		}
		w->last_check = tn_watch_now_ms();
		if (w->dirty.everything)
			w->next_check = w->last_check + w->check_ms;
		/* it changed something, or it failed and backed a value off (the
		 * others were undone with it, and are made without it): look again
		 * later, as at a fight's back-off's end */
		if (w->repairs != before || w->failures != failed) {
			tn_watch_dirty_merge(&w->recheck, &w->dirty);
			w->recheck_stage = 0;
			w->recheck_from = tn_watch_now_ms();
		}
		tn_watch_dirty_clear(&w->dirty);
		notify_status(w, false);
		return;
	}
	if (w->recheck_stage < TN_WATCH_N_RECHECKS &&
	    now >= w->recheck_from + rechecks[w->recheck_stage])
		due = true;
	for (int i = 0; i < w->fights->n && !due; i++)
		due = w->fights->e[i].backoff_ms && w->fights->e[i].until > w->last_check &&
		      now >= w->fights->e[i].until;
	if (!due || !tn_watch_dirty_any(&w->recheck))
		return;
	tn_watch_repair(w, &w->recheck, true);
	w->last_check = tn_watch_now_ms();
	/* undone since, or failed again: check again from now */
	if (w->repairs != before || w->failures != failed) {
		w->recheck_stage = 0;
		w->recheck_from = tn_watch_now_ms();
		notify_status(w, false);
		return;
	}
	while (w->recheck_stage < TN_WATCH_N_RECHECKS &&
	       now >= w->recheck_from + rechecks[w->recheck_stage])
		w->recheck_stage++;
	if (w->recheck_stage == TN_WATCH_N_RECHECKS && !backing_off(w, now))
		tn_watch_dirty_clear(&w->recheck); /* all held: nothing left to check */
}

/* Signals read from the signalfd; returns true on SIGTERM or SIGINT. */
static bool read_signals(struct tn_watch_ctx *w, int sfd)
{
	struct signalfd_siginfo si;
	bool quit = false;

	while (read(sfd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
		if (si.ssi_signo == SIGHUP && !quit)
			reload(w);
		else if (si.ssi_signo == SIGTERM || si.ssi_signo == SIGINT)
			quit = true;
	}
	return quit;
}

static int loop(struct tn_watch_ctx *w, int sfd)
{
	struct tn_wevent ev[64];
	uint64_t wd_usec = 0;
	int64_t wd_next = -1;
	int n, ret;

	if (tn_sd_watchdog_enabled(&wd_usec) > 0 && wd_usec >= 2000)
		wd_next = tn_watch_now_ms();
	for (;;) {
		int64_t now = tn_watch_now_ms(), t = next_deadline(w, wd_next);
		int timeout = t < 0	 ? -1
			      : t <= now ? 0
					 : (int)(t - now > 3600000 ? 3600000 : t - now);

		ret = tn_watchsrc_wait(w->src, sfd, timeout, now, ev, 64, &n);
		if (ret < 0) {
			tn_cli_printf(w->cli->err, "tuner: watch: waiting for events: %s\n",
				      strerror(-ret));
			return TN_EXIT_ERROR;
		}
		if (ret == 1 && read_signals(w, sfd))
			return TN_EXIT_OK;
		now = tn_watch_now_ms();
		for (int i = 0; i < n; i++)
			if (tn_watch_note_event(&w->state, &w->prof, &ev[i], &w->dirty))
				tn_debounce_kick(&w->deb, now);
		run_timers(w, now);
		if (wd_next >= 0 && tn_watch_now_ms() >= wd_next) {
			tn_sd_notify("WATCHDOG=1");
			wd_next = tn_watch_now_ms() + (int64_t)(wd_usec / 2000);
		}
	}
}

/* One watch per state directory: a lock held for its life (watch.lock). */
static int lock_watch(struct tn_watch_ctx *w, struct tn_diag *d)
{
	int dirfd, ret = tn_statedir_open(w->to.state_dir, true, &dirfd, d);

	if (ret < 0)
		return ret;
	w->watch_lock = openat(dirfd, TN_WATCH_LOCK_FILE,
			       O_RDWR | O_CREAT | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC, 0600);
	ret = w->watch_lock < 0 ? -errno : 0;
	close(dirfd);
	if (ret < 0)
		return tn_diag_error(d, ret, "%s/%s: %s", w->to.state_dir, TN_WATCH_LOCK_FILE,
				     strerror(-ret));
	if (flock(w->watch_lock, LOCK_EX | LOCK_NB) < 0)
		return tn_diag_error(d, errno == EWOULDBLOCK ? -EBUSY : -errno, "%s: %s",
				     w->to.state_dir,
				     errno == EWOULDBLOCK ? "another tuner watch uses this state "
							    "directory"
							  : strerror(errno));
	return 0;
}

/* Signals to the signalfd; the event sources; the first apply. */
static int start(struct tn_watch_ctx *w, int *sfd, struct tn_diag *d)
{
	sigset_t set;
	char status[200];

	if (lock_watch(w, d) < 0)
		return -EBUSY;

	sigemptyset(&set);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	if (sigprocmask(SIG_BLOCK, &set, NULL) < 0 ||
	    (*sfd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK)) < 0)
		return tn_diag_error(d, -errno, "signalfd: %s", strerror(errno));
	/* listening first: an event during the first apply is queued, not lost */
	if (open_src(w, d) < 0)
		return -EIO;
	tn_cli_report(w->cli, d); /* the sources' warnings */
	if (tn_watch_apply_all(w, &w->prof) < 0)
		return -EIO;
	recheck_none(w);
	tn_watch_status(w, status, sizeof(status));
	say(w, "", status);
	notify_status(w, true);
	return 0;
}

int tn_cmd_watch(struct tn_cli *cli, int argc, char **argv)
{
	struct tn_watch_ctx *w = calloc(1, sizeof(*w));
	struct tn_cli_spec spec = { .usage = watch_usage,
				    .short_opts = TN_WATCH_SHORT,
				    .opts = tn_watch_options,
				    .handle = handle,
				    .max_operands = 0 };
	struct tn_diag d;
	char why[300];
	int code = TN_EXIT_ERROR, sfd = -1, ret;

	if (!w || !(w->fights = calloc(1, sizeof(*w->fights)))) {
		free(w);
		tn_cli_printf(cli->err, "tuner: out of memory\n");
		return TN_EXIT_ERROR;
	}
	w->cli = cli;
	w->watch_lock = -1;
	w->to.state_dir = TN_STATE_DIR_DEFAULT;
	w->to.wait = TN_WATCH_LOCK_WAIT;
	w->keep_journals = TN_WATCH_KEEP_JOURNALS;
	w->recheck_stage = TN_WATCH_N_RECHECKS;
	tn_debounce_init(&w->deb, TN_WATCH_QUIET_MS, TN_WATCH_MAX_DELAY_MS);
	spec.ctx = w;
	tn_diag_init(&d);
	if (tn_cli_parse(cli, argc, argv, &spec, &code) < 0)
		goto out_free;
	code = TN_EXIT_USAGE;
	if (cli->state_file) {
		tn_cli_usage_error(cli, "watch: --state is a saved snapshot; watch needs the host "
					"(or --sysroot)");
		goto out_free;
	}
	if (cli->json) {
		tn_cli_usage_error(cli, "watch: --json: watch writes a log, not a document");
		goto out_free;
	}
	code = TN_EXIT_ERROR;
	ret = tn_sysroot_open(cli->sysroot ? cli->sysroot : "/", &w->root);
	if (ret < 0) {
		tn_diag_error(&d, ret, "--sysroot %s: %s", cli->sysroot, strerror(-ret));
		goto out_free;
	}
	if (!tn_sd_load(why, sizeof(why)) && getenv("NOTIFY_SOCKET"))
		tn_cli_printf(cli->err,
			      "tuner: watch: warning: %s: systemd is not told of "
			      "readiness, status or the watchdog\n",
			      why);
	if (tn_cli_load_profile(w->to.profile, &w->prof, &d) == 0) {
		w->have_prof = true;
		if (start(w, &sfd, &d) == 0)
			code = loop(w, sfd);
	}
	tn_sd_notify("STOPPING=1");
	tn_watchsrc_close(w->src);
	tn_sysroot_close(&w->root);
out_free:
	tn_cli_report(cli, &d);
	tn_diag_free(&d);
	if (sfd >= 0)
		close(sfd);
	if (w->watch_lock >= 0)
		close(w->watch_lock);
	if (w->have_prof)
		tn_profile_free(&w->prof);
	if (w->have_state)
		tn_state_free(&w->state);
	tn_fights_clear(w->fights);
	free(w->fights);
	free(w->kept);
	free(w);
	return code;
}
