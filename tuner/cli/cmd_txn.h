/* SPDX-License-Identifier: MIT */
/* What apply, rollback, verify and history share: one option table, the
 * per-change reporter, the journal as JSON, the state directory's lock. */
#ifndef TN_CMD_TXN_H
#define TN_CMD_TXN_H

#include "cli.h"
#include "txn.h"

struct tn_txn_cli_opts {
	const char *profile;
	const char *state_dir;
	int wait, wait_links;
	bool dry_run, force, keep_going, last, boot;
	unsigned seen; /* bit (OPT_x - OPT_FIRST) of each option given */
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
#define OPT_BIT(o) (1u << ((o)-OPT_FIRST))

struct tn_txn_cli_reporter {
	struct tn_cli *cli;
	const char *verb; /* of a value written back: "undone", "restored" */
};

/* Options of apply, rollback, verify and history share one table; 'allowed'
 * (OPT_BIT()s) says which the command takes. Returns the first operand, -1
 * after a usage error, -2 after --help. */
int tn_txn_cli_parse(struct tn_cli *cli, int argc, char **argv, struct tn_txn_cli_opts *o,
		     const char *usage, int max_operands, unsigned allowed);
/* A tn_txn_report printing each change on stderr (ctx: a tn_txn_cli_reporter). */
void tn_txn_cli_report(void *ctx, const struct tn_change *c, enum tn_jstatus st, const char *err);
cJSON *tn_txn_cli_journal_json(const struct tn_journal *j);
cJSON *tn_txn_cli_rollback_json(const struct tn_journal *j, const struct tn_rollback_result *res,
				bool dry_run);
/* Open (create) the state directory and take its lock (--wait). */
int tn_txn_cli_lock(struct tn_cli *cli, const struct tn_txn_cli_opts *o, bool create, int *dirfd,
		    struct tn_diag *d);

#endif
