/* SPDX-License-Identifier: MIT */
/* A state snapshot as JSON (the loader, which checks everything, is state_json.c). */
#include "state_json.h"

#include <string.h>

#include "jsonutil.h"
#include "qfiles_json.h"
#include "stacked.h"

#define TRY(expr)                 \
	do {                      \
		if ((expr) < 0)   \
			goto oom; \
	} while (0)

static cJSON *topology_to_json(const struct tn_topology *t)
{
	cJSON *o = cJSON_CreateObject(), *arr;

	if (!o)
		return NULL;
	TRY(tn_json_add_str(o, "source", t->source));
	TRY(tn_json_add_cpuset(o, "cpus", &t->cpus));
	TRY(tn_json_add_cpuset(o, "online", &t->online));
	TRY(tn_json_add_cpuset(o, "isolated", &t->isolated));
	TRY(tn_json_add_cpuset(o, "nohz_full", &t->nohz_full));
	TRY(tn_json_add_item(o, "nodes", arr = cJSON_CreateArray()));
	for (int i = 0; i < t->n_nodes; i++) {
		cJSON *n = cJSON_CreateObject();

		TRY(tn_json_add_item(arr, NULL, n));
		TRY(tn_json_add_int(n, "id", t->nodes[i].id));
		TRY(tn_json_add_cpuset(n, "cpus", &t->nodes[i].cpus));
		TRY(tn_json_add_int(n, "memory_kb", (int64_t)t->nodes[i].memory_kb));
	}
	if (t->distances) {
		TRY(tn_json_add_item(o, "distances", arr = cJSON_CreateArray()));
		for (int i = 0; i < t->n_nodes; i++) {
			cJSON *row = cJSON_CreateArray();

			TRY(tn_json_add_item(arr, NULL, row));
			for (int k = 0; k < t->n_nodes; k++)
				TRY(tn_json_add_int(row, NULL, t->distances[i * t->n_nodes + k]));
		}
	} else {
		TRY(tn_json_add_null(o, "distances"));
	}
	TRY(tn_json_add_item(o, "cores", arr = cJSON_CreateArray()));
	for (int i = 0; i < t->n_cores; i++) {
		cJSON *c = cJSON_CreateObject();

		TRY(tn_json_add_item(arr, NULL, c));
		TRY(tn_json_add_int(c, "id", t->cores[i].id));
		TRY(tn_json_add_int_or_null(c, "node", t->cores[i].node, -1));
		TRY(tn_json_add_int_or_null(c, "package", t->cores[i].package, -1));
		TRY(tn_json_add_cpuset(c, "cpus", &t->cores[i].cpus));
	}
	return o;
oom:
	cJSON_Delete(o);
	return NULL;
}

static int add_irq_cpus(cJSON *o, const char *key, bool has, const struct tn_cpus *cpus)
{
	struct tn_cpuset set;

	if (!has)
		return tn_json_add_null(o, key);
	tn_cpus_get(cpus, &set);
	return tn_json_add_cpuset(o, key, &set);
}

static cJSON *irq_to_json(const struct tn_irq *q)
{
	cJSON *o = cJSON_CreateObject();

	if (!o)
		return NULL;
	TRY(tn_json_add_int(o, "irq", q->irq));
	TRY(tn_json_add_str(o, "name", q->name ? q->name : ""));
	TRY(tn_json_add_str(o, "kind", tn_irq_kind_name(q->kind)));
	TRY(tn_json_add_int_or_null(o, "queue", q->queue, -1));
	TRY(add_irq_cpus(o, "affinity", q->has_affinity, &q->affinity));
	TRY(add_irq_cpus(o, "effective", q->has_effective, &q->effective));
	TRY(tn_json_add_int(o, "count", (int64_t)q->count));
	TRY(tn_json_add_bool(o, "managed", q->managed));
	if (q->napi_id)
		TRY(tn_json_add_int(o, "napi_id", q->napi_id));
	return o;
oom:
	cJSON_Delete(o);
	return NULL;
}

static cJSON *nic_to_json(const struct tn_nic *n)
{
	cJSON *o = cJSON_CreateObject(), *sub;

	if (!o)
		return NULL;
	TRY(tn_json_add_str(o, "name", n->name));
	TRY(tn_json_add_int(o, "ifindex", n->ifindex));
	TRY(tn_json_add_str(o, "driver", n->driver));
	TRY(tn_json_add_str(o, "pci", n->pci));
	TRY(tn_json_add_str(o, "device", n->bus_device));
	TRY(tn_json_add_int_or_null(o, "numa_node", n->numa_node, -1));
	TRY(tn_json_add_str(o, "numa_source", n->numa_source));
	/* the name table, as older snapshots mean it, is left unsaid */
	if (strcmp(n->queue_source, TN_QUEUE_SOURCE_GENL) == 0)
		TRY(tn_json_add_str(o, "queue_source", n->queue_source));
	TRY(tn_json_add_str(o, "operstate", n->operstate));
	TRY(tn_json_add_int_or_null(o, "speed", n->speed, TN_UNKNOWN));
	TRY(tn_json_add_int(o, "mtu", n->mtu));
	TRY(tn_json_add_int(o, "txqueuelen", n->txqueuelen));
	TRY(tn_json_add_int(o, "rx_queues", n->rx_queues));
	TRY(tn_json_add_int(o, "tx_queues", n->tx_queues));
	if (n->has_ring) {
		TRY(tn_json_add_item(o, "ring", sub = cJSON_CreateObject()));
		TRY(tn_json_add_int_or_null(sub, "rx", n->ring.rx, TN_UNKNOWN));
		TRY(tn_json_add_int_or_null(sub, "rx_max", n->ring.rx_max, TN_UNKNOWN));
		TRY(tn_json_add_int_or_null(sub, "tx", n->ring.tx, TN_UNKNOWN));
		TRY(tn_json_add_int_or_null(sub, "tx_max", n->ring.tx_max, TN_UNKNOWN));
	} else {
		TRY(tn_json_add_null(o, "ring"));
	}
	if (n->has_channels) {
		const struct tn_channels *c = &n->channels;

		TRY(tn_json_add_item(o, "channels", sub = cJSON_CreateObject()));
		TRY(tn_json_add_int_or_null(sub, "rx", c->rx, TN_UNKNOWN));
		TRY(tn_json_add_int_or_null(sub, "rx_max", c->rx_max, TN_UNKNOWN));
		TRY(tn_json_add_int_or_null(sub, "tx", c->tx, TN_UNKNOWN));
		TRY(tn_json_add_int_or_null(sub, "tx_max", c->tx_max, TN_UNKNOWN));
		TRY(tn_json_add_int_or_null(sub, "other", c->other, TN_UNKNOWN));
		TRY(tn_json_add_int_or_null(sub, "other_max", c->other_max, TN_UNKNOWN));
		TRY(tn_json_add_int_or_null(sub, "combined", c->combined, TN_UNKNOWN));
		TRY(tn_json_add_int_or_null(sub, "combined_max", c->combined_max, TN_UNKNOWN));
	} else {
		TRY(tn_json_add_null(o, "channels"));
	}
	/* only where read: snapshots without it stay as they were */
	if (n->has_coalesce) {
		const struct tn_coalesce *c = &n->coalesce;

		TRY(tn_json_add_item(o, "coalesce", sub = cJSON_CreateObject()));
		TRY(tn_json_add_int_or_null(sub, "rx_usecs", c->rx_usecs, TN_UNKNOWN));
		TRY(tn_json_add_int_or_null(sub, "rx_frames", c->rx_frames, TN_UNKNOWN));
		TRY(tn_json_add_int_or_null(sub, "tx_usecs", c->tx_usecs, TN_UNKNOWN));
		if (c->adaptive_rx == TN_UNKNOWN)
			TRY(tn_json_add_null(sub, "adaptive_rx"));
		else
			TRY(tn_json_add_bool(sub, "adaptive_rx", c->adaptive_rx != 0));
	}
	TRY(tn_json_add_item(o, "irqs", sub = cJSON_CreateArray()));
	for (int i = 0; i < n->n_irqs; i++)
		TRY(tn_json_add_item(sub, NULL, irq_to_json(&n->irqs[i])));
	TRY(tn_qfiles_to_json(o, n));
	return o;
oom:
	cJSON_Delete(o);
	return NULL;
}

static cJSON *process_to_json(const struct tn_process *p)
{
	cJSON *o = cJSON_CreateObject(), *arr;

	if (!o)
		return NULL;
	TRY(tn_json_add_int(o, "pid", p->pid));
	TRY(tn_json_add_int_or_null(o, "uid", p->uid, TN_UNKNOWN));
	if (p->has_start_time)
		TRY(tn_json_add_int(o, "start_time", (int64_t)p->start_time));
	TRY(tn_json_add_str(o, "comm", p->comm));
	TRY(tn_json_add_str(o, "cmdline", p->cmdline ? p->cmdline : ""));
	TRY(tn_json_add_str(o, "cgroup", p->cgroup ? p->cgroup : ""));
	if (p->has_memory_nodes)
		TRY(tn_json_add_cpuset(o, "memory_nodes", &p->memory_nodes));
	else
		TRY(tn_json_add_null(o, "memory_nodes"));
	TRY(tn_json_add_item(o, "threads", arr = cJSON_CreateArray()));
	for (int i = 0; i < p->n_threads; i++) {
		cJSON *t = cJSON_CreateObject();

		TRY(tn_json_add_item(arr, NULL, t));
		TRY(tn_json_add_int(t, "tid", p->threads[i].tid));
		TRY(tn_json_add_str(t, "comm", p->threads[i].comm));
		TRY(tn_json_add_cpuset(t, "affinity", &p->threads[i].affinity));
	}
	return o;
oom:
	cJSON_Delete(o);
	return NULL;
}

cJSON *tn_state_to_json(const struct tn_state *s)
{
	cJSON *o = cJSON_CreateObject(), *sub;

	if (!o)
		return NULL;
	TRY(tn_json_add_int(o, "schema_version", s->schema_version));
	TRY(tn_json_add_str(o, "kind", "state"));
	TRY(tn_json_add_str(o, "hostname", s->hostname));
	TRY(tn_json_add_str(o, "kernel", s->kernel));
	TRY(tn_json_add_item(o, "topology", topology_to_json(&s->topo)));
	TRY(tn_json_add_item(o, "nics", sub = cJSON_CreateArray()));
	for (int i = 0; i < s->n_nics; i++)
		TRY(tn_json_add_item(sub, NULL, nic_to_json(&s->nics[i])));
	TRY(tn_json_add_item(o, "sysctls", sub = cJSON_CreateObject()));
	for (int i = 0; i < s->n_sysctls; i++) {
		if (s->sysctls[i].present)
			TRY(tn_json_add_str(sub, s->sysctls[i].name, s->sysctls[i].value));
		else
			TRY(tn_json_add_null(sub, s->sysctls[i].name));
	}
	TRY(tn_json_add_item(o, "irqbalance", sub = cJSON_CreateObject()));
	TRY(tn_json_add_bool(sub, "running", s->irqbalance.running));
	TRY(tn_json_add_int_or_null(sub, "pid", s->irqbalance.pid, 0));
	TRY(tn_json_add_cpuset(sub, "banned_cpus", &s->irqbalance.banned_cpus));
	{
		cJSON *arr;

		TRY(tn_json_add_item(sub, "banned_irqs", arr = cJSON_CreateArray()));
		for (int i = 0; i < s->irqbalance.n_banned_irqs; i++)
			TRY(tn_json_add_int(arr, NULL, s->irqbalance.banned_irqs[i]));
	}
	TRY(tn_json_add_item(o, "processes", sub = cJSON_CreateArray()));
	for (int i = 0; i < s->n_processes; i++)
		TRY(tn_json_add_item(sub, NULL, process_to_json(&s->processes[i])));
	TRY(tn_stacked_to_json(o, s));
	return o;
oom:
	cJSON_Delete(o);
	return NULL;
}
