/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio_ext.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <sys/types.h>

#include "cli.h"
#include "discover.h"
#include "plan.h"
#include "safefile.h"
#include "state_json.h"
#include "sysroot.h"
#include "text.h"

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

/* ---- human-readable output: every string escaped ---- */

static void pad(FILE *f, long n)
{
	while (n-- > 0)
		fputc(' ', f);
}

/* One string argument: escaped (tn_text_escape), padded to 'width', at most
 * 'prec' bytes of its escaped form (never half an escape or a character). */
static void put_str(FILE *f, const char *s, bool left, long width, long prec)
{
	const char *p, *run, *end = NULL;
	size_t n = 0;

	if (!s)
		s = "(null)";
	/* the escaped width, and where a precision cuts: only when asked */
	if (prec >= 0 || width > 0) {
		for (p = s; *p;) {
			int k = tn_text_char_len(p);
			size_t w = k ? (size_t)k : TN_TEXT_ESCAPE_LEN;

			if (prec >= 0 && n + w > (size_t)prec)
				break;
			n += w;
			p += k ? k : 1;
		}
		end = p;
	}
	if (!left)
		pad(f, width - (long)n);
	/* runs of characters as they are, one fwrite each; escapes between them */
	for (p = run = s; end ? p < end : *p != '\0';) {
		int k = tn_text_char_len(p);

		if (k) {
			p += k;
			continue;
		}
		if (p > run)
			fwrite(run, 1, (size_t)(p - run), f);
		fprintf(f, "\\x%02x", (unsigned char)*p++);
		run = p;
	}
	if (p > run)
		fwrite(run, 1, (size_t)(p - run), f);
	if (left)
		pad(f, width - (long)n);
}

/* A number: 'spec' is its conversion with '*'s replaced (a literal of ours,
 * checked by -Wformat at the caller), 'len' its length modifier. Returns -1
 * for a conversion this printf does not know. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
static int put_num(FILE *f, const char *spec, const char *len, char conv, va_list *ap)
{
	bool sgn = conv == 'd' || conv == 'i';

	if (strchr("fFeEgGaA", conv) && strcmp(len, "L") == 0)
		fprintf(f, spec, va_arg(*ap, long double));
	else if (strchr("fFeEgGaA", conv))
		fprintf(f, spec, va_arg(*ap, double));
	else if (conv == 'p')
		fprintf(f, spec, va_arg(*ap, void *));
	else if (!strchr("diuoxX", conv))
		return -1;
	else if (strcmp(len, "ll") == 0 && sgn)
		fprintf(f, spec, va_arg(*ap, long long));
	else if (strcmp(len, "ll") == 0)
		fprintf(f, spec, va_arg(*ap, unsigned long long));
	else if (strcmp(len, "l") == 0 && sgn)
		fprintf(f, spec, va_arg(*ap, long));
	else if (strcmp(len, "l") == 0)
		fprintf(f, spec, va_arg(*ap, unsigned long));
	else if (strcmp(len, "z") == 0 && sgn)
		fprintf(f, spec, va_arg(*ap, ssize_t));
	else if (strcmp(len, "z") == 0)
		fprintf(f, spec, va_arg(*ap, size_t));
	else if (strcmp(len, "j") == 0 && sgn)
		fprintf(f, spec, va_arg(*ap, intmax_t));
	else if (strcmp(len, "j") == 0)
		fprintf(f, spec, va_arg(*ap, uintmax_t));
	else if (strcmp(len, "t") == 0)
		fprintf(f, spec, va_arg(*ap, ptrdiff_t));
	else if (sgn) /* none, h, hh: promoted to int */
		fprintf(f, spec, va_arg(*ap, int));
	else
		fprintf(f, spec, va_arg(*ap, unsigned));
	return 0;
}
#pragma GCC diagnostic pop

static void render(FILE *f, const char *fmt, va_list ap)
{
	va_list aq;
	const char *p = fmt;

	va_copy(aq, ap);
	while (*p) {
		char spec[80], len[3] = "";
		long width = -1, prec = -1;
		size_t flen;
		bool left = false;
		const char *flags;
		char conv, *end;

		if (*p != '%' || p[1] == '%') {
			size_t n = *p == '%' ? 1 : strcspn(p, "%");

			fwrite(p, 1, n, f);
			p += *p == '%' ? 2 : n;
			continue;
		}
		flags = ++p;
		while (*p && strchr("-+ #0'", *p))
			left |= *p++ == '-';
		flen = (size_t)(p - flags);
		if (flen > 8)
			break; /* not a conversion of ours */
		if (*p == '*') {
			width = va_arg(aq, int);
			left |= width < 0;
			width = width < 0 ? -width : width;
			p++;
		} else {
			width = strtol(p, &end, 10);
			width = end == p ? -1 : width;
			p = end;
		}
		if (*p == '.') {
			p++;
			if (*p == '*') {
				prec = va_arg(aq, int);
				p++;
			} else {
				prec = strtol(p, &end, 10); /* "%.s": 0 */
				p = end;
			}
		}
		for (int i = 0; i < 2 && *p && strchr("hlzjtL", *p); i++)
			len[i] = *p++;
		conv = *p ? *p++ : '\0';
		if (conv == 's') {
			put_str(f, va_arg(aq, const char *), left, width, prec);
		} else if (conv == 'c') {
			char one[2] = { (char)va_arg(aq, int), '\0' };

			put_str(f, one, left, width, -1);
		} else {
			int k = snprintf(spec, sizeof(spec), "%%%.*s", (int)flen, flags);

			if (width >= 0)
				k += snprintf(spec + k, sizeof(spec) - (size_t)k, "%ld", width);
			if (prec >= 0)
				k += snprintf(spec + k, sizeof(spec) - (size_t)k, ".%ld", prec);
			snprintf(spec + k, sizeof(spec) - (size_t)k, "%s%c", len, conv);
			if (put_num(f, spec, len, conv, &aq) < 0)
				break; /* not a conversion of ours: the rest cannot be trusted */
		}
	}
	va_end(aq);
}

/*
 * One message, one write(): on an unbuffered stream (stderr; or one whose
 * buffer is not made yet) the message is rendered into memory and handed to
 * f whole, so that it gets one write per message
 * instead of one per byte, and its lines stay whole and in order with stdout's
 * (which is flushed by its own buffering, as before). Without memory, rendered
 * straight to f.
 */
void tn_cli_vprintf(FILE *f, const char *fmt, va_list ap)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *m;

	/* a buffered stream (stdout, once written) gathers the message itself */
	if (__fbufsize(f) > 1) {
		render(f, fmt, ap);
		return;
	}
	m = open_memstream(&buf, &len);
	if (!m) {
		render(f, fmt, ap);
		return;
	}
	render(m, fmt, ap);
	if (fclose(m) == 0)
		fwrite(buf, 1, len, f);
	else
		render(f, fmt, ap);
	free(buf);
}

void tn_cli_printf(FILE *f, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	tn_cli_vprintf(f, fmt, ap);
	va_end(ap);
}

int tn_cli_parse_int(const char *arg, int min, int max, int *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(arg, &end, 10);
	if (end == arg || *end || errno || v < min || v > max)
		return -1;
	*out = (int)v;
	return 0;
}

int tn_cli_usage_error(struct tn_cli *cli, const char *fmt, ...)
{
	va_list ap;

	char *buf = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&buf, &len);
	FILE *f = m ? m : cli->err; /* the message whole, in one write */

	tn_cli_printf(f, "%s: ", cli->prog);
	va_start(ap, fmt);
	tn_cli_vprintf(f, fmt, ap);
	va_end(ap);
	tn_cli_printf(f, "\nTry '%s --help'.\n", cli->prog);
	if (m && fclose(m) == 0)
		fwrite(buf, 1, len, cli->err);
	free(buf);
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
				return tn_cli_usage_error(
					cli, "too many --process selectors (at most %d)",
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

int tn_cli_parse(struct tn_cli *cli, int argc, char **argv, const struct tn_cli_spec *spec,
		 int *exit_code)
{
	int first = tn_cli_getopt(cli, argc, argv, spec->short_opts, spec->opts, spec->handle,
				  spec->ctx, spec->usage);

	*exit_code = first == -2 ? TN_EXIT_OK : TN_EXIT_USAGE;
	if (first < 0)
		return -1;
	if (spec->max_operands >= 0 && argc - first > spec->max_operands) {
		tn_cli_usage_error(cli, "%s: unexpected argument '%s'", argv[0],
				   argv[first + spec->max_operands]);
		return -1;
	}
	return first;
}

void tn_cli_report(struct tn_cli *cli, struct tn_diag *d)
{
	/* only what an earlier call did not show */
	if (!cli->quiet)
		for (int i = d->n_reported; i < d->n_warnings; i++)
			tn_cli_printf(cli->err, "%s: warning: %s\n", cli->prog, d->warnings[i]);
	d->n_reported = d->n_warnings;
	if (d->error[0] && !d->error_reported)
		tn_cli_printf(cli->err, "%s: %s\n", cli->prog, d->error);
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

int tn_cli_load_state(struct tn_cli *cli, const char *const *extra_sysctls, int n_extra,
		      const struct tn_procsel *procs, int n_procs, struct tn_state *out,
		      struct tn_diag *d)
{
	struct tn_discover_opts o = { 0 };
	struct tn_procsel *all;
	struct tn_sysroot root;
	int ret, n = 0;

	if (cli->state_file) {
		char *text = NULL;

		ret = tn_safefile_load(AT_FDCWD, cli->state_file, TN_STATE_MAX_BYTES,
				       "not a snapshot", &text, NULL, d);
		if (ret < 0)
			return ret;
		ret = tn_state_parse(text, cli->state_file, out, d);
		free(text);
		return ret;
	}
	/* every selector: the command line's and all of the profile's (a profile
	 * may have any number of process rules; none is left out) */
	all = calloc((size_t)cli->n_procsel + (size_t)(n_procs > 0 ? n_procs : 0) + 1,
		     sizeof(*all));
	if (!all)
		return tn_diag_error(d, -ENOMEM, "out of memory");
	if (cli->apply_root) {
		root = *cli->apply_root; /* shares its directories and kept files */
	} else if ((ret = tn_sysroot_open(cli->sysroot ? cli->sysroot : "/", &root)) < 0) {
		free(all);
		return tn_diag_error(d, ret, "--sysroot %s: %s", cli->sysroot, strerror(-ret));
	}
	for (int i = 0; i < cli->n_procsel; i++)
		all[n++] = cli->procsel[i];
	for (int i = 0; i < n_procs; i++)
		all[n++] = procs[i];
	o.topology_xml = cli->topology;
	o.procs = all;
	o.n_procs = n;
	o.extra_sysctls = extra_sysctls;
	o.n_extra_sysctls = n_extra;
	o.plan_only = cli->plan_only;
	o.queue_files = cli->queue_files;
	o.keep_files = cli->apply_root != NULL;
	ret = tn_discover(&root, &o, out, d);
	if (!cli->apply_root)
		tn_sysroot_close(&root);
	free(all);
	return ret;
}
