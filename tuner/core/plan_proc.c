/* SPDX-License-Identifier: MIT */
/*
 * The planner's process rules: which rule places each process (the first
 * whose match fits it, as for interfaces), the nodes of its placement
 * ("opposite" the NIC IRQs, "local", listed nodes or CPUs), its CPUs (online,
 * never the IRQ CPUs, nor isolated or nohz_full ones unless listed), and each
 * matched process's CPU and memory changes.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plan_int.h"
#include "procid.h"
#include "util.h"

static bool proc_matches(const struct tn_proc_rule *r, const struct tn_process *p)
{
	/* a process whose user is unknown (an older snapshot) is nobody's */
	if (r->has_user && (p->uid == TN_UNKNOWN || p->uid != r->uid))
		return false;
	for (int i = 0; i < r->n_sel; i++)
		if (!tn_procsel_match(&r->sel[i], p->pid, p->comm, p->cmdline, p->cgroup))
			return false;
	return true;
}

static void describe_sel(const struct tn_proc_rule *r, char *buf, size_t len)
{
	size_t n = 0;

	buf[0] = '\0';
	for (int i = 0; i < r->n_sel && n < len; i++)
		n += (size_t)snprintf(buf + n, len - n, "%s%s %s", i ? ", " : "",
				      tn_procsel_kind_name(r->sel[i].kind), r->sel[i].text);
	if (r->has_user && n < len)
		snprintf(buf + n, len - n, ", user %s", r->user);
}

/* Nodes holding placed IRQs; without any, the nodes of the matched NICs. */
static void irq_nodes(struct planner *pl, struct tn_cpuset *nodes)
{
	const struct tn_topology *t = &pl->s->topo;
	int cpu;

	tn_cpuset_zero(nodes);
	tn_cpuset_foreach (cpu, &pl->placed_cpus) {
		int node = tn_topology_cpu_node(t, cpu);

		if (node >= 0)
			tn_cpuset_set(nodes, node);
	}
	if (!tn_cpuset_empty(nodes))
		return;
	for (int i = 0; i < pl->s->n_nics; i++)
		if (pl->rule_of[i] >= 0 && pl->s->nics[i].numa_node >= 0)
			tn_cpuset_set(nodes, pl->s->nics[i].numa_node);
}

/* Whether NUMA node id has memory: its size, when the topology says the size
 * of any node (a memoryless node then has 0); true when none is known. */
static bool node_has_memory(const struct tn_topology *t, int id)
{
	const struct tn_numa_node *nd = tn_topology_node(t, id);
	bool known = false;

	for (int i = 0; i < t->n_nodes; i++)
		known |= t->nodes[i].memory_kb > 0;
	return !known || (nd && nd->memory_kb > 0);
}

/* "opposite" found no node free of IRQs with an online CPU: say why (its
 * "nodes" list, nodes without an online CPU), not only that every node of the
 * host holds IRQs. */
static int opposite_refused(struct planner *pl, const struct tn_proc_rule *r, int idx,
			    const struct tn_cpuset *busy)
{
	const struct tn_topology *t = &pl->s->topo;
	char nodes[TN_CPULIST_MAX], irq[TN_CPULIST_MAX];
	struct tn_cpuset idle;

	tn_plan_fmt_set(busy, irq, sizeof(irq));
	if (r->has_nodes) {
		tn_plan_fmt_set(&r->nodes, nodes, sizeof(nodes));
		return tn_diag_error(
			pl->d, -EINVAL,
			"processes[%d]: placement \"opposite\": each node its \"nodes\" "
			"allow (%s) holds NIC IRQs or has no online CPU (NIC IRQs on "
			"node%s %s)",
			idx, nodes, tn_cpuset_count(busy) == 1 ? "" : "s", irq);
	}
	tn_cpuset_zero(&idle);
	for (int i = 0; i < t->n_nodes; i++)
		if (!tn_cpuset_test(busy, t->nodes[i].id))
			tn_cpuset_set(&idle, t->nodes[i].id);
	if (tn_cpuset_empty(&idle))
		return tn_diag_error(
			pl->d, -EINVAL,
			"processes[%d]: placement \"opposite\": every NUMA node of this "
			"host holds NIC IRQs (%d node%s)",
			idx, t->n_nodes, t->n_nodes == 1 ? "" : "s");
	tn_plan_fmt_set(&idle, nodes, sizeof(nodes));
	return tn_diag_error(
		pl->d, -EINVAL,
		"processes[%d]: placement \"opposite\": every NUMA node with an online "
		"CPU holds NIC IRQs (node%s %s); node%s %s, free of them, ha%s no online "
		"CPU",
		idx, tn_cpuset_count(busy) == 1 ? "" : "s", irq,
		tn_cpuset_count(&idle) == 1 ? "" : "s", nodes,
		tn_cpuset_count(&idle) == 1 ? "s" : "ve");
}

/*
 * The nodes "opposite" may take: free of NIC IRQs, with an online CPU, among
 * the rule's "nodes" if it has them; of those, the ones with an online CPU
 * neither isolated nor nohz_full (processes go to no other CPU) when there
 * are any: a node of only such CPUs (reserved with isolcpus) was taken before
 * a usable one, and its processes pinned onto the isolated CPUs.
 */
static void opposite_nodes(const struct tn_topology *t, const struct tn_proc_rule *r,
			   const struct tn_cpuset *busy, struct tn_cpuset *cand)
{
	struct tn_cpuset usable;

	tn_cpuset_zero(cand);
	tn_cpuset_zero(&usable);
	for (int i = 0; i < t->n_nodes; i++) {
		struct tn_cpuset c = t->nodes[i].cpus;

		tn_cpuset_and(&c, &t->online);
		if (tn_cpuset_test(busy, t->nodes[i].id) || tn_cpuset_empty(&c) ||
		    (r->has_nodes && !tn_cpuset_test(&r->nodes, t->nodes[i].id)))
			continue;
		tn_cpuset_set(cand, t->nodes[i].id);
		tn_cpuset_andnot(&c, &t->isolated);
		tn_cpuset_andnot(&c, &t->nohz_full);
		if (!tn_cpuset_empty(&c))
			tn_cpuset_set(&usable, t->nodes[i].id);
	}
	if (!tn_cpuset_empty(&usable))
		*cand = usable;
}

static int proc_nodes(struct planner *pl, const struct tn_proc_rule *r, int idx,
		      struct tn_cpuset *nodes)
{
	const struct tn_topology *t = &pl->s->topo;
	struct tn_cpuset busy, cand;
	int best = -1, id;
	uint32_t best_d = UINT32_MAX;

	irq_nodes(pl, &busy);
	switch (r->placement) {
	case TN_PLACE_LOCAL:
		if (tn_cpuset_empty(&busy))
			return tn_diag_error(pl->d, -EINVAL,
					     "processes[%d]: placement \"local\" needs interfaces "
					     "the profile places",
					     idx);
		*nodes = busy;
		return 0;
	case TN_PLACE_NODES:
		*nodes = r->nodes;
		break;
	case TN_PLACE_CPUS:
		tn_cpuset_zero(nodes);
		return 0;
	case TN_PLACE_OPPOSITE:
		if (tn_cpuset_empty(&busy))
			return tn_diag_error(
				pl->d, -EINVAL,
				"processes[%d]: placement \"opposite\" needs interfaces "
				"the profile places",
				idx);
		opposite_nodes(t, r, &busy, &cand);
		if (tn_cpuset_empty(&cand))
			return opposite_refused(pl, r, idx, &busy);
		/* memory bound or preferred there: not to a node without memory */
		if (r->memory != TN_MEM_KEEP && !r->has_nodes) {
			struct tn_cpuset with_mem;

			tn_cpuset_zero(&with_mem);
			tn_cpuset_foreach (id, &cand)
				if (node_has_memory(t, id))
					tn_cpuset_set(&with_mem, id);
			if (tn_cpuset_empty(&with_mem))
				return tn_diag_error(pl->d, -EINVAL,
						     "processes[%d]: placement \"opposite\" with "
						     "memory \"%s\": no NUMA node free of NIC IRQs "
						     "has memory",
						     idx, tn_memory_name(r->memory));
			cand = with_mem;
		}
		if (r->has_nodes) {
			*nodes = cand;
			break;
		}
		/* the nearest node without IRQs, by hwloc distance; ties: lowest id */
		tn_cpuset_foreach (id, &cand) {
			uint32_t dsum = 0;
			int b;

			tn_cpuset_foreach (b, &busy)
				dsum += tn_topology_distance(t, b, id);
			if (best < 0 || dsum < best_d) {
				best = id;
				best_d = dsum;
			}
		}
		tn_cpuset_zero(nodes);
		tn_cpuset_set(nodes, best);
		break;
	}
	tn_cpuset_foreach (id, nodes) {
		if (!tn_topology_node(t, id))
			return tn_diag_error(
				pl->d, -EINVAL,
				"processes[%d]: NUMA node %d does not exist on this host", idx, id);
	}
	return 0;
}

/* "PID@START": apply and rollback check that the pid is still this process */
static void proc_target(const struct tn_process *p, char *buf, size_t len)
{
	struct tn_procid id = { .pid = p->pid,
				.has_start = p->has_start_time,
				.start = p->start_time };

	tn_procid_format(&id, buf, len); /* at most 28 characters */
}

/* The changes of one process a rule matches: its CPUs (all threads), its memory. */
static int plan_process(struct planner *pl, const struct tn_proc_rule *rule, int r,
			const struct tn_process *p, const struct tn_cpuset *cpus,
			const struct tn_cpuset *nodes, const char *nodelist,
			const struct tn_cpuset *mem)
{
	bool same = p->n_threads > 0, mixed = false;
	struct tn_change *c;

	for (int k = 0; k < p->n_threads; k++) {
		same &= tn_cpuset_equal(&p->threads[k].affinity, cpus);
		mixed |= !tn_cpuset_equal(&p->threads[k].affinity, &p->threads[0].affinity);
	}
	if (!same) {
		c = NEW_CHANGE(pl, TN_CHANGE_PROCESS_AFFINITY);
		proc_target(p, c->target, sizeof(c->target));
		snprintf(c->key, sizeof(c->key), "cpus");
		SET_VALUE(pl, c->label, "%s", p->comm);
		if (mixed)
			SET_VALUE(pl, c->before, "mixed");
		else if (p->n_threads > 0 &&
			 tn_plan_value_set(pl, &c->before, &p->threads[0].affinity) < 0)
			return -ENOMEM;
		else if (p->n_threads == 0)
			SET_VALUE(pl, c->before, "%s", "");
		if (tn_plan_value_set(pl, &c->after, cpus) < 0)
			return -ENOMEM;
		SET_VALUE(pl, c->note, "(%d thread%s)", p->n_threads, p->n_threads == 1 ? "" : "s");
		SET_VALUE(pl, c->reason, "processes[%d] placement %s: node%s %s", r,
			  tn_placement_name(rule->placement),
			  tn_cpuset_count(nodes) == 1 ? "" : "s", nodelist);
	}
	if (rule->memory == TN_MEM_KEEP || rule->placement == TN_PLACE_CPUS)
		return 0;
	if (!p->has_memory_nodes) {
		tn_diag_warn(pl->d,
			     "pid %d (%s): where its memory is is unknown (no numa_maps); "
			     "memory not planned",
			     p->pid, p->comm);
		return 0;
	}
	if (tn_cpuset_subset(&p->memory_nodes, mem))
		return 0;
	c = NEW_CHANGE(pl, TN_CHANGE_PROCESS_MEMORY);
	proc_target(p, c->target, sizeof(c->target));
	snprintf(c->key, sizeof(c->key), "nodes");
	SET_VALUE(pl, c->label, "%s", p->comm);
	if (tn_plan_value_set(pl, &c->before, &p->memory_nodes) < 0 ||
	    tn_plan_value_set(pl, &c->after, mem) < 0)
		return -ENOMEM;
	SET_VALUE(pl, c->reason,
		  "processes[%d] memory %s: move its pages to the node%s of its CPUs%s", r,
		  tn_memory_name(rule->memory), tn_cpuset_count(mem) == 1 ? "" : "s",
		  tn_cpuset_equal(mem, nodes) ? "" : " that have memory");
	return 0;
}

/* The rule that places each process: the first whose match fits it, as for
 * NICs (-1: none). A process two rules match is placed once: by two, it was
 * moved twice by an apply, and verify found it off one rule's CPUs forever. */
static int *process_rules(struct planner *pl)
{
	int n = pl->s->n_processes, *of = malloc(sizeof(int) * (size_t)(n ? n : 1));

	if (!of)
		return NULL;
	for (int i = 0; i < n; i++) {
		of[i] = -1;
		for (int r = 0; r < pl->p->n_procs && of[i] < 0; r++)
			if (proc_matches(&pl->p->procs[r], &pl->s->processes[i]))
				of[i] = r;
	}
	return of;
}

/* Rule r places no process: none matches it, or each it matches follows an
 * earlier rule (named, as for interfaces). An error when it is required. */
static int rule_unused(struct planner *pl, int r, const char *what, const int *rule_of)
{
	const struct tn_proc_rule *rule = &pl->p->procs[r];
	char why[256] = "no process matches";

	for (int i = 0; i < pl->s->n_processes; i++) {
		const struct tn_process *p = &pl->s->processes[i];

		if (!proc_matches(rule, p))
			continue;
		snprintf(why, sizeof(why),
			 "every process it matches follows an earlier rule "
			 "(pid %d %s: processes[%d])",
			 p->pid, p->comm, rule_of[i]);
		break;
	}
	if (rule->required)
		return tn_diag_error(pl->d, -EINVAL, "processes[%d] (%s) is required but %s", r,
				     what, why);
	tn_diag_warn(pl->d, "processes[%d] (%s): %s", r, what, why);
	return 0;
}

/* The CPUs of rule r's processes on its nodes: online, not the IRQ CPUs, and,
 * as for IRQs, not isolated or nohz_full unless listed ("cpus"). */
static int proc_cpus(struct planner *pl, const struct tn_proc_rule *rule, int r, const char *what,
		     const struct tn_cpuset *nodes, struct tn_cpuset *cpus)
{
	const struct tn_topology *t = &pl->s->topo;
	char list[TN_CPULIST_MAX];

	if (rule->placement == TN_PLACE_CPUS)
		*cpus = rule->cpus;
	else
		tn_plan_node_cpus(t, nodes, cpus);
	tn_cpuset_and(cpus, &t->online);
	if (rule->placement != TN_PLACE_CPUS) {
		tn_cpuset_andnot(cpus, &t->isolated);
		tn_cpuset_andnot(cpus, &t->nohz_full);
	}
	if (rule->placement == TN_PLACE_LOCAL)
		tn_cpuset_andnot(cpus, &pl->placed_cpus);
	if (tn_cpuset_intersects(cpus, &pl->placed_cpus))
		return tn_diag_error(pl->d, -EINVAL,
				     "processes[%d] (%s) would run on the IRQ CPUs %s", r, what,
				     (tn_plan_fmt_set(&pl->placed_cpus, list, sizeof(list)), list));
	if (tn_cpuset_empty(cpus))
		return tn_diag_error(pl->d, -EINVAL,
				     "processes[%d] (%s): no online CPU is left for them%s", r,
				     what,
				     rule->placement == TN_PLACE_CPUS
					     ? ""
					     : " (isolated and nohz_full CPUs are left out: list "
					       "them in \"cpus\" to use them)");
	return 0;
}

/* The changes of the processes rule r places. */
static int plan_rule(struct planner *pl, int r, const int *rule_of)
{
	const struct tn_topology *t = &pl->s->topo;
	const struct tn_proc_rule *rule = &pl->p->procs[r];
	struct tn_cpuset nodes, cpus, mem;
	char what[300], nodelist[TN_CPULIST_MAX];
	bool any = false;
	int id, ret;

	describe_sel(rule, what, sizeof(what));
	if (rule->has_user && rule->uid == TN_UNKNOWN)
		return tn_diag_error(pl->d, -EINVAL,
				     "processes[%d]: user \"%s\" was not looked up: give a uid", r,
				     rule->user);
	for (int i = 0; i < pl->s->n_processes; i++)
		any |= rule_of[i] == r;
	if (!any)
		return rule_unused(pl, r, what, rule_of);
	ret = proc_nodes(pl, rule, r, &nodes);
	if (ret < 0 || (ret = proc_cpus(pl, rule, r, what, &nodes, &cpus)) < 0)
		return ret;
	tn_plan_fmt_set(&nodes, nodelist, sizeof(nodelist));
	/* the memory target: the nodes that have memory (none: nothing to bind to) */
	tn_cpuset_zero(&mem);
	tn_cpuset_foreach (id, &nodes)
		if (node_has_memory(t, id))
			tn_cpuset_set(&mem, id);
	if (rule->memory != TN_MEM_KEEP && rule->placement != TN_PLACE_CPUS &&
	    tn_cpuset_empty(&mem))
		return tn_diag_error(pl->d, -EINVAL,
				     "processes[%d] (%s): memory \"%s\": node%s %s ha%s no memory",
				     r, what, tn_memory_name(rule->memory),
				     tn_cpuset_count(&nodes) == 1 ? "" : "s", nodelist,
				     tn_cpuset_count(&nodes) == 1 ? "s" : "ve");
	for (int i = 0; i < pl->s->n_processes; i++) {
		if (rule_of[i] == r && (ret = plan_process(pl, rule, r, &pl->s->processes[i], &cpus,
							   &nodes, nodelist, &mem)) < 0)
			return ret;
	}
	return 0;
}

int tn_plan_processes(struct planner *pl)
{
	int *rule_of, ret = 0;

	if (!pl->p->n_procs)
		return 0;
	rule_of = process_rules(pl);
	if (!rule_of)
		return tn_diag_error(pl->d, -ENOMEM, "out of memory");
	for (int r = 0; r < pl->p->n_procs && ret == 0; r++)
		ret = plan_rule(pl, r, rule_of);
	free(rule_of);
	return ret;
}
