/* SPDX-License-Identifier: MIT */
#include "topology.h"

#include <ctype.h>
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

/* lstopo's XML of an 8192-CPU host is about 20 MB. */
#define TN_TOPOLOGY_XML_MAX (64 << 20)
/* A cpuset or nodeset attribute: 8192 CPUs take 256 groups of "0xffffffff,". */
#define TN_XML_SET_MAX 4096

struct tn_hwloc {
	hwloc_topology_t topo;
};

static void from_bitmap(hwloc_const_bitmap_t b, struct tn_cpuset *out)
{
	unsigned i;

	tn_cpuset_zero(out);
	if (!b)
		return;
	hwloc_bitmap_foreach_begin(i, b)
	{
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
	/* A kernel built with CONFIG_CPUMASK_OFFSTACK (Debian's) prints the
	 * nohz_full mask it never allocated, without nohz_full= on its command
	 * line, as "(null)": no CPU. */
	if (strcmp(text, "(null)\n") == 0 || strcmp(text, "(null)") == 0) {
		tn_cpuset_zero(out);
		free(text);
		return 0;
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

/* ---- checking an XML before hwloc reads it ----
 * hwloc makes a bitmap as large as the largest CPU or node number it reads: a
 * PU with os_index 2147483647 costs 256 MiB. Every tag is looked at (a raw '<'
 * always opens markup in XML), its attributes parsed as XML does; a file this
 * scanner cannot follow is refused rather than handed to hwloc. */

struct xml_scan {
	const char *text, *p;
	char why[160];
};

static int xml_refuse(struct xml_scan *x, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static int xml_refuse(struct xml_scan *x, const char *fmt, ...)
{
	char msg[120];
	va_list ap;
	int line = 1;

	for (const char *q = x->text; q < x->p; q++)
		line += *q == '\n';
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	snprintf(x->why, sizeof(x->why), "line %d: %s", line, msg);
	return -EINVAL;
}

static bool attr_is(const char *name, size_t len, const char *want)
{
	return strlen(want) == len && strncmp(name, want, len) == 0;
}

/* A decimal os_index below limit, written plainly (no entity, no sign). */
static int check_index(struct xml_scan *x, const char *what, const char *v, size_t len, long limit)
{
	long n = 0;

	if (len == 0 || len > 10)
		return xml_refuse(x, "%s os_index is not a plain number", what);
	for (size_t i = 0; i < len; i++) {
		if (!isdigit((unsigned char)v[i]))
			return xml_refuse(x, "%s os_index is not a plain number", what);
		n = n * 10 + (v[i] - '0');
	}
	if (n >= limit)
		return xml_refuse(x, "%s os_index %ld: tuner supports numbers below %ld", what, n,
				  limit);
	return 0;
}

/* One tag, x->p just after its '<': the attributes of an element. */
static int xml_tag(struct xml_scan *x)
{
	const char *type = NULL, *index = NULL;
	size_t type_len = 0, index_len = 0;
	bool object = strncmp(x->p, "object", 6) == 0 && !isalnum((unsigned char)x->p[6]);
	const char *p = x->p;

	if (*p == '!' || *p == '?' || *p == '/')
		return 0; /* comments, declarations, end tags: no attributes hwloc reads */
	while (*p && !isspace((unsigned char)*p) && *p != '>' && *p != '/')
		p++;
	for (;;) {
		const char *name, *val;
		size_t nlen, vlen;
		char quote;

		while (isspace((unsigned char)*p))
			p++;
		if (*p == '>' || (p[0] == '/' && p[1] == '>'))
			break;
		name = p;
		while (*p && *p != '=' && !isspace((unsigned char)*p) && *p != '>' && *p != '/')
			p++;
		nlen = (size_t)(p - name);
		while (isspace((unsigned char)*p))
			p++;
		if (nlen == 0 || *p++ != '=')
			return xml_refuse(x, "a malformed tag");
		while (isspace((unsigned char)*p))
			p++;
		quote = *p++;
		if (quote != '"' && quote != '\'')
			return xml_refuse(x, "a malformed tag");
		val = p;
		while (*p && *p != quote)
			p++;
		if (!*p)
			return xml_refuse(x, "a malformed tag");
		vlen = (size_t)(p++ - val);
		if (nlen >= 6 &&
		    (strncmp(name + nlen - 6, "cpuset", 6) == 0 ||
		     strncmp(name + nlen - 7, "nodeset", 7) == 0) &&
		    vlen > TN_XML_SET_MAX)
			return xml_refuse(x, "a %.*s of %zu characters (more than %d CPUs)",
					  (int)nlen, name, vlen, TN_CPU_MAX);
		if (attr_is(name, nlen, "type")) {
			type = val;
			type_len = vlen;
		} else if (attr_is(name, nlen, "os_index")) {
			index = val;
			index_len = vlen;
		}
	}
	x->p = p;
	if (!object || !index || !type)
		return 0;
	if (memchr(type, '&', type_len))
		return xml_refuse(x, "an object type written with an entity");
	if (attr_is(type, type_len, "PU"))
		return check_index(x, "PU", index, index_len, TN_CPU_MAX);
	if (attr_is(type, type_len, "NUMANode"))
		return check_index(x, "NUMANode", index, index_len, TN_NODES_MAX);
	return 0;
}

static int xml_check(const char *text, char *why, size_t len)
{
	struct xml_scan x = { .text = text, .p = text };
	int ret = 0;

	while (ret == 0 && (x.p = strchr(x.p, '<'))) {
		x.p++;
		ret = xml_tag(&x);
	}
	if (ret < 0)
		snprintf(why, len, "%s", x.why);
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

/* Never drop a CPU or a node tuner cannot hold: refuse the topology. */
static int check_numbers(hwloc_topology_t topo, int nn, struct tn_diag *d)
{
	int last = hwloc_bitmap_last(hwloc_topology_get_complete_cpuset(topo));
	int node = hwloc_bitmap_last(hwloc_topology_get_complete_nodeset(topo));

	if (last < 0)
		return tn_diag_error(d, -ERANGE,
				     "the topology has CPU numbers without end; tuner "
				     "supports CPUs 0 to %d",
				     TN_CPU_MAX - 1);
	if (last >= TN_CPU_MAX)
		return tn_diag_error(d, -ERANGE,
				     "the topology has CPU %d; tuner supports CPUs 0 "
				     "to %d",
				     last, TN_CPU_MAX - 1);
	if (nn > TN_NODES_MAX || node < 0 || node >= TN_NODES_MAX)
		return tn_diag_error(d, -ERANGE,
				     "the topology has NUMA node %d (of %d); tuner "
				     "supports nodes 0 to %d",
				     node, nn, TN_NODES_MAX - 1);
	return 0;
}

static int fill(hwloc_topology_t topo, struct tn_topology *t, struct tn_diag *d)
{
	int nn = hwloc_get_nbobjs_by_type(topo, HWLOC_OBJ_NUMANODE);
	int nc = hwloc_get_nbobjs_by_type(topo, HWLOC_OBJ_CORE);
	int npu = hwloc_get_nbobjs_by_type(topo, HWLOC_OBJ_PU);
	hwloc_obj_t *objs;
	struct hwloc_distances_s *dist = NULL;
	unsigned ndist = 1;
	int ret;

	if (nn <= 0 || npu <= 0)
		return tn_diag_error(d, -EINVAL, "the topology has no NUMA node or no CPU");
	if ((ret = check_numbers(topo, nn, d)) < 0)
		return ret;
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
		t->nodes[i].memory_kb = objs[i]->attr ? objs[i]->attr->numanode.local_memory / 1024
						      : 0;
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
 * TN_TOPOLOGY_XML_MAX bytes without a NUL, checked (xml_check) before hwloc reads it. */
static int read_xml(const char *xml, char **text, size_t *len, struct tn_diag *d)
{
	char why[200];
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
		return tn_diag_error(d, -EINVAL,
				     "%s: contains a NUL byte; not an hwloc XML "
				     "topology",
				     xml);
	}
	if (xml_check(*text, why, sizeof(why)) < 0) {
		free(*text);
		*text = NULL;
		return tn_diag_error(d, -EINVAL, "%s: %s; refused", xml, why);
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
		return tn_diag_error(d, ret,
				     "%s/%s: %s in the tree; refused: hwloc reads the tree "
				     "and would block on it (or give --topology)",
				     root->path, bad, tn_safefile_type(mode));
	if (ret == -E2BIG || ret == -ELOOP)
		return tn_diag_error(d, ret,
				     "%s: more than 2^20 entries or 64 levels below proc/ "
				     "and sys/ (at %s); refused",
				     root->path, bad);
	if (ret < 0)
		return tn_diag_error(d, ret, "%s%s%s: %s", root->path, bad[0] ? "/" : "", bad,
				     strerror(-ret));
	return 0;
}

/* Where hwloc reads from: the checked XML text (kept in *xml_text until the
 * load), the tree below HWLOC_FSROOT, or this machine. */
static int set_source(const struct tn_sysroot *root, const char *xml, hwloc_topology_t topo,
		      struct tn_topology *t, char **xml_text, struct tn_diag *d)
{
	size_t xml_len = 0;
	int ret;

	if (xml) {
		ret = read_xml(xml, xml_text, &xml_len, d);
		if (ret < 0)
			return ret;
		/* hwloc reads the very text that was checked (size: with its NUL) */
		if (hwloc_topology_set_xmlbuffer(topo, *xml_text, (int)xml_len + 1) < 0)
			return tn_diag_error(d, -EINVAL, "%s: not an hwloc XML topology", xml);
		snprintf(t->source, sizeof(t->source), "xml");
	} else if (!root->is_host) {
		ret = check_tree(root, d);
		if (ret < 0)
			return ret;
		/* hwloc's Linux backend reads /sys and /proc below HWLOC_FSROOT;
		 * its x86 backend would add this machine's CPUID caches to them */
		setenv("HWLOC_FSROOT", root->path, 1);
		setenv("HWLOC_THISSYSTEM", "0", 1);
		hwloc_topology_set_components(topo, HWLOC_TOPOLOGY_COMPONENTS_FLAG_BLACKLIST,
					      "x86");
		snprintf(t->source, sizeof(t->source), "sysroot");
	} else {
		snprintf(t->source, sizeof(t->source), "live");
	}
	return 0;
}

/* Online, isolated and nohz_full CPUs: the sysroot says, unless an XML
 * describes another machine. */
static void read_cpu_states(const struct tn_sysroot *root, const char *xml, struct tn_topology *t,
			    struct tn_diag *d)
{
	struct tn_cpuset set;

	t->online = t->cpus;
	if (xml && root->is_host)
		return;
	if (read_cpulist(root, "sys/devices/system/cpu/online", &set,
			 "every CPU of the topology is taken as online", d) == 0)
		t->online = set;
	if (!tn_cpuset_subset(&t->online, &t->cpus)) {
		/* an XML of another host, or one exported in a smaller cpuset */
		struct tn_cpuset out = t->online;
		char *list;

		tn_cpuset_andnot(&out, &t->cpus);
		list = tn_cpuset_list_alloc(&out);
		tn_diag_warn(d,
			     "%s/sys/devices/system/cpu/online: CPUs %s are online but not in "
			     "the topology (%s); left out",
			     root->is_host ? "" : root->path, list ? list : "(out of memory)",
			     xml ? xml : "hwloc's");
		free(list);
		tn_cpuset_and(&t->online, &t->cpus);
	}
	if (read_cpulist(root, "sys/devices/system/cpu/isolated", &set,
			 "no CPU is taken as isolated", d) == 0)
		t->isolated = set;
	if (read_cpulist(root, "sys/devices/system/cpu/nohz_full", &set,
			 "no CPU is taken as nohz_full", d) == 0)
		t->nohz_full = set;
}

/* A tree's topology is the Linux backend's: when it could not read the tree's
 * CPUs, hwloc falls back on this machine's CPU count. */
static int check_backend(hwloc_topology_t topo, const struct tn_sysroot *root, struct tn_diag *d)
{
	hwloc_obj_t top = hwloc_get_root_obj(topo);

	for (unsigned i = 0; top && i < top->infos_count; i++)
		if (strcmp(top->infos[i].name, "Backend") == 0 &&
		    strcmp(top->infos[i].value, "Linux") == 0)
			return 0;
	return tn_diag_error(d, -EINVAL,
			     "%s: hwloc could not read the CPUs of the tree "
			     "(sys/devices/system/cpu/cpuN/topology/: package_cpus or "
			     "core_siblings, thread_siblings); refused: its topology would be "
			     "this machine's (or give --topology)",
			     root->path);
}

int tn_topology_load(const struct tn_sysroot *root, const char *xml, struct tn_topology *out,
		     struct tn_hwloc **hw, struct tn_diag *d)
{
	struct tn_topology t;
	hwloc_topology_t topo;
	char *xml_text = NULL;
	int ret;

	memset(&t, 0, sizeof(t));
	if (hwloc_topology_init(&topo) < 0)
		return tn_diag_error(d, -ENOMEM, "hwloc: cannot initialise a topology");
	hwloc_topology_set_io_types_filter(topo, HWLOC_TYPE_FILTER_KEEP_IMPORTANT);
	hwloc_topology_set_flags(topo, HWLOC_TOPOLOGY_FLAG_INCLUDE_DISALLOWED);
	ret = set_source(root, xml, topo, &t, &xml_text, d);
	if (ret < 0) {
		free(xml_text);
		hwloc_topology_destroy(topo);
		return ret;
	}
	ret = hwloc_topology_load(topo) < 0 ? (errno ? -errno : -EINVAL) : 0;
	free(xml_text);
	if (ret < 0) {
		hwloc_topology_destroy(topo);
		/* a broken file fails here or in set_xml above, depending on
		 * hwloc's XML backend (libxml2 plugin or its own parser) */
		if (xml)
			return tn_diag_error(d, -EINVAL, "%s: not an hwloc XML topology", xml);
		return tn_diag_error(d, ret, "hwloc: cannot load the topology of %s", root->path);
	}
	if (!xml && !root->is_host && (ret = check_backend(topo, root, d)) < 0)
		goto fail;
	ret = fill(topo, &t, d);
	if (ret < 0)
		goto fail;
	read_cpu_states(root, xml, &t, d);
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
	snprintf(id, sizeof(id), "%04x:%02x:%02x.%01x", o->attr->pcidev.domain, o->attr->pcidev.bus,
		 o->attr->pcidev.dev, o->attr->pcidev.func);
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
