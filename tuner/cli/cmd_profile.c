/* SPDX-License-Identifier: MIT */
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static const char usage[] =
	"Usage: tuner profile validate FILE|NAME...\n"
	"       tuner profile show [FILE|NAME] [--json]\n"
	"\n"
	"validate  check profiles (syntax, types, ranges, 'extends'); exit 1 if any is bad;\n"
	"          name the sysctls outside net.* a profile sets (each needs its name\n"
	"          in the profile's allow_sysctls)\n"
	"show      print a profile with its 'extends' chain merged (the child wins);\n"
	"          without an argument, the built-in default\n";

/* Sysctls outside net.* (each one listed in "allow_sysctls"): named, always. */
static void print_outside_net(struct tn_cli *cli, const struct tn_profile *p)
{
	int n = 0;

	for (int i = 0; i < p->n_sysctls; i++) {
		if (!p->sysctls[i].outside_net)
			continue;
		tn_cli_printf(cli->out, "%s %s", n ? "," : "  sets sysctls outside net.* (allow_sysctls):",
			p->sysctls[i].name);
		n++;
	}
	if (n)
		fputc('\n', cli->out);
}

static int validate(struct tn_cli *cli, int argc, char **argv)
{
	int bad = 0;

	if (argc == 0)
		return tn_cli_usage_error(cli, "profile validate: name at least one profile"),
		       TN_EXIT_USAGE;
	for (int i = 0; i < argc; i++) {
		struct tn_profile p;
		struct tn_diag d;

		tn_diag_init(&d);
		if (tn_cli_load_profile(argv[i], &p, &d) < 0) {
			tn_cli_report(cli, &d);
			bad++;
		} else {
			tn_cli_report(cli, &d);
			if (!cli->quiet)
				tn_cli_printf(cli->out,
					      "%s: valid (profile \"%s\", %d interface rule%s, "
					      "%d sysctl%s, %d process rule%s)\n",
					      argv[i], p.name, p.n_ifaces,
					      p.n_ifaces == 1 ? "" : "s", p.n_sysctls,
					      p.n_sysctls == 1 ? "" : "s", p.n_procs,
					      p.n_procs == 1 ? "" : "s");
			if (!cli->quiet)
				print_outside_net(cli, &p);
			tn_profile_free(&p);
		}
		tn_diag_free(&d);
	}
	return bad ? TN_EXIT_ERROR : TN_EXIT_OK;
}

static int show(struct tn_cli *cli, int argc, char **argv)
{
	struct tn_profile p;
	struct tn_diag d;
	cJSON *doc;
	int ret;

	if (argc > 1)
		return tn_cli_usage_error(cli, "profile show: one profile at a time"), TN_EXIT_USAGE;
	tn_diag_init(&d);
	ret = tn_cli_load_profile(argc ? argv[0] : NULL, &p, &d);
	tn_cli_report(cli, &d);
	tn_diag_free(&d);
	if (ret < 0)
		return TN_EXIT_ERROR;
	doc = cJSON_Parse(p.merged);
	tn_profile_free(&p);
	if (!doc || tn_cli_print_json(cli, doc) < 0) {
		tn_cli_printf(cli->err, "%s: out of memory\n", cli->prog);
		return TN_EXIT_ERROR;
	}
	return TN_EXIT_OK;
}

int tn_cmd_profile(struct tn_cli *cli, int argc, char **argv)
{
	int first = tn_cli_getopt(cli, argc, argv, NULL, NULL, NULL, NULL, usage);

	if (first == -2)
		return TN_EXIT_OK;
	if (first < 0)
		return TN_EXIT_USAGE;
	if (first >= argc)
		return tn_cli_usage_error(cli, "profile: expected 'validate' or 'show'"),
		       TN_EXIT_USAGE;
	/* options may also follow the action: parse what comes after it */
	if (strcmp(argv[first], "validate") == 0 || strcmp(argv[first], "show") == 0) {
		bool is_validate = strcmp(argv[first], "validate") == 0;
		char **rest = argv + first;
		int n = argc - first, k;

		k = tn_cli_getopt(cli, n, rest, NULL, NULL, NULL, NULL, usage);
		if (k == -2)
			return TN_EXIT_OK;
		if (k < 0)
			return TN_EXIT_USAGE;
		return is_validate ? validate(cli, n - k, rest + k) : show(cli, n - k, rest + k);
	}
	return tn_cli_usage_error(cli, "profile: unknown action '%s' (validate, show)",
				  argv[first]),
	       TN_EXIT_USAGE;
}
