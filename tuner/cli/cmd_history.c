/* SPDX-License-Identifier: MIT */
/* tuner history: the journals of past applies. */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cmd_txn.h"
#include "print.h"

/* ---- history ---- */

static const char history_usage[] =
	"Usage: tuner history [--json] [--state-dir DIR]\n"
	"\n"
	"The journals of past applies, oldest first: time, profile, number of changes\n"
	"and status (applied, partial, failed, rolled back, interrupted). The journals of\n"
	"one boot are in the order they were made, even if the clock stepped back.\n";

/* One journal's row (or what is wrong with it). */
static void print_journal(struct tn_printer *pr, int dirfd, const char *state_dir, const char *id)
{
	struct tn_journal j = { 0 };
	struct tn_diag jd;

	tn_diag_init(&jd);
	tn_print_open_object(pr, NULL);
	if (tn_journal_load(dirfd, state_dir, id, &j, &jd) < 0) {
		tn_print_string(pr, "journal", "%-32s ", id);
		tn_print_string(pr, "status", "%s: ", "damaged");
		tn_print_string(pr, "error", "%s\n", jd.error);
	} else {
		tn_print_string(pr, "journal", "%-32s ", j.id);
		tn_print_string(pr, "time", "%-20s ", j.time);
		tn_print_string(pr, "profile", "%-20s ", j.profile);
		tn_print_int(pr, "changes", "%7s  ", tn_journal_changes(&j));
		tn_print_string(pr, "status", "%s\n", tn_journal_state(&j));
		tn_print_string(pr, "boot_id", NULL, j.boot_id);
	}
	tn_print_close_object(pr);
	tn_journal_free(&j);
	tn_diag_free(&jd);
}

static int finish(struct tn_cli *cli, struct tn_printer *pr)
{
	if (tn_print_finish(pr) < 0) {
		tn_cli_printf(cli->err, "%s: out of memory\n", cli->prog);
		return TN_EXIT_ERROR;
	}
	return TN_EXIT_OK;
}

int tn_cmd_history(struct tn_cli *cli, int argc, char **argv)
{
	struct tn_txn_cli_opts o = { 0 };
	struct tn_jorder *v = NULL;
	struct tn_printer pr;
	struct tn_diag d;
	char **ids = NULL;
	int dirfd = -1, n = 0, first, ret;

	first = tn_txn_cli_parse(cli, argc, argv, &o, history_usage, 0, OPT_BIT(OPT_STATE_DIR));
	if (first == -2)
		return TN_EXIT_OK;
	if (first < 0)
		return TN_EXIT_USAGE;
	tn_diag_init(&d);
	tn_print_init(&pr, cli, cli->json);
	ret = tn_statedir_open(o.state_dir, false, &dirfd, &d);
	if (ret == -ENOENT) {
		tn_diag_free(&d);
		tn_print_open_array(&pr, NULL);
		tn_print_text(&pr, "no applies yet (%s does not exist)\n", o.state_dir);
		tn_print_close_array(&pr);
		return finish(cli, &pr);
	}
	/* name order, but a boot's journals by their boottime: the wall clock that
	 * names them may have stepped back between two applies */
	if (ret < 0 || (ret = tn_journal_list(dirfd, &ids, &n)) < 0 ||
	    (ret = tn_journal_heads(dirfd, o.state_dir, ids, n, &v)) < 0 ||
	    (ret = tn_journal_order(v, n)) < 0) {
		free(v);
		tn_journal_list_free(ids, n);
		if (dirfd >= 0)
			close(dirfd);
		if (ret != -EPERM && !d.error[0])
			tn_diag_error(&d, ret, "%s: %s", o.state_dir, strerror(-ret));
		tn_cli_report(cli, &d);
		tn_diag_free(&d);
		return TN_EXIT_ERROR;
	}
	tn_print_open_array(&pr, NULL);
	if (n == 0)
		tn_print_text(&pr, "no applies yet\n");
	else
		tn_print_text(&pr, "%-32s %-20s %-20s %7s  %s\n", "ID", "TIME", "PROFILE",
			      "CHANGES", "STATUS");
	for (int i = 0; i < n; i++)
		print_journal(&pr, dirfd, o.state_dir, v[i].id);
	tn_print_close_array(&pr);
	free(v);
	tn_journal_list_free(ids, n);
	close(dirfd);
	tn_diag_free(&d);
	return finish(cli, &pr);
}
