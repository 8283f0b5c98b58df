/* SPDX-License-Identifier: MIT */
#include "state_json.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jsonutil.h"
#include "procid.h"
#include "qfiles_json.h"
#include "stacked.h"

/* Refuse an array that takes the running total *total of what past max. */
static int within_total(struct tn_jreader *r, const cJSON *arr, const char *key, int max,
			const char *what, int *total, int *out)
{
	int n = cJSON_GetArraySize(arr);
	size_t m;
	int ret;

	if (n <= max - *total) {
		*total += n;
		*out = n;
		return 0;
	}
	m = tn_jr_push_key(r, key);
	ret = tn_jr_error(r, "more than %d %s in all: more than tuner accepts", max, what);
	tn_jr_pop(r, m);
	return ret;
}

/* The size of array arr (obj[key]); more than max entries is refused. */
static int bounded(struct tn_jreader *r, const cJSON *arr, const char *key, int max,
		   const char *what, int *out)
{
	int n = cJSON_GetArraySize(arr);
	size_t m;
	int ret;

	if (n <= max) {
		*out = n;
		return 0;
	}
	m = tn_jr_push_key(r, key);
	ret = tn_jr_error(r, "%d %s: more than the %d tuner accepts", n, what, max);
	tn_jr_pop(r, m);
	return ret;
}

static int alloc_array(struct tn_jreader *r, size_t n, size_t size, void **out)
{
	void *p = calloc(n ? n : 1, size);

	if (!p)
		return tn_diag_error(r->diag, -ENOMEM, "out of memory");
	*out = p;
	return 0;
}

static int load_nodes(struct tn_jreader *r, const cJSON *nodes, struct tn_topology *t)
{
	const cJSON *it;
	int ret, i = 0;
	size_t m;

	if ((ret = bounded(r, nodes, "nodes", TN_NODES_MAX, "NUMA nodes", &t->n_nodes)) < 0)
		return ret;
	if (t->n_nodes == 0)
		return tn_jr_error(r, "topology.nodes: at least one NUMA node is needed");
	if ((ret = alloc_array(r, (size_t)t->n_nodes, sizeof(*t->nodes), (void **)&t->nodes)) < 0)
		return ret;
	m = tn_jr_push_key(r, "nodes");
	cJSON_ArrayForEach (it, nodes) {
		static const char *const nkeys[] = { "id", "cpus", "memory_kb", NULL };
		size_t m2 = tn_jr_push_index(r, i);
		int64_t id = 0, mem = 0;

		if (!cJSON_IsObject(it))
			return tn_jr_error(r, "expected an object");
		if ((ret = tn_jr_known_keys(r, it, nkeys)) < 0 ||
		    (ret = tn_jr_int(r, it, "id", true, 0, TN_NODES_MAX - 1, &id)) < 0 ||
		    (ret = tn_jr_cpuset(r, it, "cpus", true, &t->nodes[i].cpus)) < 0 ||
		    (ret = tn_jr_int(r, it, "memory_kb", false, 0, INT64_MAX / 2, &mem)) < 0)
			return ret;
		if (i > 0 && id <= t->nodes[i - 1].id)
			return tn_jr_error(r, "nodes must be sorted by id, without duplicates");
		t->nodes[i].id = (int)id;
		t->nodes[i].memory_kb = (uint64_t)mem;
		tn_jr_pop(r, m2);
		i++;
	}
	tn_jr_pop(r, m);
	return 0;
}

static int load_distances(struct tn_jreader *r, const cJSON *dist, struct tn_topology *t)
{
	size_t m = tn_jr_push_key(r, "distances");
	const cJSON *it;
	int ret, i = 0;

	if (cJSON_GetArraySize(dist) != t->n_nodes)
		return tn_jr_error(r, "expected %d rows, one per node", t->n_nodes);
	if ((ret = alloc_array(r, (size_t)t->n_nodes * (size_t)t->n_nodes, sizeof(*t->distances),
			       (void **)&t->distances)) < 0)
		return ret;
	cJSON_ArrayForEach (it, dist) {
		size_t m2 = tn_jr_push_index(r, i);
		const cJSON *v;
		int k = 0;

		if (!cJSON_IsArray(it) || cJSON_GetArraySize(it) != t->n_nodes)
			return tn_jr_error(r, "expected an array of %d numbers", t->n_nodes);
		cJSON_ArrayForEach (v, it) {
			size_t m3 = tn_jr_push_index(r, k);

			if (!cJSON_IsNumber(v) || v->valuedouble < 0 || v->valuedouble > 65535)
				return tn_jr_error(r, "expected a distance from 0 to 65535");
			t->distances[i * t->n_nodes + k] = (uint32_t)(int64_t)v->valuedouble;
			tn_jr_pop(r, m3);
			k++;
		}
		tn_jr_pop(r, m2);
		i++;
	}
	tn_jr_pop(r, m);
	return 0;
}

static int load_cores(struct tn_jreader *r, const cJSON *cores, struct tn_topology *t)
{
	const cJSON *it;
	int ret, i = 0;
	size_t m;

	if ((ret = bounded(r, cores, "cores", TN_CORES_MAX, "cores", &t->n_cores)) < 0)
		return ret;
	if ((ret = alloc_array(r, (size_t)t->n_cores, sizeof(*t->cores), (void **)&t->cores)) < 0)
		return ret;
	m = tn_jr_push_key(r, "cores");
	cJSON_ArrayForEach (it, cores) {
		static const char *const ckeys[] = { "id", "node", "package", "cpus", NULL };
		size_t m2 = tn_jr_push_index(r, i);
		int64_t id = i, node = -1, pkg = -1;

		if (!cJSON_IsObject(it))
			return tn_jr_error(r, "expected an object");
		if ((ret = tn_jr_known_keys(r, it, ckeys)) < 0 ||
		    (ret = tn_jr_int(r, it, "id", false, 0, INT_MAX, &id)) < 0 ||
		    (ret = tn_jr_int(r, it, "node", false, -1, 65535, &node)) < 0 ||
		    (ret = tn_jr_int(r, it, "package", false, -1, 65535, &pkg)) < 0 ||
		    (ret = tn_jr_cpuset(r, it, "cpus", true, &t->cores[i].cpus)) < 0)
			return ret;
		t->cores[i].id = (int)id;
		t->cores[i].node = (int)node;
		t->cores[i].package = (int)pkg;
		tn_jr_pop(r, m2);
		i++;
	}
	tn_jr_pop(r, m);
	return 0;
}

static int load_topology(struct tn_jreader *r, const cJSON *o, struct tn_topology *t)
{
	static const char *const keys[] = { "source",	 "cpus",      "online",
					    "isolated",	 "nohz_full", "nodes",
					    "distances", "cores",     NULL };
	const cJSON *nodes, *cores, *dist;
	int ret;

	if ((ret = tn_jr_known_keys(r, o, keys)) < 0 ||
	    (ret = tn_jr_str(r, o, "source", false, t->source, sizeof(t->source))) < 0 ||
	    (ret = tn_jr_cpuset(r, o, "cpus", true, &t->cpus)) < 0 ||
	    (ret = tn_jr_cpuset(r, o, "online", true, &t->online)) < 0 ||
	    (ret = tn_jr_cpuset(r, o, "isolated", false, &t->isolated)) < 0 ||
	    (ret = tn_jr_cpuset(r, o, "nohz_full", false, &t->nohz_full)) < 0 ||
	    (ret = tn_jr_array(r, o, "nodes", true, &nodes)) < 0 ||
	    (ret = tn_jr_array(r, o, "cores", false, &cores)) < 0 ||
	    (ret = tn_jr_array(r, o, "distances", false, &dist)) < 0)
		return ret;
	if ((ret = load_nodes(r, nodes, t)) < 0)
		return ret;
	if (dist && (ret = load_distances(r, dist, t)) < 0)
		return ret;
	if (cores && (ret = load_cores(r, cores, t)) < 0)
		return ret;
	return 0;
}

/* An IRQ's CPU set: null or missing is unknown (*has stays false). */
static int load_irq_cpus(struct tn_jreader *r, const cJSON *o, const char *key, bool *has,
			 struct tn_cpus *out)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
	struct tn_cpuset set;
	int ret;

	if (!v || cJSON_IsNull(v))
		return 0;
	if ((ret = tn_jr_cpuset(r, o, key, true, &set)) < 0)
		return ret;
	if (tn_cpus_assign(out, &set) < 0)
		return tn_diag_error(r->diag, -ENOMEM, "out of memory");
	*has = true;
	return 0;
}

static int load_irq(struct tn_jreader *r, const cJSON *o, struct tn_irq *q)
{
	static const char *const keys[] = { "irq",	 "name",  "kind",    "queue",	"affinity",
					    "effective", "count", "managed", "napi_id", NULL };
	char kind[16] = "other";
	int64_t irq, queue = -1, count = 0, napi = 0;
	int ret, k;

	if (!cJSON_IsObject(o))
		return tn_jr_error(r, "expected an object");
	if ((ret = tn_jr_known_keys(r, o, keys)) < 0 ||
	    (ret = tn_jr_int(r, o, "irq", true, 0, INT_MAX, &irq)) < 0 ||
	    (ret = tn_jr_strdup(r, o, "name", false, TN_IRQNAME_MAX - 1, &q->name)) < 0 ||
	    (ret = tn_jr_str(r, o, "kind", false, kind, sizeof(kind))) < 0 ||
	    (ret = tn_jr_int(r, o, "queue", false, -1, INT_MAX, &queue)) < 0 ||
	    (ret = tn_jr_int(r, o, "count", false, 0, INT64_MAX / 2, &count)) < 0 ||
	    (ret = tn_jr_bool(r, o, "managed", false, &q->managed)) < 0 ||
	    (ret = tn_jr_int(r, o, "napi_id", false, 1, UINT32_MAX, &napi)) < 0)
		return ret;
	if (!q->name && !(q->name = strdup("")))
		return tn_diag_error(r->diag, -ENOMEM, "out of memory");
	q->napi_id = (uint32_t)napi;
	k = tn_irq_kind_parse(kind);
	if (k < 0) {
		size_t m = tn_jr_push_key(r, "kind");

		ret = tn_jr_error(r, "\"%s\" is not one of rx, tx, txrx, other", kind);
		tn_jr_pop(r, m);
		return ret;
	}
	q->irq = (int)irq;
	q->kind = (enum tn_irq_kind)k;
	q->queue = (int)queue;
	q->count = (uint64_t)count;
	if ((ret = load_irq_cpus(r, o, "affinity", &q->has_affinity, &q->affinity)) < 0)
		return ret;
	return load_irq_cpus(r, o, "effective", &q->has_effective, &q->effective);
}

static int load_counts(struct tn_jreader *r, const cJSON *o, const char *const *keys,
		       int64_t *const *outs)
{
	int ret;

	for (int i = 0; keys[i]; i++)
		if ((ret = tn_jr_int_or_null(r, o, keys[i], 0, INT32_MAX, TN_UNKNOWN, outs[i])) < 0)
			return ret;
	return tn_jr_known_keys(r, o, keys);
}

static int load_ring(struct tn_jreader *r, const cJSON *ring, struct tn_nic *n)
{
	static const char *const rk[] = { "rx", "rx_max", "tx", "tx_max", NULL };
	int64_t *const ro[] = { &n->ring.rx, &n->ring.rx_max, &n->ring.tx, &n->ring.tx_max };
	size_t m = tn_jr_push_key(r, "ring");
	int ret = load_counts(r, ring, rk, ro);

	if (ret < 0)
		return ret;
	tn_jr_pop(r, m);
	n->has_ring = true;
	return 0;
}

static int load_channels(struct tn_jreader *r, const cJSON *chan, struct tn_nic *n)
{
	static const char *const ck[] = { "rx",	      "rx_max",	      "tx",
					  "tx_max",   "other",	      "other_max",
					  "combined", "combined_max", NULL };
	struct tn_channels *c = &n->channels;
	int64_t *const co[] = { &c->rx,	   &c->rx_max,	  &c->tx,	&c->tx_max,
				&c->other, &c->other_max, &c->combined, &c->combined_max };
	size_t m = tn_jr_push_key(r, "channels");
	int ret = load_counts(r, chan, ck, co);

	if (ret < 0)
		return ret;
	tn_jr_pop(r, m);
	n->has_channels = true;
	return 0;
}

/* "coalesce": every parameter, null for one the driver does not report */
static int load_coalesce(struct tn_jreader *r, const cJSON *co, struct tn_nic *n)
{
	static const char *const keys[] = { "rx_usecs", "rx_frames", "tx_usecs", "adaptive_rx",
					    NULL };
	struct tn_coalesce *c = &n->coalesce;
	int64_t *const outs[] = { &c->rx_usecs, &c->rx_frames, &c->tx_usecs };
	size_t m = tn_jr_push_key(r, "coalesce");
	bool adaptive = false;
	int ret;

	c->adaptive_rx = TN_UNKNOWN;
	for (int i = 0; i < 3; i++)
		if ((ret = tn_jr_int_or_null(r, co, keys[i], 0, UINT32_MAX, TN_UNKNOWN, outs[i])) <
		    0)
			return ret;
	/* like the others, present, null when not reported */
	if (!cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(co, "adaptive_rx"))) {
		if ((ret = tn_jr_bool(r, co, "adaptive_rx", true, &adaptive)) < 0)
			return ret;
		c->adaptive_rx = adaptive;
	}
	if ((ret = tn_jr_known_keys(r, co, keys)) < 0)
		return ret;
	tn_jr_pop(r, m);
	n->has_coalesce = true;
	return 0;
}

static int load_irqs(struct tn_jreader *r, const cJSON *irqs, struct tn_nic *n, int *total_irqs)
{
	const cJSON *it;
	int ret, i = 0;
	size_t m;

	if ((ret = within_total(r, irqs, "irqs", TN_IRQS_MAX, "NIC IRQs", total_irqs, &n->n_irqs)) <
	    0)
		return ret;
	if ((ret = alloc_array(r, (size_t)n->n_irqs, sizeof(*n->irqs), (void **)&n->irqs)) < 0)
		return ret;
	m = tn_jr_push_key(r, "irqs");
	cJSON_ArrayForEach (it, irqs) {
		size_t m2 = tn_jr_push_index(r, i);

		if ((ret = load_irq(r, it, &n->irqs[i])) < 0)
			return ret;
		tn_jr_pop(r, m2);
		i++;
	}
	tn_jr_pop(r, m);
	return 0;
}

/* "queue_source": one of the two words; absent: the name table */
static int load_queue_source(struct tn_jreader *r, const cJSON *o, struct tn_nic *n)
{
	size_t m;
	int ret;

	snprintf(n->queue_source, sizeof(n->queue_source), "%s", TN_QUEUE_SOURCE_NAME);
	if ((ret = tn_jr_str(r, o, "queue_source", false, n->queue_source,
			     sizeof(n->queue_source))) < 0)
		return ret;
	if (strcmp(n->queue_source, TN_QUEUE_SOURCE_GENL) == 0 ||
	    strcmp(n->queue_source, TN_QUEUE_SOURCE_NAME) == 0)
		return 0;
	m = tn_jr_push_key(r, "queue_source");
	ret = tn_jr_error(r, "expected \"%s\" or \"%s\"", TN_QUEUE_SOURCE_GENL,
			  TN_QUEUE_SOURCE_NAME);
	tn_jr_pop(r, m);
	return ret;
}

static int load_nic(struct tn_jreader *r, const cJSON *o, struct tn_nic *n, int *total_irqs,
		    int *total_qfiles)
{
	static const char *const keys[] = { "name",	 "ifindex",   "driver",	     "pci",
					    "device",	 "numa_node", "numa_source", "queue_source",
					    "operstate", "speed",     "mtu",	     "txqueuelen",
					    "rx_queues", "tx_queues", "ring",	     "channels",
					    "coalesce",	 "irqs",      "rps",	     "xps",
					    NULL };
	int64_t ifindex = 0, node = -1, speed = TN_UNKNOWN, mtu = 0, qlen = 0, rxq = 0, txq = 0;
	const cJSON *ring, *chan, *coal, *irqs;
	int ret;

	if (!cJSON_IsObject(o))
		return tn_jr_error(r, "expected an object");
	if ((ret = tn_jr_known_keys(r, o, keys)) < 0 ||
	    (ret = tn_jr_str(r, o, "name", true, n->name, sizeof(n->name))) < 0 ||
	    (ret = tn_jr_int(r, o, "ifindex", false, 0, INT_MAX, &ifindex)) < 0 ||
	    (ret = tn_jr_str(r, o, "driver", false, n->driver, sizeof(n->driver))) < 0 ||
	    (ret = tn_jr_str(r, o, "pci", false, n->pci, sizeof(n->pci))) < 0 ||
	    (ret = tn_jr_str(r, o, "device", false, n->bus_device, sizeof(n->bus_device))) < 0 ||
	    (ret = tn_jr_int(r, o, "numa_node", false, -1, 65535, &node)) < 0 ||
	    (ret = tn_jr_str(r, o, "numa_source", false, n->numa_source, sizeof(n->numa_source))) <
		    0 ||
	    (ret = load_queue_source(r, o, n)) < 0 ||
	    (ret = tn_jr_str(r, o, "operstate", false, n->operstate, sizeof(n->operstate))) < 0 ||
	    (ret = tn_jr_int(r, o, "speed", false, -1, INT64_MAX / 2, &speed)) < 0 ||
	    (ret = tn_jr_int(r, o, "mtu", false, 0, INT_MAX, &mtu)) < 0 ||
	    (ret = tn_jr_int(r, o, "txqueuelen", false, 0, INT_MAX, &qlen)) < 0 ||
	    (ret = tn_jr_int(r, o, "rx_queues", false, 0, 65535, &rxq)) < 0 ||
	    (ret = tn_jr_int(r, o, "tx_queues", false, 0, 65535, &txq)) < 0 ||
	    (ret = tn_jr_object(r, o, "ring", false, &ring)) < 0 ||
	    (ret = tn_jr_object(r, o, "channels", false, &chan)) < 0 ||
	    (ret = tn_jr_object(r, o, "coalesce", false, &coal)) < 0 ||
	    (ret = tn_jr_array(r, o, "irqs", false, &irqs)) < 0)
		return ret;
	n->ifindex = (int)ifindex;
	n->numa_node = (int)node;
	n->speed = speed;
	n->mtu = (int)mtu;
	n->txqueuelen = (int)qlen;
	n->rx_queues = (int)rxq;
	n->tx_queues = (int)txq;
	if (!n->numa_source[0])
		snprintf(n->numa_source, sizeof(n->numa_source), "%s", node >= 0 ? "json" : "none");
	if (ring && (ret = load_ring(r, ring, n)) < 0)
		return ret;
	if (chan && (ret = load_channels(r, chan, n)) < 0)
		return ret;
	if (coal && (ret = load_coalesce(r, coal, n)) < 0)
		return ret;
	if (irqs && (ret = load_irqs(r, irqs, n, total_irqs)) < 0)
		return ret;
	return tn_qfiles_load(r, o, n, total_qfiles);
}

static int load_process(struct tn_jreader *r, const cJSON *o, struct tn_process *p,
			int *total_threads)
{
	static const char *const keys[] = { "pid",    "comm",	    "cmdline",
					    "cgroup", "threads",    "memory_nodes",
					    "uid",    "start_time", NULL };
	const cJSON *threads, *it, *v;
	int64_t pid, start = -1;
	int ret, i;
	size_t m;

	if (!cJSON_IsObject(o))
		return tn_jr_error(r, "expected an object");
	if ((ret = tn_jr_known_keys(r, o, keys)) < 0 ||
	    (ret = tn_jr_int(r, o, "pid", true, 1, INT_MAX, &pid)) < 0 ||
	    (ret = tn_jr_int(r, o, "start_time", false, 0, (int64_t)TN_START_TIME_MAX, &start)) <
		    0 ||
	    (ret = tn_jr_str(r, o, "comm", false, p->comm, sizeof(p->comm))) < 0 ||
	    (ret = tn_jr_array(r, o, "threads", false, &threads)) < 0)
		return ret;
	p->pid = (int)pid;
	/* older snapshots have no uid: unknown, which no "user" rule matches */
	p->uid = TN_UNKNOWN;
	if ((ret = tn_jr_int(r, o, "uid", false, 0, 4294967294LL, &p->uid)) < 0)
		return ret;
	/* snapshots from before start times were recorded have none */
	p->has_start_time = start >= 0;
	p->start_time = p->has_start_time ? (uint64_t)start : 0;
	v = cJSON_GetObjectItemCaseSensitive(o, "memory_nodes");
	if (v && !cJSON_IsNull(v)) {
		if ((ret = tn_jr_cpuset(r, o, "memory_nodes", true, &p->memory_nodes)) < 0)
			return ret;
		p->has_memory_nodes = true;
	}
	v = cJSON_GetObjectItemCaseSensitive(o, "cmdline");
	p->cmdline = strdup(cJSON_IsString(v) ? v->valuestring : "");
	v = cJSON_GetObjectItemCaseSensitive(o, "cgroup");
	p->cgroup = strdup(cJSON_IsString(v) ? v->valuestring : "");
	if (!p->cmdline || !p->cgroup)
		return tn_diag_error(r->diag, -ENOMEM, "out of memory");
	if (!threads)
		return 0;
	if ((ret = within_total(r, threads, "threads", TN_THREADS_MAX, "threads", total_threads,
				&p->n_threads)) < 0)
		return ret;
	if ((ret = alloc_array(r, (size_t)p->n_threads, sizeof(*p->threads),
			       (void **)&p->threads)) < 0)
		return ret;
	m = tn_jr_push_key(r, "threads");
	i = 0;
	cJSON_ArrayForEach (it, threads) {
		static const char *const tkeys[] = { "tid", "comm", "affinity", NULL };
		size_t m2 = tn_jr_push_index(r, i);
		int64_t tid;

		if (!cJSON_IsObject(it))
			return tn_jr_error(r, "expected an object");
		if ((ret = tn_jr_known_keys(r, it, tkeys)) < 0 ||
		    (ret = tn_jr_int(r, it, "tid", true, 1, INT_MAX, &tid)) < 0 ||
		    (ret = tn_jr_str(r, it, "comm", false, p->threads[i].comm,
				     sizeof(p->threads[i].comm))) < 0 ||
		    (ret = tn_jr_cpuset(r, it, "affinity", true, &p->threads[i].affinity)) < 0)
			return ret;
		p->threads[i].tid = (int)tid;
		tn_jr_pop(r, m2);
		i++;
	}
	tn_jr_pop(r, m);
	return 0;
}

static int cmp_nic_at(const void *a, const void *b, void *arg)
{
	const struct tn_nic *nics = arg;
	int x = *(const int *)a, y = *(const int *)b;
	int c = strcmp(nics[x].name, nics[y].name);

	return c ? c : (x > y) - (x < y);
}

/* No name twice: sorted, in O(n log n). The error names the first NIC (in file
 * order) whose name an earlier one has. */
static int check_nic_names(struct tn_jreader *r, const struct tn_state *s)
{
	int *idx = calloc((size_t)(s->n_nics ? s->n_nics : 1), sizeof(int)), dup = -1;
	size_t m;
	int ret;

	if (!idx)
		return tn_diag_error(r->diag, -ENOMEM, "out of memory");
	for (int i = 0; i < s->n_nics; i++)
		idx[i] = i;
	qsort_r(idx, (size_t)s->n_nics, sizeof(int), cmp_nic_at, s->nics);
	for (int i = 1; i < s->n_nics; i++)
		if (strcmp(s->nics[idx[i]].name, s->nics[idx[i - 1]].name) == 0 &&
		    (dup < 0 || idx[i] < dup))
			dup = idx[i];
	free(idx);
	if (dup < 0)
		return 0;
	m = tn_jr_push_index(r, dup);
	ret = tn_jr_error(r, "NIC \"%s\" is listed twice", s->nics[dup].name);
	tn_jr_pop(r, m);
	return ret;
}

static int load_nics(struct tn_jreader *r, const cJSON *nics, struct tn_state *s)
{
	const cJSON *it;
	int ret, i = 0, n_irqs = 0, n_qfiles = 0;
	size_t m;

	if ((ret = bounded(r, nics, "nics", TN_NICS_MAX, "NICs", &s->n_nics)) < 0 ||
	    (ret = alloc_array(r, (size_t)s->n_nics, sizeof(*s->nics), (void **)&s->nics)) < 0)
		return ret;
	m = tn_jr_push_key(r, "nics");
	cJSON_ArrayForEach (it, nics) {
		size_t m2 = tn_jr_push_index(r, i);

		s->nics[i].numa_node = -1;
		if ((ret = load_nic(r, it, &s->nics[i], &n_irqs, &n_qfiles)) < 0)
			return ret;
		tn_jr_pop(r, m2);
		i++;
	}
	if ((ret = check_nic_names(r, s)) < 0)
		return ret;
	tn_jr_pop(r, m);
	return 0;
}

static int load_sysctl(struct tn_jreader *r, const cJSON *it, struct tn_sysctl *sc)
{
	size_t m = tn_jr_push_key(r, it->string);

	if (!tn_sysctl_name_valid(it->string))
		return tn_jr_error(r, "not a valid sysctl name");
	snprintf(sc->name, sizeof(sc->name), "%s", it->string);
	if (cJSON_IsString(it)) {
		if (strlen(it->valuestring) >= TN_SYSCTL_VALUE_MAX)
			return tn_jr_error(r, "value longer than %d bytes",
					   TN_SYSCTL_VALUE_MAX - 1);
		sc->value = tn_sysctl_value_fold(it->valuestring);
		if (!sc->value)
			return tn_diag_error(r->diag, -ENOMEM, "out of memory");
		sc->present = true;
	} else if (!cJSON_IsNull(it)) {
		return tn_jr_error(r, "expected a string or null");
	}
	tn_jr_pop(r, m);
	return 0;
}

static int load_sysctls(struct tn_jreader *r, const cJSON *sysctls, struct tn_state *s)
{
	const cJSON *it;
	int ret, i = 0;
	size_t m;

	if ((ret = bounded(r, sysctls, "sysctls", TN_SYSCTLS_MAX, "sysctls", &s->n_sysctls)) < 0)
		return ret;
	if ((ret = alloc_array(r, (size_t)s->n_sysctls, sizeof(*s->sysctls),
			       (void **)&s->sysctls)) < 0)
		return ret;
	m = tn_jr_push_key(r, "sysctls");
	cJSON_ArrayForEach (it, sysctls) {
		if ((ret = load_sysctl(r, it, &s->sysctls[i++])) < 0)
			return ret;
	}
	tn_jr_pop(r, m);
	return 0;
}

static int load_irqbalance(struct tn_jreader *r, const cJSON *irqb, struct tn_irqbalance *b)
{
	static const char *const bkeys[] = { "running", "pid", "banned_cpus", "banned_irqs", NULL };
	size_t m = tn_jr_push_key(r, "irqbalance");
	const cJSON *banned, *it;
	int64_t pid = 0;
	int ret, i = 0;

	if ((ret = tn_jr_known_keys(r, irqb, bkeys)) < 0 ||
	    (ret = tn_jr_bool(r, irqb, "running", false, &b->running)) < 0 ||
	    (ret = tn_jr_int(r, irqb, "pid", false, 0, INT_MAX, &pid)) < 0 ||
	    (ret = tn_jr_cpuset(r, irqb, "banned_cpus", false, &b->banned_cpus)) < 0 ||
	    (ret = tn_jr_array(r, irqb, "banned_irqs", false, &banned)) < 0)
		return ret;
	b->pid = (int)pid;
	if (banned) {
		if ((ret = bounded(r, banned, "banned_irqs", TN_BANNED_IRQS_MAX, "banned IRQs",
				   &b->n_banned_irqs)) < 0)
			return ret;
		if ((ret = alloc_array(r, (size_t)b->n_banned_irqs, sizeof(int),
				       (void **)&b->banned_irqs)) < 0)
			return ret;
		cJSON_ArrayForEach (it, banned) {
			if (!cJSON_IsNumber(it) || it->valuedouble < 0 || it->valuedouble > INT_MAX)
				return tn_jr_error(r, "banned_irqs: expected IRQ numbers");
			b->banned_irqs[i++] = (int)it->valuedouble;
		}
	}
	tn_jr_pop(r, m);
	return 0;
}

static int load_processes(struct tn_jreader *r, const cJSON *procs, struct tn_state *s)
{
	const cJSON *it;
	int ret, i = 0, n_threads = 0;
	size_t m;

	if ((ret = bounded(r, procs, "processes", TN_PROCESSES_MAX, "processes", &s->n_processes)) <
		    0 ||
	    (ret = alloc_array(r, (size_t)s->n_processes, sizeof(*s->processes),
			       (void **)&s->processes)) < 0)
		return ret;
	m = tn_jr_push_key(r, "processes");
	cJSON_ArrayForEach (it, procs) {
		size_t m2 = tn_jr_push_index(r, i);

		if ((ret = load_process(r, it, &s->processes[i], &n_threads)) < 0)
			return ret;
		tn_jr_pop(r, m2);
		i++;
	}
	tn_jr_pop(r, m);
	return 0;
}

/* schema_version and kind: what makes the document a state snapshot this tuner reads. */
static int load_header(struct tn_jreader *r, const cJSON *j)
{
	static const char *const keys[] = { "schema_version", "kind",	 "hostname", "kernel",
					    "topology",	      "nics",	 "sysctls",  "irqbalance",
					    "processes",      "stacked", NULL };
	char kind[16] = "state";
	int64_t version;
	int ret;

	if (!cJSON_IsObject(j))
		return tn_jr_error(r, "expected a JSON object (a tuner state snapshot)");
	if ((ret = tn_jr_int(r, j, "schema_version", true, 0, INT_MAX, &version)) < 0)
		return ret;
	if (version != TN_SCHEMA_VERSION) {
		tn_jr_push_key(r, "schema_version");
		return tn_jr_error(r, "%lld is not supported (this tuner reads %d)",
				   (long long)version, TN_SCHEMA_VERSION);
	}
	if ((ret = tn_jr_known_keys(r, j, keys)) < 0 ||
	    (ret = tn_jr_str(r, j, "kind", false, kind, sizeof(kind))) < 0)
		return ret;
	if (strcmp(kind, "state") != 0)
		return tn_jr_error(r, "kind is \"%s\", expected a \"state\" snapshot", kind);
	return 0;
}

static int load_state(struct tn_jreader *r, const cJSON *j, struct tn_state *s)
{
	const cJSON *topo, *nics, *sysctls, *irqb, *procs, *stacked;
	int ret;
	size_t m;

	if ((ret = load_header(r, j)) < 0)
		return ret;
	if ((ret = tn_jr_str(r, j, "hostname", false, s->hostname, sizeof(s->hostname))) < 0 ||
	    (ret = tn_jr_str(r, j, "kernel", false, s->kernel, sizeof(s->kernel))) < 0 ||
	    (ret = tn_jr_object(r, j, "topology", true, &topo)) < 0 ||
	    (ret = tn_jr_array(r, j, "nics", false, &nics)) < 0 ||
	    (ret = tn_jr_object(r, j, "sysctls", false, &sysctls)) < 0 ||
	    (ret = tn_jr_object(r, j, "irqbalance", false, &irqb)) < 0 ||
	    (ret = tn_jr_array(r, j, "processes", false, &procs)) < 0 ||
	    (ret = tn_jr_array(r, j, "stacked", false, &stacked)) < 0)
		return ret;
	m = tn_jr_push_key(r, "topology");
	if ((ret = load_topology(r, topo, &s->topo)) < 0)
		return ret;
	tn_jr_pop(r, m);
	if (nics && (ret = load_nics(r, nics, s)) < 0)
		return ret;
	if (sysctls && (ret = load_sysctls(r, sysctls, s)) < 0)
		return ret;
	if (irqb && (ret = load_irqbalance(r, irqb, &s->irqbalance)) < 0)
		return ret;
	if (procs && (ret = load_processes(r, procs, s)) < 0)
		return ret;
	if (stacked && (ret = tn_stacked_load(r, stacked, s)) < 0)
		return ret;
	return tn_state_check(r, s);
}

int tn_state_from_json(const cJSON *j, const char *file, struct tn_state *out, struct tn_diag *d)
{
	struct tn_jreader r;
	struct tn_state s;
	int ret;

	tn_state_init(&s);
	tn_jr_init(&r, d, file);
	ret = load_state(&r, j, &s);
	if (ret < 0) {
		tn_state_free(&s);
		return ret;
	}
	tn_state_sort(&s);
	*out = s;
	return 0;
}

/* At least as many as the values cJSON would make of text: one, and one more
 * per ',' and per opening bracket outside strings. Stops past max. */
static size_t count_values(const char *text, size_t max)
{
	size_t n = 1;
	bool in_string = false;

	for (const char *p = text; *p && n <= max; p++) {
		if (in_string) {
			if (*p == '\\' && p[1])
				p++;
			else if (*p == '"')
				in_string = false;
		} else if (*p == '"') {
			in_string = true;
		} else if (*p == ',' || *p == '[' || *p == '{') {
			n++;
		}
	}
	return n;
}

int tn_state_parse(const char *text, const char *file, struct tn_state *out, struct tn_diag *d)
{
	const char *end = NULL;
	cJSON *j;
	int ret;

	if (count_values(text, TN_STATE_JSON_VALUES_MAX) > TN_STATE_JSON_VALUES_MAX)
		return tn_diag_error(d, -EINVAL,
				     "%s: more than %d JSON values, more than a "
				     "snapshot within tuner's limits has; refused",
				     file, TN_STATE_JSON_VALUES_MAX);
	j = cJSON_ParseWithOpts(text, &end, 1);

	if (!j) {
		int line, col;

		if (!end)
			return tn_diag_error(d, -ENOMEM, "%s: out of memory", file);
		tn_json_position(text, end, &line, &col);
		return tn_diag_error(d, -EINVAL, "%s:%d:%d: JSON syntax error", file, line, col);
	}
	ret = tn_state_from_json(j, file, out, d);
	cJSON_Delete(j);
	return ret;
}
