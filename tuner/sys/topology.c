/* SPDX-License-Identifier: MIT */
#include "topology.h"

#include <errno.h>
#include <fcntl.h>
#include <hwloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "safefile.h"

/* The largest --topology XML read (a 1000-CPU host with PCI is a few MB). */
#define TN_TOPOLOGY_XML_MAX (64 << 20)

struct tn_hwloc {
	hwloc_topology_t topo;
};

static void from_bitmap(hwloc_const_bitmap_t b, struct tn_cpuset *out)
{
	unsigned i;

	tn_cpuset_zero(out);
	if (!b)
		return;
	hwloc_bitmap_foreach_begin(i, b) {
		if (tn_cpuset_set(out, (int)i) < 0)
			break;
	}
	hwloc_bitmap_foreach_end();
}

/*
 * A CPU list file of the sysroot. A missing file is not an error (-ENOENT);
 * one that cannot be read or parsed is ignored with a warning naming it and
 * saying what tuner assumes instead.
 */
static int read_cpulist(const struct tn_sysroot *root, const char *rel, struct tn_cpuset *out,
			const char *instead, struct tn_diag *d)
{
	char *text = NULL;
	int ret = tn_sysroot_read(root, rel, &text, NULL);

	if (ret == -ENOENT)
		return ret;
	if (ret < 0) {
		tn_diag_warn(d, "%s/%s: %s; %s", root->is_host ? "" : root->path, rel,
			     strerror(-ret), instead);
		return ret;
	}
	ret = tn_cpuset_parse_list(text, out);
	if (ret < 0) {
		text[strcspn(text, "\n")] = '\0';
		tn_diag_warn(d, "%s/%s: \"%.64s%s\" is not a CPU list%s; %s",
			     root->is_host ? "" : root->path, rel, text,
			     strlen(text) > 64 ? "..." : "",
			     ret == -ERANGE ? " (CPU number too large)" : "", instead);
	}
	free(text);
	return ret;
}

static int node_obj_index(hwloc_obj_t *objs, int n, hwloc_obj_t o)
{
	for (int i = 0; i < n; i++)
		if (objs[i] == o)
			return i;
	return -1;
}

static int cmp_obj_os(const void *a, const void *b)
{
	const hwloc_obj_t x = *(const hwloc_obj_t *)a, y = *(const hwloc_obj_t *)b;

	return (x->os_index > y->os_index) - (x->os_index < y->os_index);
}

static int fill(hwloc_topology_t topo, struct tn_topology *t, struct tn_diag *d)
{
	int nn = hwloc_get_nbobjs_by_type(topo, HWLOC_OBJ_NUMANODE);
	int nc = hwloc_get_nbobjs_by_type(topo, HWLOC_OBJ_CORE);
	int npu = hwloc_get_nbobjs_by_type(topo, HWLOC_OBJ_PU);
	hwloc_obj_t *objs;
	struct hwloc_distances_s *dist = NULL;
	unsigned ndist = 1;

	if (nn <= 0 || npu <= 0)
		return tn_diag_error(d, -EINVAL, "the topology has no NUMA node or no CPU");
	objs = calloc((size_t)nn, sizeof(*objs));
	t->nodes = calloc((size_t)nn, sizeof(*t->nodes));
	if (!objs || !t->nodes) {
		free(objs);
		return tn_diag_error(d, -ENOMEM, "out of memory");
	}
	for (int i = 0; i < nn; i++)
		objs[i] = hwloc_get_obj_by_type(topo, HWLOC_OBJ_NUMANODE, (unsigned)i);
	qsort(objs, (size_t)nn, sizeof(*objs), cmp_obj_os);
	t->n_nodes = nn;
	for (int i = 0; i < nn; i++) {
		t->nodes[i].id = (int)objs[i]->os_index;
		from_bitmap(objs[i]->cpuset, &t->nodes[i].cpus);
		t->nodes[i].memory_kb = objs[i]->attr ? objs[i]->attr->numanode.local_memory / 1024 : 0;
	}

	if (hwloc_distances_get_by_type(topo, HWLOC_OBJ_NUMANODE, &ndist, &dist, 0, 0) == 0 &&
	    ndist >= 1 && dist && dist->nbobjs == (unsigned)nn) {
		t->distances = calloc((size_t)nn * (size_t)nn, sizeof(*t->distances));
		if (t->distances) {
			for (unsigned a = 0; a < dist->nbobjs; a++) {
				for (unsigned b = 0; b < dist->nbobjs; b++) {
					int ia = node_obj_index(objs, nn, dist->objs[a]);
					int ib = node_obj_index(objs, nn, dist->objs[b]);

					if (ia >= 0 && ib >= 0)
						t->distances[ia * nn + ib] =
							(uint32_t)dist->values[a * dist->nbobjs + b];
				}
			}
		}
	}
	if (dist)
		hwloc_distances_release(topo, dist);
	free(objs);

	/* Physical cores; a topology without Core objects gets one core per CPU. */
	int ncores = nc > 0 ? nc : npu;

	t->cores = calloc((size_t)ncores, sizeof(*t->cores));
	if (!t->cores)
		return tn_diag_error(d, -ENOMEM, "out of memory");
	t->n_cores = ncores;
	for (int i = 0; i < ncores; i++) {
		hwloc_obj_t o = hwloc_get_obj_by_type(topo, nc > 0 ? HWLOC_OBJ_CORE : HWLOC_OBJ_PU,
						      (unsigned)i);
		hwloc_obj_t pkg = hwloc_get_ancestor_obj_by_type(topo, HWLOC_OBJ_PACKAGE, o);
		int first;

		t->cores[i].id = i;
		from_bitmap(o->cpuset, &t->cores[i].cpus);
		first = tn_cpuset_next(&t->cores[i].cpus, 0);
		t->cores[i].node = tn_topology_cpu_node(t, first);
		t->cores[i].package = pkg ? (int)pkg->os_index : -1;
	}
	from_bitmap(hwloc_topology_get_complete_cpuset(topo), &t->cpus);
	return 0;
}

/* The XML file of --topology, whole: a regular file of at most
 * TN_TOPOLOGY_XML_MAX bytes without a NUL. */
static int read_xml(const char *xml, char **text, size_t *len, struct tn_diag *d)
{
	struct stat st;
	int fd = tn_safefile_open(AT_FDCWD, xml, O_RDONLY, &st), ret;

	if (fd == -EINVAL || fd == -EISDIR)
		return tn_diag_error(d, fd, "%s: %s, not a regular file; refused", xml,
				     tn_safefile_type(st.st_mode));
	if (fd < 0)
		return tn_diag_error(d, fd, "%s: cannot read the topology: %s", xml, strerror(-fd));
	ret = tn_safefile_read(fd, TN_TOPOLOGY_XML_MAX, text, len);
	close(fd);
	if (ret == -EFBIG)
		return tn_diag_error(d, ret, "%s: larger than %d MiB; not a topology", xml,
				     TN_TOPOLOGY_XML_MAX >> 20);
	if (ret < 0)
		return tn_diag_error(d, ret, "%s: cannot read the topology: %s", xml,
				     strerror(-ret));
	if (strlen(*text) != *len) {
		free(*text);
		*text = NULL;
		return tn_diag_error(d, -EINVAL, "%s: contains a NUL byte; not an hwloc XML "
						 "topology",
				     xml);
	}
	return 0;
}

/* Before hwloc reads a tree: no FIFO, socket or device it would block on. */
static int check_tree(const struct tn_sysroot *root, struct tn_diag *d)
{
	char bad[4096] = "";
	mode_t mode = 0;
	int ret = tn_sysroot_check_tree(root, bad, sizeof(bad), &mode);

	if (ret == -EINVAL)
		return tn_diag_error(d, ret, "%s/%s: %s in the tree; refused: hwloc reads the tree "
					     "and would block on it (or give --topology)",
				     root->path, bad, tn_safefile_type(mode));
	if (ret == -E2BIG || ret == -ELOOP)
		return tn_diag_error(d, ret, "%s: more than 2^20 entries or 64 levels below proc/ "
					     "and sys/ (at %s); refused",
				     root->path, bad);
	if (ret < 0)
		return tn_diag_error(d, ret, "%s%s%s: %s", root->path, bad[0] ? "/" : "", bad,
				     strerror(-ret));
	return 0;
}

int tn_topology_load(const struct tn_sysroot *root, const char *xml, struct tn_topology *out,
		     struct tn_hwloc **hw, struct tn_diag *d)
{
	struct tn_topology t;
	hwloc_topology_t topo;
	struct tn_cpuset set;
	char *text = NULL;
	size_t text_len = 0;
	int ret;

	memset(&t, 0, sizeof(t));
	if (hwloc_topology_init(&topo) < 0)
		return tn_diag_error(d, -ENOMEM, "hwloc: cannot initialise a topology");
	hwloc_topology_set_io_types_filter(topo, HWLOC_TYPE_FILTER_KEEP_IMPORTANT);
	hwloc_topology_set_flags(topo, HWLOC_TOPOLOGY_FLAG_INCLUDE_DISALLOWED);
	if (xml) {
		/* read here, not by hwloc: a FIFO is never opened, the size is bounded */
		ret = read_xml(xml, &text, &text_len, d);
		if (ret < 0 || hwloc_topology_set_xmlbuffer(topo, text, (int)text_len + 1) < 0) {
			hwloc_topology_destroy(topo);
			free(text);
			if (ret < 0)
				return ret;
			return tn_diag_error(d, -EINVAL, "%s: not an hwloc XML topology", xml);
		}
		snprintf(t.source, sizeof(t.source), "xml");
	} else if (!root->is_host) {
		ret = check_tree(root, d);
		if (ret < 0) {
			hwloc_topology_destroy(topo);
			return ret;
		}
		/* hwloc's Linux backend reads /sys and /proc below HWLOC_FSROOT. */
		setenv("HWLOC_FSROOT", root->path, 1);
		setenv("HWLOC_THISSYSTEM", "0", 1);
		snprintf(t.source, sizeof(t.source), "sysroot");
	} else {
		snprintf(t.source, sizeof(t.source), "live");
	}
	ret = hwloc_topology_load(topo) < 0 ? (errno ? -errno : -EINVAL) : 0;
	free(text);
	if (ret < 0) {
		hwloc_topology_destroy(topo);
		/* a broken file fails here or in set_xml above, depending on
		 * hwloc's XML backend (libxml2 plugin or its own parser) */
		if (xml)
			return tn_diag_error(d, -EINVAL, "%s: not an hwloc XML topology", xml);
		return tn_diag_error(d, ret, "hwloc: cannot load the topology of %s", root->path);
	}
	ret = fill(topo, &t, d);
	if (ret < 0)
		goto fail;

	/* Online CPUs: the sysroot says, unless an XML describes another machine. */
	t.online = t.cpus;
	if (!(xml && root->is_host)) {
		if (read_cpulist(root, "sys/devices/system/cpu/online", &set,
				 "every CPU of the topology is taken as online", d) == 0)
			t.online = set;
		if (read_cpulist(root, "sys/devices/system/cpu/isolated", &set,
				 "no CPU is taken as isolated", d) == 0)
			t.isolated = set;
		if (read_cpulist(root, "sys/devices/system/cpu/nohz_full", &set,
				 "no CPU is taken as nohz_full", d) == 0)
			t.nohz_full = set;
	}
	if (hw) {
		*hw = calloc(1, sizeof(**hw));
		if (!*hw) {
			ret = tn_diag_error(d, -ENOMEM, "out of memory");
			goto fail;
		}
		(*hw)->topo = topo;
	} else {
		hwloc_topology_destroy(topo);
	}
	*out = t;
	return 0;
fail:
	free(t.nodes);
	free(t.cores);
	free(t.distances);
	hwloc_topology_destroy(topo);
	return ret;
}

void tn_hwloc_free(struct tn_hwloc *hw)
{
	if (!hw)
		return;
	hwloc_topology_destroy(hw->topo);
	free(hw);
}

static bool pci_equals(hwloc_obj_t o, const char *pci)
{
	char id[32];

	if (!o || o->type != HWLOC_OBJ_PCI_DEVICE)
		return false;
	snprintf(id, sizeof(id), "%04x:%02x:%02x.%01x", o->attr->pcidev.domain,
		 o->attr->pcidev.bus, o->attr->pcidev.dev, o->attr->pcidev.func);
	return strcasecmp(id, pci) == 0;
}

int tn_hwloc_nic_node(struct tn_hwloc *hw, const char *ifname, const char *pci)
{
	hwloc_obj_t o = NULL, anc;

	if (!hw)
		return -1;
	/* The network OS device of that name under that PCI function first: a
	 * PCI address can appear twice in an XML merged from several machines. */
	while ((o = hwloc_get_next_osdev(hw->topo, o))) {
		if (o->attr->osdev.type == HWLOC_OBJ_OSDEV_NETWORK && o->name &&
		    strcmp(o->name, ifname) == 0 && (!pci || !*pci || pci_equals(o->parent, pci)))
			break;
	}
	if (!o && pci && *pci)
		o = hwloc_get_pcidev_by_busidstring(hw->topo, pci);
	if (!o)
		return -1;
	anc = hwloc_get_non_io_ancestor_obj(hw->topo, o);
	if (!anc || !anc->nodeset || hwloc_bitmap_weight(anc->nodeset) != 1)
		return -1;
	return hwloc_bitmap_first(anc->nodeset);
}
