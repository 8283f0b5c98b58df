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

