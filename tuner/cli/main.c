/* SPDX-License-Identifier: MIT */
#include <stdio.h>
#include <string.h>

#include "cli.h"

static const struct tn_cmd commands[] = {
	{ "show", tn_cmd_show, "show the host's NUMA nodes, NICs, IRQs, rings and sysctls" },
	{ "plan", tn_cmd_plan, "show the changes a profile asks for (dry run)" },
	{ "apply", tn_cmd_apply, "make the plan's changes, journaled, undone on failure" },
	{ "rollback", tn_cmd_rollback, "restore what an apply changed, from its journal" },
	{ "verify", tn_cmd_verify, "check the host against a profile (exit 2 on drift)" },
	{ "history", tn_cmd_history, "list past applies and their status" },
	{ "profile", tn_cmd_profile, "validate or show profiles" },
	{ "diagnose", tn_cmd_diagnose, "where this host loses packets, and which knob would help" },
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

int main(int argc, char **argv)
{
	struct tn_cli cli = { .prog = "tuner", .out = stdout, .err = stderr };
	int cmd_at = -1, ret = TN_EXIT_USAGE;

	/* The command is the first word that is not an option or an option's value. */
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (strcmp(a, "--sysroot") == 0 || strcmp(a, "--topology") == 0 ||
		    strcmp(a, "--state") == 0 || strcmp(a, "--process") == 0 ||
		    strcmp(a, "--profile") == 0 || strcmp(a, "-p") == 0 ||
		    strcmp(a, "--state-dir") == 0 || strcmp(a, "--wait") == 0) {
			i++;
			continue;
		}
		if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
			if (cmd_at < 0) {
				usage(stdout);
				return TN_EXIT_OK;
			}
			continue;
		}
		if (strcmp(a, "-V") == 0 || strcmp(a, "--version") == 0) {
			printf("tuner %s\n", TUNER_VERSION);
			return TN_EXIT_OK;
		}
		if (a[0] != '-') {
			cmd_at = i;
			break;
		}
	}
	if (cmd_at < 0) {
		usage(stderr);
		return TN_EXIT_USAGE;
	}
	if (strcmp(argv[cmd_at], "help") == 0) {
		usage(stdout);
		return TN_EXIT_OK;
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
		ret = commands[i].run(&cli, n, args);
		for (int k = 0; k < cli.n_procsel; k++)
			tn_procsel_free(&cli.procsel[k]);
		return ret;
	}
	fprintf(stderr, "tuner: unknown command '%s'\nTry 'tuner --help'.\n", argv[cmd_at]);
	return TN_EXIT_USAGE;
}
