/* SPDX-License-Identifier: MIT */
/* tuner history: the journals of past applies. */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cmd_txn.h"
#include "jsonutil.h"

/* ---- history ---- */

static const char history_usage[] =
	"Usage: tuner history [--json] [--state-dir DIR]\n"
	"\n"
	"The journals of past applies, oldest first: time, profile, number of changes\n"
	"and status (applied, partial, failed, rolled back, interrupted).\n";

int tn_cmd_history(struct tn_cli *cli, int argc, char **argv)
{
	struct tn_txn_cli_opts o = { 0 };
	struct tn_diag d;
	cJSON *arr = NULL;
	char **ids = NULL;
	int dirfd, n = 0, first, ret;

	first = tn_txn_cli_parse(cli, argc, argv, &o, history_usage, 0, OPT_BIT(OPT_STATE_DIR));
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

