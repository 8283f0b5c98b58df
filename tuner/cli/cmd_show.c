/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "print.h"
#include "state_json.h"
#include "util.h"

static const char usage[] =
	"Usage: tuner show [--json] [--process SEL]... [GLOBAL OPTIONS]\n"
	"       tuner show --counters [--netns NAME|PID] [--json] [GLOBAL OPTIONS]\n"
	"\n"
	"Show what tuner sees of this host: NUMA nodes and their CPUs, each NIC with its\n"
	"queues, IRQs and their CPUs, ring sizes, interrupt coalescing, the managed\n"
	"sysctls, irqbalance, and the target processes named with --process. Changes\n"
	"nothing.\n"
	"\n"
	"  -j, --json            print the full state snapshot as JSON (loadable with\n"
	"                        --state)\n"
	"      --counters        print one sample of the drop counters, with the\n"
	"                        snapshot, as JSON; 'tuner diagnose' compares two of them\n"
	"      --netns NAME|PID  with --counters: the TCP/UDP counters and per-namespace\n"
	"                        sysctls of that network namespace (see 'diagnose\n"
	"                        --help')\n"
	"      --process SEL     also record processes: pid:N, comm:GLOB, cmdline:REGEX,\n"
	"                        cgroup:PATH or unit:NAME (repeatable)\n"
	"      --sysroot DIR     read /proc and /sys below DIR (no netlink)\n"
	"      --topology FILE   take the NUMA topology from an hwloc XML export\n"
	"      --state FILE      load a saved snapshot instead of discovering\n"
	"  -q, --quiet           no warnings\n";

/* A ring or channel count; "?" when the driver did not say. */
#define COUNT(v, buf) tn_util_fmt_count((v), "?", (buf), sizeof(buf))

static void print_nic(struct tn_printer *p, const struct tn_nic *n)
{
	char r1[24], r2[24], r3[24], r4[24];
	struct tn_cpuset set;

	tn_print_text(p, "  %s: %s%s%s, %s", n->name, n->driver[0] ? n->driver : "unknown driver",
		      n->pci[0] ? " at " : "", n->pci, n->operstate);
	if (n->speed != TN_UNKNOWN)
		tn_print_text(p, " %lld Mb/s", (long long)n->speed);
	tn_print_text(p, ", mtu %d, queues rx %d tx %d", n->mtu, n->rx_queues, n->tx_queues);
	if (n->numa_node < 0)
		tn_print_text(p, ", NUMA node unknown");
	else
		tn_print_text(p, " (node from %s)", n->numa_source);
	tn_print_text(p, "\n");
	if (n->has_ring)
		tn_print_text(p, "    rings: rx %s (max %s), tx %s (max %s)\n",
			      COUNT(n->ring.rx, r1), COUNT(n->ring.rx_max, r2),
			      COUNT(n->ring.tx, r3), COUNT(n->ring.tx_max, r4));
	else
		tn_print_text(p, "    rings: unknown\n");
	if (n->has_channels)
		tn_print_text(p, "    channels: combined %s (max %s)\n",
			      COUNT(n->channels.combined, r1), COUNT(n->channels.combined_max, r2));
	if (n->has_coalesce) {
		const struct tn_coalesce *c = &n->coalesce;

		tn_print_text(
			p, "    coalesce: rx_usecs %s, rx_frames %s, tx_usecs %s, adaptive_rx %s\n",
			COUNT(c->rx_usecs, r1), COUNT(c->rx_frames, r2), COUNT(c->tx_usecs, r3),
			c->adaptive_rx == TN_UNKNOWN ? "?"
			: c->adaptive_rx	     ? "on"
						     : "off");
	}
	if (strcmp(n->queue_source, TN_QUEUE_SOURCE_GENL) == 0)
		tn_print_text(p, "    queues from netdev-genl (the driver's NAPI links)\n");
	for (int i = 0; i < n->n_irqs; i++) {
		const struct tn_irq *q = &n->irqs[i];
		char qname[32] = "";

		if (q->queue >= 0)
			snprintf(qname, sizeof(qname), " queue %d", q->queue);
		if (q->napi_id)
			snprintf(qname + strlen(qname), sizeof(qname) - strlen(qname), ", NAPI %u",
				 q->napi_id);
		tn_print_text(p, "    irq %d %s (%s%s): CPUs ", q->irq, q->name,
			      tn_irq_kind_name(q->kind), qname);
		if (q->has_affinity) {
			tn_cpus_get(&q->affinity, &set);
			tn_print_cpuset(p, NULL, "%s", &set);
		} else {
			tn_print_text(p, "unknown");
		}
		if (q->has_effective) {
			tn_cpus_get(&q->effective, &set);
			tn_print_cpuset(p, NULL, ", effective %s", &set);
		}
		tn_print_text(p, "\n");
	}
}

static void print_node(struct tn_printer *p, const struct tn_state *s, int i)
{
	const struct tn_topology *t = &s->topo;
	const struct tn_numa_node *nd = &t->nodes[i];
	int cores = 0;

	for (int c = 0; c < t->n_cores; c++)
		cores += t->cores[c].node == nd->id;
	tn_print_text(p, "\nnode %d: CPUs ", nd->id);
	tn_print_cpuset(p, NULL, "%s", &nd->cpus);
	tn_print_text(p, " (%d cores)", cores);
	if (nd->memory_kb)
		tn_print_text(p, ", %llu MiB", (unsigned long long)(nd->memory_kb / 1024));
	if (t->distances) {
		tn_print_text(p, ", distances");
		for (int k = 0; k < t->n_nodes; k++)
			tn_print_text(p, " %u", t->distances[i * t->n_nodes + k]);
	}
	tn_print_text(p, "\n");
	for (int k = 0; k < s->n_nics; k++)
		if (s->nics[k].numa_node == nd->id)
			print_nic(p, &s->nics[k]);
}

static void print_irqbalance(struct tn_printer *p, const struct tn_irqbalance *b)
{
	tn_print_text(p, "\nirqbalance: ");
	if (!b->running) {
		tn_print_text(p, "not running\n");
		return;
	}
	tn_print_text(p, "running (pid %d)", b->pid);
	if (!tn_cpuset_empty(&b->banned_cpus))
		tn_print_cpuset(p, NULL, ", banned CPUs %s", &b->banned_cpus);
	for (int i = 0; i < b->n_banned_irqs; i++)
		tn_print_text(p, "%s%d", i ? "," : ", banned IRQs ", b->banned_irqs[i]);
	tn_print_text(p, "\n");
}

static void print_processes(struct tn_printer *p, const struct tn_state *s)
{
	if (!s->n_processes)
		return;
	tn_print_text(p, "\nprocesses:\n");
	for (int i = 0; i < s->n_processes; i++) {
		const struct tn_process *pr = &s->processes[i];

		bool in = pr->cgroup && pr->cgroup[0];

		tn_print_text(p, "  %d %s (%d threads)%s%s\n", pr->pid, pr->comm, pr->n_threads,
			      in ? " in " : "", in ? pr->cgroup : "");
		for (int k = 0; k < pr->n_threads; k++) {
			tn_print_text(p, "    thread %d %s: CPUs ", pr->threads[k].tid,
				      pr->threads[k].comm);
			tn_print_cpuset(p, NULL, "%s\n", &pr->threads[k].affinity);
		}
	}
}

/* The snapshot for people (the JSON is the snapshot itself, tn_state_to_json). */
static void print_human(struct tn_printer *p, const struct tn_state *s)
{
	const struct tn_topology *t = &s->topo;
	bool any_unknown = false;

	tn_print_text(p, "host %s, kernel %s, topology %s\n", s->hostname[0] ? s->hostname : "?",
		      s->kernel[0] ? s->kernel : "?", t->source);
	tn_print_cpuset(p, NULL, "CPUs %s", &t->cpus);
	tn_print_cpuset(p, NULL, ", online %s", &t->online);
	if (!tn_cpuset_empty(&t->isolated))
		tn_print_cpuset(p, NULL, ", isolated %s", &t->isolated);
	if (!tn_cpuset_empty(&t->nohz_full))
		tn_print_cpuset(p, NULL, ", nohz_full %s", &t->nohz_full);
	tn_print_text(p, "; %d physical cores\n", t->n_cores);
	for (int i = 0; i < t->n_nodes; i++)
		print_node(p, s, i);
	for (int k = 0; k < s->n_nics; k++) {
		const struct tn_nic *n = &s->nics[k];

		if (n->numa_node >= 0 && tn_state_node(s, n->numa_node))
			continue;
		if (!any_unknown)
			tn_print_text(p, "\nNICs without a known NUMA node:\n");
		any_unknown = true;
		print_nic(p, n);
	}
	if (s->n_nics == 0)
		tn_print_text(p, "\nno physical NICs found\n");
	tn_print_text(p, "\nsysctls:\n");
	for (int i = 0; i < s->n_sysctls; i++)
		tn_print_text(p, "  %s = %s\n", s->sysctls[i].name,
			      s->sysctls[i].present ? s->sysctls[i].value : "(not present)");
	print_irqbalance(p, &s->irqbalance);
	print_processes(p, s);
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
	static const struct option opts[] = {
		{ "counters", no_argument, NULL, 'C' },
		{ "netns", required_argument, NULL, 'N' },
		{ NULL, 0, NULL, 0 },
	};
	struct show_opts so = { 0 };
	const struct tn_cli_spec spec = {
		.usage = usage, .opts = opts, .handle = opt_counters, .ctx = &so, .max_operands = 0
	};
	struct tn_printer pr;
	struct tn_state s;
	struct tn_diag d;
	int ret, code;

	if (tn_cli_parse(cli, argc, argv, &spec, &code) < 0)
		return code;
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
	tn_print_init(&pr, cli, cli->json);
	if (tn_print_is_json(&pr))
		tn_print_json(&pr, NULL, tn_state_to_json(&s));
	else
		print_human(&pr, &s);
	tn_state_free(&s);
	if (tn_print_finish(&pr) < 0) {
		tn_cli_printf(cli->err, "%s: out of memory\n", cli->prog);
		return TN_EXIT_ERROR;
	}
	return TN_EXIT_OK;
}
