/* SPDX-License-Identifier: MIT */
/*
 * The change-kind registry: one entry per kind of change tuner makes, with
 * everything core knows of it. Plan, apply, rollback, verify and the journal
 * ask the registry; none of them switches on the kind. The kernel side of a
 * kind (its read and write) is registered in sys (sys/kind.h), indexed by the
 * same enum.
 *
 * Adding a kind: one X() line in TN_CHANGE_KINDS (its enum name and JSON
 * name), one entry in kinds[] (kind.c), one sys file with its read and write
 * (sys/kind_*.c) named in sys/live.c's table. See the README, "Adding a change
 * kind".
 */
#ifndef TN_KIND_H
#define TN_KIND_H

#include <stdbool.h>
#include <stddef.h>

/* In plan order (the planner emits kinds in this order): X(ENUM, "json name"). */
/* clang-format off */
#define TN_CHANGE_KINDS(X)                              \
	X(CHANNELS, "channels")                         \
	X(RING, "ring")                                 \
	X(COALESCE, "coalesce")                         \
	X(SYSCTL, "sysctl")                             \
	X(IRQ_AFFINITY, "irq_affinity")                 \
	X(RPS_CPUS, "rps_cpus")                         \
	X(RPS_FLOW_CNT, "rps_flow_cnt")                 \
	X(XPS_CPUS, "xps_cpus")                         \
	X(PROCESS_AFFINITY, "process_affinity")         \
	X(PROCESS_MEMORY, "process_memory")             \
	X(IRQBALANCE, "irqbalance")
/* clang-format on */

#define TN_KIND_ENUM(e, name) TN_CHANGE_##e,
enum tn_change_kind {
	TN_CHANGE_KINDS(TN_KIND_ENUM) TN_CHANGE_KIND_COUNT,
};
#undef TN_KIND_ENUM

struct tn_change;
struct tn_state;

/* Where a change's label is shown: each form is byte for byte what that
 * output has always printed. */
enum tn_label_form {
	TN_LABEL_PLAN,	 /* plan's lines: "pid 1187 redis-server CPUs" */
	TN_LABEL_REPORT, /* apply/rollback/verify lines: "redis-server 1187 CPUs" */
	TN_LABEL_ERROR,	 /* transaction errors: "thread 1187@5/1190@6 (redis-server)" */
};

/*
 * Stages of apply: a kind of stage 1 (rings, channels) makes drivers reset
 * IRQ affinity and may replace queue IRQs, so apply re-discovers the NICs it
 * changed and plans the later stages again.
 */
#define TN_STAGE_MAX 2

/* A label whole: a target (64), a key (64), a label (TN_LABEL_ROOM: a longer
 * one is shown cut, with "...") and words. */
#define TN_LABEL_ROOM 128
#define TN_LABEL_MAX 320

#define TN_KIND_KEYS_MAX 4

/* What a change is of, which says which events concern it (tuner watch). */
enum tn_kind_scope {
	TN_SCOPE_HOST,	  /* the host's (sysctls, irqbalance): no event names it */
	TN_SCOPE_NIC,	  /* a NIC's: its target is the NIC's name, up to a '/' */
	TN_SCOPE_IRQ,	  /* an IRQ's: its target is the IRQ's number; the NIC owning it */
	TN_SCOPE_PROCESS, /* a process's, or a thread's */
};

struct tn_kind {
	const char *name; /* JSON "kind" */
	int stage;	  /* 1 .. TN_STAGE_MAX */
	bool per_thread;  /* apply makes it on each thread of the process */
	enum tn_kind_scope scope;
	const char *noun[2];		    /* "IRQ affinity", "IRQ affinities" */
	const char *keys[TN_KIND_KEYS_MAX]; /* the "key"s it is written with */
	/* Its label, for one form of output (buf always terminated). */
	void (*label)(const struct tn_change *c, enum tn_label_form f, char *buf, size_t len);
	/* Whether two values are the same (CPU lists as sets, sysctls with white
	 * space folded). */
	bool (*equal)(const char *a, const char *b);
	/* Whether the target is one of this kind that names no path outside its
	 * files (a sysctl without '/' or "..", a decimal IRQ, a process id). */
	bool (*target_ok)(const char *target);
	/* Whether v is a value of this kind (and key); *what says what it should be. */
	bool (*value_ok)(const struct tn_change *c, const char *v, const char **what);
	/* What on host s may explain that such a change is still to make (tuner
	 * verify's drift), into buf ("" when nothing is known); NULL: none. */
	void (*hint)(const struct tn_state *s, const struct tn_change *c, char *buf, size_t len);
};

/* The entry of a kind; NULL for a value outside the enum. */
const struct tn_kind *tn_kind_get(enum tn_change_kind k);
const char *tn_change_kind_name(enum tn_change_kind k);
/* The kind of a JSON name, or -EINVAL. */
int tn_change_kind_parse(const char *name);

/* A change's label in form f into buf (always terminated); a label (c->label)
 * of TN_LABEL_ROOM bytes or more is shown cut, ending with "...". */
void tn_change_label(const struct tn_change *c, enum tn_label_form f, char *buf, size_t len);
bool tn_change_same(const struct tn_change *c, const char *a, const char *b);
/* The kind's hint of what may explain a drift of c on host s; "" when none. */
void tn_change_hint(const struct tn_state *s, const struct tn_change *c, char *buf, size_t len);
int tn_change_stage(const struct tn_change *c);
/*
 * Whether a change may be recorded and restored: a safe target, a key of its
 * kind, before and after values of its kind's form. Returns 0, or -EINVAL with
 * the reason in why.
 */
int tn_change_check(const struct tn_change *c, char *why, size_t len);

/* A process target as a person reads it, without start times:
 * "1187@58070/1190@58072" -> "1187/1190". Returns buf. */
const char *tn_change_short_target(const struct tn_change *c, char *buf, size_t len);

#endif
