/* SPDX-License-Identifier: MIT */
/*
 * Which NIC an interrupt belongs to, and which queue it serves, from its action
 * name in /proc/interrupts. The naming table follows the drivers (see
 * shared/KERNEL-NOTES.md); every pattern matches the whole name, so "eth1"
 * never takes "eth10-TxRx-0".
 */
#ifndef TN_IRQNAME_H
#define TN_IRQNAME_H

#include <stdbool.h>

#include "state.h"

struct tn_irqname_ctx {
	const char *ifname; /* "eth0" */
	const char *pci;    /* "0000:04:00.0", or "" */
	const char *busdev; /* the device node: "virtio2" for virtio-net, else "" */
};

/*
 * True when one of the comma-separated actions in 'name' belongs to the NIC;
 * *kind and *queue (-1 for non-queue vectors) describe it then.
 */
bool tn_irqname_classify(const char *name, const struct tn_irqname_ctx *ctx, enum tn_irq_kind *kind,
			 int *queue);

#endif
