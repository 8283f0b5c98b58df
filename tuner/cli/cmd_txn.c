/* SPDX-License-Identifier: MIT */
/* What apply, rollback, verify and history share (cmd_txn.h). */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cmd_txn.h"
#include "jsonutil.h"

/* --boot waits this long for links unless --wait-links says otherwise */
#define TN_WAIT_LINKS_DEFAULT 30

static int seconds(struct tn_cli *cli, const char *name, const char *arg, int *out)
{
	if (tn_cli_parse_int(arg, 0, 86400, out) < 0)
		return tn_cli_usage_error(cli, "%s: \"%s\" is not a number of seconds (0 to 86400)",
					  name, arg);
	return 0;
}

static int handle(struct tn_cli *cli, int opt, const char *arg, void *ctx)
{
	struct tn_txn_cli_opts *o = ctx;

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

int tn_txn_cli_parse(struct tn_cli *cli, int argc, char **argv, struct tn_txn_cli_opts *o,
		     const char *usage, int max_operands, unsigned allowed)
{
	/* operands counted below, after the options this command does not take */
	const struct tn_cli_spec spec = { .usage = usage,
					  .short_opts = TN_APPLY_SHORT,
					  .opts = tn_apply_options,
					  .handle = handle,
					  .ctx = o,
					  .max_operands = -1 };
	int first, code;

	o->state_dir = TN_STATE_DIR_DEFAULT;
	o->wait_links = TN_WAIT_LINKS_DEFAULT;
	first = tn_cli_parse(cli, argc, argv, &spec, &code);
	if (first < 0)
		return code == TN_EXIT_OK ? -2 : -1;
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

void tn_txn_cli_report(void *ctx, const struct tn_change *c, enum tn_jstatus st, const char *err)
{
	struct tn_txn_cli_reporter *r = ctx;
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

cJSON *tn_txn_cli_journal_json(const struct tn_journal *j)
{
	cJSON *o = cJSON_CreateObject(), *arr, *held = NULL;

	if (!o || tn_json_add_int(o, "schema_version", TN_SCHEMA_VERSION) < 0 ||
	    tn_json_add_str(o, "journal", j->id) < 0 || tn_json_add_str(o, "time", j->time) < 0 ||
	    tn_json_add_str(o, "profile", j->profile) < 0 ||
	    tn_json_add_str(o, "status", tn_journal_state(j)) < 0 ||
	    tn_json_add_item(o, "changes", arr = cJSON_CreateArray()) < 0)
		goto oom;
	for (int i = 0; i < j->n; i++) {
		cJSON *c = tn_change_to_json(&j->e[i].c);

		/* held IRQs (what rollback puts back after the rings) apart */
		if (tn_change_is_held(&j->e[i].c) && !held &&
		    tn_json_add_item(o, "held", held = cJSON_CreateArray()) < 0) {
			cJSON_Delete(c);
			goto oom;
		}
		if (tn_json_add_item(tn_change_is_held(&j->e[i].c) ? held : arr, NULL, c) < 0 ||
		    tn_json_add_str(c, "status", tn_jstatus_name(j->e[i].status)) < 0 ||
		    tn_json_add_str(c, "error", tn_str(j->e[i].error)) < 0)
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
cJSON *tn_txn_cli_rollback_json(const struct tn_journal *j, const struct tn_rollback_result *res,
				bool dry_run)
{
	cJSON *o = tn_txn_cli_journal_json(j), *r;

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

int tn_txn_cli_lock(struct tn_cli *cli, const struct tn_txn_cli_opts *o, bool create, int *dirfd,
		    struct tn_diag *d)
{
	int ret;

	/* who holds the lock changes the host: a reader of its output that goes
	 * away (tuner apply 2>&1 | head) must not end it halfway through (SIGPIPE);
	 * the lines are lost, the transaction ends as it would */
	signal(SIGPIPE, SIG_IGN);
	ret = tn_statedir_open(o->state_dir, create, dirfd, d);

	if (ret < 0)
		return ret;
	ret = tn_statedir_lock(*dirfd, o->state_dir, o->wait, d);
	if (ret < 0) {
		close(*dirfd);
		*dirfd = -1;
	}
	return ret;
}
