/* SPDX-License-Identifier: MIT */
/* NUMA topology through hwloc: live, from an XML export, or from a sysroot. */
#ifndef TN_TOPOLOGY_H
#define TN_TOPOLOGY_H

#include "diag.h"
#include "state.h"
#include "sysroot.h"

struct tn_hwloc; /* the loaded hwloc topology, kept for PCI locality lookups */

/*
 * Load the topology: from xml when not NULL, else from the sysroot (the live
 * host when it is "/"). Online, isolated and nohz_full CPUs come from the
 * sysroot's /sys/devices/system/cpu, except for an XML topology on the host,
 * which describes another machine: then every CPU of it counts as online.
 */
int tn_topology_load(const struct tn_sysroot *root, const char *xml, struct tn_topology *out,
		     struct tn_hwloc **hw, struct tn_diag *d);
void tn_hwloc_free(struct tn_hwloc *hw);
/* The NUMA node (OS index) a NIC is local to by hwloc (its network OS device,
 * else its PCI function), or -1. */
int tn_hwloc_nic_node(struct tn_hwloc *hw, const char *ifname, const char *pci);

#endif
