/* SPDX-License-Identifier: MIT */
/* tuner verify: compare the host with a profile. */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cmd_txn.h"
#include "jsonutil.h"

/* ---- verify ---- */

static const char verify_usage[] =
	"Usage: tuner verify [--profile P] [--json] [GLOBAL OPTIONS]\n"
	"\n"
	"Compare the host with what a profile asks for; needs no earlier apply.\n"
	"Exit status: 0 the host matches, 2 drift (each difference listed), 1 error.\n";

int tn_cmd_verify(struct tn_cli *cli, int argc, char **argv)
{
	struct tn_txn_cli_opts o = { 0 };
	struct tn_profile prof;
	struct tn_state state;
	struct tn_plan plan;
	struct tn_diag d;
	int first, rc;

	first = tn_txn_cli_parse(cli, argc, argv, &o, verify_usage, 0, OPT_BIT(OPT_PROFILE));
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

			tn_change_hint(&state, &plan.changes[i], hint, sizeof(hint));
			if (hint[0])
				cJSON_AddStringToObject(c, "hint", hint);
		}
		if (doc) {
			cJSON_ReplaceItemInObjectCaseSensitive(doc, "kind",
							       cJSON_CreateString("verify"));
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
			tn_change_hint(&state, c, hint, sizeof(hint));
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
