/* SPDX-License-Identifier: MIT */
/*
 * The planner's working state, shared by plan.c (rules, rings, sysctls,
 * irqbalance), plan_irq.c (where each queue IRQ goes), plan_proc.c (the
 * process rules) and the other plan_*.c. Private
 * to the planner: not part of tuner/core's interface.
 */
#ifndef TN_PLAN_INT_H
#define TN_PLAN_INT_H

#include "plan.h"

/* Working state of one computation. */
struct planner {
	const struct tn_state *s;
	const struct tn_profile *p;
	struct tn_diag *d;
	struct tn_plan plan;
	int cap;
	/* per NIC: the rule that applies (-1 none) and the CPU of each IRQ */
	int *rule_of;
	int **irq_cpu;		      /* [nic][irq index] = CPU, -1 not placed */
	int *ncpus_of;		      /* CPUs the NIC's IRQs were spread over */
	struct tn_cpuset placed_cpus; /* every CPU that receives a placed IRQ */
	int cpu0_node_cores;	      /* cores in CPU 0's node */
	/* Trees (tsearch) of what NICs share, worked out once: the order of a
	 * candidate set (struct order_memo), and the rotation offset of a set of
	 * IRQ CPUs (struct rot_memo), so that NICs sharing CPUs start on
	 * different ones. 65,536 NICs over 1024 nodes cost 1024 orders. */
	void *orders;
	void *rots;
	/* The NIC that placed each IRQ (struct irq_owner): netdevs of one PCI
	 * function (an IPoIB child, switchdev representors) list the same
	 * vectors, which are placed once, by the first of them. */
	void *owners;
	/* The core of each CPU (-1 none) and each core's CPU count, built once
	 * (tn_plan_irq_init), so that ordering a candidate set costs its CPUs
	 * and the cores, not a 1 KiB set operation per core and pass; with
	 * cores sharing a CPU (a hand-made snapshot), the sets are used. */
	int *core_of;	/* [TN_CPU_MAX] */
	int *core_size; /* [n_cores] */
	int *scratch;	/* [3 * n_cores + 1 + CPUs in cores] */
	bool cores_shared;
	/* Where the NICs' queue 0s went so far: their cores, or the CPU itself
	 * for a CPU in no core (tn_plan_place_irqs keeps the next one off them). */
	bool *q0_core; /* [n_cores] */
	struct tn_cpuset q0_cpus;
};

struct order_memo {
	struct tn_cpuset cand;
	bool smt_allow;
	int n, first_pass;
	int order[];
};

struct rot_memo {
	struct tn_cpuset set;
	int off;
};

struct irq_owner {
	int irq, nic, cpu;
};

struct tn_change *tn_plan_add_change(struct planner *pl, enum tn_change_kind kind);
#define NEW_CHANGE(pl, kind)                                                     \
	({                                                                       \
		struct tn_change *c_ = tn_plan_add_change(pl, kind);             \
		if (!c_)                                                         \
			return tn_diag_error((pl)->d, -ENOMEM, "out of memory"); \
		c_;                                                              \
	})

/* Set c->before or c->after (whole, on the heap); out of memory ends the plan. */
#define SET_VALUE(pl, value, ...)                                                \
	do {                                                                     \
		if (tn_change_printf(&(value), __VA_ARGS__) < 0)                 \
			return tn_diag_error((pl)->d, -ENOMEM, "out of memory"); \
	} while (0)

/* The CPUs of the nodes in 'nodes'. */
void tn_plan_node_cpus(const struct tn_topology *t, const struct tn_cpuset *nodes,
		       struct tn_cpuset *out);
/* A CPU or node list into buf ("none" when empty), for messages. */
void tn_plan_fmt_set(const struct tn_cpuset *s, char *buf, size_t len);
/* A CPU or node list as a change's value, whole ("none" when empty). */
int tn_plan_value_set(struct planner *pl, char **value, const struct tn_cpuset *s);

/* plan_irq.c: set up (0 or -ENOMEM through pl->d), place NIC i's queue IRQs,
 * emit the IRQ affinity changes, free. */
int tn_plan_irq_init(struct planner *pl);
int tn_plan_place_irqs(struct planner *pl, int i);
int tn_plan_irq_changes(struct planner *pl);
void tn_plan_irq_free(struct planner *pl);
/* plan_coalesce.c: the interrupt coalescing changes of the matched NICs. */
int tn_plan_coalesce(struct planner *pl);
/* plan_proc.c: the affinity and memory changes of the target processes
 * (after the IRQs are placed). */
int tn_plan_processes(struct planner *pl);
/* The irqbalance change (ban the placed IRQs, or stop it), when the profile asks. */
int tn_plan_irqbalance(struct planner *pl);

/* plan_rps.c: net.core.rps_sock_flow_entries and flow_limit_* (after the
 * profile's sysctls), then each queue's rps_cpus, rps_flow_cnt and xps_cpus
 * (after the IRQ changes). */
int tn_plan_rps_sysctls(struct planner *pl);
int tn_plan_rps_queues(struct planner *pl);

#endif
