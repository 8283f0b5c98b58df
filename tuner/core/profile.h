/* SPDX-License-Identifier: MIT */
/*
 * Profiles: what an operator wants, as JSON (profiles/schema.json). Parsing
 * checks everything that can be checked without a host; the planner checks the
 * rest against a snapshot.
 */
#ifndef TN_PROFILE_H
#define TN_PROFILE_H

#include <stdbool.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "cpuset.h"
#include "diag.h"
#include "enumname.h"
#include "procmatch.h"

/* Special values of ring and channel targets. */
#define TN_VAL_UNSET (-1)
#define TN_VAL_MAX (-2)
#define TN_VAL_CPUS (-3) /* channels.combined: one per IRQ CPU */

enum tn_cpu_policy {
	TN_CPUS_LOCAL,	/* the NIC's NUMA node */
	TN_CPUS_REMOTE, /* the other nodes */
	TN_CPUS_NODES,	/* listed nodes */
	TN_CPUS_LIST,	/* listed CPUs */
};

struct tn_irq_rule {
	bool set;
	enum tn_cpu_policy policy;
	struct tn_cpuset nodes; /* TN_CPUS_NODES: node ids as a set */
	struct tn_cpuset cpus;	/* TN_CPUS_LIST */
	int count;		/* 0: every candidate CPU */
	bool smt_allow;
	bool has_exclude; /* else the default exclusions */
	struct tn_cpuset exclude;
};

struct tn_iface_match {
	char name[64];	 /* fnmatch glob; "" matches any */
	char driver[64]; /* "" matches any */
	char pci[32];	 /* "" matches any */
	bool physical;	 /* "all": every NIC with a device */
};

/* rps.cpus of an interface rule (profile_rps.c) */
enum tn_rps_policy {
	TN_RPS_UNSET, /* no "rps": rps_cpus left alone */
	TN_RPS_LOCAL, /* the planner's default (see README) */
	TN_RPS_NONE,  /* RPS off: empty masks */
	TN_RPS_LIST,  /* listed CPUs */
};

/* Largest rps.flow_entries: the kernel caps rps_sock_flow_entries at 2^29. */
#define TN_RPS_FLOW_ENTRIES_MAX (1 << 29)

struct tn_rps_rule {
	enum tn_rps_policy policy;
	struct tn_cpuset cpus; /* TN_RPS_LIST */
	int64_t flow_entries;  /* 0 .. TN_RPS_FLOW_ENTRIES_MAX, or TN_VAL_UNSET */
};

enum tn_xps_policy {
	TN_XPS_UNSET, /* no "xps": xps_cpus left alone */
	TN_XPS_IRQ,   /* tx-N to the CPUs of queue N's IRQ */
	TN_XPS_NONE,  /* XPS off: empty masks */
};

/* An interface rule's "coalesce": each parameter a number (adaptive_rx 0 or
 * 1) or TN_VAL_UNSET. */
#define TN_COALESCE_VALUE_MAX 1000000 /* usecs: one second; frames likewise */
struct tn_coalesce_rule {
	int64_t rx_usecs, rx_frames, tx_usecs, adaptive_rx;
};

struct tn_iface_rule {
	struct tn_iface_match match;
	bool required;
	struct tn_irq_rule irq;
	int64_t ring_rx, ring_tx;  /* number, TN_VAL_MAX or TN_VAL_UNSET */
	int64_t channels_combined; /* number, TN_VAL_MAX, TN_VAL_CPUS or TN_VAL_UNSET */
	struct tn_coalesce_rule coalesce;
	struct tn_rps_rule rps;
	enum tn_xps_policy xps;
};

/* Top-level "flow_limit": net.core.flow_limit_cpu_bitmap and _table_len. */
struct tn_flow_limit_rule {
	bool set;
	bool irq_cpus;	       /* "cpus": "irq": the CPUs the plan gives IRQs */
	struct tn_cpuset cpus; /* else: listed CPUs */
	int64_t table_len;     /* TN_VAL_UNSET when not given */
};

#define TN_SYSCTL_MAX_FIELDS 3

struct tn_sysctl_rule {
	char name[128];
	bool only_raise; /* {"min": ...} */
	bool numeric;
	int n_fields; /* numeric: 1, or 3 for tcp_rmem-like */
	int64_t fields[TN_SYSCTL_MAX_FIELDS];
	char text[256];	  /* the value as written to /proc/sys */
	bool outside_net; /* not net.*: allowed by "allow_sysctls" */
};

/* Sysctls outside net.* a profile may list in "allow_sysctls", at most. */
#define TN_PROFILE_MAX_ALLOWED_SYSCTLS 64

/* Where a process rule places its process (the profile's words). */
/* clang-format off */
#define TN_PLACEMENT_LIST(X)                                                              \
	X(TN_PLACE_OPPOSITE, "opposite")                                                  \
	X(TN_PLACE_LOCAL, "local")                                                        \
	X(TN_PLACE_NODES, "nodes")                                                        \
	X(TN_PLACE_CPUS, "cpus")
/* clang-format on */
enum tn_placement { TN_PLACEMENT_LIST(TN_ENUM_MEMBER) };

/* What a process rule does with the process's memory. */
/* clang-format off */
#define TN_MEMORY_LIST(X)                                                                 \
	X(TN_MEM_KEEP, "keep")                                                            \
	X(TN_MEM_BIND, "bind")                                                            \
	X(TN_MEM_PREFER, "prefer")
/* clang-format on */
enum tn_memory { TN_MEMORY_LIST(TN_ENUM_MEMBER) };

#define TN_PROC_MAX_SELECTORS TN_PROCSEL_KIND_COUNT /* one of each kind */

struct tn_proc_rule {
	int n_sel;
	struct tn_procsel sel[TN_PROC_MAX_SELECTORS]; /* all must match */
	enum tn_placement placement;
	bool has_nodes;
	struct tn_cpuset nodes; /* NODES, or OPPOSITE restricted to these */
	struct tn_cpuset cpus;	/* CPUS */
	enum tn_memory memory;
	bool required;
	/* match.user: only processes of this user (comm and cmdline alone match
	 * any user's process). */
	bool has_user;
	char user[64]; /* as written: a name, or a uid in digits */
	int64_t uid;   /* TN_UNKNOWN until a name is looked up */
};

/* What tuner does about a running irqbalance. */
/* clang-format off */
#define TN_IRQBALANCE_MODE_LIST(X)                                                        \
	X(TN_IRQB_BAN, "ban")                                                             \
	X(TN_IRQB_STOP, "stop")                                                           \
	X(TN_IRQB_IGNORE, "ignore")
/* clang-format on */
enum tn_irqbalance_mode { TN_IRQBALANCE_MODE_LIST(TN_ENUM_MEMBER) };

struct tn_profile {
	char name[128];
	char description[1024];
	char source[512]; /* file, or "(built-in default)" */
	int n_ifaces;
	struct tn_iface_rule *ifaces;
	int n_sysctls;
	struct tn_sysctl_rule *sysctls;
	int n_procs;
	struct tn_proc_rule *procs;
	enum tn_irqbalance_mode irqbalance;
	struct tn_flow_limit_rule flow_limit;
	char digest[17]; /* FNV-1a 64 of the merged profile's JSON */
	char *merged;	 /* the merged profile, as JSON text */
};

/* Longest profile file accepted, and deepest nesting. */
#define TN_PROFILE_MAX_BYTES (1 << 20)
#define TN_PROFILE_MAX_DEPTH 32

/*
 * Resolve "extends" with 'load' (called with the name given in the file and
 * the including file's name; returns the text, malloc'ed, or NULL with an
 * error in d). May be NULL: then "extends" is an error.
 */
typedef char *(*tn_profile_loader)(const char *name, const char *from, char *resolved,
				   size_t resolved_len, void *ctx, struct tn_diag *d);

/*
 * Parse a profile's text. Errors name file:line:column and the JSON path.
 * Sysctls outside net.* are refused unless listed in "allow_sysctls", and a
 * few (those naming a program the kernel runs) always. A match.user given as
 * a name is left with uid TN_UNKNOWN: the caller looks the name up and sets
 * the uid; the planner refuses a rule whose uid is still unknown.
 */
int tn_profile_parse(const char *text, const char *file, tn_profile_loader load, void *ctx,
		     struct tn_profile *out, struct tn_diag *d);
void tn_profile_free(struct tn_profile *p);
/* Whether a rule sets RPS, RFS or XPS (discovery reads the queue files then). */
bool tn_profile_uses_queues(const struct tn_profile *p);
/* Whether tuner may ever set this sysctl (false for kernel.core_pattern...). */
bool tn_sysctl_settable(const char *name);

/* The compiled-in default profile (the text of profiles/default.json). */
extern const char tn_default_profile_json[];

const char *tn_placement_name(enum tn_placement p);
const char *tn_memory_name(enum tn_memory m);
const char *tn_irqbalance_mode_name(enum tn_irqbalance_mode m);

#endif
