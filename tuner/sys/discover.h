/* SPDX-License-Identifier: MIT */
/* Discovery: a state snapshot of a host (or of a sysroot tree). */
#ifndef TN_DISCOVER_H
#define TN_DISCOVER_H

#include <stdbool.h>

#include "diag.h"
#include "procmatch.h"
#include "state.h"
#include "sysroot.h"

struct tn_discover_opts {
	const char *topology_xml;	/* NULL: live (or the sysroot's) topology */
	const struct tn_procsel *procs; /* target processes to record */
	int n_procs;
	const char *const *extra_sysctls; /* sysctls a profile names, beyond the managed ones */
	int n_extra_sysctls;
	/*
	 * Only what the planner reads: no per-CPU counts of IRQs (0) and no
	 * effective affinity (unknown), and IRQ names from sys/kernel/irq/N/actions
	 * where the kernel has it, so /proc/interrupts is not read (plan, apply).
	 */
	bool plan_only;
	/* With plan_only: read the queues' RPS/XPS files too (a profile with rps
	 * or xps); without plan_only they are always read. */
	bool queue_files;
	/* Apply: the NIC IRQs' smp_affinity_list and the queue files (the
	 * thousands of files a plan writes) are read in keep mode (sysroot.h)
	 * and stay open for the transaction on the same root, which ends keep
	 * mode (tn_txn_run); a caller that runs none calls tn_sysroot_keep_end. */
	bool keep_files;
};

/*
 * Fill *out. Netlink (rings and channels) is used only when the root is the
 * host: under a sysroot those are reported unknown. Returns 0 or -errno with
 * the reason in d; *out is only written on success.
 */
int tn_discover(const struct tn_sysroot *root, const struct tn_discover_opts *o,
		struct tn_state *out, struct tn_diag *d);
/*
 * Discover one NIC of s again (by name), after apply changed its rings or
 * channels: queues, IRQs and their affinities, rings and channels. Its
 * identity and NUMA node are kept. 0, or -errno with the reason in d (s is
 * unchanged then).
 */
int tn_discover_nic(const struct tn_sysroot *root, struct tn_state *s, const char *ifname,
		    struct tn_diag *d);
/*
 * The name of IRQ irq as /proc/interrupts shows it ("a, b" for a shared one),
 * from sys/kernel/irq/N/actions (Linux 4.17+), into out: 1; 0 when there is
 * no such file or the IRQ has no handler; -EOVERFLOW when it is len bytes or
 * more; or -errno.
 */
int tn_discover_irq_name(const struct tn_sysroot *root, int irq, char *out, size_t len);
/*
 * Read NIC n's queue files (queues/rx-N/rps_cpus and rps_flow_cnt, tx-N/xps_cpus)
 * for N below its queue counts into n->rxq and n->txq (queue_read.c). A file
 * that is not a mask (or a count) is a warning and left out. 0 or -ENOMEM.
 */
int tn_discover_queues(const struct tn_sysroot *root, struct tn_nic *n, struct tn_diag *d);
/*
 * Read the values of snapshot s again, its structure kept (tuner watch's
 * periodic check: a writer that sends no event changes values, not NICs or
 * IRQs): each NIC IRQ's smp_affinity_list, the queues' RPS/XPS files where s
 * holds some or o->queue_files asks, rings, channels and coalescing (on the
 * host), the sysctls s holds, irqbalance and the processes of o->procs.
 * -ESTALE when an IRQ of s is gone (discover the host whole then); other
 * failures as tn_discover. On failure s is valid but partly refreshed.
 */
int tn_discover_refresh(const struct tn_sysroot *root, const struct tn_discover_opts *o,
			struct tn_state *s, struct tn_diag *d);
/* One affinity list (file: "smp_affinity_list", ...) of an IRQ into out: 1,
 * 0 when the file is there but unreadable or not a CPU list (a warning names
 * it; out is unknown then), -ENOENT when it is not there. */
int tn_discover_irq_list(const struct tn_sysroot *root, int irq, const char *file,
			 struct tn_cpus *out, struct tn_diag *d);
/* The stacked net devices (bonds, teams, bridges, VLANs) of the host into
 * s->stacked, s's NICs known and sorted (discover_stacked.c). 0 or -ENOMEM. */
int tn_discover_stacked(const struct tn_sysroot *root, struct tn_state *s, struct tn_diag *d);
/* Rings, channels and coalescing of s's NICs, through ethtool netlink (the
 * host only); what cannot be read is a warning and unknown. */
void tn_discover_rings(struct tn_state *s, struct tn_diag *d);
/* Read one sysctl by dotted name (the name must be valid). */
int tn_sysctl_read(const struct tn_sysroot *root, const char *name, struct tn_sysctl *out);
/* "net.core.x" -> "proc/sys/net/core/x" */
int tn_sysctl_path(const char *name, char *buf, size_t len);
/* The managed sysctls and the profile's (o->extra_sysctls), each once, in name
 * order, into s->sysctls (sysctl_read.c; a part of tn_discover). */
int tn_discover_sysctls(const struct tn_sysroot *root, const struct tn_discover_opts *o,
			struct tn_state *s, struct tn_diag *d);

#endif
