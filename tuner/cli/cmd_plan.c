/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "plan.h"
#include "sysroot.h"
#include "users.h"

static const char usage[] =
	"Usage: tuner plan [--profile FILE|NAME] [--json] [GLOBAL OPTIONS]\n"
	"\n"
	"Show the changes a profile asks for on this host: a dry run that writes\n"
	"nothing, anywhere. Without --profile, the built-in default profile.\n"
	"A sysctl outside net.* (allowed by the profile's allow_sysctls) is flagged.\n"
	"\n"
	"  -p, --profile P       a profile file (a path: with a '/'), or a profile name,\n"
	"                        looked up in $TUNER_PROFILE_PATH and the shipped\n"
	"                        profiles, never in the current directory\n"
	"  -j, --json            the change records as JSON\n"
	"      --sysroot DIR     plan for the tree below DIR (no netlink)\n"
	"      --topology FILE   take the NUMA topology from an hwloc XML export\n"
	"      --state FILE      plan for a saved snapshot ('tuner show --json')\n"
	"  -q, --quiet           no warnings\n"
	"\n"
	"Exit status: 0 nothing to change, 2 changes pending, 1 error, 64 usage.\n";

const struct option tn_plan_options[] = {
	{ "profile", required_argument, NULL, 'p' },
	{ NULL, 0, NULL, 0 },
};

static int opt_profile(struct tn_cli *cli, int opt, const char *arg, void *ctx)
{
	*(const char **)ctx = arg;
	return 0;
}

/*
 * The uids of the user names in the profile's process rules, from the
 * sysroot's /etc/passwd (this host's with --state). A snapshot records uids.
 */
static int resolve_users(struct tn_cli *cli, struct tn_profile *prof, struct tn_diag *d)
{
	struct tn_sysroot root = { .fd = -1 };
	int ret = 0;

	for (int i = 0; i < prof->n_procs && ret == 0; i++) {
		struct tn_proc_rule *r = &prof->procs[i];
		struct tn_diag ud;

		if (!r->has_user || r->uid != TN_UNKNOWN)
			continue;
		if (root.fd < 0 &&
		    (ret = tn_sysroot_open(cli->sysroot ? cli->sysroot : "/", &root)) < 0)
			return tn_diag_error(d, ret, "%s: %s", cli->sysroot ? cli->sysroot : "/",
					     strerror(-ret));
		tn_diag_init(&ud);
		ret = tn_user_lookup(&root, r->user, &r->uid, &ud);
		if (ret < 0)
			tn_diag_error(d, ret, "%s: processes[%d].match.user: %s", prof->source, i,
				      ud.error);
		tn_diag_free(&ud);
	}
	tn_sysroot_close(&root);
	return ret;
}

/* Profile, snapshot and plan for commands that plan (plan, apply, verify). */
int tn_cli_plan(struct tn_cli *cli, const char *profile_name, struct tn_profile *prof,
		struct tn_state *state, struct tn_plan *plan, struct tn_diag *d)
{
	int ret = tn_cli_load_profile(profile_name, prof, d);

	if (ret < 0)
		return ret;
	ret = tn_cli_plan_profile(cli, prof, state, plan, d);
	if (ret < 0)
		tn_profile_free(prof);
	return ret;
}

struct tn_procsel *tn_cli_profile_selectors(const struct tn_profile *prof, int *n)
{
	struct tn_procsel *sels;

	*n = 0;
	for (int i = 0; i < prof->n_procs; i++)
		*n += prof->procs[i].n_sel;
	sels = calloc((size_t)*n + 1, sizeof(*sels));
	if (!sels)
		return NULL;
	*n = 0;
	for (int i = 0; i < prof->n_procs; i++)
		for (int k = 0; k < prof->procs[i].n_sel; k++)
			sels[(*n)++] = prof->procs[i].sel[k];
	return sels;
}

int tn_cli_plan_profile(struct tn_cli *cli, struct tn_profile *prof, struct tn_state *state,
			struct tn_plan *plan, struct tn_diag *d)
{
	const char **names = NULL;
	struct tn_procsel *sels = NULL;
	int ret, nsel = 0;

	ret = resolve_users(cli, prof, d);
	if (ret < 0)
		return ret;
	names = calloc((size_t)prof->n_sysctls + 1, sizeof(*names));
	sels = tn_cli_profile_selectors(prof, &nsel);
	if (!names || !sels) {
		ret = tn_diag_error(d, -ENOMEM, "out of memory");
		goto out;
	}
	for (int i = 0; i < prof->n_sysctls; i++)
		names[i] = prof->sysctls[i].name;
	cli->plan_only = true;
	cli->queue_files = tn_profile_uses_queues(prof);
	ret = tn_cli_load_state(cli, names, prof->n_sysctls, sels, nsel, state, d);
	if (ret < 0)
		goto out;
	ret = tn_plan_compute(state, prof, plan, d);
	if (ret < 0)
		tn_state_free(state);
out:
	free(names);
	free(sels);
	return ret;
}

void tn_cli_print_changes(struct tn_cli *cli, const struct tn_change *changes, int n)
{
	FILE *o = cli->out;
	/* colour only for a person at a terminal (and not with NO_COLOR) */
	bool colour = isatty(fileno(o)) && !getenv("NO_COLOR");
	int last = -1;

	for (int i = 0; i < n; i++) {
		const struct tn_change *c = &changes[i];
		char what[TN_LABEL_MAX];

		if ((int)c->kind != last && last >= 0)
			fputc('\n', o);
		if ((int)c->kind != last)
			tn_cli_printf(o, "%s:\n", tn_change_kind_name(c->kind));
		last = (int)c->kind;
		tn_change_label(c, TN_LABEL_PLAN, what, sizeof(what));
		tn_cli_printf(o, "  %s: %s -> %s", what, c->before, c->after);
		if (c->kind == TN_CHANGE_SYSCTL &&
		    strcmp(tn_str(c->note), TN_NOTE_OUTSIDE_NET) == 0 && colour)
			tn_cli_printf(o, " \033[1;31m%s\033[0m", c->note); /* bold red */
		else if (tn_str(c->note)[0])
			tn_cli_printf(o, " %s", c->note);
		fputc('\n', o);
	}
}

static void print_summary(struct tn_cli *cli, const struct tn_plan *plan)
{
	int per[TN_CHANGE_KIND_COUNT] = { 0 };
	bool first = true;

	for (int i = 0; i < plan->n; i++)
		per[plan->changes[i].kind]++;
	if (plan->n_managed) {
		tn_cli_printf(cli->out, "\nkernel-managed IRQs, left alone:");
		for (int i = 0; i < plan->n_managed; i++)
			tn_cli_printf(cli->out, " %d", plan->managed[i]);
		fputc('\n', cli->out);
	}
	if (plan->n == 0) {
		tn_cli_printf(cli->out, "nothing to change: this host matches profile %s\n",
			      plan->profile);
		return;
	}
	tn_cli_printf(cli->out, "\n%d change%s (", plan->n, plan->n == 1 ? "" : "s");
	for (int k = 0; k < TN_CHANGE_KIND_COUNT; k++) {
		if (!per[k])
			continue;
		tn_cli_printf(cli->out, "%s%s %d", first ? "" : ", ", tn_change_kind_name(k),
			      per[k]);
		first = false;
	}
	tn_cli_printf(cli->out, ") for profile %s; nothing was changed\n", plan->profile);
}

int tn_cmd_plan(struct tn_cli *cli, int argc, char **argv)
{
	const char *profile = NULL;
	const struct tn_cli_spec spec = { .usage = usage,
					  .short_opts = TN_PLAN_SHORT,
					  .opts = tn_plan_options,
					  .handle = opt_profile,
					  .ctx = &profile,
					  .max_operands = 0 };
	struct tn_profile prof;
	struct tn_state state;
	struct tn_plan plan;
	struct tn_diag d;
	int ret, code;

	if (tn_cli_parse(cli, argc, argv, &spec, &code) < 0)
		return code;
	tn_diag_init(&d);
	ret = tn_cli_plan(cli, profile, &prof, &state, &plan, &d);
	if (ret < 0) {
		tn_cli_report(cli, &d);
		tn_diag_free(&d);
		return TN_EXIT_ERROR;
	}
	if (cli->json) {
		ret = tn_cli_print_json(cli, tn_plan_to_json(&plan, &d));
		if (!cli->quiet)
			for (int i = 0; i < d.n_warnings; i++)
				tn_cli_printf(cli->err, "%s: warning: %s\n", cli->prog,
					      d.warnings[i]);
	} else {
		tn_cli_report(cli, &d);
		tn_cli_print_changes(cli, plan.changes, plan.n);
		print_summary(cli, &plan);
	}
	code = plan.n > 0 ? TN_EXIT_CHANGES : TN_EXIT_OK;
	tn_plan_free(&plan);
	tn_state_free(&state);
	tn_profile_free(&prof);
	tn_diag_free(&d);
	if (ret < 0) {
		tn_cli_printf(cli->err, "%s: out of memory\n", cli->prog);
		return TN_EXIT_ERROR;
	}
	return code;
}
