/* SPDX-License-Identifier: MIT */
/* The coalesce kind: one interrupt coalescing parameter of a NIC (the change's
 * key) through ethtool netlink (ethtool.c); only on the host. */
#include "kind_sys.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The field of struct tn_coalesce a key names; NULL for another key. */
static int64_t *param(struct tn_coalesce *co, const char *key)
{
	if (strcmp(key, "adaptive_rx") == 0)
		return &co->adaptive_rx;
	if (strcmp(key, "rx_usecs") == 0)
		return &co->rx_usecs;
	if (strcmp(key, "rx_frames") == 0)
		return &co->rx_frames;
	if (strcmp(key, "tx_usecs") == 0)
		return &co->tx_usecs;
	return NULL;
}

static int coalesce_read(struct tn_live *l, const struct tn_change *c, bool check, char **out,
			 struct tn_diag *d)
{
	struct tn_coalesce co;
	int64_t *v = param(&co, c->key);
	int ret;

	if (!v)
		return -EINVAL;
	if ((ret = tn_live_ethtool(l, d)) < 0)
		return ret;
	if ((ret = tn_ethtool_get_coalesce(l->et, c->target, &co, d)) < 0)
		return ret;
	if (*v == TN_UNKNOWN)
		return tn_diag_error(d, -EOPNOTSUPP, "the driver does not report %s", c->key);
	if (strcmp(c->key, "adaptive_rx") == 0)
		ret = asprintf(out, "%s", *v ? "on" : "off");
	else
		ret = asprintf(out, "%lld", (long long)*v);
	return ret < 0 ? -ENOMEM : 0;
}

static int coalesce_write(struct tn_live *l, const struct tn_change *c, const char *value,
			  struct tn_diag *d)
{
	struct tn_coalesce co = { TN_UNKNOWN, TN_UNKNOWN, TN_UNKNOWN, TN_UNKNOWN };
	int64_t *v = param(&co, c->key);
	char *end;
	int ret;

	if (!v)
		return -EINVAL;
	if (strcmp(c->key, "adaptive_rx") == 0) {
		if (strcmp(value, "on") && strcmp(value, "off"))
			return -EINVAL;
		*v = strcmp(value, "on") == 0;
	} else {
		errno = 0;
		*v = strtoll(value, &end, 10);
		if (errno || end == value || *end || *v < 0 || *v > (int64_t)UINT32_MAX)
			return -EINVAL;
	}
	if ((ret = tn_live_ethtool(l, d)) < 0)
		return ret;
	return tn_ethtool_set_coalesce(l->et, c->target, &co, d);
}

const struct tn_kind_sys tn_kind_sys_coalesce = {
	.read = coalesce_read,
	.write = coalesce_write,
	.gone = "process",
};
