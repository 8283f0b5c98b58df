/* SPDX-License-Identifier: MIT */
/*
 * Where a host loses packets, and which knob would help: a pure function of
 * two counter samples (and the snapshot taken with the later one). Each
 * finding names the stage, the rate of loss, the evidence, and the knobs with
 * bounded values, never lower than the current ones.
 */
#ifndef TN_DIAGNOSE_H
#define TN_DIAGNOSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "counters.h"
#include "diag.h"
#include "enumname.h"
#include "profile.h"

/* Bounds of recommended values (README "diagnose"). */
#define TN_DIAG_BACKLOG_CAP 65536	     /* netdev_max_backlog: by the drops, to this */
#define TN_DIAG_BUDGET_MIN 600		     /* netdev_budget: x2, at least this, */
#define TN_DIAG_BUDGET_CAP 2400		     /* at most this */
#define TN_DIAG_BUDGET_USECS_CAP 8000	     /* netdev_budget_usecs: 8 ms at most, */
#define TN_DIAG_MAX_BUDGET_USECS_MIN 1	     /* or the bound given, from this */
#define TN_DIAG_MAX_BUDGET_USECS_MAX 1000000 /* to this (1 s) */
#define TN_DIAG_TCP_RMEM_CAP (64 << 20)	     /* tcp_rmem max: x2 up to 64 MiB */
#define TN_DIAG_RMEM_MAX_CAP (64 << 20)	     /* rmem_max: x2 up to 64 MiB */
#define TN_DIAG_RMEM_DEFAULT_CAP (8 << 20)   /* rmem_default: x2 up to 8 MiB */
#define TN_DIAG_SOMAXCONN_CAP 65535	     /* somaxconn: x2 up to this */

/* Sysctls diagnose reads beyond the managed ones. */
extern const char *const tn_diag_sysctls[];

/*
 * The stages, in order, with their JSON names:
 *  nic_ring: rx ring or FIFO of the NIC overflowed
 *  nic_port_buffer: the NIC's port buffer (no host setting fixes it)
 *  cloud_allowance: the cloud instance's allowance (no host setting fixes it)
 *  nic_rx_dropped: the kernel's rx_dropped of the interface
 *  softirq_budget: softirq out of budget or time (time_squeeze)
 *  backlog: per-CPU backlog full (softnet dropped)
 *  flow_limit: flow limit dropped the heaviest flows
 *  tcp_rcvbuf: TCP receive queue pruned, collapsed or dropped
 *  listen_queue: listen queue overflowed
 *  udp_rcvbuf: UDP receive buffer full
 */
/* clang-format off */
#define TN_STAGE_LIST(X)                                                                  \
	X(TN_STAGE_NIC_RING, "nic_ring") X(TN_STAGE_NIC_PORT, "nic_port_buffer")          \
	X(TN_STAGE_CLOUD_LIMIT, "cloud_allowance") X(TN_STAGE_NIC_DROPPED, "nic_rx_dropped") \
	X(TN_STAGE_BUDGET, "softirq_budget") X(TN_STAGE_BACKLOG, "backlog")                \
	X(TN_STAGE_FLOW_LIMIT, "flow_limit") X(TN_STAGE_TCP_RCVBUF, "tcp_rcvbuf")          \
	X(TN_STAGE_LISTEN, "listen_queue") X(TN_STAGE_UDP_RCVBUF, "udp_rcvbuf")
/* clang-format on */

enum tn_stage { TN_STAGE_LIST(TN_ENUM_MEMBER) TN_STAGE_COUNT };

const char *tn_stage_name(enum tn_stage s);

/* Which driver statistics (ethtool -S names) mean what. */
enum tn_nicstat_kind {
	TN_NICSTAT_NONE,
	TN_NICSTAT_RING,      /* rx ring/buffer exhaustion: the host can help */
	TN_NICSTAT_PORT,      /* port buffer discards: no host setting fixes them */
	TN_NICSTAT_ALLOWANCE, /* cloud allowance exceeded: no host setting fixes it */
};

enum tn_nicstat_kind tn_nicstat_classify(const char *driver, const char *name);
/* The same, and the rx queue a per-queue statistic counts (virtio's
 * rx_queue_3_drops, bnxt's "[3]: rx_discards", ...): *queue is -1 for a
 * device-wide one, or a queue id beyond TN_COUNTERS_MAX_QUEUES - 1. */
enum tn_nicstat_kind tn_nicstat_classify_queue(const char *driver, const char *name, int *queue);

enum tn_knob_kind {
	TN_KNOB_SYSCTL,
	TN_KNOB_RING, /* target: the NIC; after[0] TN_VAL_MAX when the max is unknown */
};

#define TN_FINDING_MAX_KNOBS 3

struct tn_knob {
	enum tn_knob_kind kind;
	char target[TN_SYSCTL_NAME_MAX];      /* sysctl name, or the NIC */
	int n_fields;			      /* 1, or 3 for tcp_rmem */
	int64_t before[TN_SYSCTL_MAX_FIELDS]; /* TN_UNKNOWN when not known */
	int64_t after[TN_SYSCTL_MAX_FIELDS];
	bool covered;	/* the profile already asks for as much */
	bool per_netns; /* a sysctl of the --netns namespace */
};

/* An rx queue of a NIC that dropped (qstats per queue, per-queue driver statistics). */
struct tn_queue_loss {
	int queue;
	uint64_t count; /* packets lost over the interval */
	double rate;	/* per second */
};

struct tn_finding {
	enum tn_stage stage;
	char where[TN_IFNAME_MAX]; /* the NIC, or "" */
	struct tn_cpuset cpus;	   /* CPUs concerned (softnet stages, the NIC's IRQ CPUs) */
	uint64_t count;		   /* packets lost over the interval */
	double rate;		   /* per second */
	bool fixable;		   /* false: no host setting helps */
	int n_knobs;
	struct tn_knob knobs[TN_FINDING_MAX_KNOBS];
	char evidence[1024];
	char advice[1024];
	int n_queues;		      /* nic_ring: the rx queues that dropped, where known */
	struct tn_queue_loss *queues; /* by queue; owned (tn_diagnosis_free) */
};

struct tn_diagnosis {
	double interval;	 /* seconds between the samples */
	char profile[128];	 /* the profile the findings were checked against */
	char netns[TN_NAME_MAX]; /* the samples' network namespace ("" tuner's own) */
	int n;
	struct tn_finding *findings; /* worst (highest rate) first */
};

void tn_diagnosis_free(struct tn_diagnosis *dg);

/*
 * Compare two samples of the same boot; 'b' must carry its snapshot. 'prof'
 * (may be NULL) is the profile the findings are checked against ("covered").
 * Returns 0, -EINVAL (samples that cannot be compared, said in d) or -ENOMEM.
 */
int tn_diagnose(const struct tn_sample *a, const struct tn_sample *b, const struct tn_profile *prof,
		struct tn_diagnosis *out, struct tn_diag *d);

struct tn_diagnose_opts {
	/* netdev_budget_usecs is recommended up to this (0: TN_DIAG_BUDGET_USECS_CAP;
	 * else TN_DIAG_MAX_BUDGET_USECS_MIN to _MAX): a slower machine than any host
	 * (an emulated guest) may need a longer softirq than tuner's own bound. */
	int64_t max_budget_usecs;
};

/* tn_diagnose with options (NULL: the defaults); -EINVAL for a bound out of range. */
int tn_diagnose_with_opts(const struct tn_sample *a, const struct tn_sample *b,
			  const struct tn_profile *prof, const struct tn_diagnose_opts *opts,
			  struct tn_diagnosis *out, struct tn_diag *d);

/* The first interface rule of p that matches n, or -1. */
int tn_diag_profile_rule(const struct tn_profile *p, const struct tn_nic *n);

/* A knob's value as text: "4096", "4096 131072 6291456", "max", "unknown". */
void tn_knob_format(const int64_t *v, int n, char *buf, size_t len);

cJSON *tn_diagnosis_to_json(const struct tn_diagnosis *dg);

/*
 * The profile holding exactly the recommended changes that 'parent' does not
 * already cover (its knobs "covered" are left to it), extending 'parent'
 * (its name or file, as given to --profile): the parent's interface rules are
 * kept, with a rule per NIC whose rx ring is to be raised put first (a copy of
 * the parent's rule for it, so its IRQs stay placed as before).
 */
cJSON *tn_diagnosis_profile(const struct tn_diagnosis *dg, const struct tn_state *s,
			    const struct tn_profile *parent, const char *parent_ref);

#endif
