/* SPDX-License-Identifier: MIT */
/* tuner apply: plan under the lock and make the changes as a transaction. */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "links.h"
#include "cmd_txn.h"
#include "jsonutil.h"

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
	"      --wait-links SECS  how long --boot waits for links (default 30; only\n"
	"                      with --boot)\n"
	"  -j, --json          the journal's records as JSON\n"
	"      --sysroot DIR   apply to the tree below DIR (tests); nothing else is\n"
	"                      touched\n"
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
static int wait_links(struct tn_cli *cli, const struct tn_txn_cli_opts *o,
		      const struct tn_sysroot *root, const struct tn_profile *prof,
		      struct tn_diag *d)
{
	double start = now_s(), left;
	struct tn_linkwatch *w = NULL;
	bool said = false, ready = false;
	char why[300] = "";
	int ret;

	if (tn_linkwatch_open(root, &w, d) < 0)
		return TN_EXIT_ERROR;
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
		ready = tn_plan_links_ready(&s, prof, up, why, sizeof(why));
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
	if (ret < 0)
		return TN_EXIT_ERROR;
	if (!ready) {
		tn_diag_error(d, -ETIMEDOUT,
			      "timed out after %d s waiting for links (%s); nothing "
			      "was changed",
			      o->wait_links, why);
		return TN_EXIT_LINKS;
	}
	if (said && !cli->json && !cli->quiet)
		tn_cli_printf(cli->err, "tuner: links ready after %.1f s\n", now_s() - start);
	return 0;
}

/* After a failure: undo, and the end record. */
static int undo(struct tn_cli *cli, struct tn_txn *txn, struct tn_diag *d)
{
	int ret;

	tn_cli_report(cli, d);
	if (txn->n_applied)
		tn_cli_printf(cli->err, "tuner: undoing the %d change%s made\n", txn->n_applied,
			      txn->n_applied == 1 ? "" : "s");
	else
		tn_cli_printf(cli->err, "tuner: no change was made: nothing to undo\n");
	tn_diag_free(d);
	tn_diag_init(d);
	ret = tn_txn_undo(txn, d);
	tn_txn_end(txn, ret < 0 ? "failed, undo incomplete" : "failed", d);
	if (ret < 0)
		tn_cli_printf(cli->err, "tuner: the undo is incomplete: see 'tuner rollback %s'\n",
			      txn->j.id);
	return TN_EXIT_ERROR;
}

/* The plan of prof made as a transaction (tn_apply), under the lock. */
static int run(struct tn_cli *cli, const struct tn_txn_cli_opts *o, const struct tn_sysroot *root,
	       int dirfd, struct tn_profile *prof, struct tn_diag *d)
{
	struct tn_txn_cli_reporter rep = { cli, "undone" };
	struct tn_txn_opts to = { .force = o->force, .keep_going = o->keep_going, .ctx = &rep };
	struct tn_state state;
	struct tn_plan plan;
	struct tn_txn txn;
	const char *status;
	int rc;

	/* discovery keeps the files the plan will write open for the transaction */
	cli->apply_root = root;
	rc = tn_cli_plan_profile(cli, prof, &state, &plan, d);
	cli->apply_root = NULL;
	if (rc < 0) {
		tn_sysroot_keep_end(root);
		return TN_EXIT_ERROR;
	}
	if (plan.n == 0) {
		tn_cli_report(cli, d);
		if (cli->json)
			tn_cli_print_json(cli, tn_plan_to_json(&plan, d));
		else if (!cli->quiet)
			tn_cli_printf(cli->err,
				      "tuner: nothing to change: this host matches profile %s\n",
				      plan.profile);
		rc = o->boot ? TN_EXIT_NOTHING : TN_EXIT_OK;
		goto out;
	}
	to.report = tn_txn_cli_report;
	rc = TN_EXIT_ERROR;
	if (tn_txn_begin(&txn, root, dirfd, prof->name, prof->digest, &to, d) < 0)
		goto out_txn;
	if (tn_apply(&txn, &state, false, prof, &plan, d) < 0) {
		rc = undo(cli, &txn, d);
	} else {
		struct tn_diag ed;

		status = txn.n_failed ? "partial" : "applied";
		tn_diag_init(&ed);
		/* every change and status is synced already: not an error of the apply */
		if (tn_txn_end(&txn, status, &ed) < 0)
			tn_diag_warn(d,
				     "journal %s: its end record was not written (%s): history "
				     "lists it as interrupted; rollback undoes it as well",
				     txn.j.id, ed.error);
		tn_diag_free(&ed);
		rc = txn.n_failed ? TN_EXIT_PARTIAL : TN_EXIT_OK;
		if (!cli->json)
			tn_cli_printf(cli->err,
				      "tuner: %s: %d change%s applied, %d skipped, %d failed; "
				      "journal %s (undo: tuner rollback --last)\n",
				      status, txn.n_applied, txn.n_applied == 1 ? "" : "s",
				      txn.n_skipped, txn.n_failed, txn.j.id);
	}
	if (cli->json)
		tn_cli_print_json(cli, tn_txn_cli_journal_json(&txn.j));
out_txn:
	tn_txn_free(&txn);
out:
	tn_sysroot_keep_end(root); /* the files kept and not written */
	tn_plan_free(&plan);
	tn_state_free(&state);
	return rc;
}

int tn_cmd_apply(struct tn_cli *cli, int argc, char **argv)
{
	struct tn_txn_cli_opts o = { 0 };
	struct tn_profile prof;
	struct tn_sysroot root;
	struct tn_diag d;
	int dirfd = -1, ret, rc = TN_EXIT_ERROR, first;
	bool have_prof = false;

	first = tn_txn_cli_parse(cli, argc, argv, &o, apply_usage, 0,
				 OPT_BIT(OPT_PROFILE) | OPT_BIT(OPT_STATE_DIR) | OPT_BIT(OPT_WAIT) |
					 OPT_BIT(OPT_DRY_RUN) | OPT_BIT(OPT_FORCE) |
					 OPT_BIT(OPT_KEEP_GOING) | OPT_BIT(OPT_BOOT) |
					 OPT_BIT(OPT_WAIT_LINKS));
	if (first == -2)
		return TN_EXIT_OK;
	if (first < 0)
		return TN_EXIT_USAGE;
	/* without --boot nothing waits for links: a lone --wait-links would be ignored */
	if ((o.seen & OPT_BIT(OPT_WAIT_LINKS)) && !o.boot)
		return tn_cli_usage_error(cli,
					  "apply: --wait-links is how long --boot waits for "
					  "links; without --boot, --wait SECS waits for the lock"),
		       TN_EXIT_USAGE;
	if (cli->state_file)
		return tn_cli_usage_error(cli,
					  "apply: --state is a saved snapshot; apply needs the "
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
	/* the profile is read once: --boot waits for its links, then it is planned */
	if (o.boot) {
		double start = now_s();

		if (tn_cli_load_profile(o.profile, &prof, &d) < 0)
			goto out_root;
		have_prof = true;
		rc = wait_links(cli, &o, &root, &prof, &d);
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
	if (tn_txn_cli_lock(cli, &o, true, &dirfd, &d) < 0)
		goto out_root;
	if (!have_prof && tn_cli_load_profile(o.profile, &prof, &d) < 0)
		goto out_root;
	have_prof = true;
	rc = run(cli, &o, &root, dirfd, &prof, &d);
out_root:
	tn_sysroot_close(&root);
out:
	tn_cli_report(cli, &d);
	if (have_prof)
		tn_profile_free(&prof);
	if (dirfd >= 0)
		close(dirfd);
	tn_diag_free(&d);
	return rc;
}
