/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"

static const struct tn_cmd commands[] = {
	{ "show", tn_cmd_show, "show the host's NUMA nodes, NICs, IRQs, rings and sysctls", NULL,
	  NULL },
	{ "plan", tn_cmd_plan, "show the changes a profile asks for (dry run)", tn_plan_options,
	  TN_PLAN_SHORT },
	{ "apply", tn_cmd_apply, "make the plan's changes, journaled, undone on failure",
	  tn_apply_options, TN_APPLY_SHORT },
	{ "rollback", tn_cmd_rollback, "restore what an apply changed, from its journal",
	  tn_apply_options, TN_APPLY_SHORT },
	{ "verify", tn_cmd_verify, "check the host against a profile (exit 2 on drift)",
	  tn_apply_options, TN_APPLY_SHORT },
	{ "history", tn_cmd_history, "list past applies and their status", tn_apply_options,
	  TN_APPLY_SHORT },
	{ "profile", tn_cmd_profile, "validate or show profiles", NULL, NULL },
	{ "diagnose", tn_cmd_diagnose, "where this host loses packets, and which knob would help",
	  tn_diagnose_options, TN_DIAGNOSE_SHORT },
	{ "watch", tn_cmd_watch, "apply, then repair what drivers and other tools undo",
	  tn_watch_options, TN_WATCH_SHORT },
};

#define N_COMMANDS (sizeof(commands) / sizeof(commands[0]))

static void usage(FILE *o)
{
	fprintf(o, "Usage: tuner [GLOBAL OPTIONS] COMMAND [OPTIONS]\n"
		   "\n"
		   "Tune the receive path of a Linux host: NIC IRQ affinity, net.core sysctls,\n"
		   "socket buffers, ring sizes and process placement, NUMA-aware.\n"
		   "\n"
		   "Commands:\n");
	for (size_t i = 0; i < N_COMMANDS; i++)
		fprintf(o, "  %-18s %s\n", commands[i].name, commands[i].summary);
	fprintf(o, "\n"
		   "Global options (also accepted after the command):\n"
		   "  --sysroot DIR     read and write /proc and /sys below DIR instead of /;\n"
		   "                    nothing outside DIR is read or touched (no netlink)\n"
		   "  --topology FILE   take the NUMA topology from an hwloc XML export\n"
		   "  --state FILE      use a saved snapshot (from 'tuner show --json')\n"
		   "  -j, --json        machine-readable output\n"
		   "  -q, --quiet       no warnings\n"
		   "  -h, --help        this help; 'tuner COMMAND --help' for a command\n"
		   "  -V, --version     print the version\n"
		   "\n"
		   "Exit status: 0 success (nothing to change), 1 error, 2 changes pending or\n"
		   "drift found, 3 partially applied, 4 timed out waiting for links (apply\n"
		   "--boot), 5 nothing to do (apply --boot), 64 usage error.\n");
}

#define MAX_OPTS 64

/* Add the table's options not there yet, all with the same val (1): then an
 * abbreviation matching several options that all take a value is not
 * ambiguous to getopt_long, which skips the value as the command would. */
static void add_options(struct option *all, size_t *n, const struct option *t)
{
	for (; t && t->name && *n < MAX_OPTS; t++) {
		size_t k = 0;

		while (k < *n && strcmp(all[k].name, t->name) != 0)
			k++;
		if (k < *n)
			continue;
		all[*n] = *t;
		all[*n].flag = NULL;
		all[*n].val = strcmp(t->name, "help") == 0 ? 'h' : 1;
		(*n)++;
	}
}

static void add_shorts(char *shorts, size_t len, const char *s)
{
	for (; s && *s; s++) {
		size_t n = strlen(shorts);

		if (*s == ':' || strchr(shorts, *s))
			continue;
		if (n + 3 < len) {
			shorts[n++] = *s;
			if (s[1] == ':')
				shorts[n++] = ':';
			shorts[n] = '\0';
		}
	}
}

/*
 * Where the command is: the first word that is not an option or an option's
 * value. Which options take a value is read from the option tables (the
 * global ones and every command's, since a command's own options may come
 * before it), through getopt_long itself. Returns its index, -1 when there is
 * none; 'h' or 'V' when -h or -V comes before it.
 */
static int find_command(int argc, char **argv, int *cmd_at)
{
	struct option all[MAX_OPTS + 2];
	char shorts[64] = "+";
	size_t n = 0;
	int c;

	add_options(all, &n, tn_cli_global_options);
	add_shorts(shorts, sizeof(shorts), TN_CLI_GLOBAL_SHORT "V");
	for (size_t i = 0; i < N_COMMANDS; i++) {
		add_options(all, &n, commands[i].opts);
		add_shorts(shorts, sizeof(shorts), commands[i].short_opts);
	}
	all[n++] = (struct option){ "version", no_argument, NULL, 'V' };
	memset(&all[n], 0, sizeof(all[n]));
	opterr = 0;
	optind = 0; /* glibc: start afresh */
	while ((c = getopt_long(argc, argv, shorts, all, NULL)) != -1)
		if (c == 'h' || c == 'V')
			return c;
	*cmd_at = optind < argc ? optind : -1;
	return 0;
}

/*
 * Whether what a command printed reached standard output: a full disk or a
 * closed pipe behind 'tuner show --json > snap.json' is an error (exit 1),
 * not an empty file and exit 0. apply, rollback and watch end as they would
 * (their lines lost: the transaction is what they are for), and diagnose
 * says it itself.
 */
static int stdout_written(const char *cmd, int ret)
{
	static const char *const own[] = { "apply", "rollback", "watch", "diagnose" };
	int e;

	for (size_t i = 0; i < sizeof(own) / sizeof(own[0]); i++)
		if (strcmp(cmd, own[i]) == 0)
			return ret;
	e = fflush(stdout) != 0 ? errno : ferror(stdout) ? EIO : 0;
	if (!e)
		return ret;
	tn_cli_printf(stderr, "tuner: %s: standard output: %s\n", cmd, strerror(e));
	return TN_EXIT_ERROR;
}

int main(int argc, char **argv)
{
	struct tn_cli cli = { .prog = "tuner", .out = stdout, .err = stderr };
	int cmd_at = -1, ret = TN_EXIT_USAGE;

	switch (find_command(argc, argv, &cmd_at)) {
	case 'h':
		usage(stdout);
		return stdout_written("--help", TN_EXIT_OK);
	case 'V':
		printf("tuner %s\n", TUNER_VERSION);
		return stdout_written("--version", TN_EXIT_OK);
	}
	if (cmd_at < 0) {
		usage(stderr);
		return TN_EXIT_USAGE;
	}
	if (strcmp(argv[cmd_at], "help") == 0) {
		usage(stdout);
		return stdout_written("help", TN_EXIT_OK);
	}
	for (size_t i = 0; i < N_COMMANDS; i++) {
		if (strcmp(argv[cmd_at], commands[i].name) != 0)
			continue;
		/* Hand the command its words with the global options that came
		 * before it moved after its name: getopt sees them all. */
		char *args[argc + 1];
		int n = 0;

		args[n++] = argv[cmd_at];
		for (int k = 1; k < argc; k++)
			if (k != cmd_at)
				args[n++] = argv[k];
		args[n] = NULL;
		ret = stdout_written(commands[i].name, commands[i].run(&cli, n, args));
		for (int k = 0; k < cli.n_procsel; k++)
			tn_procsel_free(&cli.procsel[k]);
		return ret;
	}
	tn_cli_printf(stderr, "tuner: unknown command '%s'\nTry 'tuner --help'.\n", argv[cmd_at]);
	return TN_EXIT_USAGE;
}
