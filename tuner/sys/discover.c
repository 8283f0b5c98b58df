/* SPDX-License-Identifier: MIT */
#include "discover.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ethtool.h"
#include "irqname.h"
#include "procparse.h"
#include "process.h"
#include "topology.h"

#define SYSFS_PATH_MAX 1024

/* Where a NIC's device lives, found in the first pass. */
struct nic_paths {
	char dev[SYSFS_PATH_MAX];	/* canonical device dir: the PCI function or virtioN */
	char pcidir[SYSFS_PATH_MAX];	/* canonical PCI function dir, "" when not PCI */
};

static bool is_pci_address(const char *s)
{
	unsigned dom, bus, dev, fn;
	char tail;

	return sscanf(s, "%4x:%2x:%2x.%1x%c", &dom, &bus, &dev, &fn, &tail) == 4 &&
	       strlen(s) == 12;
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

int tn_sysctl_path(const char *name, char *buf, size_t len)
{
	int n;

	if (!tn_sysctl_name_valid(name))
		return -EINVAL;
	n = snprintf(buf, len, "proc/sys/%s", name);
	if (n < 0 || (size_t)n >= len)
		return -ENAMETOOLONG;
	for (char *p = buf + 9; *p; p++)
		if (*p == '.')
			*p = '/';
	return 0;
}

int tn_sysctl_read(const struct tn_sysroot *root, const char *name, struct tn_sysctl *out)
{
	struct tn_sysctl sc = { 0 };
	char rel[256], *text = NULL;
	int ret;

	ret = tn_sysctl_path(name, rel, sizeof(rel));
	if (ret < 0)
		return ret;
	snprintf(sc.name, sizeof(sc.name), "%s", name);
	ret = tn_sysroot_read_max(root, rel, TN_SYSCTL_VALUE_MAX - 1, &text, NULL);
	if (ret == -ENOENT) {
		*out = sc;
		return 0;
	}
	if (ret < 0)
		return ret;
	sc.value = tn_sysctl_value_fold(text);
	free(text);
	if (!sc.value)
		return -ENOMEM;
	sc.present = true;
	*out = sc;
	return 0;
}

static int cmp_name(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static int read_one_sysctl(const struct tn_sysroot *root, const char *name, struct tn_sysctl *out,
			   struct tn_diag *d)
{
	char rel[256];
	int ret;

	if (!tn_sysctl_name_valid(name))
		return tn_diag_error(d, -EINVAL, "sysctl \"%s\": not a valid name", name);
	ret = tn_sysctl_read(root, name, out);
	if (ret == -EISDIR) {
		tn_sysctl_path(name, rel, sizeof(rel));
		return tn_diag_error(d, ret, "sysctl %s: %s is a directory of settings, not a "
					     "setting",
				     name, rel);
	}
	if (ret == -EFBIG) {
		tn_sysctl_path(name, rel, sizeof(rel));
		return tn_diag_error(d, ret, "%s: a value of more than %d bytes; refused", rel,
				     TN_SYSCTL_VALUE_MAX - 1);
	}
	if (ret < 0) {
		tn_sysctl_path(name, rel, sizeof(rel));
		return tn_diag_error(d, ret, "%s: %s", rel, strerror(-ret));
	}
	return 0;
}

/* The managed sysctls and the profile's, each once, in name order. */
static int read_sysctls(const struct tn_sysroot *root, const struct tn_discover_opts *o,
			struct tn_state *s, struct tn_diag *d)
{
	const char **names;
	int n = 0, total, ret = 0;

	while (tn_managed_sysctls[n])
		n++;
	total = n + o->n_extra_sysctls;
	s->sysctls = calloc((size_t)total, sizeof(*s->sysctls));
	names = calloc((size_t)total, sizeof(*names));
	if (!s->sysctls || !names) {
		free(names);
		return tn_diag_error(d, -ENOMEM, "out of memory");
	}
	for (int i = 0; i < total; i++)
		names[i] = i < n ? tn_managed_sysctls[i] : o->extra_sysctls[i - n];
	qsort(names, (size_t)total, sizeof(*names), cmp_name);
	for (int i = 0; i < total && ret == 0; i++) {
		if (i > 0 && strcmp(names[i - 1], names[i]) == 0)
			continue;
		ret = read_one_sysctl(root, names[i], &s->sysctls[s->n_sysctls], d);
		if (ret == 0)
			s->n_sysctls++;
	}
	free(names);
	return ret;
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

/* NUMA node: hwloc's PCI locality, then sysfs numa_node, then local_cpulist. */
static void nic_numa(const struct tn_sysroot *root, struct tn_hwloc *hw,
		     const struct tn_topology *topo, const struct nic_paths *p, struct tn_nic *n)
{
	char rel[SYSFS_PATH_MAX + 64], list[TN_CPULIST_MAX];
	struct tn_cpuset local;
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
	node = (int)read_num(root, p->pcidir, "numa_node", -1);
	if (node >= 0) {
		n->numa_node = node;
		snprintf(n->numa_source, sizeof(n->numa_source), "sysfs");
		return;
	}
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

/* First pass: a NIC's identity and link facts. Returns 1 for "not a NIC". */
static int nic_basic(const struct tn_sysroot *root, const char *ifname, struct tn_nic *n,
		     struct nic_paths *p)
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
		n->ifindex = (int)v;
	}
	read_str(root, netdir, "operstate", n->operstate, sizeof(n->operstate), "unknown");
	n->speed = read_num(root, netdir, "speed", TN_UNKNOWN);
	if (n->speed < 0)
		n->speed = TN_UNKNOWN;
	n->mtu = (int)read_num(root, netdir, "mtu", 0);
	n->txqueuelen = (int)read_num(root, netdir, "tx_queue_len", 0);
	count_queues(root, netdir, &n->rx_queues, &n->tx_queues);
	n->ring = (struct tn_ring){ TN_UNKNOWN, TN_UNKNOWN, TN_UNKNOWN, TN_UNKNOWN };
	n->channels = (struct tn_channels){ TN_UNKNOWN, TN_UNKNOWN, TN_UNKNOWN, TN_UNKNOWN,
					    TN_UNKNOWN, TN_UNKNOWN, TN_UNKNOWN, TN_UNKNOWN };
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
	struct tn_irq *q = &n->irqs[n->n_irqs++];

	memset(q, 0, sizeof(*q));
	q->irq = row->irq;
	snprintf(q->name, sizeof(q->name), "%s", row->name);
	q->kind = kind;
	q->queue = queue;
	q->count = row->count;
	return 0;
}

/* True when the name belongs to another NIC of the host. */
static bool claimed_by_other(const struct tn_state *s, const struct tn_nic *self, const char *name)
{
	for (int i = 0; i < s->n_nics; i++) {
		struct tn_irqname_ctx c = nic_ctx(&s->nics[i]);
		enum tn_irq_kind k;
		int q;

		if (&s->nics[i] != self && tn_irqname_classify(name, &c, &k, &q))
			return true;
	}
	return false;
}

/* One affinity list of an IRQ; a file that is there but unreadable or not a
 * CPU list leaves it unknown, with a warning naming the file. */
static bool read_irq_list(const struct tn_sysroot *root, int irq, const char *file,
			  struct tn_cpuset *out, struct tn_diag *d)
{
	char rel[64], list[TN_CPULIST_MAX];
	int ret;

	snprintf(rel, sizeof(rel), "proc/irq/%d/%s", irq, file);
	ret = tn_sysroot_read_line(root, rel, list, sizeof(list));
	if (ret == -ENOENT)
		return false;
	if (ret == 0 && (ret = tn_cpuset_parse_list(list, out)) == 0)
		return true;
	if (ret == -EINVAL || ret == -ERANGE)
		tn_diag_warn(d, "%s/%s: \"%.64s%s\" is not a CPU list%s; taken as unknown",
			     root->is_host ? "" : root->path, rel, list,
			     strlen(list) > 64 ? "..." : "",
			     ret == -ERANGE ? " (CPU number too large)" : "");
	else if (ret == -ENAMETOOLONG)
		tn_diag_warn(d, "%s/%s: longer than %zu characters; taken as unknown",
			     root->is_host ? "" : root->path, rel, sizeof(list) - 1);
	else
		tn_diag_warn(d, "%s/%s: %s; taken as unknown", root->is_host ? "" : root->path,
			     rel, strerror(-ret));
	return false;
}

static int read_irq_affinity(const struct tn_sysroot *root, struct tn_irq *q, struct tn_diag *d)
{
	q->has_affinity = read_irq_list(root, q->irq, "smp_affinity_list", &q->affinity, d);
	q->has_effective = read_irq_list(root, q->irq, "effective_affinity_list", &q->effective, d);
	return 0;
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

/* Second pass: the NIC's IRQs from its PCI function's vectors, named by
 * /proc/interrupts; by name alone when the function lists no vectors. */
static int nic_irqs(const struct tn_sysroot *root, const struct tn_state *s, struct tn_nic *n,
		    const struct nic_paths *p, const struct tn_interrupts *ints, bool debugfs,
		    struct tn_diag *d)
{
	struct tn_irqname_ctx ctx = nic_ctx(n);
	char rel[SYSFS_PATH_MAX + 16];
	struct dirent *de;
	DIR *dir = NULL;
	int ret, cap = 0;
	enum tn_irq_kind kind;
	int queue;

	if (p->pcidir[0]) {
		if (tn_pathf(rel, sizeof(rel), "%s/msi_irqs", p->pcidir) < 0 ||
		    tn_sysroot_opendir(root, rel, &dir) < 0)
			dir = NULL;
	}
	while (dir && (de = readdir(dir))) {
		char *end;
		long irq = strtol(de->d_name, &end, 10);
		const struct tn_interrupt *row;

		if (*end || end == de->d_name || irq < 0)
			continue;
		row = tn_interrupts_find(ints, (int)irq);
		if (!row)
			continue; /* allocated, not requested */
		if (tn_irqname_classify(row->name, &ctx, &kind, &queue)) {
			ret = add_irq(n, &cap, row, kind, queue);
		} else if (!claimed_by_other(s, n, row->name)) {
			/* a vector of this function named in a way the table
			 * does not know: keep it, but never as a queue */
			ret = add_irq(n, &cap, row, TN_IRQ_OTHER, -1);
		} else {
			continue;
		}
		if (ret < 0) {
			closedir(dir);
			return ret;
		}
	}
	if (dir)
		closedir(dir);
	if (n->n_irqs == 0) {
		for (int i = 0; i < ints->n; i++) {
			if (!tn_irqname_classify(ints->rows[i].name, &ctx, &kind, &queue))
				continue;
			ret = add_irq(n, &cap, &ints->rows[i], kind, queue);
			if (ret < 0)
				return ret;
		}
	}
	for (int i = 0; i < n->n_irqs; i++) {
		read_irq_affinity(root, &n->irqs[i], d);
		if (debugfs)
			read_irq_managed(root, &n->irqs[i]);
	}
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
		ret = nic_basic(root, de->d_name, &n, &p);
		if (ret == 1)
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

static void read_rings(struct tn_state *s, struct tn_diag *d)
{
	struct tn_ethtool *et = NULL;
	int ret = tn_ethtool_open(&et);

	if (ret < 0) {
		if (ret != -EOPNOTSUPP)
			tn_diag_warn(d, "ethtool netlink: %s; rings and channels unknown",
				     strerror(-ret));
		return;
	}
	for (int i = 0; i < s->n_nics; i++) {
		struct tn_nic *n = &s->nics[i];
		char msg[256];

		ret = tn_ethtool_get_rings(et, n->name, &n->ring, msg, sizeof(msg));
		n->has_ring = ret == 0;
		if (ret < 0 && ret != -EOPNOTSUPP)
			tn_diag_warn(d, "%s: read rings: %s%s%s", n->name, strerror(-ret),
				     msg[0] ? ": " : "", msg);
		ret = tn_ethtool_get_channels(et, n->name, &n->channels, msg, sizeof(msg));
		n->has_channels = ret == 0;
		if (ret < 0 && ret != -EOPNOTSUPP)
			tn_diag_warn(d, "%s: read channels: %s%s%s", n->name, strerror(-ret),
				     msg[0] ? ": " : "", msg);
	}
	tn_ethtool_close(et);
}

static int read_interrupts(const struct tn_sysroot *root, struct tn_interrupts *ints,
			   struct tn_diag *d)
{
	char *text = NULL, err[128];
	const char *where = root->is_host ? "/proc/interrupts" : "proc/interrupts";
	int ret = tn_sysroot_read(root, "proc/interrupts", &text, NULL);

	if (ret == -EFBIG)
		return tn_diag_error(d, ret, "%s%s%s: larger than %d MiB (a real one is a few "
					     "MB); refused",
				     root->is_host ? "" : root->path, root->is_host ? "" : "/",
				     where, TN_SYSROOT_READ_MAX >> 20);
	if (ret < 0)
		return tn_diag_error(d, ret, "%s%s%s: %s", root->is_host ? "" : root->path,
				     root->is_host ? "" : "/", where, strerror(-ret));
	ret = tn_interrupts_parse(text, ints, err, sizeof(err));
	free(text);
	if (ret == -ENOMEM)
		return tn_diag_error(d, ret, "out of memory");
	if (ret < 0)
		return tn_diag_error(d, ret, "%s%s%s: %s", root->is_host ? "" : root->path,
				     root->is_host ? "" : "/", where, err);
	return 0;
}

int tn_discover(const struct tn_sysroot *root, const struct tn_discover_opts *o,
		struct tn_state *out, struct tn_diag *d)
{
	struct tn_interrupts ints = { 0 };
	struct nic_paths *paths = NULL;
	struct tn_hwloc *hw = NULL;
	struct tn_state s;
	bool debugfs;
	int ret;

	tn_state_init(&s);
	ret = tn_topology_load(root, o->topology_xml, &s.topo, &hw, d);
	if (ret < 0)
		goto out;
	if (o->topology_xml)
		snprintf(s.topo.source, sizeof(s.topo.source), "xml:%s", base_name(o->topology_xml));
	read_str(root, "proc/sys/kernel", "hostname", s.hostname, sizeof(s.hostname), "");
	read_str(root, "proc/sys/kernel", "osrelease", s.kernel, sizeof(s.kernel), "");

	ret = read_interrupts(root, &ints, d);
	if (ret < 0)
		goto out;
	ret = list_nics(root, &s, &paths, d);
	if (ret < 0)
		goto out;
	debugfs = tn_sysroot_exists(root, "sys/kernel/debug/irq/irqs");
	for (int i = 0; i < s.n_nics; i++) {
		nic_numa(root, hw, &s.topo, &paths[i], &s.nics[i]);
		ret = nic_irqs(root, &s, &s.nics[i], &paths[i], &ints, debugfs, d);
		if (ret < 0) {
			ret = tn_diag_error(d, ret, "out of memory");
			goto out;
		}
	}
	if (root->is_host)
		read_rings(&s, d);

	ret = read_sysctls(root, o, &s, d);
	if (ret < 0)
		goto out;
	ret = tn_process_scan(root, o->procs, o->n_procs, &s, d);
	if (ret < 0)
		goto out;
	tn_state_sort(&s);
	*out = s;
	tn_state_init(&s);
out:
	tn_state_free(&s);
	tn_interrupts_free(&ints);
	tn_hwloc_free(hw);
	free(paths);
	return ret;
}

/*
 * Discover one NIC again after apply changed its rings or channels: its queue
 * count, IRQs (names from /proc/interrupts, affinities) and rings; its
 * identity and NUMA node are kept (a ring change does not move a device).
 */
int tn_discover_nic(const struct tn_sysroot *root, struct tn_state *s, const char *ifname,
		    struct tn_diag *d)
{
	struct tn_interrupts ints = { 0 };
	struct tn_nic n = { 0 }, saved, *old = NULL;
	struct nic_paths p;
	struct tn_state one;
	int ret;

	for (int i = 0; i < s->n_nics; i++)
		if (strcmp(s->nics[i].name, ifname) == 0)
			old = &s->nics[i];
	if (!old)
		return tn_diag_error(d, -ENODEV, "%s: not in the snapshot", ifname);
	ret = nic_basic(root, ifname, &n, &p);
	if (ret != 0)
		return tn_diag_error(d, ret == 1 ? -ENODEV : ret, "%s: discover again: %s", ifname,
				     strerror(ret == 1 ? ENODEV : -ret));
	ret = read_interrupts(root, &ints, d);
	if (ret < 0)
		return ret;
	n.numa_node = old->numa_node;
	memcpy(n.numa_source, old->numa_source, sizeof(n.numa_source));
	/* the new record takes the old one's place: its IRQs are not "another NIC's" */
	saved = *old;
	*old = n;
	ret = nic_irqs(root, s, old, &p, &ints, tn_sysroot_exists(root, "sys/kernel/debug/irq/irqs"),
		       d);
	tn_interrupts_free(&ints);
	if (ret < 0) {
		free(old->irqs);
		*old = saved;
		return tn_diag_error(d, ret, "out of memory");
	}
	if (root->is_host) {
		one = (struct tn_state){ .n_nics = 1, .nics = old };
		read_rings(&one, d);
	}
	free(saved.irqs);
	/* irqs sorted as tn_state_sort() leaves them */
	tn_state_sort(s);
	return 0;
}
