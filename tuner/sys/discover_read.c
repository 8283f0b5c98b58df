/* SPDX-License-Identifier: MIT */
/*
 * Discovery's reads of single values beside the walk of the NICs (discover.c):
 * an IRQ's affinity list, and the rings, channels and coalescing of the NICs
 * through ethtool netlink.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "discover.h"
#include "ethtool.h"

int tn_discover_irq_list(const struct tn_sysroot *root, int irq, const char *file,
			 struct tn_cpus *out, struct tn_diag *d)
{
	char rel[64], list[TN_CPULIST_MAX];
	int ret;

	snprintf(rel, sizeof(rel), "proc/irq/%d/%s", irq, file);
	ret = tn_sysroot_read_line(root, rel, list, sizeof(list));
	if (ret == -ENOENT)
		return ret;
	if (ret == 0 && (ret = tn_cpus_parse_list(list, out)) == 0)
		return 1;
	if (ret == -ENOMEM) {
		tn_diag_warn(d, "%s/%s: out of memory; taken as unknown",
			     root->is_host ? "" : root->path, rel);
		return 0;
	}
	if (ret == -EINVAL || ret == -ERANGE)
		tn_diag_warn(d, "%s/%s: \"%.64s%s\" is not a CPU list%s; taken as unknown",
			     root->is_host ? "" : root->path, rel, list,
			     strlen(list) > 64 ? "..." : "",
			     ret == -ERANGE ? " (CPU number too large)" : "");
	else if (ret == -ENAMETOOLONG)
		tn_diag_warn(d, "%s/%s: longer than %zu characters; taken as unknown",
			     root->is_host ? "" : root->path, rel, sizeof(list) - 1);
	else
		tn_diag_warn(d, "%s/%s: %s; taken as unknown", root->is_host ? "" : root->path, rel,
			     strerror(-ret));
	return 0;
}

void tn_discover_rings(struct tn_state *s, struct tn_diag *d)
{
	struct tn_ethtool *et = NULL;
	struct tn_diag kernel; /* the kernel's words for one request, made a warning */
	int ret = tn_ethtool_open(&et);

	if (ret < 0) {
		if (ret != -EOPNOTSUPP)
			tn_diag_warn(d, "ethtool netlink: %s; rings and channels unknown",
				     strerror(-ret));
		return;
	}
	tn_diag_init(&kernel);
	for (int i = 0; i < s->n_nics; i++) {
		struct tn_nic *n = &s->nics[i];

		ret = tn_ethtool_get_rings(et, n->name, &n->ring, &kernel);
		n->has_ring = ret == 0;
		if (ret < 0 && ret != -EOPNOTSUPP)
			tn_diag_warn(d, "%s: read rings: %s%s%s", n->name, strerror(-ret),
				     kernel.error[0] ? ": " : "", kernel.error);
		tn_diag_free(&kernel); /* empty again for the next request */
		ret = tn_ethtool_get_channels(et, n->name, &n->channels, &kernel);
		n->has_channels = ret == 0;
		if (ret < 0 && ret != -EOPNOTSUPP)
			tn_diag_warn(d, "%s: read channels: %s%s%s", n->name, strerror(-ret),
				     kernel.error[0] ? ": " : "", kernel.error);
		tn_diag_free(&kernel); /* empty again for the next request */
		ret = tn_ethtool_get_coalesce(et, n->name, &n->coalesce, &kernel);
		/* no coalescing operation in the driver: read, none supported */
		n->has_coalesce = ret == 0 || ret == -EOPNOTSUPP;
		if (ret < 0 && ret != -EOPNOTSUPP)
			tn_diag_warn(d, "%s: read coalescing: %s%s%s", n->name, strerror(-ret),
				     kernel.error[0] ? ": " : "", kernel.error);
		tn_diag_free(&kernel); /* empty again for the next request */
	}
	tn_ethtool_close(et);
	tn_diag_free(&kernel);
}
