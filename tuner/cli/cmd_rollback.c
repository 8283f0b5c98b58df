/* SPDX-License-Identifier: MIT */
/* tuner rollback: restore what an apply changed, from its journal. */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cmd_txn.h"
#include "jsonutil.h"

/* ---- rollback ---- */

static const char rollback_usage[] =
	"Usage: tuner rollback [--last | ID] [--dry-run] [--force] [--json]\n"
	"                      [--state-dir DIR] [--wait SECS] [GLOBAL OPTIONS]\n"
	"\n"
	"Restore what an apply changed, in reverse order, from its journal (ids from\n"
	"'tuner history'). --last or no ID: the newest of this boot by CLOCK_BOOTTIME,\n"
	"even if the wall clock stepped back since (with no journal of this boot: the\n"
	"newest by name). A value someone changed since the apply is reported and left\n"
	"alone unless --force. Threads that exited, and processes whose pid another\n"
	"process holds now (another start time or comm), are skipped. The IRQs of a NIC\n"
	"whose rings or channels the apply changed are put back last, as they were\n"
	"before it (drivers reset them at such a change, and may renumber them: each is\n"
	"followed by its name). A journal that is damaged or holds a value not of its\n"
	"kind is refused, and so is one from another boot: these settings do not\n"
	"survive a reboot (--force restores the recorded values anyway). Rolling back\n"
	"twice changes nothing the second time. Each change is reported as restored,\n"
	"never applied or already as before (nothing written), left alone, skipped or\n"
	"failed.\n"
	"\n"
	"With --json: the journal, and \"result\": how many values this run restored,\n"
	"found already as before, never applied, left alone, skipped or failed\n"
	"(--dry-run: would).\n"
	"\n"
	"Exit status: 0 restored (or nothing to do), 1 error or some value not restored.\n";

/*
 * The journal to undo: the one named, or --last's: the newest of this boot by
 * its boottime (the wall clock, which names journals, may have stepped back
 * since), the newest by name when no journal is of this boot (boot "": unknown).
 * A journal named after that one whose header cannot be read (damaged, a FIFO,
 * not ours) may be the newest: it is refused, saying why, as it was when the
 * newest by name was taken, rather than guessed past.
 */
static int pick_journal(int dirfd, const char *want, const char *boot, char *id, size_t len,
			struct tn_diag *d, const char *dir)
{
	struct tn_jorder *v = NULL;
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
	ret = tn_journal_heads(dirfd, dir, ids, n, &v);
	if (ret < 0) {
		tn_diag_error(d, ret, "%s: %s", dir, strerror(-ret));
	} else {
		struct tn_journal h = { 0 };
		int pick = tn_journal_pick_last(v, n, boot);
		int bad = tn_journal_unreadable_after(v, n, pick);

		/* read again, its header says what is wrong with it */
		if (bad >= 0 && (ret = tn_journal_load_head(dirfd, dir, v[bad].id, &h, d)) == 0)
			tn_journal_free(&h);
		if (ret == 0)
			snprintf(id, len, "%s", v[pick].id);
	}
	free(v);
	tn_journal_list_free(ids, n);
	return ret;
}

int tn_cmd_rollback(struct tn_cli *cli, int argc, char **argv)
{
	struct tn_txn_cli_opts o = { 0 };
	struct tn_txn_cli_reporter rep = { cli, "restored" };
	struct tn_rollback_result res;
	struct tn_journal j = { 0 };
	struct tn_sysroot root;
	struct tn_diag d;
	char id[96], boot[64];
	int dirfd = -1, ret, rc = TN_EXIT_ERROR, first;

	first = tn_txn_cli_parse(cli, argc, argv, &o, rollback_usage, 1,
				 OPT_BIT(OPT_STATE_DIR) | OPT_BIT(OPT_WAIT) | OPT_BIT(OPT_DRY_RUN) |
					 OPT_BIT(OPT_FORCE) | OPT_BIT(OPT_LAST));
	if (first == -2)
		return TN_EXIT_OK;
	if (first < 0)
		return TN_EXIT_USAGE;
	if (o.last && first < argc)
		return tn_cli_usage_error(cli, "rollback: --last or an ID, not both"),
		       TN_EXIT_USAGE;
	if (cli->state_file)
		return tn_cli_usage_error(cli, "rollback: --state cannot be used here"),
		       TN_EXIT_USAGE;
	tn_diag_init(&d);
	ret = tn_sysroot_open(cli->sysroot ? cli->sysroot : "/", &root);
	if (ret < 0) {
		tn_diag_error(&d, ret, "--sysroot %s: %s", cli->sysroot, strerror(-ret));
		goto out;
	}
	tn_boot_id(&root, boot, sizeof(boot));
	if (tn_txn_cli_lock(cli, &o, false, &dirfd, &d) < 0 ||
	    pick_journal(dirfd, first < argc ? argv[first] : NULL, boot, id, sizeof(id), &d,
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
	ret = tn_rollback_journal(&root, dirfd, id, &j, o.force, o.dry_run, tn_txn_cli_report, &rep,
				  &res, &d);
	if (!res.ran)
		goto out_root;
	if (cli->json) {
		tn_cli_print_json(cli, tn_txn_cli_rollback_json(&j, &res, o.dry_run));
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
	if (dirfd >= 0)
		close(dirfd);
	tn_journal_free(&j);
	tn_diag_free(&d);
	return rc;
}
