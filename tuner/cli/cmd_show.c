/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "state_json.h"

static const char usage[] =
	"Usage: tuner show [--json] [--process SEL]... [GLOBAL OPTIONS]\n"
	"       tuner show --counters [--netns NAME|PID] [--json] [GLOBAL OPTIONS]\n"
	"\n"
	"Show what tuner sees of this host: NUMA nodes and their CPUs, each NIC with its\n"
	"queues, IRQs and their CPUs, ring sizes, the managed sysctls, irqbalance, and\n"
	"the target processes named with --process. Changes nothing.\n"
	"\n"
	"  -j, --json            print the full state snapshot as JSON (loadable with --state)\n"
	"      --counters        print one sample of the drop counters, with the snapshot, as\n"
	"                        JSON; 'tuner diagnose' compares two of them\n"
	"      --netns NAME|PID  with --counters: the TCP/UDP counters and per-namespace\n"
	"                        sysctls of that network namespace (see 'diagnose --help')\n"
	"      --process SEL     also record processes: pid:N, comm:GLOB, cmdline:REGEX,\n"
	"                        cgroup:PATH or unit:NAME (repeatable)\n"
	"      --sysroot DIR     read /proc and /sys below DIR (no netlink)\n"
	"      --topology FILE   take the NUMA topology from an hwloc XML export\n"
	"      --state FILE      load a saved snapshot instead of discovering\n"
	"  -q, --quiet           no warnings\n";

static const char *fmt_set(const struct tn_cpuset *s, char *buf, size_t len)
{
	tn_cpuset_format_list(s, buf, len);
	if (!buf[0])
		snprintf(buf, len, "none");
	return buf;
}

static const char *fmt_cpus(const struct tn_cpus *c, char *buf, size_t len)
{
	struct tn_cpuset s;

	tn_cpus_get(c, &s);
	return fmt_set(&s, buf, len);
}

static void fmt_count(char *buf, size_t len, int64_t v)
{
	if (v == TN_UNKNOWN)
		snprintf(buf, len, "?");
	else
		snprintf(buf, len, "%lld", (long long)v);
}

static void print_nic(FILE *o, const struct tn_nic *n)
{
	char a[TN_CPULIST_MAX], b[TN_CPULIST_MAX], r1[24], r2[24], r3[24], r4[24];

	tn_cli_printf(o, "  %s: %s%s%s, %s", n->name, n->driver[0] ? n->driver : "unknown driver",
		      n->pci[0] ? " at " : "", n->pci, n->operstate);
	if (n->speed != TN_UNKNOWN)
		tn_cli_printf(o, " %lld Mb/s", (long long)n->speed);
	tn_cli_printf(o, ", mtu %d, queues rx %d tx %d", n->mtu, n->rx_queues, n->tx_queues);
	if (n->numa_node < 0)
		tn_cli_printf(o, ", NUMA node unknown");
	else
		tn_cli_printf(o, " (node from %s)", n->numa_source);
	fputc('\n', o);
	if (n->has_ring) {
		fmt_count(r1, sizeof(r1), n->ring.rx);
		fmt_count(r2, sizeof(r2), n->ring.rx_max);
		fmt_count(r3, sizeof(r3), n->ring.tx);
		fmt_count(r4, sizeof(r4), n->ring.tx_max);
		tn_cli_printf(o, "    rings: rx %s (max %s), tx %s (max %s)\n", r1, r2, r3, r4);
	} else {
		tn_cli_printf(o, "    rings: unknown\n");
	}
	if (n->has_channels) {
		fmt_count(r1, sizeof(r1), n->channels.combined);
		fmt_count(r2, sizeof(r2), n->channels.combined_max);
		tn_cli_printf(o, "    channels: combined %s (max %s)\n", r1, r2);
	}
	for (int i = 0; i < n->n_irqs; i++) {
		const struct tn_irq *q = &n->irqs[i];
		char qname[32] = "";

		if (q->queue >= 0)
			snprintf(qname, sizeof(qname), " queue %d", q->queue);
		tn_cli_printf(o, "    irq %d %s (%s%s): CPUs %s", q->irq, q->name,
			      tn_irq_kind_name(q->kind), qname,
			      q->has_affinity ? fmt_cpus(&q->affinity, a, sizeof(a)) : "unknown");
		if (q->has_effective)
			tn_cli_printf(o, ", effective %s", fmt_cpus(&q->effective, b, sizeof(b)));
		fputc('\n', o);
	}
}

static void print_human(FILE *o, const struct tn_state *s)
{
	const struct tn_topology *t = &s->topo;
	char a[TN_CPULIST_MAX], b[TN_CPULIST_MAX];
	bool any_unknown = false;

	tn_cli_printf(o, "host %s, kernel %s, topology %s\n", s->hostname[0] ? s->hostname : "?",
		      s->kernel[0] ? s->kernel : "?", t->source);
	tn_cli_printf(o, "CPUs %s, online %s", fmt_set(&t->cpus, a, sizeof(a)),
		      fmt_set(&t->online, b, sizeof(b)));
	if (!tn_cpuset_empty(&t->isolated))
		tn_cli_printf(o, ", isolated %s", fmt_set(&t->isolated, a, sizeof(a)));
	if (!tn_cpuset_empty(&t->nohz_full))
		tn_cli_printf(o, ", nohz_full %s", fmt_set(&t->nohz_full, a, sizeof(a)));
	tn_cli_printf(o, "; %d physical cores\n", t->n_cores);
	for (int i = 0; i < t->n_nodes; i++) {
		const struct tn_numa_node *nd = &t->nodes[i];
		int cores = 0;

		for (int c = 0; c < t->n_cores; c++)
			cores += t->cores[c].node == nd->id;
		tn_cli_printf(o, "\nnode %d: CPUs %s (%d cores)", nd->id,
			      fmt_set(&nd->cpus, a, sizeof(a)), cores);
		if (nd->memory_kb)
			tn_cli_printf(o, ", %llu MiB", (unsigned long long)(nd->memory_kb / 1024));
		if (t->distances) {
			tn_cli_printf(o, ", distances");
			for (int k = 0; k < t->n_nodes; k++)
				tn_cli_printf(o, " %u", t->distances[i * t->n_nodes + k]);
		}
		fputc('\n', o);
		for (int k = 0; k < s->n_nics; k++)
			if (s->nics[k].numa_node == nd->id)
				print_nic(o, &s->nics[k]);
	}
	for (int k = 0; k < s->n_nics; k++) {
		const struct tn_nic *n = &s->nics[k];

		if (n->numa_node >= 0 && tn_state_node(s, n->numa_node))
			continue;
		if (!any_unknown)
			tn_cli_printf(o, "\nNICs without a known NUMA node:\n");
		any_unknown = true;
		print_nic(o, n);
	}
	if (s->n_nics == 0)
		tn_cli_printf(o, "\nno physical NICs found\n");
	tn_cli_printf(o, "\nsysctls:\n");
	for (int i = 0; i < s->n_sysctls; i++)
		tn_cli_printf(o, "  %s = %s\n", s->sysctls[i].name,
			      s->sysctls[i].present ? s->sysctls[i].value : "(not present)");
	tn_cli_printf(o, "\nirqbalance: ");
	if (!s->irqbalance.running) {
		tn_cli_printf(o, "not running\n");
	} else {
		tn_cli_printf(o, "running (pid %d)", s->irqbalance.pid);
		if (!tn_cpuset_empty(&s->irqbalance.banned_cpus))
			tn_cli_printf(o, ", banned CPUs %s",
				      fmt_set(&s->irqbalance.banned_cpus, a, sizeof(a)));
		for (int i = 0; i < s->irqbalance.n_banned_irqs; i++)
			tn_cli_printf(o, "%s%d", i ? "," : ", banned IRQs ",
				      s->irqbalance.banned_irqs[i]);
		fputc('\n', o);
	}
	if (s->n_processes) {
		tn_cli_printf(o, "\nprocesses:\n");
		for (int i = 0; i < s->n_processes; i++) {
			const struct tn_process *p = &s->processes[i];

			tn_cli_printf(o, "  %d %s (%d threads)%s%s\n", p->pid, p->comm,
				      p->n_threads, p->cgroup && p->cgroup[0] ? " in " : "",
				      p->cgroup ? p->cgroup : "");
			for (int k = 0; k < p->n_threads; k++)
				tn_cli_printf(o, "    thread %d %s: CPUs %s\n", p->threads[k].tid,
					      p->threads[k].comm,
					      fmt_set(&p->threads[k].affinity, a, sizeof(a)));
		}
	}
}

struct show_opts {
	bool counters;
	const char *netns;
};

static int opt_counters(struct tn_cli *cli, int opt, const char *arg, void *ctx)
{
	struct show_opts *o = ctx;

	if (opt == 'N')
		o->netns = arg;
	else
		o->counters = true;
	return 0;
}

int tn_cmd_show(struct tn_cli *cli, int argc, char **argv)
{
	struct tn_state s;
	struct tn_diag d;
	int ret, first;

	static const struct option opts[] = {
		{ "counters", no_argument, NULL, 'C' },
		{ "netns", required_argument, NULL, 'N' },
		{ NULL, 0, NULL, 0 },
	};
	struct show_opts so = { 0 };

	first = tn_cli_getopt(cli, argc, argv, NULL, opts, opt_counters, &so, usage);
	if (first == -2)
		return TN_EXIT_OK;
	if (first < 0)
		return TN_EXIT_USAGE;
	if (first < argc)
		return tn_cli_usage_error(cli, "show: unexpected argument '%s'", argv[first]),
		       TN_EXIT_USAGE;
	if (so.netns && !so.counters)
		return tn_cli_usage_error(cli, "show: --netns goes with --counters"), TN_EXIT_USAGE;
	if (so.counters)
		return tn_cli_show_counters(cli, so.netns);
	tn_diag_init(&d);
	ret = tn_cli_load_state(cli, NULL, 0, NULL, 0, &s, &d);
	tn_cli_report(cli, &d);
	tn_diag_free(&d);
	if (ret < 0)
		return TN_EXIT_ERROR;
	if (cli->json)
		ret = tn_cli_print_json(cli, tn_state_to_json(&s));
	else
		print_human(cli->out, &s);
	tn_state_free(&s);
	if (ret < 0) {
		tn_cli_printf(cli->err, "%s: out of memory\n", cli->prog);
		return TN_EXIT_ERROR;
	}
	return TN_EXIT_OK;
}
