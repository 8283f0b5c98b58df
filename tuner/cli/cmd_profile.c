/* SPDX-License-Identifier: MIT */
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "print.h"

static const char usage[] =
	"Usage: tuner profile validate FILE|NAME... [--json]\n"
	"       tuner profile show [FILE|NAME] [--json]\n"
	"\n"
	"validate  check profiles (syntax, types, ranges, 'extends'); exit 1 if any is\n"
	"          bad; name the sysctls outside net.* a profile sets (each needs its\n"
	"          name in the profile's allow_sysctls); --json: an array with an object\n"
	"          per profile (profile, valid, and its counts or its error, warnings)\n"
	"show      print a profile with its 'extends' chain merged (the child wins);\n"
	"          without an argument, the built-in default\n";

/* Sysctls outside net.* (each one listed in "allow_sysctls"): named, always. */
static void print_outside_net(struct tn_printer *pr, const struct tn_profile *p)
{
	int n = 0;

	tn_print_open_array(pr, "outside_net");
	for (int i = 0; i < p->n_sysctls; i++) {
		if (!p->sysctls[i].outside_net)
			continue;
		tn_print_text(pr, "%s %s",
			      n ? "," : "  sets sysctls outside net.* (allow_sysctls):",
			      p->sysctls[i].name);
		tn_print_string(pr, NULL, NULL, p->sysctls[i].name);
		n++;
	}
	tn_print_close_array(pr);
	if (n)
		tn_print_text(pr, "\n");
}

/* "FILE: valid (profile "NAME", 2 interface rules, 1 sysctl, 0 process rules)" */
static void print_valid(struct tn_printer *pr, const char *ref, const struct tn_profile *p)
{
	tn_print_text(pr,
		      "%s: valid (profile \"%s\", %d interface rule%s, %d sysctl%s, "
		      "%d process rule%s)\n",
		      ref, p->name, p->n_ifaces, p->n_ifaces == 1 ? "" : "s", p->n_sysctls,
		      p->n_sysctls == 1 ? "" : "s", p->n_procs, p->n_procs == 1 ? "" : "s");
	tn_print_string(pr, "name", NULL, p->name);
	tn_print_int(pr, "interface_rules", NULL, p->n_ifaces);
	tn_print_int(pr, "sysctls", NULL, p->n_sysctls);
	tn_print_int(pr, "process_rules", NULL, p->n_procs);
	print_outside_net(pr, p);
}

/* One profile checked: its messages on stderr; in JSON, an object with them. */
static bool validate_one(struct tn_cli *cli, struct tn_printer *pr, const char *ref)
{
	struct tn_profile p;
	struct tn_diag d;
	bool ok;

	tn_diag_init(&d);
	ok = tn_cli_load_profile(ref, &p, &d) == 0;
	tn_cli_report(cli, &d);
	tn_print_open_object(pr, NULL);
	tn_print_string(pr, "profile", NULL, ref);
	tn_print_bool(pr, "valid", NULL, ok);
	if (ok && (!cli->quiet || tn_print_is_json(pr)))
		print_valid(pr, ref, &p);
	if (!ok)
		tn_print_string(pr, "error", NULL, d.error);
	tn_print_open_array(pr, "warnings");
	for (int i = 0; i < d.n_warnings; i++)
		tn_print_string(pr, NULL, NULL, d.warnings[i]);
	tn_print_close_array(pr);
	tn_print_close_object(pr);
	if (ok)
		tn_profile_free(&p);
	tn_diag_free(&d);
	return ok;
}

/* Each profile checked: a line each (text), or an array of objects (JSON). */
static int validate(struct tn_cli *cli, int argc, char **argv)
{
	struct tn_printer pr;
	int bad = 0;

	if (argc == 0)
		return tn_cli_usage_error(cli, "profile validate: name at least one profile"),
		       TN_EXIT_USAGE;
	tn_print_init(&pr, cli, cli->json);
	tn_print_open_array(&pr, NULL);
	for (int i = 0; i < argc; i++)
		bad += !validate_one(cli, &pr, argv[i]);
	tn_print_close_array(&pr);
	if (tn_print_finish(&pr) < 0) {
		tn_cli_printf(cli->err, "%s: out of memory\n", cli->prog);
		return TN_EXIT_ERROR;
	}
	return bad ? TN_EXIT_ERROR : TN_EXIT_OK;
}

/* The merged profile, as JSON with or without --json. */
static int show(struct tn_cli *cli, int argc, char **argv)
{
	struct tn_printer pr;
	struct tn_profile p;
	struct tn_diag d;
	int ret;

	if (argc > 1)
		return tn_cli_usage_error(cli, "profile show: one profile at a time"),
		       TN_EXIT_USAGE;
	tn_diag_init(&d);
	ret = tn_cli_load_profile(argc ? argv[0] : NULL, &p, &d);
	tn_cli_report(cli, &d);
	tn_diag_free(&d);
	if (ret < 0)
		return TN_EXIT_ERROR;
	tn_print_init(&pr, cli, true);
	tn_print_json(&pr, NULL, cJSON_Parse(p.merged));
	tn_profile_free(&p);
	if (tn_print_finish(&pr) < 0) {
		tn_cli_printf(cli->err, "%s: out of memory\n", cli->prog);
		return TN_EXIT_ERROR;
	}
	return TN_EXIT_OK;
}

int tn_cmd_profile(struct tn_cli *cli, int argc, char **argv)
{
	const struct tn_cli_spec spec = { .usage = usage, .max_operands = -1 };
	int first, k, n, code;
	char **rest;

	if ((first = tn_cli_parse(cli, argc, argv, &spec, &code)) < 0)
		return code;
	if (first >= argc)
		return tn_cli_usage_error(cli, "profile: expected 'validate' or 'show'"),
		       TN_EXIT_USAGE;
	if (strcmp(argv[first], "validate") != 0 && strcmp(argv[first], "show") != 0)
		return tn_cli_usage_error(cli, "profile: unknown action '%s' (validate, show)",
					  argv[first]),
		       TN_EXIT_USAGE;
	/* options may also follow the action: parse what comes after it */
	rest = argv + first;
	n = argc - first;
	if ((k = tn_cli_parse(cli, n, rest, &spec, &code)) < 0)
		return code;
	if (strcmp(rest[0], "validate") == 0)
		return validate(cli, n - k, rest + k);
	return show(cli, n - k, rest + k);
}
