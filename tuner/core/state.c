/* SPDX-License-Identifier: MIT */
#include "state.h"
#include "stacked.h"
#include "util.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

const char *const tn_managed_sysctls[] = {
	"net.core.flow_limit_cpu_bitmap",
	"net.core.flow_limit_table_len",
	"net.core.netdev_budget",
	"net.core.netdev_budget_usecs",
	"net.core.netdev_max_backlog",
	"net.core.rmem_default",
	"net.core.rmem_max",
	"net.core.rps_sock_flow_entries",
	"net.core.wmem_default",
	"net.core.wmem_max",
	"net.ipv4.tcp_rmem",
	"net.ipv4.tcp_wmem",
	NULL,
};

void tn_state_init(struct tn_state *s)
{
	memset(s, 0, sizeof(*s));
	s->schema_version = TN_SCHEMA_VERSION;
}

void tn_irq_free(struct tn_irq *q)
{
	if (!q)
		return;
	free(q->name);
	q->name = NULL;
	tn_cpus_free(&q->affinity);
	tn_cpus_free(&q->effective);
}

void tn_nic_free(struct tn_nic *nic)
{
	if (!nic)
		return;
	for (int i = 0; i < nic->n_irqs; i++)
		tn_irq_free(&nic->irqs[i]);
	free(nic->irqs);
	nic->irqs = NULL;
	nic->n_irqs = 0;
	tn_nic_free_queues(nic);
}

void tn_nic_free_queues(struct tn_nic *nic)
{
	for (int i = 0; i < nic->n_rxq; i++)
		free(nic->rxq[i].mask);
	for (int i = 0; i < nic->n_txq; i++)
		free(nic->txq[i].mask);
	free(nic->rxq);
	free(nic->txq);
	nic->rxq = nic->txq = NULL;
	nic->n_rxq = nic->n_txq = 0;
}

void tn_process_free(struct tn_process *p)
{
	if (!p)
		return;
	free(p->cmdline);
	free(p->cgroup);
	free(p->threads);
	p->cmdline = NULL;
	p->cgroup = NULL;
	p->threads = NULL;
	p->n_threads = 0;
}

void tn_sysctl_free(struct tn_sysctl *sc)
{
	if (!sc)
		return;
	free(sc->value);
	sc->value = NULL;
}

void tn_state_free(struct tn_state *s)
{
	if (!s)
		return;
	free(s->topo.nodes);
	free(s->topo.distances);
	free(s->topo.cores);
	for (int i = 0; i < s->n_nics; i++)
		tn_nic_free(&s->nics[i]);
	free(s->nics);
	for (int i = 0; i < s->n_sysctls; i++)
		tn_sysctl_free(&s->sysctls[i]);
	free(s->sysctls);
	free(s->irqbalance.banned_irqs);
	for (int i = 0; i < s->n_processes; i++)
		tn_process_free(&s->processes[i]);
	free(s->processes);
	for (int i = 0; i < s->n_stacked; i++)
		tn_stacked_free(&s->stacked[i]);
	free(s->stacked);
	tn_state_init(s);
}

static const char *const kind_names[] = TN_ENUM_NAMES(TN_IRQ_KIND_LIST);

/* A value outside the list is "other", like an IRQ of no queue. */
const char *tn_irq_kind_name(enum tn_irq_kind k)
{
	if ((unsigned)k >= (unsigned)TN_ENUM_COUNT(TN_IRQ_KIND_LIST))
		return "other";
	return kind_names[k];
}

int tn_irq_kind_parse(const char *name)
{
	for (int i = 0; i < TN_ENUM_COUNT(TN_IRQ_KIND_LIST); i++)
		if (strcmp(name, kind_names[i]) == 0)
			return (int)i;
	return -EINVAL;
}

const struct tn_numa_node *tn_topology_node(const struct tn_topology *t, int id)
{
	for (int i = 0; i < t->n_nodes; i++)
		if (t->nodes[i].id == id)
			return &t->nodes[i];
	return NULL;
}

const struct tn_numa_node *tn_state_node(const struct tn_state *s, int id)
{
	return tn_topology_node(&s->topo, id);
}

const struct tn_nic *tn_state_nic(const struct tn_state *s, const char *name)
{
	for (int i = 0; i < s->n_nics; i++)
		if (strcmp(s->nics[i].name, name) == 0)
			return &s->nics[i];
	return NULL;
}

const struct tn_sysctl *tn_state_sysctl(const struct tn_state *s, const char *name)
{
	int lo = 0, hi = s->n_sysctls;

	/* sorted by name (tn_state_sort): a profile may name tens of thousands */
	while (lo < hi) {
		int mid = lo + (hi - lo) / 2, c = strcmp(s->sysctls[mid].name, name);

		if (c == 0)
			return &s->sysctls[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	/* not found, or a snapshot not sorted yet: look at each */
	for (int i = 0; i < s->n_sysctls; i++)
		if (strcmp(s->sysctls[i].name, name) == 0)
			return &s->sysctls[i];
	return NULL;
}

static int node_index(const struct tn_topology *t, int id)
{
	for (int i = 0; i < t->n_nodes; i++)
		if (t->nodes[i].id == id)
			return i;
	return -1;
}

uint32_t tn_topology_distance(const struct tn_topology *t, int from, int to)
{
	int a = node_index(t, from), b = node_index(t, to);

	if (!t->distances || a < 0 || b < 0)
		return 0;
	return t->distances[a * t->n_nodes + b];
}

int tn_topology_cpu_node(const struct tn_topology *t, int cpu)
{
	for (int i = 0; i < t->n_nodes; i++)
		if (tn_cpuset_test(&t->nodes[i].cpus, cpu))
			return t->nodes[i].id;
	return -1;
}

bool tn_sysctl_name_valid(const char *name)
{
	size_t n = strlen(name);
	bool comp_start = true;

	if (n == 0 || n >= TN_SYSCTL_NAME_MAX)
		return false;
	for (const char *p = name; *p; p++) {
		if (*p == '.') {
			if (comp_start)
				return false; /* empty component, or ".." */
			comp_start = true;
			continue;
		}
		if (!isalnum((unsigned char)*p) && *p != '_' && *p != '-')
			return false;
		comp_start = false;
	}
	return !comp_start;
}

void tn_sysctl_value_normalise(const char *in, char *out, size_t len)
{
	size_t n = 0;
	bool space = false;

	if (!len)
		return;
	for (const char *p = in; *p; p++) {
		if (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r') {
			space = n > 0;
			continue;
		}
		if (space && n + 1 < len)
			out[n++] = ' ';
		space = false;
		if (n + 1 < len)
			out[n++] = *p;
	}
	out[n] = '\0';
}

char *tn_sysctl_value_fold(const char *in)
{
	size_t len = strlen(in) + 1;
	char *out = malloc(len);

	if (out)
		tn_sysctl_value_normalise(in, out, len);
	return out;
}

static int cmp_irq(const void *a, const void *b)
{
	return ((const struct tn_irq *)a)->irq - ((const struct tn_irq *)b)->irq;
}

static int cmp_nic(const void *a, const void *b)
{
	return strcmp(((const struct tn_nic *)a)->name, ((const struct tn_nic *)b)->name);
}

static int cmp_sysctl(const void *a, const void *b)
{
	return strcmp(((const struct tn_sysctl *)a)->name, ((const struct tn_sysctl *)b)->name);
}

static int cmp_thread(const void *a, const void *b)
{
	return ((const struct tn_thread *)a)->tid - ((const struct tn_thread *)b)->tid;
}

static int cmp_process(const void *a, const void *b)
{
	return ((const struct tn_process *)a)->pid - ((const struct tn_process *)b)->pid;
}

void tn_state_sort(struct tn_state *s)
{
	/* Nodes keep their order: the distance matrix is indexed by position. */
	if (s->nics)
		qsort(s->nics, (size_t)s->n_nics, sizeof(*s->nics), cmp_nic);
	for (int i = 0; i < s->n_nics; i++)
		if (s->nics[i].irqs)
			qsort(s->nics[i].irqs, (size_t)s->nics[i].n_irqs, sizeof(struct tn_irq),
			      cmp_irq);
	if (s->sysctls)
		qsort(s->sysctls, (size_t)s->n_sysctls, sizeof(*s->sysctls), cmp_sysctl);
	if (s->processes)
		qsort(s->processes, (size_t)s->n_processes, sizeof(*s->processes), cmp_process);
	for (int i = 0; i < s->n_processes; i++)
		if (s->processes[i].threads)
			qsort(s->processes[i].threads, (size_t)s->processes[i].n_threads,
			      sizeof(struct tn_thread), cmp_thread);
	if (s->irqbalance.banned_irqs)
		qsort(s->irqbalance.banned_irqs, (size_t)s->irqbalance.n_banned_irqs, sizeof(int),
		      tn_util_cmp_int);
	tn_stacked_sort(s);
}
