/* SPDX-License-Identifier: MIT */
/*
 * A snapshot's values read again, its structure kept (tn_discover_refresh):
 * what tuner watch's periodic check needs to see a writer that sends no event,
 * for a file per value instead of a whole discovery (the topology, every
 * vector's name, the directory listings).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "discover.h"
#include "process.h"

/* Each NIC IRQ's affinity; -ESTALE when one is gone. */
static int refresh_irqs(const struct tn_sysroot *root, struct tn_nic *n, struct tn_diag *d)
{
	for (int i = 0; i < n->n_irqs; i++) {
		struct tn_irq *q = &n->irqs[i];
		int ret = tn_discover_irq_list(root, q->irq, "smp_affinity_list", &q->affinity, d);

		if (ret == -ENOENT)
			return -ESTALE;
		q->has_affinity = ret == 1;
	}
	return 0;
}

static int refresh_sysctls(const struct tn_sysroot *root, struct tn_state *s, struct tn_diag *d)
{
	for (int i = 0; i < s->n_sysctls; i++) {
		struct tn_sysctl sc;
		char rel[256];
		int ret = tn_sysctl_read(root, s->sysctls[i].name, &sc);

		if (ret < 0) {
			tn_sysctl_path(s->sysctls[i].name, rel, sizeof(rel));
			return tn_diag_error(d, ret, "%s: %s", rel, strerror(-ret));
		}
		tn_sysctl_free(&s->sysctls[i]);
		s->sysctls[i] = sc;
	}
	return 0;
}

int tn_discover_refresh(const struct tn_sysroot *root, const struct tn_discover_opts *o,
			struct tn_state *s, struct tn_diag *d)
{
	int ret;

	tn_sysroot_forget_dirs(root); /* hours may have passed: no directory kept */
	for (int i = 0; i < s->n_nics; i++) {
		struct tn_nic *n = &s->nics[i];

		if ((ret = refresh_irqs(root, n, d)) < 0)
			return ret;
		if (!o->queue_files && !n->n_rxq && !n->n_txq)
			continue;
		tn_nic_free_queues(n);
		if ((ret = tn_discover_queues(root, n, d)) < 0)
			return ret;
	}
	if (root->is_host)
		tn_discover_rings(s, d);
	if ((ret = refresh_sysctls(root, s, d)) < 0)
		return ret;
	free(s->irqbalance.banned_irqs); /* found again with the processes */
	memset(&s->irqbalance, 0, sizeof(s->irqbalance));
	return tn_process_rescan(root, o->procs, o->n_procs, s, d);
}
