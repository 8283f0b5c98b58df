/* SPDX-License-Identifier: MIT */
/* tuner diagnose, and tuner show --counters. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "counters.h"
#include "counters_read.h"
#include "diagnose.h"
#include "safefile.h"
#include "sysroot.h"

#define TN_SAMPLE_FILE_MAX (64 << 20)
#define TN_INTERVAL_MAX 86400

static const char usage[] =
	"Usage: tuner diagnose [--interval SECS] [--json] [--emit-profile FILE]\n"
	"                      [--prometheus FILE] [--profile P] [--netns NAME|PID]\n"
	"                      [--max-budget-usecs US] [--process SEL]...\n"
	"       tuner diagnose --from A.json --to B.json [...]\n"
	"\n"
	"Where this host loses packets, and which knob would help. Samples the drop\n"
	"counters of every receive stage (softnet_stat, the NICs' link and driver\n"
	"statistics, TcpExt, Udp, Udp6), waits, samples again, and reports the rate of\n"
	"every stage that lost packets, worst first, with the knob and a bounded value.\n"
	"Changes nothing.\n"
	"\n"
	"  -i, --interval SECS   seconds between the two samples (default 10, 1 to 86400)\n"
	"      --from FILE       compare two saved samples (from 'show' with its\n"
	"      --to FILE         counters) instead of sampling\n"
	"  -p, --profile P       the profile the findings are checked against, and that\n"
	"                        --emit-profile extends (default: default)\n"
	"      --emit-profile F  write a profile holding exactly the recommended changes\n"
	"      --prometheus F    write the sample and the findings for node_exporter's\n"
	"                        textfile collector (atomically)\n"
	"      --netns NAME|PID  the TCP/UDP counters and the per-namespace sysctls\n"
	"                        (tcp_rmem, somaxconn, ...) of that network namespace: an\n"
	"                        'ip netns' NAME (/run/netns/NAME) or a process's; the\n"
	"                        NIC and softnet counters stay host-wide. Under\n"
	"                        --sysroot, a PID only (DIR/proc/PID/net)\n"
	"      --max-budget-usecs US\n"
	"                        recommend net.core.netdev_budget_usecs up to US\n"
	"                        microseconds (1 to 1000000; default 8000, tuner's\n"
	"                        bound: a longer softirq delays every task of its CPU).\n"
	"                        For machines slower than any host (an emulated guest)\n"
	"  -j, --json            the findings as JSON\n"
	"      --process SEL     processes whose CPUs the findings check (see 'show')\n"
	"      --sysroot DIR     read the counters below DIR\n"
	"  -q, --quiet           no warnings, no progress line\n"
	"\n"
	"Exit status: 0 no loss found, 2 loss found, 1 error, 64 usage.\n";

struct diag_opts {
	int interval;
	int max_usecs; /* --max-budget-usecs, 0: tuner's own bound */
	const char *from, *to, *profile, *emit, *prom;
	const char *netns;  /* --netns NAME|PID, as given */
	struct tn_netns ns; /* opened once on the live host; fd -1 otherwise */
};

enum { OPT_FROM = 2000, OPT_TO, OPT_EMIT, OPT_PROM, OPT_NETNS, OPT_MAX_USECS };

static int opt_diag(struct tn_cli *cli, int opt, const char *arg, void *ctx)
{
	struct diag_opts *o = ctx;

	switch (opt) {
	case 'i':
		if (tn_cli_parse_int(arg, 1, TN_INTERVAL_MAX, &o->interval) < 0)
			return tn_cli_usage_error(cli,
						  "--interval: expected whole seconds from 1 to "
						  "%d, not '%s'",
						  TN_INTERVAL_MAX, arg);
		return 0;
	case 'p':
		o->profile = arg;
		return 0;
	case OPT_FROM:
		o->from = arg;
		return 0;
	case OPT_TO:
		o->to = arg;
		return 0;
	case OPT_EMIT:
		o->emit = arg;
		return 0;
	case OPT_PROM:
		o->prom = arg;
		return 0;
	case OPT_NETNS:
		o->netns = arg;
		return 0;
	case OPT_MAX_USECS:
		if (tn_cli_parse_int(arg, TN_DIAG_MAX_BUDGET_USECS_MIN,
				     TN_DIAG_MAX_BUDGET_USECS_MAX, &o->max_usecs) < 0)
			return tn_cli_usage_error(cli,
						  "--max-budget-usecs: expected whole "
						  "microseconds from %d to %d, not '%s'",
						  TN_DIAG_MAX_BUDGET_USECS_MIN,
						  TN_DIAG_MAX_BUDGET_USECS_MAX, arg);
		return 0;
	}
	return -1;
}

/*
 * --netns: under --sysroot a process id (its proc/PID/net in the tree); on the
 * live host, the namespace is opened and checked once, before any sample.
 * Returns 0, TN_EXIT_USAGE (said) or -errno (in d).
 */
static int netns_prepare(struct tn_cli *cli, const char *cmd, struct diag_opts *o,
			 struct tn_diag *d)
{
	int pid;

	o->ns.fd = -1;
	if (!o->netns)
		return 0;
	if (cli->sysroot) {
		if (!tn_netns_spec_is_pid(o->netns) ||
		    tn_cli_parse_int(o->netns, 1, INT_MAX, &pid) < 0)
			return tn_cli_usage_error(cli,
						  "%s: --netns '%s': under --sysroot, only a "
						  "process id (the tree's proc/PID/net)",
						  cmd, o->netns),
			       TN_EXIT_USAGE;
		return 0;
	}
	return tn_netns_open(o->netns, &o->ns, d);
}

/* One sample of the host (or of --sysroot), with its snapshot. */
static int take_sample(struct tn_cli *cli, const struct diag_opts *o, struct tn_sample *out,
		       struct tn_diag *d)
{
	struct tn_counters_opts co = { .driver_stats = !cli->sysroot };
	struct tn_sysroot root;
	struct tn_state st;
	int n_extra = 0, ret;

	while (tn_diag_sysctls[n_extra])
		n_extra++;
	if (o->ns.fd >= 0)
		co.netns = &o->ns;
	else if (o->netns)
		co.netns_pid = atoi(o->netns); /* under --sysroot: checked digits only */
	ret = tn_cli_load_state(cli, tn_diag_sysctls, n_extra, NULL, 0, &st, d);
	if (ret < 0)
		return ret;
	ret = tn_sysroot_open(cli->sysroot ? cli->sysroot : "/", &root);
	if (ret < 0) {
		tn_state_free(&st);
		return tn_diag_error(d, ret, "--sysroot %s: %s", cli->sysroot, strerror(-ret));
	}
	ret = tn_counters_read(&root, &st, &co, out, d);
	tn_sysroot_close(&root);
	if (ret < 0) {
		tn_state_free(&st);
		return ret;
	}
	out->state = st;
	out->has_state = true;
	return 0;
}

/*
 * A sample file, trusted as a profile is: a regular file owned by root or the
 * caller, not writable by its group or others; checked on the file opened,
 * then read from it (no other file can be put in its place in between).
 */
static int load_sample(const char *file, struct tn_sample *out, struct tn_diag *d)
{
	char why[160], *text = NULL;
	struct stat st;
	int fd = tn_safefile_open(AT_FDCWD, file, O_RDONLY | O_CLOEXEC, &st);
	int ret;

	if (fd == -EINVAL || fd == -EISDIR)
		return tn_diag_error(d, fd, "%s: %s, not a regular file; refused", file,
				     tn_safefile_type(st.st_mode));
	if (fd < 0)
		return tn_diag_error(d, fd, "%s: %s", file, strerror(-fd));
	if (tn_safefile_check_trusted(&st, why, sizeof(why)) < 0) {
		close(fd);
		return tn_diag_error(d, -EPERM,
				     "%s: %s; refused: another user could have "
				     "written it",
				     file, why);
	}
	ret = tn_safefile_read_text(fd, file, TN_SAMPLE_FILE_MAX, "not a sample", &text, NULL, d);
	close(fd);
	if (ret == 0)
		ret = tn_sample_parse(text, file, out, d);
	free(text);
	return ret;
}

/* Write text to FILE atomically: FILE.tmp.PID, fsync, rename. */
int tn_cli_write_atomic(const char *file, const char *text, struct tn_diag *d)
{
	char tmp[PATH_MAX];
	size_t len = strlen(text), off = 0;
	int fd;

	if (snprintf(tmp, sizeof(tmp), "%s.tmp.%d", file, (int)getpid()) >= (int)sizeof(tmp))
		return tn_diag_error(d, -ENAMETOOLONG, "%s: name too long", file);
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0644);
	/* only a process of this pid before (a crash, then a reboot) left it:
	 * removed, or every later write (a watch's, for months) failed */
	if (fd < 0 && errno == EEXIST && unlink(tmp) == 0)
		fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0644);
	if (fd < 0)
		return tn_diag_error(d, -errno, "%s: %s", tmp, strerror(errno));
	while (off < len) {
		ssize_t k = write(fd, text + off, len - off);

		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0) {
			int e = k < 0 ? errno : EIO;

			close(fd);
			unlink(tmp);
			return tn_diag_error(d, -e, "%s: %s", tmp, strerror(e));
		}
		off += (size_t)k;
	}
	if (fsync(fd) < 0 || close(fd) < 0 || rename(tmp, file) < 0) {
		int e = errno;

		unlink(tmp);
		return tn_diag_error(d, -e, "%s: %s", file, strerror(e));
	}
	return 0;
}

int tn_prometheus_text(const struct tn_sample *a, const struct tn_sample *b,
		       const struct tn_diagnosis *dg, char **out);

static void print_knob(FILE *o, const struct tn_knob *k, const struct tn_diagnosis *dg)
{
	char before[96], after[96];

	tn_knob_format(k->before, k->n_fields, before, sizeof(before));
	tn_knob_format(k->after, k->n_fields, after, sizeof(after));
	if (k->kind == TN_KNOB_RING)
		tn_cli_printf(o, "   %s rx ring: %s -> %s", k->target, before, after);
	else
		tn_cli_printf(o, "   %s: %s -> %s", k->target, before, after);
	if (k->per_netns)
		tn_cli_printf(o, " (in netns %s)", dg->netns);
	if (k->covered)
		tn_cli_printf(o, " (profile %s already asks for it: apply it)", dg->profile);
	fputc('\n', o);
}

/* The rx queues that dropped, each with its count: never cut. */
static void print_queues(FILE *o, const struct tn_finding *f)
{
	if (!f->n_queues)
		return;
	tn_cli_printf(o, "   queues that dropped:");
	for (int q = 0; q < f->n_queues; q++)
		tn_cli_printf(o, "%s %d (+%" PRIu64 ")", q ? "," : "", f->queues[q].queue,
			      f->queues[q].count);
	tn_cli_printf(o, "\n");
}

static void print_human(struct tn_cli *cli, const struct tn_diagnosis *dg, const char *host)
{
	FILE *o = cli->out;

	/* the TCP and UDP counters are those of --netns: said, as --json's "netns" */
	const char *ns = dg->netns[0] ? " (TCP and UDP counters of netns " : "";
	const char *ns_end = dg->netns[0] ? ")" : "";

	if (dg->n == 0) {
		tn_cli_printf(o,
			      "no loss found on %s%s%s%s in %.1f s: no receive stage dropped a "
			      "packet\n",
			      host, ns, dg->netns, ns_end, dg->interval);
		return;
	}
	tn_cli_printf(o, "%d finding%s on %s%s%s%s in %.1f s, worst first:\n", dg->n,
		      dg->n == 1 ? "" : "s", host, ns, dg->netns, ns_end, dg->interval);
	for (int i = 0; i < dg->n; i++) {
		const struct tn_finding *f = &dg->findings[i];
		/* the CPUs whole, however many: the evidence may say "(many)" */
		char *cpus = tn_cpuset_empty(&f->cpus) ? NULL : tn_cpuset_list_alloc(&f->cpus);
		const char *list = cpus ? cpus : tn_cpuset_empty(&f->cpus) ? "" : "(out of memory)";

		tn_cli_printf(o, "\n%d. %s%s%s%s%s: %.1f/s (%" PRIu64 " in %.1f s)%s\n", i + 1,
			      tn_stage_name(f->stage), f->where[0] ? " on " : "", f->where,
			      list[0] ? ", CPUs " : "", list, f->rate, f->count, dg->interval,
			      f->fixable ? "" : ", not fixable on this host");
		free(cpus);
		tn_cli_printf(o, "   evidence: %s\n", f->evidence);
		print_queues(o, f);
		tn_cli_printf(o, "   %s\n", f->advice);
		for (int k = 0; k < f->n_knobs; k++)
			print_knob(o, &f->knobs[k], dg);
	}
}

static int outputs(struct tn_cli *cli, const struct diag_opts *o, const struct tn_sample *a,
		   const struct tn_sample *b, const struct tn_diagnosis *dg,
		   const struct tn_profile *prof, struct tn_diag *d)
{
	char *text = NULL, parent[PATH_MAX];
	int ret = 0;

	if (o->emit) {
		cJSON *p;

		/* a path is written whole: the emitted file's "extends" is read
		 * relative to its own directory, not to the current one */
		snprintf(parent, sizeof(parent), "%s", o->profile ? o->profile : "default");
		if (strchr(parent, '/') && !realpath(o->profile, parent))
			return tn_diag_error(d, -errno, "%s: %s", o->profile, strerror(errno));
		p = tn_diagnosis_profile(dg, &b->state, prof, parent);

		text = p ? cJSON_Print(p) : NULL;
		cJSON_Delete(p);
		if (!text)
			return tn_diag_error(d, -ENOMEM, "out of memory");
		ret = tn_cli_write_atomic(o->emit, text, d);
		cJSON_free(text);
		text = NULL;
		if (ret < 0)
			return ret;
	}
	if (o->prom) {
		if ((ret = tn_prometheus_text(a, b, dg, &text)) < 0)
			return tn_diag_error(d, ret, "out of memory");
		ret = tn_cli_write_atomic(o->prom, text, d);
		free(text);
	}
	return ret;
}

/* What was printed reached standard output: a full disk or a closed pipe
 * behind 'show --counters > A.json' is an error, not an empty sample. */
static int out_flush(struct tn_cli *cli, struct tn_diag *d)
{
	int e = fflush(cli->out) != 0 ? errno : ferror(cli->out) ? EIO : 0;

	return e ? tn_diag_error(d, -e, "standard output: %s", strerror(e)) : 0;
}

static void wait_interval(struct tn_cli *cli, int secs)
{
	bool tty = !cli->quiet && isatty(fileno(cli->err));

	for (int left = secs; left > 0; left--) {
		struct timespec ts = { 1, 0 };

		if (tty)
			fprintf(cli->err, "\rsampling: %d s left ", left);
		while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
			;
	}
	if (tty)
		fprintf(cli->err, "\r%*s\r", 24, "");
}

/* Whether writing 'emit' (a rename over it: a symlink there is replaced, not
 * followed) replaces the existing file 'parent' names. */
static bool same_file(const char *emit, const char *parent)
{
	struct stat se, sp;

	return lstat(emit, &se) == 0 && S_ISREG(se.st_mode) && stat(parent, &sp) == 0 &&
	       se.st_dev == sp.st_dev && se.st_ino == sp.st_ino;
}

static int run(struct tn_cli *cli, const struct diag_opts *o, struct tn_diag *d)
{
	struct tn_cli_profile_files files;
	struct tn_sample a, b;
	struct tn_profile prof;
	struct tn_diagnosis dg = { 0 };
	const struct tn_diagnose_opts dopts = { .max_budget_usecs = o->max_usecs };
	int ret;

	tn_sample_init(&a);
	tn_sample_init(&b);
	if ((ret = tn_cli_load_profile_files(o->profile, &prof, &files, d)) < 0)
		return TN_EXIT_ERROR;
	for (int i = 0; o->emit && i < files.n; i++) {
		if (!same_file(o->emit, files.path[i]))
			continue;
		if (i == 0)
			tn_cli_usage_error(cli,
					   "diagnose: --emit-profile %s is the profile it "
					   "extends (%s): it would be replaced by a profile that "
					   "extends itself; write it elsewhere",
					   o->emit, prof.source);
		else /* an ancestor: the emitted profile would extend what extends it */
			tn_cli_usage_error(cli,
					   "diagnose: --emit-profile %s is a profile that %s "
					   "extends (%s): it would be replaced by one extending "
					   "%s, a cycle; write it elsewhere",
					   o->emit, prof.source, files.path[i], prof.source);
		tn_profile_free(&prof);
		return TN_EXIT_USAGE;
	}
	if (o->from) {
		if ((ret = load_sample(o->from, &a, d)) < 0 ||
		    (ret = load_sample(o->to, &b, d)) < 0)
			goto out;
	} else {
		if ((ret = take_sample(cli, o, &a, d)) < 0)
			goto out;
		tn_cli_report(cli, d);
		wait_interval(cli, o->interval);
		if ((ret = take_sample(cli, o, &b, d)) < 0)
			goto out;
	}
	if ((ret = tn_diagnose_with_opts(&a, &b, &prof, &dopts, &dg, d)) < 0)
		goto out;
	tn_cli_report(cli, d);
	if (cli->json)
		ret = tn_cli_print_json(cli, tn_diagnosis_to_json(&dg));
	else
		print_human(cli, &dg, b.hostname[0] ? b.hostname : "this host");
	if (ret < 0)
		ret = tn_diag_error(d, ret, "out of memory");
	else if ((ret = outputs(cli, o, &a, &b, &dg, &prof, d)) == 0)
		ret = out_flush(cli, d);
out:
	tn_cli_report(cli, d);
	ret = ret < 0 ? TN_EXIT_ERROR : dg.n > 0 ? TN_EXIT_CHANGES : TN_EXIT_OK;
	tn_diagnosis_free(&dg);
	tn_sample_free(&a);
	tn_sample_free(&b);
	tn_profile_free(&prof);
	return ret;
}

const struct option tn_diagnose_options[] = {
	{ "interval", required_argument, NULL, 'i' },
	{ "profile", required_argument, NULL, 'p' },
	{ "from", required_argument, NULL, OPT_FROM },
	{ "to", required_argument, NULL, OPT_TO },
	{ "emit-profile", required_argument, NULL, OPT_EMIT },
	{ "prometheus", required_argument, NULL, OPT_PROM },
	{ "netns", required_argument, NULL, OPT_NETNS },
	{ "max-budget-usecs", required_argument, NULL, OPT_MAX_USECS },
	{ NULL, 0, NULL, 0 },
};

int tn_cmd_diagnose(struct tn_cli *cli, int argc, char **argv)
{
	struct diag_opts o = { .interval = 10 };
	const struct tn_cli_spec spec = { .usage = usage,
					  .short_opts = TN_DIAGNOSE_SHORT,
					  .opts = tn_diagnose_options,
					  .handle = opt_diag,
					  .ctx = &o,
					  .max_operands = 0 };
	struct tn_diag d;
	int ret, code;

	if (tn_cli_parse(cli, argc, argv, &spec, &code) < 0)
		return code;
	if (!o.from != !o.to)
		return tn_cli_usage_error(cli, "diagnose: --from and --to go together"),
		       TN_EXIT_USAGE;
	if (cli->state_file)
		return tn_cli_usage_error(cli, "diagnose: counters are not in a --state snapshot; "
					       "use --from and --to with 'show --counters --json'"),
		       TN_EXIT_USAGE;
	if (o.netns && o.from)
		return tn_cli_usage_error(cli, "diagnose: --netns is for sampling, not --from"),
		       TN_EXIT_USAGE;
	tn_diag_init(&d);
	ret = netns_prepare(cli, "diagnose", &o, &d);
	if (ret == 0)
		ret = run(cli, &o, &d);
	else if (ret < 0)
		ret = TN_EXIT_ERROR;
	tn_cli_report(cli, &d);
	tn_netns_close(&o.ns);
	tn_diag_free(&d);
	return ret;
}

/* tuner show --counters [--netns NAME|PID] [--json]: one sample. */
int tn_cli_show_counters(struct tn_cli *cli, const char *netns)
{
	struct diag_opts o = { .netns = netns };
	struct tn_sample s;
	struct tn_diag d;
	int ret;

	if (cli->state_file)
		return tn_cli_usage_error(cli, "show --counters: counters are read from the host "
					       "or --sysroot, not from --state"),
		       TN_EXIT_USAGE;
	tn_diag_init(&d);
	tn_sample_init(&s);
	ret = netns_prepare(cli, "show --counters", &o, &d);
	if (ret == 0)
		ret = take_sample(cli, &o, &s, &d);
	tn_netns_close(&o.ns);
	tn_cli_report(cli, &d);
	tn_diag_free(&d);
	if (ret == TN_EXIT_USAGE)
		return TN_EXIT_USAGE;
	if (ret < 0)
		return TN_EXIT_ERROR;
	tn_diag_init(&d);
	ret = tn_cli_print_json(cli, tn_sample_to_json(&s));
	tn_sample_free(&s);
	if (ret < 0)
		tn_diag_error(&d, ret, "out of memory");
	else
		ret = out_flush(cli, &d);
	tn_cli_report(cli, &d);
	tn_diag_free(&d);
	return ret < 0 ? TN_EXIT_ERROR : TN_EXIT_OK;
}
