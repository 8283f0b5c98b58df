/* SPDX-License-Identifier: MIT */
/* apply, rollback, verify, history: the commands that change the host or read
 * what changed it. */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "jsonutil.h"
#include "links.h"
#include "plan.h"
#include "txn.h"

struct apply_opts {
	const char *profile;
	const char *state_dir;
	int wait, wait_links;
	bool dry_run, force, keep_going, last, boot;
	unsigned seen;		/* bit (OPT_x - OPT_FIRST) of each option given */
};

enum {
	OPT_FIRST = 2000,
	OPT_PROFILE = OPT_FIRST,
	OPT_STATE_DIR,
	OPT_WAIT,
	OPT_DRY_RUN,
	OPT_FORCE,
	OPT_KEEP_GOING,
	OPT_LAST,
	OPT_BOOT,
	OPT_WAIT_LINKS,
};
#define OPT_BIT(o) (1u << ((o) - OPT_FIRST))

/* --boot waits this long for links unless --wait-links says otherwise */
#define TN_WAIT_LINKS_DEFAULT 30

static int seconds(struct tn_cli *cli, const char *name, const char *arg, int *out)
{
	char *end;
	long v = strtol(arg, &end, 10);

	if (*end || end == arg || v < 0 || v > 86400)
		return tn_cli_usage_error(cli, "%s: \"%s\" is not a number of seconds (0 to 86400)",
					  name, arg);
	*out = (int)v;
	return 0;
}

static int handle(struct tn_cli *cli, int opt, const char *arg, void *ctx)
{
	struct apply_opts *o = ctx;

	if (opt == 'p')
		opt = OPT_PROFILE;
	if (opt < OPT_FIRST || opt > OPT_WAIT_LINKS)
		return -1;
	o->seen |= OPT_BIT(opt);
	switch (opt) {
	case OPT_PROFILE:
		o->profile = arg;
		return 0;
	case OPT_STATE_DIR:
		o->state_dir = arg;
		return 0;
	case OPT_WAIT:
		return seconds(cli, "--wait", arg, &o->wait);
	case OPT_WAIT_LINKS:
		return seconds(cli, "--wait-links", arg, &o->wait_links);
	case OPT_DRY_RUN:
		o->dry_run = true;
		return 0;
	case OPT_FORCE:
		o->force = true;
		return 0;
	case OPT_KEEP_GOING:
		o->keep_going = true;
		return 0;
	case OPT_LAST:
		o->last = true;
		return 0;
	case OPT_BOOT:
		o->boot = true;
		return 0;
	}
	return -1;
}

const struct option tn_apply_options[] = {
	{ "profile", required_argument, NULL, OPT_PROFILE },
	{ "state-dir", required_argument, NULL, OPT_STATE_DIR },
	{ "wait", required_argument, NULL, OPT_WAIT },
	{ "dry-run", no_argument, NULL, OPT_DRY_RUN },
	{ "force", no_argument, NULL, OPT_FORCE },
	{ "keep-going", no_argument, NULL, OPT_KEEP_GOING },
	{ "last", no_argument, NULL, OPT_LAST },
	{ "boot", no_argument, NULL, OPT_BOOT },
	{ "wait-links", required_argument, NULL, OPT_WAIT_LINKS },
	{ NULL, 0, NULL, 0 },
};

/* Options of apply, rollback, verify and history share one table; 'allowed'
 * (OPT_BIT()s) says which the command takes. */
static int parse(struct tn_cli *cli, int argc, char **argv, struct apply_opts *o,
		 const char *usage, int max_operands, unsigned allowed)
{
	int first;

	o->state_dir = TN_STATE_DIR_DEFAULT;
	o->wait_links = TN_WAIT_LINKS_DEFAULT;
	first = tn_cli_getopt(cli, argc, argv, TN_APPLY_SHORT, tn_apply_options, handle, o, usage);
	if (first == -2)
		return -2;
	if (first < 0)
		return -1;
	for (const struct option *op = tn_apply_options; op->name; op++) {
		if (!(o->seen & OPT_BIT(op->val)) || (allowed & OPT_BIT(op->val)))
			continue;
		tn_cli_usage_error(cli, "%s: --%s is not an option of this command", argv[0],
				   op->name);
		return -1;
	}
	if (argc - first > max_operands) {
		tn_cli_usage_error(cli, "%s: unexpected argument '%s'", argv[0],
				   argv[first + max_operands]);
		return -1;
	}
	return first;
}

/* ---- output ---- */

struct reporter {
	struct tn_cli *cli;
	const char *verb;	/* of a value written back: "undone", "restored" */
};

static void report(void *ctx, const struct tn_change *c, enum tn_jstatus st, const char *err)
{
	struct reporter *r = ctx;
	char what[TN_LABEL_MAX];

	if (r->cli->json)
		return;
	if (r->cli->quiet && st != TN_J_FAILED)
		return; /* -q: failures and the summary only */
	tn_change_label(c, TN_LABEL_REPORT, what, sizeof(what));
	if (st == TN_J_APPLIED)
		tn_cli_printf(r->cli->err, "tuner: %s: %s -> %s\n", what, c->before, c->after);
	else if (st == TN_J_ROLLED_BACK && err && *err)
		tn_cli_printf(r->cli->err, "tuner: %s: %s (%s)\n", what, c->before, err);
	else if (st == TN_J_ROLLED_BACK)
		tn_cli_printf(r->cli->err, "tuner: %s: %s -> %s (%s)\n", what, c->after, c->before,
			      r->verb);
	else
		tn_cli_printf(r->cli->err, "tuner: %s: %s%s%s\n", what, tn_jstatus_name(st),
			      err && *err ? ": " : "", err ? err : "");
}

static cJSON *journal_json(const struct tn_journal *j)
{
	cJSON *o = cJSON_CreateObject(), *arr;

	if (!o || tn_json_add_int(o, "schema_version", TN_SCHEMA_VERSION) < 0 ||
	    tn_json_add_str(o, "journal", j->id) < 0 || tn_json_add_str(o, "time", j->time) < 0 ||
	    tn_json_add_str(o, "profile", j->profile) < 0 ||
	    tn_json_add_str(o, "status", tn_journal_state(j)) < 0 ||
	    tn_json_add_item(o, "changes", arr = cJSON_CreateArray()) < 0)
		goto oom;
	for (int i = 0; i < j->n; i++) {
		cJSON *c = tn_change_to_json(&j->e[i].c);

		if (tn_json_add_item(arr, NULL, c) < 0 ||
		    tn_json_add_str(c, "status", tn_jstatus_name(j->e[i].status)) < 0 ||
		    tn_json_add_str(c, "error", j->e[i].error) < 0)
			goto oom;
	}
	return o;
oom:
	cJSON_Delete(o);
	return NULL;
}

/* rollback --json: the journal, and what this run did (or would do, with
 * --dry-run): the per-change statuses do not tell "restored now" from
 * "already as before" or from an earlier rollback. */
static cJSON *rollback_json(const struct tn_journal *j, const struct tn_rollback_result *res,
			    bool dry_run)
{
	cJSON *o = journal_json(j), *r;

	if (!o || tn_json_add_item(o, "result", r = cJSON_CreateObject()) < 0 ||
	    tn_json_add_bool(r, "dry_run", dry_run) < 0 ||
	    tn_json_add_int(r, "restored", res->restored) < 0 ||
	    tn_json_add_int(r, "unchanged", res->unchanged) < 0 ||
	    tn_json_add_int(r, "never_applied", res->never_applied) < 0 ||
	    tn_json_add_int(r, "left_alone", res->left) < 0 ||
	    tn_json_add_int(r, "skipped", res->skipped) < 0 ||
	    tn_json_add_int(r, "failed", res->failed) < 0) {
		cJSON_Delete(o);
		return NULL;
	}
	return o;
}

/* ---- apply ---- */

static const char apply_usage[] =
	"Usage: tuner apply [--profile P] [--dry-run] [--force] [--keep-going] [--json]\n"
	"                   [--state-dir DIR] [--wait SECS] [--boot [--wait-links SECS]]\n"
	"                   [GLOBAL OPTIONS]\n"
	"\n"
	"Make the changes 'tuner plan' shows, as a transaction: each value is re-read,\n"
	"recorded in a journal (synced) before it is written, then read back. On any\n"
	"failure every change made so far is undone and tuner exits 1. 'tuner rollback'\n"
	"undoes a whole apply later, even after a crash.\n"
	"\n"
	"  -p, --profile P     a profile file (a path: with a '/') or a profile name, as\n"
	"                      for 'tuner plan' (default: the built-in default)\n"
	"      --dry-run       show the plan and exit like 'tuner plan'\n"
	"      --force         apply even over values changed since they were read\n"
	"      --keep-going    record a failed change and go on (exit 3 if any failed)\n"
	"      --state-dir DIR journals and lock (default " TN_STATE_DIR_DEFAULT "); it and\n"
	"                      every directory above it must be owned by root or us\n"
	"                      and not writable by others, and be no symlink\n"
	"      --wait SECS     wait that long for another apply or rollback (default 0;\n"
	"                      with --boot, what is left of --wait-links)\n"
	"      --boot          at boot: first wait for the profile's links (below)\n"
	"      --wait-links SECS  how long --boot waits for links (default 30)\n"
	"  -j, --json          the journal's records as JSON\n"
	"      --sysroot DIR   apply to the tree below DIR (tests); nothing else is touched\n"
	"\n"
	"--boot waits, listening to rtnetlink link events, until every interface rule\n"
	"with \"required\": true matches a NIC that is up (without required rules: until\n"
	"one NIC a rule matches is up), then applies. It never waits longer than\n"
	"--wait-links; on timeout it changes nothing.\n"
	"\n"
	"Each change is printed on stderr as it is made (-q: only failures and the\n"
	"summary line). Exit status: 0 applied (or nothing to do, without --boot),\n"
	"1 failed and undone, 3 partially applied (--keep-going), 4 timed out waiting\n"
	"for links (--boot), 5 nothing to do: the host matches (--boot).\n";

static int lock_state(struct tn_cli *cli, const struct apply_opts *o, bool create, int *dirfd,
		      struct tn_diag *d)
{
	int ret = tn_statedir_open(o->state_dir, create, dirfd, d);

	if (ret < 0)
		return ret;
	ret = tn_statedir_lock(*dirfd, o->state_dir, o->wait, d);
	if (ret < 0) {
		close(*dirfd);
		*dirfd = -1;
	}
	return ret;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/*
 * apply --boot: wait until the links the profile needs exist and are up
 * (tn_plan_links_ready()), for at most --wait-links seconds. Link events wake
 * us (tn_linkwatch); each wake-up discovers the NICs again and checks. Returns
 * 0 when ready, TN_EXIT_LINKS on timeout, TN_EXIT_ERROR on error (in d).
 */
static int wait_links(struct tn_cli *cli, const struct apply_opts *o,
		      const struct tn_sysroot *root, struct tn_diag *d)
{
	double start = now_s(), left;
	struct tn_linkwatch *w = NULL;
	struct tn_profile prof;
	bool said = false, ready = false;
	char why[300] = "";
	int ret;

	if (tn_cli_load_profile(o->profile, &prof, d) < 0)
		return TN_EXIT_ERROR;
	if (tn_linkwatch_open(root, &w, d) < 0) {
		tn_profile_free(&prof);
		return TN_EXIT_ERROR;
	}
	for (;;) {
		struct tn_state s;
		struct tn_diag quiet; /* discovery's warnings come again with the plan */
		bool *up;

		tn_diag_init(&quiet);
		ret = tn_cli_load_state(cli, NULL, 0, NULL, 0, &s, &quiet);
		if (ret < 0) {
			tn_diag_error(d, ret, "%s", quiet.error);
			tn_diag_free(&quiet);
			break;
		}
		tn_diag_free(&quiet);
		up = calloc((size_t)s.n_nics + 1, sizeof(*up));
		if (!up) {
			tn_state_free(&s);
			ret = tn_diag_error(d, -ENOMEM, "out of memory");
			break;
		}
		for (int i = 0; i < s.n_nics; i++)
			up[i] = tn_link_is_up(root, s.nics[i].name);
		ready = tn_plan_links_ready(&s, &prof, up, why, sizeof(why));
		free(up);
		tn_state_free(&s);
		if (ready)
			break;
		left = start + o->wait_links - now_s();
		if (left <= 0)
			break;
		if (!said && !cli->json && !cli->quiet)
			tn_cli_printf(cli->err, "tuner: waiting up to %d s for links: %s\n",
				      o->wait_links, why);
		said = true;
		ret = tn_linkwatch_wait(w, (int)(left * 1000) + 1);
		if (ret < 0) {
			tn_diag_error(d, ret, "waiting for link events: %s", strerror(-ret));
			break;
		}
	}
	tn_linkwatch_close(w);
	tn_profile_free(&prof);
	if (ret < 0)
		return TN_EXIT_ERROR;
	if (!ready) {
		tn_diag_error(d, -ETIMEDOUT, "timed out after %d s waiting for links (%s); nothing "
					     "was changed",
			      o->wait_links, why);
		return TN_EXIT_LINKS;
	}
	if (said && !cli->json && !cli->quiet)
		tn_cli_printf(cli->err, "tuner: links ready after %.1f s\n", now_s() - start);
	return 0;
}

static bool stage_one(enum tn_change_kind k)
{
	return k == TN_CHANGE_CHANNELS || k == TN_CHANGE_RING;
}

int tn_cmd_apply(struct tn_cli *cli, int argc, char **argv)
{
	struct apply_opts o = { 0 };
	struct reporter rep = { cli, "undone" };
	struct tn_profile prof;
	struct tn_state state;
	struct tn_plan plan;
	struct tn_sysroot root;
	struct tn_txn txn;
	struct tn_diag d;
	int dirfd = -1, ret, rc = TN_EXIT_ERROR, first;
	bool have_plan = false, have_txn = false;

	first = parse(cli, argc, argv, &o, apply_usage, 0,
		      OPT_BIT(OPT_PROFILE) | OPT_BIT(OPT_STATE_DIR) | OPT_BIT(OPT_WAIT) |
			      OPT_BIT(OPT_DRY_RUN) | OPT_BIT(OPT_FORCE) | OPT_BIT(OPT_KEEP_GOING) |
			      OPT_BIT(OPT_BOOT) | OPT_BIT(OPT_WAIT_LINKS));
	if (first == -2)
		return TN_EXIT_OK;
	if (first < 0)
		return TN_EXIT_USAGE;
	if (cli->state_file)
		return tn_cli_usage_error(cli, "apply: --state is a saved snapshot; apply needs the "
					       "host (or --sysroot)"),
		       TN_EXIT_USAGE;
	if (o.dry_run) {
		char *args[] = { (char *)"plan", (char *)"--profile", (char *)o.profile, NULL };

		if (!o.profile)
			args[1] = NULL;
		return tn_cmd_plan(cli, o.profile ? 3 : 1, args);
	}
	tn_diag_init(&d);
	ret = tn_sysroot_open(cli->sysroot ? cli->sysroot : "/", &root);
	if (ret < 0) {
		tn_diag_error(&d, ret, "--sysroot %s: %s", cli->sysroot, strerror(-ret));
		goto out;
	}
	if (o.boot) {
		double start = now_s();

		rc = wait_links(cli, &o, &root, &d);
		if (rc != 0)
			goto out_root;
		rc = TN_EXIT_ERROR;
		/* the lock too is waited for within the --wait-links budget */
		if (!(o.seen & OPT_BIT(OPT_WAIT))) {
			int spent = (int)(now_s() - start);

			o.wait = spent < o.wait_links ? o.wait_links - spent : 0;
		}
	}
	/* Plan under the lock: nobody changes the host between plan and apply. */
	if (lock_state(cli, &o, true, &dirfd, &d) < 0)
		goto out_root;
	if (tn_cli_plan(cli, o.profile, &prof, &state, &plan, &d) < 0)
		goto out_root;
	have_plan = true;
	if (plan.n == 0) {
		tn_cli_report(cli, &d);
		if (cli->json)
			tn_cli_print_json(cli, tn_plan_to_json(&plan, &d));
		else if (!cli->quiet)
			tn_cli_printf(cli->err,
				      "tuner: nothing to change: this host matches profile %s\n",
				      plan.profile);
		rc = o.boot ? TN_EXIT_NOTHING : TN_EXIT_OK;
		goto out_root;
	}
	{
		struct tn_txn_opts to = { .force = o.force, .keep_going = o.keep_going,
					  .report = report, .ctx = &rep };

		ret = tn_txn_begin(&txn, &root, dirfd, prof.name, prof.digest, &to, &d);
		have_txn = true;
		if (ret < 0)
			goto out_root;
	}
	/* Stage 1: channels and rings. Drivers reset IRQ affinity and may
	 * replace the queue IRQs when they change: plan the rest again after. */
	{
		int n1 = 0;

		while (n1 < plan.n && stage_one(plan.changes[n1].kind))
			n1++;
		ret = tn_txn_run(&txn, plan.changes, n1, &d);
		if (ret == 0 && n1 > 0) {
			tn_plan_free(&plan);
			tn_state_free(&state);
			tn_profile_free(&prof);
			have_plan = false;
			ret = tn_cli_plan(cli, o.profile, &prof, &state, &plan, &d);
			have_plan = ret == 0;
		}
		if (ret == 0) {
			int k = 0;

			while (k < plan.n && stage_one(plan.changes[k].kind))
				k++;
			ret = tn_txn_run(&txn, plan.changes + k, plan.n - k, &d);
		}
	}
	if (ret < 0) {
		tn_cli_report(cli, &d);
		tn_cli_printf(cli->err, "tuner: undoing the %d change%s made\n", txn.n_applied,
			      txn.n_applied == 1 ? "" : "s");
		tn_diag_free(&d);
		tn_diag_init(&d);
		ret = tn_txn_undo(&txn, &d);
		tn_txn_end(&txn, ret < 0 ? "failed, undo incomplete" : "failed", &d);
		if (ret < 0)
			tn_cli_printf(cli->err,
				      "tuner: the undo is incomplete: see 'tuner rollback %s'\n",
				      txn.j.id);
		rc = TN_EXIT_ERROR;
	} else {
		const char *status = txn.n_failed ? "partial" : "applied";

		tn_txn_end(&txn, status, &d);
		rc = txn.n_failed ? TN_EXIT_PARTIAL : TN_EXIT_OK;
		if (!cli->json)
			tn_cli_printf(cli->err,
				      "tuner: %s: %d change%s applied, %d skipped, %d failed; "
				      "journal %s (undo: tuner rollback --last)\n",
				      status, txn.n_applied, txn.n_applied == 1 ? "" : "s",
				      txn.n_skipped, txn.n_failed, txn.j.id);
	}
	if (cli->json)
		tn_cli_print_json(cli, journal_json(&txn.j));
out_root:
	tn_sysroot_close(&root);
out:
	tn_cli_report(cli, &d);
	if (have_txn)
		tn_txn_free(&txn);
	if (have_plan) {
		tn_plan_free(&plan);
		tn_state_free(&state);
		tn_profile_free(&prof);
	}
	if (dirfd >= 0)
		close(dirfd);
	tn_diag_free(&d);
	return rc;
}

/* ---- rollback ---- */

static const char rollback_usage[] =
	"Usage: tuner rollback [--last | ID] [--dry-run] [--force] [--json]\n"
	"                      [--state-dir DIR] [--wait SECS] [GLOBAL OPTIONS]\n"
	"\n"
	"Restore what an apply changed, in reverse order, from its journal (the newest\n"
	"with --last or no ID; ids from 'tuner history'). A value someone changed since\n"
	"the apply is reported and left alone unless --force. Threads that exited, and\n"
	"processes whose pid another process holds now (another start time or comm),\n"
	"are skipped. A journal that is damaged or holds a value not of its kind is\n"
	"refused, and so is one from another boot: these settings do not survive a\n"
	"reboot (--force restores the recorded values anyway). Rolling back twice\n"
	"changes nothing the second time. Each change is reported as restored, never\n"
	"applied or already as before (nothing written), left alone, skipped or failed.\n"
	"\n"
	"With --json: the journal, and \"result\": how many values this run restored,\n"
	"found already as before, never applied, left alone, skipped or failed (--dry-run:\n"
	"would).\n"
	"\n"
	"Exit status: 0 restored (or nothing to do), 1 error or some value not restored.\n";

static int pick_journal(int dirfd, const char *want, char *id, size_t len, struct tn_diag *d,
			const char *dir)
{
	char **ids;
	int n, ret;

	if (want) {
		snprintf(id, len, "%s", want);
		return 0;
	}
	ret = tn_journal_list(dirfd, &ids, &n);
	if (ret < 0)
		return tn_diag_error(d, ret, "%s: %s", dir, strerror(-ret));
	if (n == 0) {
		tn_journal_list_free(ids, n);
		return tn_diag_error(d, -ENOENT, "%s: no journal: nothing was applied", dir);
	}
	snprintf(id, len, "%s", ids[n - 1]);
	tn_journal_list_free(ids, n);
	return 0;
}

int tn_cmd_rollback(struct tn_cli *cli, int argc, char **argv)
{
	struct apply_opts o = { 0 };
	struct reporter rep = { cli, "restored" };
	struct tn_rollback_result res;
	struct tn_journal j = { 0 };
	struct tn_sysroot root;
	struct tn_diag d;
	char id[96], boot[64];
	int dirfd = -1, fd = -1, ret, rc = TN_EXIT_ERROR, first;

	first = parse(cli, argc, argv, &o, rollback_usage, 1,
		      OPT_BIT(OPT_STATE_DIR) | OPT_BIT(OPT_WAIT) | OPT_BIT(OPT_DRY_RUN) |
			      OPT_BIT(OPT_FORCE) | OPT_BIT(OPT_LAST));
	if (first == -2)
		return TN_EXIT_OK;
	if (first < 0)
		return TN_EXIT_USAGE;
	if (o.last && first < argc)
		return tn_cli_usage_error(cli, "rollback: --last or an ID, not both"), TN_EXIT_USAGE;
	if (cli->state_file)
		return tn_cli_usage_error(cli, "rollback: --state cannot be used here"),
		       TN_EXIT_USAGE;
	tn_diag_init(&d);
	ret = tn_sysroot_open(cli->sysroot ? cli->sysroot : "/", &root);
	if (ret < 0) {
		tn_diag_error(&d, ret, "--sysroot %s: %s", cli->sysroot, strerror(-ret));
		goto out;
	}
	if (lock_state(cli, &o, false, &dirfd, &d) < 0 ||
	    pick_journal(dirfd, first < argc ? argv[first] : NULL, id, sizeof(id), &d,
			 o.state_dir) < 0 ||
	    tn_journal_load(dirfd, o.state_dir, id, &j, &d) < 0)
		goto out_root;
	if (strcmp(j.sysroot, root.path) != 0) {
		tn_diag_error(&d, -EINVAL,
			      "journal %s was made for %s%s, not %s: give the same --sysroot", id,
			      strcmp(j.sysroot, "/") ? "--sysroot " : "the host ", j.sysroot,
			      root.path);
		goto out_root;
	}
	tn_boot_id(&root, boot, sizeof(boot));
	if (strcmp(boot, j.boot_id) != 0 && !o.force) {
		tn_diag_error(&d, -ESTALE,
			      "journal %s was made during another boot (boot id %s, now %s): "
			      "these settings do not survive a reboot, so there is nothing to "
			      "roll back (--force restores the recorded values anyway)",
			      id, j.boot_id, boot);
		goto out_root;
	}
	if (o.dry_run)
		rep.verb = "would be restored";
	if (!o.dry_run && tn_journal_open_append(dirfd, id, &fd, &d) < 0)
		goto out_root;
	ret = tn_rollback(&root, &j, fd, o.force, o.dry_run, report, &rep, &res, &d);
	if (fd >= 0 && !o.dry_run) {
		int fdd = fd;
		char *line = tn_journal_end_line(ret < 0 ? "rollback incomplete" : "rolled back");

		if (line && write(fdd, line, strlen(line)) < 0)
			ret = tn_diag_error(&d, -errno, "journal: %s", strerror(errno));
		free(line);
		fdatasync(fdd);
		snprintf(j.end, sizeof(j.end), "%s", ret < 0 ? "rollback incomplete" : "rolled back");
	}
	if (cli->json) {
		tn_cli_print_json(cli, rollback_json(&j, &res, o.dry_run));
	} else {
		tn_cli_printf(cli->err,
			      "tuner: %sjournal %s: %d restored, %d already as before, %d never "
			      "applied, %d left alone (changed since), %d skipped, %d failed\n",
			      o.dry_run ? "dry run: " : "", id, res.restored, res.unchanged,
			      res.never_applied, res.left, res.skipped, res.failed);
	}
	rc = ret < 0 ? TN_EXIT_ERROR : TN_EXIT_OK;
out_root:
	tn_sysroot_close(&root);
out:
	tn_cli_report(cli, &d);
	if (fd >= 0)
		close(fd);
	if (dirfd >= 0)
		close(dirfd);
	tn_journal_free(&j);
	tn_diag_free(&d);
	return rc;
}

/* ---- verify ---- */

static const char verify_usage[] =
	"Usage: tuner verify [--profile P] [--json] [GLOBAL OPTIONS]\n"
	"\n"
	"Compare the host with what a profile asks for; needs no earlier apply.\n"
	"Exit status: 0 the host matches, 2 drift (each difference listed), 1 error.\n";

static bool irq_banned(const struct tn_state *s, int irq)
{
	for (int i = 0; i < s->irqbalance.n_banned_irqs; i++)
		if (s->irqbalance.banned_irqs[i] == irq)
			return true;
	return false;
}

/* "thread 12 (on 0), 14 (on 0-3)": the threads of a drifted process that are
 * not where the profile wants them, at most four named. */
static void thread_hint(const struct tn_state *s, const struct tn_change *c, char *buf,
			size_t len)
{
	struct tn_cpuset want;
	int pid = atoi(c->target), shown = 0, off = 0, n = 0;

	if (tn_cpuset_parse_list(c->after, &want) < 0)
		return;
	for (int i = 0; i < s->n_processes; i++) {
		const struct tn_process *p = &s->processes[i];

		if (p->pid != pid)
			continue;
		for (int k = 0; k < p->n_threads; k++) {
			char *cpus;
			int w;

			if (tn_cpuset_equal(&p->threads[k].affinity, &want))
				continue;
			if (n++ >= 4)
				continue;
			cpus = tn_cpuset_list_alloc(&p->threads[k].affinity);
			/* a thread whose CPU list does not fit whole is counted, not cut */
			w = cpus ? snprintf(buf + off, len - (size_t)off, "%s %d (on %s)",
					    shown ? "," : "thread", p->threads[k].tid, cpus)
				 : -1;
			free(cpus);
			if (w < 0 || (size_t)(off + w) >= len - 16) {
				buf[off] = '\0';
				continue;
			}
			off += w;
			shown++;
		}
		if (n > shown && shown)
			snprintf(buf + off, len - (size_t)off, " and %d more", n - shown);
		else if (n > shown)
			snprintf(buf, len, "%d thread%s elsewhere", n, n == 1 ? "" : "s");
	}
}

/* What may explain a difference, where something is known; "" otherwise. */
static void drift_hint(const struct tn_state *s, const struct tn_change *c, char *buf,
		       size_t len)
{
	buf[0] = '\0';
	if (c->kind == TN_CHANGE_IRQ_AFFINITY && s->irqbalance.running &&
	    !irq_banned(s, atoi(c->target)))
		snprintf(buf, len, "irqbalance is running and may move it");
	else if (c->kind == TN_CHANGE_PROCESS_AFFINITY)
		thread_hint(s, c, buf, len);
}

int tn_cmd_verify(struct tn_cli *cli, int argc, char **argv)
{
	struct apply_opts o = { 0 };
	struct tn_profile prof;
	struct tn_state state;
	struct tn_plan plan;
	struct tn_diag d;
	int first, rc;

	first = parse(cli, argc, argv, &o, verify_usage, 0, OPT_BIT(OPT_PROFILE));
	if (first == -2)
		return TN_EXIT_OK;
	if (first < 0)
		return TN_EXIT_USAGE;
	tn_diag_init(&d);
	if (tn_cli_plan(cli, o.profile, &prof, &state, &plan, &d) < 0) {
		tn_cli_report(cli, &d);
		tn_diag_free(&d);
		return TN_EXIT_ERROR;
	}
	if (!cli->json)
		tn_cli_report(cli, &d);
	if (cli->json) {
		cJSON *doc = tn_plan_to_json(&plan, &d);
		cJSON *arr = doc ? cJSON_GetObjectItemCaseSensitive(doc, "changes") : NULL;
		int i = 0;

		for (cJSON *c = arr ? arr->child : NULL; c && i < plan.n; c = c->next, i++) {
			char hint[256];

			drift_hint(&state, &plan.changes[i], hint, sizeof(hint));
			if (hint[0])
				cJSON_AddStringToObject(c, "hint", hint);
		}
		if (doc) {
			cJSON_ReplaceItemInObjectCaseSensitive(doc, "kind", cJSON_CreateString("verify"));
			cJSON_AddBoolToObject(doc, "matches", plan.n == 0);
		}
		tn_cli_print_json(cli, doc);
	} else if (plan.n == 0) {
		tn_cli_printf(cli->out, "ok: this host matches profile %s\n", plan.profile);
	} else {
		for (int i = 0; i < plan.n; i++) {
			const struct tn_change *c = &plan.changes[i];
			char what[TN_LABEL_MAX], hint[256];

			tn_change_label(c, TN_LABEL_REPORT, what, sizeof(what));
			drift_hint(&state, c, hint, sizeof(hint));
			tn_cli_printf(cli->out, "drift: %s: expected %s, found %s%s%s\n", what,
				      c->after, c->before, hint[0] ? "; " : "", hint);
		}
		tn_cli_printf(cli->out, "%d difference%s from profile %s\n", plan.n,
			      plan.n == 1 ? "" : "s", plan.profile);
	}
	rc = plan.n ? TN_EXIT_CHANGES : TN_EXIT_OK;
	tn_plan_free(&plan);
	tn_state_free(&state);
	tn_profile_free(&prof);
	tn_diag_free(&d);
	return rc;
}

/* ---- history ---- */

static const char history_usage[] =
	"Usage: tuner history [--json] [--state-dir DIR]\n"
	"\n"
	"The journals of past applies, oldest first: time, profile, number of changes\n"
	"and status (applied, partial, failed, rolled back, interrupted).\n";

int tn_cmd_history(struct tn_cli *cli, int argc, char **argv)
{
	struct apply_opts o = { 0 };
	struct tn_diag d;
	cJSON *arr = NULL;
	char **ids = NULL;
	int dirfd, n = 0, first, ret;

	first = parse(cli, argc, argv, &o, history_usage, 0, OPT_BIT(OPT_STATE_DIR));
	if (first == -2)
		return TN_EXIT_OK;
	if (first < 0)
		return TN_EXIT_USAGE;
	tn_diag_init(&d);
	ret = tn_statedir_open(o.state_dir, false, &dirfd, &d);
	if (ret == -ENOENT) {
		tn_diag_free(&d);
		if (cli->json)
			return tn_cli_print_json(cli, cJSON_CreateArray()) < 0 ? TN_EXIT_ERROR
										: TN_EXIT_OK;
		tn_cli_printf(cli->out, "no applies yet (%s does not exist)\n", o.state_dir);
		return TN_EXIT_OK;
	}
	if (ret < 0 || (ret = tn_journal_list(dirfd, &ids, &n)) < 0) {
		if (ret != -EPERM && !d.error[0])
			tn_diag_error(&d, ret, "%s: %s", o.state_dir, strerror(-ret));
		tn_cli_report(cli, &d);
		tn_diag_free(&d);
		return TN_EXIT_ERROR;
	}
	if (cli->json)
		arr = cJSON_CreateArray();
	else if (n == 0)
		tn_cli_printf(cli->out, "no applies yet\n");
	else
		tn_cli_printf(cli->out, "%-32s %-20s %-20s %7s  %s\n", "ID", "TIME", "PROFILE",
			      "CHANGES", "STATUS");
	for (int i = 0; i < n; i++) {
		struct tn_journal j = { 0 };
		struct tn_diag jd;

		tn_diag_init(&jd);
		if (tn_journal_load(dirfd, o.state_dir, ids[i], &j, &jd) < 0) {
			if (arr) {
				cJSON *e = cJSON_CreateObject();

				tn_json_add_item(arr, NULL, e);
				if (e) {
					tn_json_add_str(e, "journal", ids[i]);
					tn_json_add_str(e, "status", "damaged");
					tn_json_add_str(e, "error", jd.error);
				}
			} else {
				tn_cli_printf(cli->out, "%-32s damaged: %s\n", ids[i], jd.error);
			}
		} else if (arr) {
			cJSON *e = cJSON_CreateObject();

			tn_json_add_item(arr, NULL, e);
			if (e) {
				tn_json_add_str(e, "journal", j.id);
				tn_json_add_str(e, "time", j.time);
				tn_json_add_str(e, "profile", j.profile);
				tn_json_add_int(e, "changes", j.n);
				tn_json_add_str(e, "status", tn_journal_state(&j));
				tn_json_add_str(e, "boot_id", j.boot_id);
			}
		} else {
			tn_cli_printf(cli->out, "%-32s %-20s %-20s %7d  %s\n", j.id, j.time,
				      j.profile, j.n, tn_journal_state(&j));
		}
		tn_journal_free(&j);
		tn_diag_free(&jd);
	}
	tn_journal_list_free(ids, n);
	close(dirfd);
	tn_diag_free(&d);
	if (arr && tn_cli_print_json(cli, arr) < 0)
		return TN_EXIT_ERROR;
	return TN_EXIT_OK;
}
