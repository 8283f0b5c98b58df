/* SPDX-License-Identifier: MIT */
#include "discover.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "irqname.h"
#include "napi.h"
#include "procparse.h"
#include "process.h"
#include "topology.h"

#define SYSFS_PATH_MAX 1024

/* Where a NIC's device lives, found in the first pass. */
struct nic_paths {
	char dev[SYSFS_PATH_MAX];    /* canonical device dir: the PCI function or virtioN */
	char pcidir[SYSFS_PATH_MAX]; /* canonical PCI function dir, "" when not PCI */
};

static bool is_pci_address(const char *s)
{
	unsigned dom, bus, dev, fn;
	char tail;

	return sscanf(s, "%4x:%2x:%2x.%1x%c", &dom, &bus, &dev, &fn, &tail) == 4 && strlen(s) == 12;
}

static const char *base_name(const char *path)
{
	const char *s = strrchr(path, '/');

	return s ? s + 1 : path;
}

static void parent_dir(const char *path, char *buf, size_t len)
{
	const char *s = strrchr(path, '/');
	size_t n = s ? (size_t)(s - path) : 0;

	if (n >= len)
		n = len - 1;
	memcpy(buf, path, n);
	buf[n] = '\0';
}

static int count_queues(const struct tn_sysroot *root, const char *netdir, int *rx, int *tx)
{
	char rel[SYSFS_PATH_MAX + 16];
	struct dirent *de;
	DIR *dir;
	int ret;

	if (tn_pathf(rel, sizeof(rel), "%s/queues", netdir) < 0)
		return -ENAMETOOLONG;
	*rx = *tx = 0;
	ret = tn_sysroot_opendir(root, rel, &dir);
	if (ret < 0)
		return ret;
	while ((de = readdir(dir))) {
		if (strncmp(de->d_name, "rx-", 3) == 0)
			(*rx)++;
		else if (strncmp(de->d_name, "tx-", 3) == 0)
			(*tx)++;
	}
	closedir(dir);
	return 0;
}

static void read_str(const struct tn_sysroot *root, const char *dir, const char *file, char *buf,
		     size_t len, const char *dflt)
{
	char rel[SYSFS_PATH_MAX + 64];

	if (tn_pathf(rel, sizeof(rel), "%s/%s", dir, file) < 0 ||
	    tn_sysroot_read_line(root, rel, buf, len) < 0)
		snprintf(buf, len, "%s", dflt);
}

static int64_t read_num(const struct tn_sysroot *root, const char *dir, const char *file,
			int64_t dflt)
{
	char rel[SYSFS_PATH_MAX + 64];
	int64_t v;

	if (tn_pathf(rel, sizeof(rel), "%s/%s", dir, file) < 0 ||
	    tn_sysroot_read_int64(root, rel, &v) < 0)
		return dflt;
	return v;
}

/* NUMA node: hwloc's PCI locality, then sysfs numa_node (a node of the
 * topology: another number is a warning), then local_cpulist. */
static void nic_numa(const struct tn_sysroot *root, struct tn_hwloc *hw,
		     const struct tn_topology *topo, const struct nic_paths *p, struct tn_nic *n,
		     struct tn_diag *d)
{
	char rel[SYSFS_PATH_MAX + 64], list[TN_CPULIST_MAX];
	struct tn_cpuset local;
	int64_t sysfs;
	int node;

	n->numa_node = -1;
	snprintf(n->numa_source, sizeof(n->numa_source), "none");
	node = tn_hwloc_nic_node(hw, n->name, n->pci);
	if (node >= 0 && tn_topology_node(topo, node)) {
		n->numa_node = node;
		snprintf(n->numa_source, sizeof(n->numa_source), "hwloc");
		return;
	}
	if (!p->pcidir[0])
		return;
	sysfs = read_num(root, p->pcidir, "numa_node", -1);
	if (sysfs >= 0 && sysfs < TN_NODES_MAX && tn_topology_node(topo, (int)sysfs)) {
		n->numa_node = (int)sysfs;
		snprintf(n->numa_source, sizeof(n->numa_source), "sysfs");
		return;
	}
	if (sysfs >= 0)
		tn_diag_warn(d,
			     "%s: %s/%s/numa_node: node %lld, which the topology does not have; "
			     "not taken",
			     n->name, root->is_host ? "" : root->path, p->pcidir, (long long)sysfs);
	if (tn_pathf(rel, sizeof(rel), "%s/local_cpulist", p->pcidir) < 0 ||
	    tn_sysroot_read_line(root, rel, list, sizeof(list)) < 0 ||
	    tn_cpuset_parse_list(list, &local) < 0 || tn_cpuset_empty(&local))
		return;
	/* Only a list that lies within exactly one node says something. */
	for (int i = 0; i < topo->n_nodes; i++) {
		if (tn_cpuset_subset(&local, &topo->nodes[i].cpus) &&
		    !tn_cpuset_equal(&local, &topo->cpus)) {
			n->numa_node = topo->nodes[i].id;
			snprintf(n->numa_source, sizeof(n->numa_source), "local_cpulist");
			return;
		}
	}
}

/* v, a number read from the NIC's net directory, if within [lo, hi] (as the
 * kernel prints an int); else dflt with a warning: a hostile tree's
 * 99999999999 was cut to an int, and -5 made a snapshot --state refused. */
static int64_t in_range(const struct tn_sysroot *root, const char *netdir, const char *file,
			int64_t v, int64_t lo, int64_t hi, int64_t dflt, const char *ifname,
			struct tn_diag *d)
{
	if (v >= lo && v <= hi)
		return v;
	tn_diag_warn(d, "%s: %s%s%s/%s: %lld is out of range (%lld to %lld); taken as unknown",
		     ifname, root->is_host ? "" : root->path, root->is_host ? "" : "/", netdir,
		     file, (long long)v, (long long)lo, (long long)hi);
	return dflt;
}

/* First pass: a NIC's identity and link facts. Returns 1 for "not a NIC". */
static int nic_basic(const struct tn_sysroot *root, const char *ifname, struct tn_nic *n,
		     struct nic_paths *p, struct tn_diag *d)
{
	char rel[SYSFS_PATH_MAX], netdir[SYSFS_PATH_MAX], link[SYSFS_PATH_MAX];
	int ret;

	snprintf(rel, sizeof(rel), "sys/class/net/%s", ifname);
	ret = tn_sysroot_resolve(root, rel, netdir, sizeof(netdir));
	if (ret < 0)
		return ret;
	if (tn_pathf(rel, sizeof(rel), "%s/device", netdir) < 0)
		return -ENAMETOOLONG;
	ret = tn_sysroot_resolve(root, rel, p->dev, sizeof(p->dev));
	if (ret == -ENOENT)
		return 1; /* virtual: lo, veth, bridges, tunnels */
	if (ret < 0)
		return ret;
	snprintf(n->name, sizeof(n->name), "%s", ifname);
	if (tn_pathf(n->bus_device, sizeof(n->bus_device), "%s", base_name(p->dev)) < 0)
		return -ENAMETOOLONG;
	p->pcidir[0] = '\0';
	if (is_pci_address(n->bus_device)) {
		snprintf(p->pcidir, sizeof(p->pcidir), "%s", p->dev);
	} else {
		/* virtio-net: the PCI function is the virtio device's parent */
		char parent[SYSFS_PATH_MAX];

		parent_dir(p->dev, parent, sizeof(parent));
		if (is_pci_address(base_name(parent)))
			memcpy(p->pcidir, parent, sizeof(p->pcidir));
	}
	if (p->pcidir[0])
		tn_pathf(n->pci, sizeof(n->pci), "%s", base_name(p->pcidir));
	if (tn_pathf(rel, sizeof(rel), "%s/driver", p->dev) == 0 &&
	    tn_sysroot_readlink(root, rel, link, sizeof(link)) == 0)
		tn_pathf(n->driver, sizeof(n->driver), "%s", base_name(link));

	/* ifindex is the one file every net device has: its absence means the
	 * device went away while we looked. */
	{
		int64_t v;

		ret = tn_pathf(rel, sizeof(rel), "%s/ifindex", netdir);
		if (ret == 0)
			ret = tn_sysroot_read_int64(root, rel, &v);
		if (ret < 0)
			return ret;
		/* 0: unknown (netlink events then match it by name only) */
		n->ifindex = (int)in_range(root, netdir, "ifindex", v, 1, INT_MAX, 0, ifname, d);
	}
	read_str(root, netdir, "operstate", n->operstate, sizeof(n->operstate), "unknown");
	/* -1 is the kernel's SPEED_UNKNOWN (no link); a link speed is an int of Mb/s */
	n->speed = in_range(root, netdir, "speed", read_num(root, netdir, "speed", TN_UNKNOWN), -1,
			    INT_MAX, TN_UNKNOWN, ifname, d);
	n->mtu = (int)in_range(root, netdir, "mtu", read_num(root, netdir, "mtu", 0), 0, INT_MAX, 0,
			       ifname, d);
	n->txqueuelen = (int)in_range(root, netdir, "tx_queue_len",
				      read_num(root, netdir, "tx_queue_len", 0), 0, INT_MAX, 0,
				      ifname, d);
	count_queues(root, netdir, &n->rx_queues, &n->tx_queues);
	n->ring = (struct tn_ring){ TN_UNKNOWN, TN_UNKNOWN, TN_UNKNOWN, TN_UNKNOWN };
	n->channels = (struct tn_channels){ TN_UNKNOWN, TN_UNKNOWN, TN_UNKNOWN, TN_UNKNOWN,
					    TN_UNKNOWN, TN_UNKNOWN, TN_UNKNOWN, TN_UNKNOWN };
	n->coalesce = (struct tn_coalesce){ TN_UNKNOWN, TN_UNKNOWN, TN_UNKNOWN, TN_UNKNOWN };
	snprintf(n->queue_source, sizeof(n->queue_source), "%s", TN_QUEUE_SOURCE_NAME);
	return 0;
}

static struct tn_irqname_ctx nic_ctx(const struct tn_nic *n)
{
	return (struct tn_irqname_ctx){ .ifname = n->name, .pci = n->pci, .busdev = n->bus_device };
}

static int add_irq(struct tn_nic *n, int *cap, const struct tn_interrupt *row,
		   enum tn_irq_kind kind, int queue)
{
	for (int i = 0; i < n->n_irqs; i++)
		if (n->irqs[i].irq == row->irq)
			return 0;
	if (n->n_irqs == *cap) {
		int ncap = *cap ? *cap * 2 : 16;
		struct tn_irq *ni = realloc(n->irqs, sizeof(*ni) * (size_t)ncap);

		if (!ni)
			return -ENOMEM;
		n->irqs = ni;
		*cap = ncap;
	}
	char *name = strdup(row->name);

	if (!name)
		return -ENOMEM;
	struct tn_irq *q = &n->irqs[n->n_irqs++];

	memset(q, 0, sizeof(*q));
	q->irq = row->irq;
	q->name = name;
	q->kind = kind;
	q->queue = queue;
	q->count = row->count;
	return 0;
}

/* True when the name belongs to another NIC of the same PCI function (a
 * multi-port function lists every port's vectors); another function's NIC
 * never lists this vector: a name of its is a stale one (a renamed NIC). */
static bool claimed_by_other(const struct tn_state *s, const struct tn_nic *self, const char *name)
{
	for (int i = 0; i < s->n_nics; i++) {
		struct tn_irqname_ctx c = nic_ctx(&s->nics[i]);
		enum tn_irq_kind k;
		int q;

		if (&s->nics[i] != self && strcmp(s->nics[i].pci, self->pci) == 0 &&
		    tn_irqname_classify(name, &c, &k, &q))
			return true;
	}
	return false;
}

/* Kernel-managed affinity shows only in debugfs (when it is mounted). */
static void read_irq_managed(const struct tn_sysroot *root, struct tn_irq *q)
{
	char rel[64], *text = NULL;

	snprintf(rel, sizeof(rel), "sys/kernel/debug/irq/irqs/%d", q->irq);
	if (tn_sysroot_read(root, rel, &text, NULL) < 0)
		return;
	q->managed = strstr(text, "AFFINITY_MANAGED") != NULL;
	free(text);
}

/*
 * Where the names (and counts) of IRQs come from: /proc/interrupts, read once
 * as a stream when first needed; or, when the caller wants no counts, the
 * host has more than TN_IRQNAMES_STREAM_CPUS CPUs and the kernel has
 * sys/kernel/irq (4.17+), each vector's own actions file, so that the planner
 * never reads a file of 11 bytes per CPU per IRQ (94 MB at 1024 CPUs) for
 * the hundred bytes of names it needs. Below that, one read of the whole file
 * costs less than an open per vector: on Debian's 6.18 kernel a row of 2 CPUs
 * took 2 us to read and an actions file 8.4 us (sysfs), and the kernel's cost
 * per CPU column is tens of ns; in a tmpfs tree of 192 CPUs and 1040 vectors,
 * the file (2.3 MB) takes 2-3 ms against 5 ms for the actions files.
 * One NIC discovered again (tn_discover_nic) reads its own vectors' files.
 */
#define TN_IRQNAMES_STREAM_CPUS 256

struct irq_source {
	const struct tn_sysroot *root;
	struct tn_diag *d;
	bool sysfs;  /* names from sys/kernel/irq/N/actions */
	bool loaded; /* ints holds /proc/interrupts */
	struct tn_interrupts ints;
};

/* The file's path for a message: "/proc/interrupts" on the host, "TREE/proc/..." in a tree. */
static void where(const struct tn_sysroot *root, const char *rel, char *buf, size_t len)
{
	snprintf(buf, len, "%s/%s", root->is_host ? "" : root->path, rel);
}

struct interrupts_stream {
	struct tn_interrupts_parser p;
	struct tn_diag pd; /* the parser's words, put after the path */
	int n_cpus;
	uint64_t max;
};

static int interrupts_line(void *ctx, const struct tn_lines *l)
{
	struct interrupts_stream *st = ctx;
	int ret = tn_interrupts_feed(&st->p, l->line, l->len, &st->pd);

	if (ret < 0)
		return ret;
	if (st->p.lineno == 1) {
		st->n_cpus = st->p.t.n_cpus;
		st->max = tn_interrupts_size_max(st->n_cpus);
	}
	if (l->file_size > st->max || l->offset + l->len > st->max)
		return -EFBIG;
	return 0;
}

/* The words for a failed read of /proc/interrupts (path: its path for messages). */
static int interrupts_error(struct irq_source *src, const struct interrupts_stream *st,
			    const char *path, int ret)
{
	if (ret == -ENOMEM)
		return tn_diag_error(src->d, ret, "out of memory");
	if (ret == -EFBIG && st->max == TN_INTERRUPTS_SIZE_MIN)
		return tn_diag_error(src->d, ret,
				     "%s: larger than %d MiB (a real one is a few "
				     "MB); refused",
				     path, TN_INTERRUPTS_SIZE_MIN >> 20);
	if (ret == -EFBIG)
		return tn_diag_error(src->d, ret,
				     "%s: larger than %llu MiB (%d KiB for each of "
				     "its %d CPU columns); refused",
				     path, (unsigned long long)(st->max >> 20),
				     TN_INTERRUPTS_SIZE_PER_CPU >> 10, st->n_cpus);
	if (ret == -EOVERFLOW)
		return tn_diag_error(src->d, -EINVAL, "%s: line %d: longer than %d bytes; refused",
				     path, st->p.lineno + 1, TN_INTERRUPTS_LINE_MAX);
	if (st->pd.error[0])
		return tn_diag_error(src->d, ret, "%s: %s", path, st->pd.error);
	return tn_diag_error(src->d, ret, "%s: %s", path, strerror(-ret));
}

static int load_interrupts(struct irq_source *src)
{
	struct interrupts_stream st = { .max = TN_INTERRUPTS_SIZE_MIN };
	char path[TN_PATH_MAX + 32];
	int ret;

	where(src->root, "proc/interrupts", path, sizeof(path));
	tn_diag_init(&st.pd);
	tn_interrupts_begin(&st.p);
	ret = tn_sysroot_read_lines(src->root, "proc/interrupts", TN_INTERRUPTS_LINE_MAX,
				    interrupts_line, &st);
	if (ret == 0)
		ret = tn_interrupts_end(&st.p, &src->ints, &st.pd);
	tn_interrupts_free(&st.p.t);
	if (ret == 0) {
		tn_diag_free(&st.pd);
		src->loaded = true;
		return 0;
	}
	ret = interrupts_error(src, &st, path, ret);
	tn_diag_free(&st.pd);
	return ret;
}

/* An actions file is a page at most; its name (a space after each comma) twice that. */
#define ACTIONS_MAX 4096
#define ACTIONS_NAME_MAX (2 * ACTIONS_MAX)

/*
 * An actions file ("a,b" as the kernel writes it) as /proc/interrupts shows the
 * same actions ("a, b"), whole: out holds ACTIONS_NAME_MAX bytes.
 */
static void actions_name(const char *text, char out[ACTIONS_NAME_MAX])
{
	size_t n = 0;

	for (const char *p = text; *p; p++) {
		if (*p != ',') {
			out[n++] = *p;
			continue;
		}
		out[n++] = ',';
		out[n++] = ' ';
		while (p[1] == ' ' || p[1] == '\t')
			p++;
	}
	out[n] = '\0';
}

int tn_discover_irq_name(const struct tn_sysroot *root, int irq, char *out, size_t len)
{
	char rel[64], text[ACTIONS_MAX], name[ACTIONS_NAME_MAX];
	int ret;

	snprintf(rel, sizeof(rel), "sys/kernel/irq/%d/actions", irq);
	ret = tn_sysroot_read_line(root, rel, text, sizeof(text));
	if (ret == -ENOENT)
		return 0;
	if (ret < 0)
		return ret;
	if (!text[0])
		return 0;
	actions_name(text, name);
	if (strlen(name) >= len)
		return -EOVERFLOW;
	memcpy(out, name, strlen(name) + 1);
	return 1;
}

/* The row of an IRQ: 1 when found, 0 when the IRQ has no handler, or -errno.
 * out borrows its name from the table, or from name (ACTIONS_NAME_MAX bytes). */
static int irq_row(struct irq_source *src, int irq, struct tn_interrupt *out, char *name)
{
	char rel[64], text[ACTIONS_MAX], path[TN_PATH_MAX + 64];
	const struct tn_interrupt *row;
	int ret;

	if (!src->sysfs) {
		if (!src->loaded && (ret = load_interrupts(src)) < 0)
			return ret;
		row = tn_interrupts_find(&src->ints, irq);
		if (row)
			*out = *row;
		return row != NULL;
	}
	snprintf(rel, sizeof(rel), "sys/kernel/irq/%d/actions", irq);
	ret = tn_sysroot_read_line(src->root, rel, text, sizeof(text));
	if (ret == -ENOENT)
		return 0;
	if (ret < 0) {
		where(src->root, rel, path, sizeof(path));
		return tn_diag_error(src->d, ret, "%s: %s", path,
				     ret == -EOVERFLOW ? "longer than a page; refused"
				     : ret == -EINVAL  ? "not a regular file; refused"
						       : strerror(-ret));
	}
	if (!text[0])
		return 0; /* allocated, not requested */
	memset(out, 0, sizeof(*out));
	out->irq = irq;
	actions_name(text, name);
	out->name = name;
	return 1;
}

/* Every IRQ with a handler, for a NIC whose device lists no vectors. */
static int all_rows(struct irq_source *src, const struct tn_interrupts **out)
{
	int ret;

	if (!src->loaded && (ret = load_interrupts(src)) < 0)
		return ret;
	*out = &src->ints;
	return 0;
}

/* The IRQ numbers of the device's msi_irqs, or none. */
static int msi_vectors(const struct tn_sysroot *root, const struct nic_paths *p, int **out, int *n)
{
	char rel[SYSFS_PATH_MAX + 16];
	struct dirent *de;
	DIR *dir;
	int cap = 0, *v = NULL;

	*out = NULL;
	*n = 0;
	if (!p->pcidir[0] || tn_pathf(rel, sizeof(rel), "%s/msi_irqs", p->pcidir) < 0 ||
	    tn_sysroot_opendir(root, rel, &dir) < 0)
		return 0;
	while ((de = readdir(dir))) {
		char *end;
		long irq = strtol(de->d_name, &end, 10);

		if (*end || end == de->d_name || irq < 0 || irq > INT32_MAX)
			continue;
		if (*n == cap) {
			/* a PCI function has at most 2048 MSI-X vectors */
			int ncap = cap ? cap * 2 : 64, *nv = NULL;

			if (cap < TN_IRQS_MAX)
				nv = realloc(v, sizeof(*v) * (size_t)ncap);
			if (!nv) {
				free(v);
				closedir(dir);
				return cap < TN_IRQS_MAX ? -ENOMEM : -E2BIG;
			}
			v = nv;
			cap = ncap;
		}
		v[(*n)++] = (int)irq;
	}
	closedir(dir);
	*out = v;
	return 0;
}

/* One vector of the NIC's function: kept when its name is the NIC's, or when
 * no other NIC claims it (a name the table does not know: never a queue). */
static int add_vector(struct irq_source *src, const struct tn_state *s, struct tn_nic *n, int *cap,
		      int irq)
{
	struct tn_irqname_ctx ctx = nic_ctx(n);
	struct tn_interrupt row = { 0 };
	enum tn_irq_kind kind;
	char name[ACTIONS_NAME_MAX];
	int queue, ret = irq_row(src, irq, &row, name);

	if (ret <= 0)
		return ret; /* allocated, not requested, or an error */
	if (tn_irqname_classify(row.name, &ctx, &kind, &queue))
		return add_irq(n, cap, &row, kind, queue);
	if (!claimed_by_other(s, n, row.name))
		return add_irq(n, cap, &row, TN_IRQ_OTHER, -1);
	return 0;
}

/* Second pass: the NIC's IRQs from its PCI function's vectors; by name alone
 * when the function lists no vectors. */
static int nic_irqs(struct irq_source *src, const struct tn_state *s, struct tn_nic *n,
		    const struct nic_paths *p, const struct tn_discover_opts *o, bool debugfs)
{
	struct tn_irqname_ctx ctx = nic_ctx(n);
	const struct tn_interrupts *ints;
	int ret, cap = 0, nv, *v;
	enum tn_irq_kind kind;
	int queue;

	ret = msi_vectors(src->root, p, &v, &nv);
	if (ret == -E2BIG)
		return tn_diag_error(src->d, ret, "%s/%s/msi_irqs: more than %d vectors; refused",
				     src->root->is_host ? "" : src->root->path, p->pcidir,
				     TN_IRQS_MAX);
	if (ret < 0)
		return tn_diag_error(src->d, ret, "out of memory");
	for (int i = 0; i < nv && ret >= 0; i++)
		ret = add_vector(src, s, n, &cap, v[i]);
	free(v);
	/* names alone only when the function lists no vectors: when it lists
	 * some, none of them this NIC's, another function's rows are not its */
	if (ret >= 0 && nv == 0 && (ret = all_rows(src, &ints)) == 0) {
		for (int i = 0; i < ints->n && ret >= 0; i++)
			if (tn_irqname_classify(ints->rows[i].name, &ctx, &kind, &queue))
				ret = add_irq(n, &cap, &ints->rows[i], kind, queue);
	}
	if (ret == -ENOMEM)
		return tn_diag_error(src->d, ret, "out of memory");
	if (ret < 0)
		return ret;
	if (o->keep_files)
		tn_sysroot_keep(src->root, n->n_irqs);
	for (int i = 0; i < n->n_irqs; i++) {
		struct tn_irq *q = &n->irqs[i];

		q->has_affinity = tn_discover_irq_list(src->root, q->irq, "smp_affinity_list",
						       &q->affinity, src->d) == 1;
		if (!o->plan_only)
			q->has_effective = tn_discover_irq_list(src->root, q->irq,
								"effective_affinity_list",
								&q->effective, src->d) == 1;
		if (debugfs)
			read_irq_managed(src->root, q);
	}
	if (o->keep_files)
		tn_sysroot_keep_pause(src->root);
	return 0;
}

static int list_nics(const struct tn_sysroot *root, struct tn_state *s, struct nic_paths **paths,
		     struct tn_diag *d)
{
	struct dirent *de;
	DIR *dir;
	int ret, cap = 0;

	ret = tn_sysroot_opendir(root, "sys/class/net", &dir);
	if (ret < 0)
		return tn_diag_error(d, ret, "%s%ssys/class/net: %s", root->path,
				     root->is_host ? "" : "/", strerror(-ret));
	while ((de = readdir(dir))) {
		struct tn_nic n = { 0 };
		struct nic_paths p;

		if (de->d_name[0] == '.' || strlen(de->d_name) >= TN_IFNAME_MAX)
			continue;
		ret = nic_basic(root, de->d_name, &n, &p, d);
		/* 1: no device; -ENOTDIR: no net device at all (bonding_masters) */
		if (ret == 1 || ret == -ENOTDIR)
			continue;
		if (ret == -ENOENT || ret == -ENODEV) {
			tn_diag_warn(d, "%s: vanished during discovery", de->d_name);
			continue;
		}
		if (ret < 0) {
			tn_diag_warn(d, "%s: %s; skipped", de->d_name, strerror(-ret));
			continue;
		}
		if (s->n_nics == cap) {
			int ncap = cap ? cap * 2 : 8;
			struct tn_nic *nn = realloc(s->nics, sizeof(*nn) * (size_t)ncap);
			struct nic_paths *np = realloc(*paths, sizeof(*np) * (size_t)ncap);

			if (nn)
				s->nics = nn;
			if (np)
				*paths = np;
			if (!nn || !np) {
				closedir(dir);
				return tn_diag_error(d, -ENOMEM, "out of memory");
			}
			cap = ncap;
		}
		(*paths)[s->n_nics] = p;
		s->nics[s->n_nics++] = n;
	}
	closedir(dir);
	return 0;
}

/* A NIC's queue files (RPS/XPS), kept open for apply's writes (keep_files). */
static int queues(const struct tn_sysroot *root, struct tn_nic *n, const struct tn_discover_opts *o,
		  struct tn_diag *d)
{
	int ret;

	if (o->keep_files)
		tn_sysroot_keep(root, 2 * n->rx_queues + n->tx_queues);
	ret = tn_discover_queues(root, n, d);
	if (o->keep_files)
		tn_sysroot_keep_pause(root);
	return ret;
}

int tn_discover(const struct tn_sysroot *root, const struct tn_discover_opts *o,
		struct tn_state *out, struct tn_diag *d)
{
	struct irq_source src = { .root = root, .d = d };
	struct nic_paths *paths = NULL;
	struct tn_hwloc *hw = NULL;
	struct tn_state s;
	bool debugfs;
	int ret;

	tn_sysroot_forget_dirs(root); /* a driver may have been reloaded since */
	tn_state_init(&s);
	ret = tn_topology_load(root, o->topology_xml, &s.topo, &hw, d);
	if (ret < 0)
		goto out;
	if (o->topology_xml)
		snprintf(s.topo.source, sizeof(s.topo.source), "xml:%s",
			 base_name(o->topology_xml));
	read_str(root, "proc/sys/kernel", "hostname", s.hostname, sizeof(s.hostname), "");
	read_str(root, "proc/sys/kernel", "osrelease", s.kernel, sizeof(s.kernel), "");

	/* names from /proc/interrupts, whole, when counts are asked for or
	 * its rows are short; from each vector's actions file where a row of
	 * this many CPUs costs more than the file (see irq_source) */
	src.sysfs = o->plan_only && tn_sysroot_exists(root, "sys/kernel/irq") &&
		    (tn_cpuset_count(&s.topo.online) > TN_IRQNAMES_STREAM_CPUS ||
		     !tn_sysroot_exists(root, "proc/interrupts"));
	if (!src.sysfs && (ret = load_interrupts(&src)) < 0)
		goto out;
	ret = list_nics(root, &s, &paths, d);
	if (ret < 0)
		goto out;
	debugfs = tn_sysroot_exists(root, "sys/kernel/debug/irq/irqs");
	for (int i = 0; i < s.n_nics; i++) {
		nic_numa(root, hw, &s.topo, &paths[i], &s.nics[i], d);
		ret = nic_irqs(&src, &s, &s.nics[i], &paths[i], o, debugfs);
		if (ret == 0 && (!o->plan_only || o->queue_files))
			ret = queues(root, &s.nics[i], o, d);
		if (ret < 0)
			goto out;
	}
	if (root->is_host) {
		tn_discover_rings(&s, d);
		/* a failure is a warning (the names stay), but out of memory */
		if ((ret = tn_napi_discover(&s, d)) == -ENOMEM)
			goto out;
	}

	ret = tn_discover_sysctls(root, o, &s, d);
	if (ret < 0)
		goto out;
	ret = tn_process_scan(root, o->procs, o->n_procs, &s, d);
	if (ret < 0)
		goto out;
	tn_state_sort(&s);
	if ((ret = tn_discover_stacked(root, &s, d)) < 0)
		goto out;
	*out = s;
	tn_state_init(&s);
out:
	tn_state_free(&s);
	tn_interrupts_free(&src.ints);
	tn_hwloc_free(hw);
	free(paths);
	return ret;
}

/*
 * Discover one NIC again after apply changed its rings or channels: its queue
 * count, IRQs (names and affinities, as plan and apply discover them) and
 * rings; its identity and NUMA node are kept (a ring change does not move a
 * device).
 */
int tn_discover_nic(const struct tn_sysroot *root, struct tn_state *s, const char *ifname,
		    struct tn_diag *d)
{
	const struct tn_discover_opts o = { .plan_only = true };
	struct irq_source src = { .root = root, .d = d };
	struct tn_nic n = { 0 }, saved, *old = NULL;
	struct nic_paths p;
	struct tn_state one;
	int ret;

	tn_sysroot_forget_dirs(root); /* the NIC may be new: its directories too */
	for (int i = 0; i < s->n_nics; i++)
		if (strcmp(s->nics[i].name, ifname) == 0)
			old = &s->nics[i];
	if (!old)
		return tn_diag_error(d, -ENODEV, "%s: not in the snapshot", ifname);
	ret = nic_basic(root, ifname, &n, &p, d);
	if (ret != 0)
		return tn_diag_error(d, ret == 1 ? -ENODEV : ret, "%s: discover again: %s", ifname,
				     strerror(ret == 1 ? ENODEV : -ret));
	src.sysfs = tn_sysroot_exists(root, "sys/kernel/irq");
	if (!src.sysfs && (ret = load_interrupts(&src)) < 0)
		return ret;
	n.numa_node = old->numa_node;
	memcpy(n.numa_source, old->numa_source, sizeof(n.numa_source));
	/* the new record takes the old one's place: its IRQs are not "another NIC's" */
	saved = *old;
	*old = n;
	ret = nic_irqs(&src, s, old, &p, &o, tn_sysroot_exists(root, "sys/kernel/debug/irq/irqs"));
	if (ret == 0)
		ret = tn_discover_queues(root, old, d);
	tn_interrupts_free(&src.ints);
	if (ret < 0) {
		tn_nic_free(old);
		*old = saved;
		return ret;
	}
	if (root->is_host) {
		one = (struct tn_state){ .n_nics = 1, .nics = old };
		tn_discover_rings(&one, d);
		if (tn_napi_discover(&one, d) == -ENOMEM)
			return -ENOMEM; /* old is whole: the snapshot stays valid */
	}
	tn_nic_free(&saved);
	/* irqs sorted as tn_state_sort() leaves them */
	tn_state_sort(s);
	return 0;
}
