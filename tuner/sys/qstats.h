/* SPDX-License-Identifier: MIT */
/*
 * The queue statistics of netdev-genl (NETDEV_CMD_QSTATS_GET, kernels 6.9 and
 * later, drivers that implement them), through libnl-genl: every device's
 * totals (scope device), and one device's rx queues (scope queue). Live host
 * only: netlink has no sysroot.
 */
#ifndef TN_QSTATS_H
#define TN_QSTATS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TN_QSTATS_MAX_DEVS 65536  /* devices in one dump; beyond: refused */
#define TN_QSTATS_MAX_QUEUES 4096 /* rx queue ids of one device; beyond: refused */
#define TN_QSTATS_MAX_MSGS (2 * TN_QSTATS_MAX_DEVS) /* messages of one dump (rx and tx) */
#define TN_QSTATS_TIMEOUT_S 5			    /* no answer within: -ETIMEDOUT */

enum { TN_QSTAT_RX_ALLOC_FAIL, TN_QSTAT_RX_HW_DROPS, TN_QSTAT_RX_HW_DROP_OVERRUNS, TN_QSTAT_N };

/* The counters' names, as the kernel's netdev.yaml spells them. */
extern const char *const tn_qstat_names[TN_QSTAT_N];

struct tn_qstats {
	int ifindex;
	int queue;	      /* -1: the device's totals; else the rx queue's id */
	bool has[TN_QSTAT_N]; /* the driver reports it */
	uint64_t v[TN_QSTAT_N];
};

/*
 * One message of a dump (exposed for tests). Returns 0; 1 for a queue that
 * is not an rx queue (tx, or a queue type of a later kernel: not ours);
 * -EBADMSG for a message without a valid ifindex, with a counter neither 4
 * nor 8 bytes long, or with a queue type without an id (or the reverse);
 * -E2BIG for a queue id from TN_QSTATS_MAX_QUEUES on. out untouched unless 0.
 */
struct nlmsghdr;
int tn_qstats_parse(struct nlmsghdr *nlh, struct tn_qstats *out);

/* What one dump collects (exposed for tests and the fuzzer). */
struct tn_qstats_list {
	int ifindex; /* 0: every device's totals; else this device's rx queues */
	int n, cap, msgs;
	struct tn_qstats *v;
};

/*
 * Add one message of the dump to l: 0 (added, or a tx queue skipped);
 * -EBADMSG for a malformed message, one of another device, a device's totals
 * in a queue dump or a queue in a device dump; -E2BIG past the bounds above;
 * -ENOMEM. tn_qstats_list_finish sorts by (ifindex, queue): -EBADMSG when an
 * entry is there twice.
 */
int tn_qstats_list_add(struct tn_qstats_list *l, struct nlmsghdr *nlh);
int tn_qstats_list_finish(struct tn_qstats_list *l);
void tn_qstats_list_free(struct tn_qstats_list *l);

struct tn_diag;
struct tn_qstats_sock;
/* 0; 1 when the kernel has no netdev-genl family (before 6.2): *out NULL;
 * or -errno with the reason in d. */
int tn_qstats_open(struct tn_qstats_sock **out, struct tn_diag *d);
void tn_qstats_close(struct tn_qstats_sock *qs); /* accepts NULL */
/*
 * ifindex 0: one dump of every device's totals; else one of that device's
 * rx queues (*n 0 when the device is gone). Sorted by (ifindex, queue).
 * Returns 0 (*n 0 on a kernel without the qstats command), or -errno with
 * the reason in d; out untouched on failure.
 */
int tn_qstats_get(struct tn_qstats_sock *qs, int ifindex, struct tn_qstats **out, int *n,
		  struct tn_diag *d);
/*
 * Another dump of the same family (napi.c): cmd, with a u32 ifindex filter
 * attribute when ifindex > 0; each message of the answer to cb (a negative
 * return from cb ends the dump with that error, nothing said in d for the
 * caller to describe). 0; 1 when the kernel has no such command; or -errno with the
 * reason in d.
 */
int tn_qstats_dump(struct tn_qstats_sock *qs, uint8_t cmd, int ifindex_attr, int ifindex,
		   int (*cb)(struct nlmsghdr *nlh, void *arg), void *arg, struct tn_diag *d);
/* Binary search of a sorted list: the device's totals; NULL when absent. */
const struct tn_qstats *tn_qstats_find(const struct tn_qstats *v, int n, int ifindex);

#endif
