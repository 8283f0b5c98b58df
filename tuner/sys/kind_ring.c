/* SPDX-License-Identifier: MIT */
/* The ring and channels kinds: ring sizes and channel counts through ethtool
 * netlink (ethtool.c); only on the host. */
#include "kind_sys.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int ring_read(struct tn_live *l, const struct tn_change *c, bool check, char **out,
		     struct tn_diag *d)
{
	struct tn_ring r;
	int ret = tn_live_ethtool(l, d);

	if (ret < 0)
		return ret;
	ret = tn_ethtool_get_rings(l->et, c->target, &r, d);
	if (ret < 0)
		return ret;
	return asprintf(out, "%lld", (long long)(strcmp(c->key, "rx") == 0 ? r.rx : r.tx)) < 0
		       ? -ENOMEM
		       : 0;
}

static int ring_write(struct tn_live *l, const struct tn_change *c, const char *value,
		      struct tn_diag *d)
{
	int64_t v = strtoll(value, NULL, 10);
	bool rx = strcmp(c->key, "rx") == 0;
	int ret = tn_live_ethtool(l, d);

	if (ret < 0)
		return ret;
	return tn_ethtool_set_rings(l->et, c->target, rx ? v : TN_UNKNOWN, rx ? TN_UNKNOWN : v, d);
}

static int channels_read(struct tn_live *l, const struct tn_change *c, bool check, char **out,
			 struct tn_diag *d)
{
	struct tn_channels ch;
	int ret = tn_live_ethtool(l, d);

	if (ret < 0)
		return ret;
	ret = tn_ethtool_get_channels(l->et, c->target, &ch, d);
	if (ret < 0)
		return ret;
	return asprintf(out, "%lld", (long long)ch.combined) < 0 ? -ENOMEM : 0;
}

static int channels_write(struct tn_live *l, const struct tn_change *c, const char *value,
			  struct tn_diag *d)
{
	int ret = tn_live_ethtool(l, d);

	if (ret < 0)
		return ret;
	return tn_ethtool_set_channels(l->et, c->target, strtoll(value, NULL, 10), TN_UNKNOWN,
				       TN_UNKNOWN, d);
}

const struct tn_kind_sys tn_kind_sys_ring = {
	.read = ring_read,
	.write = ring_write,
	.gone = "process",
};

const struct tn_kind_sys tn_kind_sys_channels = {
	.read = channels_read,
	.write = channels_write,
	.gone = "process",
};
