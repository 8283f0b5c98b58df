/* SPDX-License-Identifier: MIT */
/*
 * The kernel side of the change-kind registry (core/kind.h): for each kind,
 * how its live value is read and written. One file per kind family
 * (kind_sysctl.c, kind_irq.c, kind_ring.c, kind_process.c, kind_irqbalance.c)
 * defines its struct tn_kind_sys; live.c indexes them by enum tn_change_kind.
 * Private to sys: the rest of the program goes through live.h and txn.h.
 *
 * Every function returns 0 or -errno; the kernel's own words, where there are
 * some, go to d as its error (warnings as warnings). -ESRCH: the process or
 * thread is gone (or another one has the pid); -ENOENT: the object is gone;
 * -EOPNOTSUPP: not reachable here (rings under a sysroot).
 */
#ifndef TN_KIND_SYS_H
#define TN_KIND_SYS_H

#include <stdbool.h>

#include "diag.h"
#include "ethtool.h"
#include "live.h"

struct tn_live {
	const struct tn_sysroot *root;
	struct tn_ethtool *et; /* opened on first use (tn_live_ethtool) */
};

struct tn_kind_sys {
	/* The value now, malloc'ed into *out. check: a process change checks
	 * first that the pid is still the process recorded (a readback right
	 * after a write or a check does not). */
	int (*read)(struct tn_live *l, const struct tn_change *c, bool check, char **out,
		    struct tn_diag *d);
	int (*write)(struct tn_live *l, const struct tn_change *c, const char *value,
		     struct tn_diag *d);
	/* Optional: whether the target is still the object recorded (processes). */
	int (*check)(struct tn_live *l, const struct tn_change *c, struct tn_diag *d);
	/* Optional: the reason a failed write (ret) is skipped, not failed
	 * ("kernel-managed IRQ"); NULL when it is a failure. */
	const char *(*skip_reason)(int ret);
	/* Optional: after a write read back as wanted, warn of what is not yet
	 * so (the effective affinity of an IRQ). what: the change's label. */
	void (*settled)(struct tn_live *l, const struct tn_change *c, const char *what,
			struct tn_diag *d);
	const char *gone; /* what exited on -ESRCH: "process", "thread" */
	bool may_exit;	  /* -ESRCH on the re-read before apply: skipped, not an error */
};

extern const struct tn_kind_sys tn_kind_sys_sysctl;
extern const struct tn_kind_sys tn_kind_sys_irq;
extern const struct tn_kind_sys tn_kind_sys_rps_cpus;
extern const struct tn_kind_sys tn_kind_sys_rps_flow_cnt;
extern const struct tn_kind_sys tn_kind_sys_xps_cpus;
extern const struct tn_kind_sys tn_kind_sys_ring;
extern const struct tn_kind_sys tn_kind_sys_channels;
extern const struct tn_kind_sys tn_kind_sys_coalesce;
extern const struct tn_kind_sys tn_kind_sys_process_cpus;
extern const struct tn_kind_sys tn_kind_sys_process_memory;
extern const struct tn_kind_sys tn_kind_sys_irqbalance;

/* The sys entry of c's kind (never NULL for a kind of the enum). */
const struct tn_kind_sys *tn_live_ops(const struct tn_change *c);

/* Shared by the kind files. */
int tn_live_list_value(const struct tn_cpuset *s, char **out);
int tn_live_canon_list(const char *in, char **out);
/* Write value and a newline, whole; tabs: fields separated by tabs (sysctls). */
int tn_live_write_line(struct tn_live *l, const char *rel, const char *value, bool tabs);
/* The ethtool netlink handle, opened on first use; -EOPNOTSUPP under a sysroot. */
int tn_live_ethtool(struct tn_live *l, struct tn_diag *d);

#endif
