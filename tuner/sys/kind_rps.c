/* SPDX-License-Identifier: MIT */
/* The rps_cpus, rps_flow_cnt and xps_cpus kinds: a NIC queue's files in sysfs,
 * sys/class/net/IFNAME/queues/{rx,tx}-N/KEY (target "IFNAME/rx-N"). */
#include "kind_sys.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hexmask.h"

/* The file of c; the target is checked again (a journal's was at load). */
static int queue_rel(const struct tn_change *c, char *rel, size_t len)
{
	const struct tn_kind *k = tn_kind_get(c->kind);
	const char *slash;

	if (!k || !k->target_ok(c->target) || strcmp(c->key, k->keys[0]) != 0)
		return -EINVAL;
	slash = strchr(c->target, '/');
	if (tn_pathf(rel, len, "sys/class/net/%.*s/queues/%s/%s", (int)(slash - c->target),
		     c->target, slash + 1, c->key) < 0)
		return -ENAMETOOLONG;
	return 0;
}

static int mask_read(struct tn_live *l, const struct tn_change *c, bool check, char **out,
		     struct tn_diag *d)
{
	char rel[256], buf[TN_HEXMASK_MAX + 2];
	int ret = queue_rel(c, rel, sizeof(rel));

	if (ret < 0)
		return ret;
	ret = tn_sysroot_read_line(l->root, rel, buf, sizeof(buf));
	if (ret < 0)
		return ret;
	if (!tn_hexmask_valid(buf))
		return tn_diag_error(d, -EBADMSG, "%s: \"%.40s\" is not a CPU mask", rel, buf);
	*out = strdup(buf);
	return *out ? 0 : -ENOMEM;
}

static int count_read(struct tn_live *l, const struct tn_change *c, bool check, char **out,
		      struct tn_diag *d)
{
	char rel[256];
	int64_t v;
	int ret = queue_rel(c, rel, sizeof(rel));

	if (ret < 0)
		return ret;
	ret = tn_sysroot_read_int64(l->root, rel, &v);
	if (ret < 0)
		return ret;
	if (v < 0 || v > INT32_MAX)
		return tn_diag_error(d, -ERANGE, "%s: %lld is not a flow count", rel, (long long)v);
	return asprintf(out, "%lld", (long long)v) < 0 ? -ENOMEM : 0;
}

static int queue_write(struct tn_live *l, const struct tn_change *c, const char *value,
		       struct tn_diag *d)
{
	char rel[256];
	int ret = queue_rel(c, rel, sizeof(rel));

	if (ret < 0)
		return ret;
	return tn_live_write_line(l, rel, value, false);
}

const struct tn_kind_sys tn_kind_sys_rps_cpus = {
	.read = mask_read,
	.write = queue_write,
	.gone = "process",
};

const struct tn_kind_sys tn_kind_sys_rps_flow_cnt = {
	.read = count_read,
	.write = queue_write,
	.gone = "process",
};

const struct tn_kind_sys tn_kind_sys_xps_cpus = {
	.read = mask_read,
	.write = queue_write,
	.gone = "process",
};
