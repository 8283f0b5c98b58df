/* SPDX-License-Identifier: MIT */
#ifndef TN_CLI_H
#define TN_CLI_H

#include <getopt.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>

#include <cjson/cJSON.h>

#include "diag.h"
#include "procmatch.h"
#include "profile.h"
#include "state.h"

/* Exit codes: stable, documented in the README and tuner(8). */
enum {
	TN_EXIT_OK = 0,	     /* success; nothing to change; host matches */
	TN_EXIT_ERROR = 1,   /* error; nothing was changed (or it was undone) */
	TN_EXIT_CHANGES = 2, /* plan: changes pending; verify: drift */
	TN_EXIT_PARTIAL = 3, /* apply --keep-going: some changes failed */
	TN_EXIT_LINKS = 4,   /* apply --boot: timed out waiting for links; nothing changed */
	TN_EXIT_NOTHING = 5, /* apply --boot: nothing to do, the host matches */
	TN_EXIT_USAGE = 64,  /* bad command line */
};

#define TN_MAX_PROCSEL 64

/* What every command may be given, before or after its name. */
struct tn_cli {
	const char *prog;
	const char *sysroot;
	const char *topology;
	const char *state_file;
	bool json;
	bool quiet;
	bool plan_only;	  /* discovery: only what the planner reads (tn_discover_opts) */
	bool queue_files; /* with plan_only: the queues' RPS/XPS files too */
	/* apply: discovery on the transaction's root, the files it will write
	 * kept open for it (tn_discover_opts.keep_files); NULL: a root of its own */
	const struct tn_sysroot *apply_root;
	int n_procsel;
	struct tn_procsel procsel[TN_MAX_PROCSEL];
	FILE *out;
	FILE *err;
};

struct tn_cmd {
	const char *name;
	int (*run)(struct tn_cli *cli, int argc, char **argv);
	const char *summary;
	const struct option *opts; /* its own long options (NULL-terminated), or NULL */
	const char *short_opts;	   /* and short ones, as for getopt ("p:"), or NULL */
};

/* The option tables: main's pre-scan reads them to know which options take a
 * value. Each is terminated by an entry with a NULL name. */
extern const struct option tn_cli_global_options[];
#define TN_CLI_GLOBAL_SHORT "jqh"
extern const struct option tn_plan_options[];
#define TN_PLAN_SHORT "p:"
extern const struct option tn_apply_options[]; /* apply, rollback, verify, history */
#define TN_APPLY_SHORT "p:"
extern const struct option tn_diagnose_options[];
#define TN_DIAGNOSE_SHORT "i:p:"
extern const struct option tn_watch_options[];
#define TN_WATCH_SHORT "p:"

/*
 * getopt_long over the global options plus a command's own. 'own' and
 * 'own_short' describe the command's options; each one found is passed to
 * 'handle' (which returns 0, or -1 for a usage error it has reported).
 * Returns the index of the first operand, or -1 after a usage error, or -2
 * when --help was asked and printed.
 */
int tn_cli_getopt(struct tn_cli *cli, int argc, char **argv, const char *own_short,
		  const struct option *own,
		  int (*handle)(struct tn_cli *, int opt, const char *arg, void *ctx), void *ctx,
		  const char *usage);

/* What a command takes, for tn_cli_parse. */
struct tn_cli_spec {
	const char *usage;	   /* what --help prints */
	const char *short_opts;	   /* the command's own short options ("p:"), or NULL */
	const struct option *opts; /* its own long options (NULL-terminated), or NULL */
	/* each of its own options found (0, or -1 after a usage error it said) */
	int (*handle)(struct tn_cli *cli, int opt, const char *arg, void *ctx);
	void *ctx;
	int max_operands; /* more: "CMD: unexpected argument 'X'"; -1: any */
};

/*
 * The prologue of every command: tn_cli_getopt over the global options and
 * the command's own, then the count of operands. Returns the index of the
 * first operand when the command goes on; otherwise -1, with *exit_code the
 * command's exit status: TN_EXIT_OK after --help (printed), TN_EXIT_USAGE
 * after a usage error (said, with "Try 'tuner --help'"). In a command:
 *
 *	if ((first = tn_cli_parse(cli, argc, argv, &spec, &code)) < 0)
 *		return code;
 */
int tn_cli_parse(struct tn_cli *cli, int argc, char **argv, const struct tn_cli_spec *spec,
		 int *exit_code);

/*
 * fprintf for what people read: every %s (and %c) argument is shown with the
 * bytes a terminal acts on escaped as \xNN (tn_text_escape()); names, values
 * and messages come from the host and from files, the format is ours. All
 * human-readable output goes through it; JSON has escapes of its own.
 */
void tn_cli_printf(FILE *f, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void tn_cli_vprintf(FILE *f, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));

/* Print the state diagnostics (warnings) and, if any, the error. */
void tn_cli_report(struct tn_cli *cli, struct tn_diag *d); /* each message once */
int tn_cli_usage_error(struct tn_cli *cli, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* An option's whole number, decimal, from min to max, into *out: 0, or -1
 * (anything else: the caller says what it expected). */
int tn_cli_parse_int(const char *arg, int min, int max, int *out);
/* Write text to file atomically: FILE.tmp.PID (O_EXCL, no symlink), fsync,
 * rename. 0 or -errno (said in d). */
int tn_cli_write_atomic(const char *file, const char *text, struct tn_diag *d);
/* Print a JSON document (takes ownership); returns 0 or -ENOMEM. */
int tn_cli_print_json(struct tn_cli *cli, cJSON *doc);

/* Load a snapshot: from --state, or by discovery of the sysroot. Extra
 * sysctls and process selectors come from a profile (may be NULL/0). */
int tn_cli_load_state(struct tn_cli *cli, const char *const *extra_sysctls, int n_extra,
		      const struct tn_procsel *procs, int n_procs, struct tn_state *out,
		      struct tn_diag *d);

/* Load a profile by path or name (NULL: the built-in default). */
struct tn_profile;
int tn_cli_load_profile(const char *name, struct tn_profile *out, struct tn_diag *d);
/* The files a profile was read from: its own, then each it "extends", in
 * order (the built-in default is none). */
#define TN_CLI_PROFILE_FILES_MAX 16
struct tn_cli_profile_files {
	int n;
	char path[TN_CLI_PROFILE_FILES_MAX][512];
};
/* tn_cli_load_profile, *files saying which files it read. */
int tn_cli_load_profile_files(const char *name, struct tn_profile *out,
			      struct tn_cli_profile_files *files, struct tn_diag *d);

struct tn_plan;
struct tn_change;
int tn_cli_plan(struct tn_cli *cli, const char *profile_name, struct tn_profile *prof,
		struct tn_state *state, struct tn_plan *plan, struct tn_diag *d);
/* The same for a profile already loaded (kept on failure too). */
int tn_cli_plan_profile(struct tn_cli *cli, struct tn_profile *prof, struct tn_state *state,
			struct tn_plan *plan, struct tn_diag *d);
/* The selectors of all of prof's process rules, in one malloc'ed array (with
 * room for one more), their count in *n; NULL when out of memory. */
struct tn_procsel *tn_cli_profile_selectors(const struct tn_profile *prof, int *n);
void tn_cli_print_changes(struct tn_cli *cli, const struct tn_change *changes, int n);

/* Commands */
int tn_cmd_show(struct tn_cli *cli, int argc, char **argv);
int tn_cmd_plan(struct tn_cli *cli, int argc, char **argv);
int tn_cmd_profile(struct tn_cli *cli, int argc, char **argv);
int tn_cmd_apply(struct tn_cli *cli, int argc, char **argv);
int tn_cmd_rollback(struct tn_cli *cli, int argc, char **argv);
int tn_cmd_verify(struct tn_cli *cli, int argc, char **argv);
int tn_cmd_history(struct tn_cli *cli, int argc, char **argv);
int tn_cmd_diagnose(struct tn_cli *cli, int argc, char **argv);
int tn_cmd_watch(struct tn_cli *cli, int argc, char **argv);
int tn_cli_show_counters(struct tn_cli *cli, const char *netns); /* show --counters */

#endif
