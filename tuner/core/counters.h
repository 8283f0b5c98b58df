/* SPDX-License-Identifier: MIT */
/*
 * Drop counters of the receive path: one sample of /proc/net/softnet_stat,
 * /proc/net/netstat, /proc/net/snmp, /proc/net/snmp6 and each NIC's link and
 * driver statistics. Pure data and pure parsers of the kernel's text formats;
 * tuner/sys reads the files, tuner/core/diagnose.c compares two samples. A
 * sample round-trips through JSON ('tuner show --counters --json').
 */
#ifndef TN_COUNTERS_H
#define TN_COUNTERS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "cpuset.h"
#include "diag.h"
#include "state.h"

#define TN_COUNTERS_SCHEMA 1

/* Input limits: a file or a list beyond these is refused, never cut. */
#define TN_SOFTNET_MAX_COLUMNS 32 /* kernels so far print 10, 11, 13 or 15 */
#define TN_SOFTNET_MAX_ROWS TN_CPU_MAX
#define TN_SOFTNET_LINE_MAX 1024
#define TN_NETSTAT_LINE_MAX 65536 /* one header line of /proc/net/netstat */
#define TN_NETSTAT_MAX_GROUPS 64
#define TN_NETSTAT_MAX_FIELDS 1024 /* names in one group */
#define TN_COUNTERS_MAX 16384	   /* netstat + snmp + snmp6 entries, or one NIC's */
#define TN_COUNTERS_MAX_NICS 1024
#define TN_COUNTER_FILE_MAX (4 << 20) /* bytes of one counter file */
#define TN_CTR_GROUP_MAX 16
#define TN_CTR_NAME_MAX 64	    /* ETH_GSTRING_LEN is 32 */
#define TN_NETNS_SYSCTLS_MAX 32	    /* sysctls of the snapshot found in a --netns namespace */
#define TN_COUNTERS_MAX_QUEUES 4096 /* rx queues of one NIC: ids from 0 to this - 1 */

/* One CPU's line of /proc/net/softnet_stat. Values are the kernel's 32-bit
 * counters (they wrap). */
struct tn_softnet_cpu {
	int cpu; /* from the CPU-index column; -1 where the kernel has none */
	uint64_t processed;
	uint64_t dropped;	   /* backlog (netdev_max_backlog) full */
	uint64_t time_squeeze;	   /* net_rx_action ran out of budget or time */
	uint64_t received_rps;	   /* packets steered here by RPS/RFS (IPIs) */
	uint64_t flow_limit_count; /* dropped by flow limit (0 when not reported) */
	bool has_flow_limit;
};

/* A named counter: netstat ("TcpExt", "PruneCalled"), snmp ("Udp",
 * "RcvbufErrors"), a NIC's link ("link", "rx_missed_errors") or driver
 * ("driver", "rx_out_of_buffer") statistic. */
struct tn_counter {
	char group[TN_CTR_GROUP_MAX];
	char name[TN_CTR_NAME_MAX];
	uint64_t value;
};

struct tn_counter_list {
	int n, cap;
	struct tn_counter *v; /* sorted by (group, name) once tn_counter_list_sort ran */
};

/* The per-queue drop counters of netdev-genl qstats (scope queue), named as
 * the kernel's netdev.yaml names them. */
enum { TN_QCTR_RX_HW_DROPS, TN_QCTR_RX_ALLOC_FAIL, TN_QCTR_N };
extern const char *const tn_qctr_names[TN_QCTR_N];

struct tn_queue_counters {
	int queue;	     /* the rx queue's id */
	bool has[TN_QCTR_N]; /* the driver reports it */
	uint64_t v[TN_QCTR_N];
};

struct tn_nic_counters {
	char name[TN_IFNAME_MAX];
	char driver[TN_NAME_MAX];
	struct tn_counter_list stats;
	int n_queues;			  /* 0: no per-queue qstats (older samples, drivers) */
	struct tn_queue_counters *queues; /* sorted by queue, each once */
};

struct tn_sample {
	int schema_version;
	char hostname[TN_NAME_MAX];
	char boot_id[40];	 /* /proc/sys/kernel/random/boot_id, "" when unknown */
	char netns[TN_NAME_MAX]; /* "" for the namespace tuner runs in, "NAME" or "pid:N" */
	/* With --netns: the sysctls of the snapshot that the namespace has its own
	 * copy of (per-namespace knobs: tcp_rmem, somaxconn, ...); the snapshot
	 * holds the namespace's values of these, the host's of the others. */
	int n_netns_sysctls;
	char netns_sysctls[TN_NETNS_SYSCTLS_MAX][TN_SYSCTL_NAME_MAX];
	uint64_t time_us;  /* CLOCK_BOOTTIME when taken, microseconds */
	int64_t wall_time; /* seconds since the epoch */
	int softnet_columns;
	int n_softnet;
	struct tn_softnet_cpu *softnet; /* sorted by cpu */
	struct tn_counter_list net;	/* netstat, snmp, snmp6 */
	int n_nics;
	struct tn_nic_counters *nics; /* sorted by name */
	/* Why a CPU's backlog is used: */
	int rps_queues;	    /* rx queues with a non-empty rps_cpus mask */
	int bridge_ports;   /* interfaces enslaved to a bridge */
	int virtual_ifaces; /* interfaces without a device (veth, tunnels), not lo */
	bool has_state;
	struct tn_state state; /* the snapshot taken with the sample */
};

void tn_sample_init(struct tn_sample *s);
void tn_sample_free(struct tn_sample *s); /* accepts NULL; leaves *s initialised */

void tn_counter_list_free(struct tn_counter_list *l);
/* Append; -ENOMEM, or -E2BIG past TN_COUNTERS_MAX entries. */
int tn_counter_list_add(struct tn_counter_list *l, const char *group, const char *name,
			uint64_t value);
/* Sort by (group, name); -EEXIST (and *dup set to the first duplicate) when a
 * name is there twice. */
int tn_counter_list_sort(struct tn_counter_list *l, const struct tn_counter **dup);
/* Binary search of a sorted list; NULL when absent. */
const struct tn_counter *tn_counter_find(const struct tn_counter_list *l, const char *group,
					 const char *name);

/*
 * /proc/net/softnet_stat: one line per online CPU, 10 to TN_SOFTNET_MAX_COLUMNS
 * hexadecimal columns, the same count on every line. The CPU comes from
 * column 13 where there is one (13 and more columns, kernels 5.10 and later),
 * else it is -1 (see tn_softnet_assign_cpus). Returns 0, -EINVAL with a
 * message naming the line and column in d, or -ENOMEM; *out untouched on failure.
 */
int tn_softnet_parse(const char *text, struct tn_softnet_cpu **out, int *n, int *columns,
		     struct tn_diag *d);
/* Kernels without the CPU column print one line per online CPU in order:
 * give row k the k-th online CPU. -EINVAL when the counts differ. */
int tn_softnet_assign_cpus(struct tn_softnet_cpu *rows, int n, const struct tn_cpuset *online,
			   struct tn_diag *d);

/*
 * /proc/net/netstat and /proc/net/snmp: pairs of lines "Group: Name1 Name2"
 * and "Group: 1 2". Appends every non-negative value to l (a negative one,
 * such as Tcp MaxConn -1, is a limit, not a counter, and is skipped). -EINVAL
 * with a message naming the line, or -ENOMEM; l unchanged on failure.
 */
int tn_netstat_parse(const char *text, struct tn_counter_list *l, struct tn_diag *d);
/* /proc/net/snmp6: "Udp6InErrors 0" lines; the group is the name's prefix
 * (Ip6, Icmp6, Udp6, UdpLite6); other lines are skipped. */
int tn_snmp6_parse(const char *text, struct tn_counter_list *l, struct tn_diag *d);

/*
 * The increase of a counter between two samples. A 32-bit counter (softnet)
 * that went down wrapped once; a 64-bit one that went down was reset (the
 * interface or namespace was recreated): false.
 */
bool tn_counter_delta(uint64_t before, uint64_t after, bool is32, uint64_t *out);

/* JSON: {"schema_version", "kind": "counters", ..., "state": {...}}. */
cJSON *tn_sample_to_json(const struct tn_sample *s);
int tn_sample_from_json(const cJSON *j, const char *file, const char *text, struct tn_sample *out,
			struct tn_diag *d);
int tn_sample_parse(const char *text, const char *file, struct tn_sample *out, struct tn_diag *d);

#endif
