/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "discover.h"
#include "safefile.h"
#include "state_json.h"
#include "sysroot.h"

enum {
	OPT_SYSROOT = 1000,
	OPT_TOPOLOGY,
	OPT_STATE,
	OPT_PROCESS,
};

const struct option tn_cli_global_options[] = {
	{ "sysroot", required_argument, NULL, OPT_SYSROOT },
	{ "topology", required_argument, NULL, OPT_TOPOLOGY },
	{ "state", required_argument, NULL, OPT_STATE },
	{ "process", required_argument, NULL, OPT_PROCESS },
	{ "json", no_argument, NULL, 'j' },
	{ "quiet", no_argument, NULL, 'q' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

int tn_cli_usage_error(struct tn_cli *cli, const char *fmt, ...)
{
	va_list ap;

	fprintf(cli->err, "%s: ", cli->prog);
	va_start(ap, fmt);
	vfprintf(cli->err, fmt, ap);
	va_end(ap);
	fprintf(cli->err, "\nTry '%s --help'.\n", cli->prog);
	return -1;
}

int tn_cli_getopt(struct tn_cli *cli, int argc, char **argv, const char *own_short,
		  const struct option *own,
		  int (*handle)(struct tn_cli *, int opt, const char *arg, void *ctx), void *ctx,
		  const char *usage)
{
	struct option opts[64];
	char shorts[64];
	size_t n = 0;
	int c;

	for (size_t i = 0; tn_cli_global_options[i].name; i++)
		opts[n++] = tn_cli_global_options[i];
	for (size_t i = 0; own && own[i].name && n < 63; i++)
		opts[n++] = own[i];
	memset(&opts[n], 0, sizeof(opts[n]));
	snprintf(shorts, sizeof(shorts), "+" TN_CLI_GLOBAL_SHORT "%s", own_short ? own_short : "");
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, shorts, opts, NULL)) != -1) {
		struct tn_diag d;

		switch (c) {
		case OPT_SYSROOT:
			cli->sysroot = optarg;
			break;
		case OPT_TOPOLOGY:
			cli->topology = optarg;
			break;
		case OPT_STATE:
			cli->state_file = optarg;
			break;
		case OPT_PROCESS:
			if (cli->n_procsel >= TN_MAX_PROCSEL)
				return tn_cli_usage_error(cli, "too many --process selectors (at most %d)",
							  TN_MAX_PROCSEL);
			tn_diag_init(&d);
			if (tn_procsel_parse(optarg, &cli->procsel[cli->n_procsel], &d) < 0) {
				tn_cli_usage_error(cli, "--process: %s", d.error);
				tn_diag_free(&d);
				return -1;
			}
			cli->n_procsel++;
			break;
		case 'j':
			cli->json = true;
			break;
		case 'q':
			cli->quiet = true;
			break;
		case 'h':
			fputs(usage, cli->out);
			return -2;
		case '?':
			if (optopt)
				return tn_cli_usage_error(cli, "%s: unknown option '-%c'", argv[0],
							  optopt);
			return tn_cli_usage_error(cli, "%s: unknown option '%s'", argv[0],
						  argv[optind - 1]);
		case ':':
			return tn_cli_usage_error(cli, "%s: option '%s' needs a value", argv[0],
						  argv[optind - 1]);
		default:
			if (!handle || handle(cli, c, optarg, ctx) < 0)
				return -1;
		}
	}
	if (cli->state_file && (cli->sysroot || cli->topology))
		return tn_cli_usage_error(cli, "--state replaces discovery: it cannot be combined "
					       "with --sysroot or --topology");
	return optind;
}

void tn_cli_report(struct tn_cli *cli, struct tn_diag *d)
{
	/* only what an earlier call did not show */
	if (!cli->quiet)
		for (int i = d->n_reported; i < d->n_warnings; i++)
			fprintf(cli->err, "%s: warning: %s\n", cli->prog, d->warnings[i]);
	d->n_reported = d->n_warnings;
	if (d->error[0] && !d->error_reported)
		fprintf(cli->err, "%s: %s\n", cli->prog, d->error);
	d->error_reported = d->error[0] != '\0';
}

int tn_cli_print_json(struct tn_cli *cli, cJSON *doc)
{
	char *text;

	if (!doc)
		return -ENOMEM;
	text = cJSON_Print(doc);
	cJSON_Delete(doc);
	if (!text)
		return -ENOMEM;
	fputs(text, cli->out);
	fputc('\n', cli->out);
	cJSON_free(text);
	return 0;
}

/* The largest --state snapshot read. */
#define TN_STATE_MAX_BYTES (64u << 20)

static int read_whole(const char *path, char **out, struct tn_diag *d)
{
	struct stat st;
	int fd = tn_safefile_open(AT_FDCWD, path, O_RDONLY, &st), ret;

	/* a FIFO is never opened: no blocking */
	if (fd == -EINVAL || fd == -EISDIR)
		return tn_diag_error(d, fd, "%s: %s, not a regular file; refused", path,
				     tn_safefile_type(st.st_mode));
	if (fd < 0)
		return tn_diag_error(d, fd, "%s: %s", path, strerror(-fd));
	ret = tn_safefile_read(fd, TN_STATE_MAX_BYTES, out, NULL);
	close(fd);
	if (ret == -EFBIG)
		return tn_diag_error(d, ret, "%s: larger than %u MiB; not a snapshot", path,
				     TN_STATE_MAX_BYTES >> 20);
	if (ret < 0)
		return tn_diag_error(d, ret, "%s: %s", path, strerror(-ret));
	return 0;
}

int tn_cli_load_state(struct tn_cli *cli, const char *const *extra_sysctls, int n_extra,
		      const struct tn_procsel *procs, int n_procs, struct tn_state *out,
		      struct tn_diag *d)
{
	struct tn_procsel all[TN_MAX_PROCSEL * 2];
	struct tn_discover_opts o = { 0 };
	struct tn_sysroot root;
	int ret, n = 0;

	if (cli->state_file) {
		char *text = NULL;

		ret = read_whole(cli->state_file, &text, d);
		if (ret < 0)
			return ret;
		ret = tn_state_parse(text, cli->state_file, out, d);
		free(text);
		return ret;
	}
	ret = tn_sysroot_open(cli->sysroot ? cli->sysroot : "/", &root);
	if (ret < 0)
		return tn_diag_error(d, ret, "--sysroot %s: %s", cli->sysroot, strerror(-ret));
	for (int i = 0; i < cli->n_procsel; i++)
		all[n++] = cli->procsel[i];
	for (int i = 0; i < n_procs && n < (int)(sizeof(all) / sizeof(all[0])); i++)
		all[n++] = procs[i];
	o.topology_xml = cli->topology;
	o.procs = all;
	o.n_procs = n;
	o.extra_sysctls = extra_sysctls;
	o.n_extra_sysctls = n_extra;
	ret = tn_discover(&root, &o, out, d);
	tn_sysroot_close(&root);
	return ret;
}
