/* SPDX-License-Identifier: MIT */
/* The live value a change names: the dispatch to each kind's read and write
 * (kind_*.c), registered here by enum tn_change_kind. */
#include "kind_sys.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static const struct tn_kind_sys *const ops[TN_CHANGE_KIND_COUNT] = {
	[TN_CHANGE_CHANNELS] = &tn_kind_sys_channels,
	[TN_CHANGE_RING] = &tn_kind_sys_ring,
	[TN_CHANGE_COALESCE] = &tn_kind_sys_coalesce,
	[TN_CHANGE_SYSCTL] = &tn_kind_sys_sysctl,
	[TN_CHANGE_IRQ_AFFINITY] = &tn_kind_sys_irq,
	[TN_CHANGE_RPS_CPUS] = &tn_kind_sys_rps_cpus,
	[TN_CHANGE_RPS_FLOW_CNT] = &tn_kind_sys_rps_flow_cnt,
	[TN_CHANGE_XPS_CPUS] = &tn_kind_sys_xps_cpus,
	[TN_CHANGE_PROCESS_AFFINITY] = &tn_kind_sys_process_cpus,
	[TN_CHANGE_PROCESS_MEMORY] = &tn_kind_sys_process_memory,
	[TN_CHANGE_IRQBALANCE] = &tn_kind_sys_irqbalance,
};

/* A kind outside the table (a corrupted record) reads and writes nothing. */
static int none_read(struct tn_live *l, const struct tn_change *c, bool check, char **out,
		     struct tn_diag *d)
{
	return -EINVAL;
}

static int none_write(struct tn_live *l, const struct tn_change *c, const char *value,
		      struct tn_diag *d)
{
	return -EINVAL;
}

static const struct tn_kind_sys none = { .read = none_read,
					 .write = none_write,
					 .gone = "process" };

const struct tn_kind_sys *tn_live_ops(const struct tn_change *c)
{
	return (unsigned)c->kind < TN_CHANGE_KIND_COUNT && ops[c->kind] ? ops[c->kind] : &none;
}

int tn_live_open(const struct tn_sysroot *root, struct tn_live **out)
{
	struct tn_live *l = calloc(1, sizeof(*l));

	if (!l)
		return -ENOMEM;
	l->root = root;
	*out = l;
	return 0;
}

void tn_live_close(struct tn_live *l)
{
	if (!l)
		return;
	tn_ethtool_close(l->et);
	free(l);
}

int tn_live_read(struct tn_live *l, const struct tn_change *c, char **out, struct tn_diag *d)
{
	return tn_live_ops(c)->read(l, c, true, out, d);
}

int tn_live_readback(struct tn_live *l, const struct tn_change *c, char **out, struct tn_diag *d)
{
	return tn_live_ops(c)->read(l, c, false, out, d);
}

int tn_live_write(struct tn_live *l, const struct tn_change *c, const char *value,
		  struct tn_diag *d)
{
	return tn_live_ops(c)->write(l, c, value, d);
}

/* ---- shared by the kind files ---- */

int tn_live_list_value(const struct tn_cpuset *s, char **out)
{
	char *v = tn_cpuset_list_alloc(s);

	if (!v)
		return -ENOMEM;
	*out = v;
	return 0;
}

int tn_live_canon_list(const char *in, char **out)
{
	struct tn_cpuset s;
	int ret = tn_cpuset_parse_list(in, &s);

	if (ret < 0)
		return ret;
	return tn_live_list_value(&s, out);
}

int tn_live_write_line(struct tn_live *l, const char *rel, const char *value, bool tabs)
{
	size_t n = strlen(value);
	char *buf = malloc(n + 2);
	int ret;

	if (!buf)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++)
		buf[i] = tabs && value[i] == ' ' ? '\t' : value[i];
	buf[n] = '\n';
	buf[n + 1] = '\0';
	ret = tn_sysroot_write(l->root, rel, buf);
	free(buf);
	return ret;
}

int tn_live_ethtool(struct tn_live *l, struct tn_diag *d)
{
	int ret;

	if (!l->root->is_host)
		return tn_diag_error(d, -EOPNOTSUPP,
				     "rings, channels and coalescing are not reachable under "
				     "--sysroot");
	if (l->et)
		return 0;
	ret = tn_ethtool_open(&l->et);
	if (ret < 0)
		tn_diag_error(d, ret, "ethtool netlink: %s", strerror(-ret));
	return ret;
}
