/* SPDX-License-Identifier: MIT */
/*
 * The state snapshot: everything discovery found about a host. Pure data;
 * tuner/sys fills it, tuner/core plans from it, and it round-trips through JSON
 * (state_json.c) so that a planner test or a bug report needs no machine.
 */
#ifndef TN_STATE_H
#define TN_STATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cpuset.h"
#include "enumname.h"

#define TN_SCHEMA_VERSION 1

#define TN_IFNAME_MAX 16 /* IFNAMSIZ */
#define TN_NAME_MAX 64
#define TN_PCI_MAX 32
/* An IRQ's name (its action list), at most, with its NUL: a row of
 * /proc/interrupts with a longer one is refused, not cut (an actions file, a
 * page, makes at most 8 KiB). The bound keeps a journal record within its
 * line (TN_JOURNAL_LINE_MAX) when every byte is escaped (6 bytes each). */
#define TN_IRQNAME_MAX (64 << 10)
#define TN_SYSCTL_NAME_MAX 128
/* A sysctl value longer than this (1 MiB) is refused, never cut. */
#define TN_SYSCTL_VALUE_MAX (1 << 20)
#define TN_PATH_MAX 4096

/*
 * What a snapshot may hold; the loader refuses more, naming the limit. Beyond
 * any real host, and small enough that a hostile file cannot make tuner take
 * gigabytes (a core, an IRQ, a thread each carry 1-2 KiB of CPU sets).
 */
#define TN_NODES_MAX 1024	/* the kernel's MAX_NUMNODES at its largest (NODES_SHIFT 10) */
#define TN_CORES_MAX TN_CPU_MAX /* a core has at least one CPU */
#define TN_NICS_MAX 65536
#define TN_IRQS_MAX 65536 /* NIC IRQs, over all NICs */
#define TN_SYSCTLS_MAX 65536
#define TN_BANNED_IRQS_MAX 65536
#define TN_PROCESSES_MAX 65536
#define TN_THREADS_MAX 262144 /* over all processes */

/* Unknown numeric value (a ring size netlink could not tell, a link speed
 * reported while the link is down...). */
#define TN_UNKNOWN (-1)

struct tn_numa_node {
	int id;		       /* OS index */
	struct tn_cpuset cpus; /* all CPUs of the node, online or not */
	uint64_t memory_kb;    /* 0 when unknown */
};

/* A physical core and its hardware threads (SMT siblings). */
struct tn_core {
	int id;	     /* dense index in the snapshot, in topology order */
	int node;    /* NUMA node OS index, -1 when unknown */
	int package; /* OS index of the package, -1 when unknown */
	struct tn_cpuset cpus;
};

struct tn_topology {
	char source[TN_NAME_MAX]; /* "live", "xml:FILE", "json" */
	int n_nodes;
	struct tn_numa_node *nodes; /* sorted by id (discovery sorts; the loader checks) */
	/* n_nodes * n_nodes relative distances (row = from), or NULL when unknown */
	uint32_t *distances;
	int n_cores;
	struct tn_core *cores; /* in topology order */
	struct tn_cpuset cpus; /* every CPU the topology knows */
	struct tn_cpuset online;
	struct tn_cpuset isolated;
	struct tn_cpuset nohz_full;
};

/* TN_IRQ_OTHER (0) first: a vector that is no queue's */
/* clang-format off */
#define TN_IRQ_KIND_LIST(X) \
	X(TN_IRQ_OTHER, "other") X(TN_IRQ_RX, "rx") X(TN_IRQ_TX, "tx") X(TN_IRQ_TXRX, "txrx")
/* clang-format on */

enum tn_irq_kind { TN_IRQ_KIND_LIST(TN_ENUM_MEMBER) };

struct tn_irq {
	int irq;
	char *name; /* its actions as /proc/interrupts shows them,
					 * owned; never NULL in a discovered or
					 * loaded snapshot */
	enum tn_irq_kind kind;
	int queue; /* queue index, -1 for other vectors */
	bool has_affinity;
	struct tn_cpus affinity; /* smp_affinity_list (sized: thousands of IRQs) */
	bool has_effective;
	struct tn_cpus effective; /* effective_affinity_list, where reported */
	uint64_t count;		  /* sum over CPUs in /proc/interrupts */
	bool managed;		  /* kernel-managed affinity (debugfs says so) */
	uint32_t napi_id;	  /* the NAPI instance netdev-genl links it to, 0 none */
};

/* Where a NIC's IRQ kinds and queues came from: the driver's own links
 * (netdev-genl queue-get/napi-get, Linux 6.8+), or the IRQ name table. */
#define TN_QUEUE_SOURCE_GENL "netdev-genl"
#define TN_QUEUE_SOURCE_NAME "irq_name"

struct tn_ring {
	int64_t rx, rx_max, tx, tx_max; /* TN_UNKNOWN when not reported */
};

struct tn_channels {
	int64_t rx, rx_max, tx, tx_max, other, other_max, combined, combined_max;
};

/* Queues a NIC may have in each direction, at most (the snapshot's limit). */
#define TN_NIC_QUEUES_MAX 16384
/* Queue files over all NICs (rx and tx), at most. */
#define TN_QUEUE_FILES_MAX (1 << 20)

/* A queue's RPS or XPS files (queues/rx-N, queues/tx-N in sysfs). */
struct tn_qfiles {
	int index;	  /* N of rx-N / tx-N */
	char *mask;	  /* rps_cpus / xps_cpus as the kernel prints it
					 * (tn_hexmask), NULL when absent */
	int64_t flow_cnt; /* rx: rps_flow_cnt; TN_UNKNOWN when absent, tx */
};

/*
 * Interrupt coalescing (ethtool -c). The kernel reports a parameter when the
 * driver supports it (or, unsupported, when it is non-zero): a field it does
 * not report is TN_UNKNOWN, and the planner takes it as unsupported.
 */
struct tn_coalesce {
	int64_t rx_usecs, rx_frames, tx_usecs;
	int64_t adaptive_rx; /* 0 or 1 */
};

struct tn_nic {
	char name[TN_IFNAME_MAX];
	int ifindex;
	char driver[TN_NAME_MAX];     /* "" when unknown */
	char pci[TN_PCI_MAX];	      /* "0000:04:00.0", "" when not on PCI */
	char bus_device[TN_NAME_MAX]; /* device node name: PCI address or "virtio2" */
	int numa_node;		      /* -1 when unknown */
	char numa_source[16];	      /* "hwloc", "sysfs", "local_cpulist", "none" */
	char queue_source[16];	      /* TN_QUEUE_SOURCE_GENL or _NAME */
	char operstate[16];
	int64_t speed; /* Mb/s, TN_UNKNOWN when not reported */
	int mtu;
	int txqueuelen;
	int rx_queues, tx_queues;
	bool has_ring; /* false when netlink was not asked or failed */
	struct tn_ring ring;
	bool has_channels;
	struct tn_channels channels;
	bool has_coalesce; /* false when netlink was not asked or failed */
	struct tn_coalesce coalesce;
	int n_irqs;
	struct tn_irq *irqs; /* sorted by irq number */
	int n_rxq, n_txq;    /* queues whose files were read, by index */
	struct tn_qfiles *rxq, *txq;
};

struct tn_sysctl {
	char name[TN_SYSCTL_NAME_MAX]; /* dotted: "net.core.netdev_budget" */
	bool present;		       /* the file exists on the host */
	char *value;		       /* malloc'ed, whitespace folded to single spaces;
					 * NULL when not present */
};

struct tn_irqbalance {
	bool running;
	int pid; /* 0 when not running */
	struct tn_cpuset banned_cpus;
	int n_banned_irqs;
	int *banned_irqs;
};

struct tn_thread {
	int tid;
	char comm[TN_NAME_MAX];
	struct tn_cpuset affinity; /* Cpus_allowed_list */
};

struct tn_process {
	int pid;
	int64_t uid; /* real uid (Uid: of status), TN_UNKNOWN if not read */
	/* field 22 of /proc/PID/stat: with the pid, which process this is (a
	 * pid is reused once its process exits); false when it cannot be read */
	bool has_start_time;
	uint64_t start_time; /* clock ticks after boot */
	char comm[TN_NAME_MAX];
	char *cmdline;		       /* arguments joined by spaces, never NULL once filled */
	char *cgroup;		       /* unified (v2) cgroup path, or "" */
	bool has_memory_nodes;	       /* numa_maps was readable */
	struct tn_cpuset memory_nodes; /* NUMA nodes holding its pages (node ids) */
	int n_threads;
	struct tn_thread *threads; /* sorted by tid */
};

/* Stacked devices in a snapshot, and lower devices kept per device. */
#define TN_STACKED_MAX 65536
#define TN_STACKED_LOWER_MAX 64

/*
 * A net device with no IRQs of its own, stacked on others: a bond, team,
 * bridge or VLAN (any device with lower devices, and bonds and bridges
 * without). Not a NIC: what a profile rule that names it is told to match.
 */
struct tn_stacked {
	char name[TN_IFNAME_MAX];
	char kind[16]; /* "bond", "bridge", "vlan", ... or "virtual" */
	int n_lower;
	char (*lower)[TN_IFNAME_MAX]; /* its lower NICs and stacked devices, sorted */
};

struct tn_state {
	int schema_version;
	char hostname[TN_NAME_MAX];
	char kernel[TN_NAME_MAX];
	struct tn_topology topo;
	int n_nics;
	struct tn_nic *nics; /* sorted by name */
	int n_sysctls;
	struct tn_sysctl *sysctls; /* sorted by name */
	struct tn_irqbalance irqbalance;
	int n_processes;
	struct tn_process *processes; /* sorted by pid */
	int n_stacked;
	struct tn_stacked *stacked; /* sorted by name */
};

/* The sysctls tuner always reads, whatever the profile. */
extern const char *const tn_managed_sysctls[];

void tn_state_init(struct tn_state *s);
void tn_state_free(struct tn_state *s);	     /* accepts NULL; leaves *s initialised */
void tn_nic_free(struct tn_nic *nic);	     /* its IRQs too */
void tn_nic_free_queues(struct tn_nic *nic); /* its RPS/XPS files (rxq, txq) */
void tn_irq_free(struct tn_irq *q);	     /* its name and CPU sets; accepts NULL */
void tn_process_free(struct tn_process *p);
void tn_sysctl_free(struct tn_sysctl *sc);   /* its value; accepts NULL */
void tn_stacked_free(struct tn_stacked *st); /* its lower list; accepts NULL */

const char *tn_irq_kind_name(enum tn_irq_kind k);
/* Returns the kind, or -EINVAL for an unknown name. */
int tn_irq_kind_parse(const char *name);

const struct tn_numa_node *tn_topology_node(const struct tn_topology *t, int id);
const struct tn_numa_node *tn_state_node(const struct tn_state *s, int id);
const struct tn_nic *tn_state_nic(const struct tn_state *s, const char *name);
const struct tn_sysctl *tn_state_sysctl(const struct tn_state *s, const char *name);
/* A stacked device by name (s sorted), or NULL. */
const struct tn_stacked *tn_state_stacked(const struct tn_state *s, const char *name);
/* Distance between two nodes by OS index; 0 when unknown. */
uint32_t tn_topology_distance(const struct tn_topology *t, int from, int to);
/* NUMA node of a CPU, or -1. */
int tn_topology_cpu_node(const struct tn_topology *t, int cpu);

/*
 * A sysctl name is valid when it is made of dot-separated, non-empty
 * components of [A-Za-z0-9_-] (and '*'-free), with no '/' and no "..".
 * Such a name maps to /proc/sys/<name with dots as slashes>.
 */
bool tn_sysctl_name_valid(const char *name);
/* Fold runs of spaces, tabs and newlines into one space and trim. */
void tn_sysctl_value_normalise(const char *in, char *out, size_t len);
/* The same, whole, into a malloc'ed string; NULL on out-of-memory. */
char *tn_sysctl_value_fold(const char *in);

/* Sort helpers, used by discovery and the JSON loader to keep snapshots canonical. */
void tn_state_sort(struct tn_state *s);

#endif
