/* SPDX-License-Identifier: MIT */
/*
 * The planner on the golden snapshots of every fixture, with every shipped
 * profile: properties that must hold whatever the host, then exact placements
 * worked out by hand for the default profile.
 */
#include <errno.h>
#include <glob.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "journal.h"
#include "plan.h"
#include "state_json.h"
#include "unit_util.h"

static const char *const fixtures[] = { "24em64t", "32em64t", "16intel64" };

static char *loader(const char *name, const char *from, char *resolved, size_t len, void *ctx,
		    struct tn_diag *d)
{
	char path[512];
	char *text;

	snprintf(path, sizeof(path), "%s/profiles/%s.json", TN_SOURCE_DIR, name);
	snprintf(resolved, len, "%s", path);
	text = tn_test_read_file(path);
	if (!text && strcmp(name, "default") == 0)
		text = strdup(tn_default_profile_json);
	return text;
}

static void load_profile_text(const char *text, const char *name, struct tn_profile *p)
{
	struct tn_diag d;

	tn_diag_init(&d);
	if (tn_profile_parse(text, name, loader, NULL, p, &d) < 0)
		fail_msg("%s", d.error);
	tn_diag_free(&d);
}

static void load_profile(const char *path, struct tn_profile *p)
{
	char *text = tn_test_read_file(path);

	assert_non_null(text);
	load_profile_text(text, path, p);
	free(text);
}

/* What apply would leave: the plan's changes made in the snapshot. */
static void apply_to_state(struct tn_state *s, const struct tn_plan *plan)
{
	for (int i = 0; i < plan->n; i++) {
		const struct tn_change *c = &plan->changes[i];

		switch (c->kind) {
		case TN_CHANGE_IRQ_AFFINITY:
			for (int n = 0; n < s->n_nics; n++)
				for (int k = 0; k < s->nics[n].n_irqs; k++)
					if (s->nics[n].irqs[k].irq == atoi(c->target)) {
						assert_int_equal(tn_cpus_parse_list(
									 c->after,
									 &s->nics[n].irqs[k].affinity),
								 0);
						s->nics[n].irqs[k].has_affinity = true;
					}
			break;
		case TN_CHANGE_SYSCTL:
			for (int k = 0; k < s->n_sysctls; k++)
				if (strcmp(s->sysctls[k].name, c->target) == 0) {
					free(s->sysctls[k].value);
					s->sysctls[k].value = strdup(c->after);
				}
			break;
		case TN_CHANGE_RING:
		case TN_CHANGE_CHANNELS:
			for (int n = 0; n < s->n_nics; n++) {
				struct tn_nic *nic = &s->nics[n];

				if (strcmp(nic->name, c->target) != 0)
					continue;
				if (c->kind == TN_CHANGE_CHANNELS)
					nic->channels.combined = atoll(c->after);
				else if (strcmp(c->key, "rx") == 0)
					nic->ring.rx = atoll(c->after);
				else
					nic->ring.tx = atoll(c->after);
			}
			break;
		case TN_CHANGE_PROCESS_AFFINITY:
		case TN_CHANGE_PROCESS_MEMORY:
			for (int p = 0; p < s->n_processes; p++) {
				struct tn_process *pr = &s->processes[p];

				if (pr->pid != atoi(c->target))
					continue;
				if (c->kind == TN_CHANGE_PROCESS_MEMORY)
					tn_cpuset_parse_list(c->after, &pr->memory_nodes);
				else
					for (int t = 0; t < pr->n_threads; t++)
						tn_cpuset_parse_list(c->after, &pr->threads[t].affinity);
			}
			break;
		case TN_CHANGE_IRQBALANCE:
			if (strcmp(c->key, "running") == 0) {
				s->irqbalance.running = false;
			} else {
				char *list = strdup(c->after), *save = NULL;
				int n = 0;

				for (char *t = strtok_r(list, ",", &save); t;
				     t = strtok_r(NULL, ",", &save))
					n++;
				free(s->irqbalance.banned_irqs);
				s->irqbalance.banned_irqs = calloc((size_t)n, sizeof(int));
				s->irqbalance.n_banned_irqs = 0;
				strcpy(list, c->after);
				for (char *t = strtok_r(list, ",", &save); t;
				     t = strtok_r(NULL, ",", &save))
					s->irqbalance.banned_irqs[s->irqbalance.n_banned_irqs++] = atoi(t);
				free(list);
			}
			break;
		default:
			fail_msg("unknown change kind %d", c->kind);
		}
	}
}

static const struct tn_irq *find_irq(const struct tn_state *s, int irq, const struct tn_nic **nic)
{
	for (int n = 0; n < s->n_nics; n++)
		for (int k = 0; k < s->nics[n].n_irqs; k++)
			if (s->nics[n].irqs[k].irq == irq) {
				*nic = &s->nics[n];
				return &s->nics[n].irqs[k];
			}
	return NULL;
}

/* Properties of one plan on one host. */
static void check_plan(const char *fx, const char *prof, const struct tn_state *s,
		       const struct tn_plan *plan)
{
	struct tn_cpuset irq_cpus;
	int last_kind = -1;

	tn_cpuset_zero(&irq_cpus);
	for (int i = 0; i < plan->n; i++) {
		const struct tn_change *c = &plan->changes[i];

		/* plan order: channels, ring, sysctl, irq, process, irqbalance */
		if ((int)c->kind < last_kind)
			fail_msg("%s/%s: change %d (%s) out of order", fx, prof, i,
				 tn_change_kind_name(c->kind));
		last_kind = (int)c->kind;
		assert_string_not_equal(c->before, c->after);
		if (c->kind == TN_CHANGE_IRQ_AFFINITY) {
			const struct tn_nic *nic = NULL;
			const struct tn_irq *q = find_irq(s, atoi(c->target), &nic);
			int cpu = atoi(c->after);

			assert_non_null(q);
			assert_true(q->kind != TN_IRQ_OTHER);
			tn_cpuset_set(&irq_cpus, cpu);
			if (!tn_cpuset_test(&s->topo.online, cpu) ||
			    tn_cpuset_test(&s->topo.isolated, cpu) ||
			    tn_cpuset_test(&s->topo.nohz_full, cpu))
				fail_msg("%s/%s: irq %s on CPU %d (offline or isolated)", fx, prof,
					 c->target, cpu);
			/* every shipped profile places IRQs on the NIC's own node */
			if (nic->numa_node >= 0 &&
			    tn_topology_cpu_node(&s->topo, cpu) != nic->numa_node)
				fail_msg("%s/%s: irq %s of %s (node %d) on CPU %d of node %d", fx,
					 prof, c->target, nic->name, nic->numa_node, cpu,
					 tn_topology_cpu_node(&s->topo, cpu));
		}
	}
	for (int i = 0; i < plan->n; i++) {
		const struct tn_change *c = &plan->changes[i];
		struct tn_cpuset cpus;
		int cpu, node = -1;

		if (c->kind != TN_CHANGE_PROCESS_AFFINITY)
			continue;
		assert_int_equal(tn_cpuset_parse_list(c->after, &cpus), 0);
		if (tn_cpuset_intersects(&cpus, &irq_cpus))
			fail_msg("%s/%s: pid %s on IRQ CPUs", fx, prof, c->target);
		/* opposite: one node, holding none of the placed IRQs */
		tn_cpuset_foreach(cpu, &cpus) {
			int n = tn_topology_cpu_node(&s->topo, cpu);

			if (node >= 0 && n != node)
				fail_msg("%s/%s: pid %s spans nodes", fx, prof, c->target);
			node = n;
		}
		tn_cpuset_foreach(cpu, &irq_cpus)
			if (tn_topology_cpu_node(&s->topo, cpu) == node)
				fail_msg("%s/%s: pid %s on node %d which holds IRQs", fx, prof,
					 c->target, node);
	}
}

/* One thread per physical core before any sibling, per NIC. */
static void check_smt(const char *fx, const struct tn_state *s, const struct tn_plan *plan)
{
	for (int n = 0; n < s->n_nics; n++) {
		const struct tn_nic *nic = &s->nics[n];
		struct tn_cpuset used, cores_used, node_cpus;
		int siblings = 0, cores_free = 0;

		tn_cpuset_zero(&used);
		for (int i = 0; i < plan->n; i++) {
			const struct tn_nic *owner = NULL;

			if (plan->changes[i].kind == TN_CHANGE_IRQ_AFFINITY &&
			    find_irq(s, atoi(plan->changes[i].target), &owner) && owner == nic)
				tn_cpuset_set(&used, atoi(plan->changes[i].after));
		}
		if (tn_cpuset_empty(&used) || nic->numa_node < 0)
			continue;
		node_cpus = tn_state_node(s, nic->numa_node)->cpus;
		tn_cpuset_zero(&cores_used);
		for (int c = 0; c < s->topo.n_cores; c++) {
			struct tn_cpuset x = s->topo.cores[c].cpus;
			int k;

			if (!tn_cpuset_subset(&x, &node_cpus))
				continue;
			tn_cpuset_and(&x, &used);
			k = tn_cpuset_count(&x);
			if (k > 1)
				siblings++;
			if (k == 0) {
				/* an unused core only counts if it had an eligible CPU */
				struct tn_cpuset e = s->topo.cores[c].cpus;

				tn_cpuset_and(&e, &s->topo.online);
				tn_cpuset_andnot(&e, &s->topo.isolated);
				tn_cpuset_clear(&e, 0);
				if (!tn_cpuset_empty(&e))
					cores_free++;
			}
		}
		if (siblings && cores_free)
			fail_msg("%s: %s uses SMT siblings while %d cores are unused", fx, nic->name,
				 cores_free);
	}
}

static void test_all_profiles(void **state)
{
	char pattern[512];
	glob_t g;

	snprintf(pattern, sizeof(pattern), "%s/profiles/*.json", TN_SOURCE_DIR);
	assert_int_equal(glob(pattern, 0, NULL, &g), 0);
	for (size_t pi = 0; pi < g.gl_pathc; pi++) {
		const char *path = g.gl_pathv[pi];
		struct tn_profile prof;

		if (strstr(path, "schema.json"))
			continue;
		load_profile(path, &prof);
		for (size_t f = 0; f < sizeof(fixtures) / sizeof(fixtures[0]); f++) {
			struct tn_plan plan, again, second;
			struct tn_state s;
			struct tn_diag d;
			char *j1, *j2;
			cJSON *a, *b;

			tn_test_load_golden(fixtures[f], &s);
			tn_diag_init(&d);
			/* 16intel64 has NICs on both nodes: no node is free of IRQs */
			if (strcmp(fixtures[f], "16intel64") == 0 && strstr(path, "redis")) {
				assert_int_equal(tn_plan_compute(&s, &prof, &plan, &d), -EINVAL);
				assert_string_equal(d.error,
						    "processes[0]: placement \"opposite\": every NUMA "
						    "node of this host holds NIC IRQs (2 nodes)");
				tn_state_free(&s);
				tn_diag_free(&d);
				continue;
			}
			if (tn_plan_compute(&s, &prof, &plan, &d) < 0)
				fail_msg("%s with %s: %s", fixtures[f], path, d.error);
			check_plan(fixtures[f], path, &s, &plan);
			if (strstr(path, "default") || strstr(path, "redis"))
				check_smt(fixtures[f], &s, &plan);
			/* deterministic */
			assert_int_equal(tn_plan_compute(&s, &prof, &again, &d), 0);
			a = tn_plan_to_json(&plan, NULL);
			b = tn_plan_to_json(&again, NULL);
			j1 = cJSON_Print(a);
			j2 = cJSON_Print(b);
			assert_string_equal(j1, j2);
			free(j1);
			free(j2);
			cJSON_Delete(a);
			cJSON_Delete(b);
			/* after the changes, nothing is left to do */
			apply_to_state(&s, &plan);
			assert_int_equal(tn_plan_compute(&s, &prof, &second, &d), 0);
			if (second.n != 0)
				fail_msg("%s with %s: %d changes after applying the plan (first: %s %s "
					 "%s -> %s)",
					 fixtures[f], path, second.n,
					 tn_change_kind_name(second.changes[0].kind),
					 second.changes[0].target, second.changes[0].before,
					 second.changes[0].after);
			tn_plan_free(&plan);
			tn_plan_free(&again);
			tn_plan_free(&second);
			tn_state_free(&s);
			tn_diag_free(&d);
		}
		tn_profile_free(&prof);
	}
	globfree(&g);
}

static const char *irq_after(const struct tn_plan *p, int irq)
{
	char t[16];

	snprintf(t, sizeof(t), "%d", irq);
	for (int i = 0; i < p->n; i++)
		if (p->changes[i].kind == TN_CHANGE_IRQ_AFFINITY && strcmp(p->changes[i].target, t) == 0)
			return p->changes[i].after;
	return NULL;
}

static void plan_with(const char *fx, const char *profile_text, struct tn_state *s,
		      struct tn_plan *plan, struct tn_diag *d, int expect)
{
	struct tn_profile prof;

	tn_test_load_golden(fx, s);
	load_profile_text(profile_text, "test.json", &prof);
	tn_diag_init(d);
	assert_int_equal(tn_plan_compute(s, &prof, plan, d), expect);
	tn_profile_free(&prof);
}

/*
 * 24em64t, default profile, worked out by hand. Node 0 is CPUs 0,2,...,22 in
 * six cores {0,12} {2,14} {4,16} {6,18} {8,20} {10,22}; CPU 0 is left out (the
 * node has more than two cores). One thread per core first, whole cores
 * before the one that lost CPU 0: 2 4 6 8 10 12, then the siblings 14 16 18
 * 20 22. eth0's 8 queues: 2 4 6 8 10 12 14 16. The next NIC starts its
 * physical cores where eth0's count left off (8 mod 6 = 2): eth1 takes
 * 6 8 10 12 2 4, then siblings from the same offset: 18 20; eth2 starts at
 * (2 + 8) mod 6 = 4: 10 12 2 4 6 8, then 22 14.
 */
static void test_default_24em64t(void **state)
{
	static const struct {
		int irq;
		const char *cpu;
	} want[] = {
		{ 49, "2" },  { 50, "4" },  { 51, "6" },  { 52, "8" },  { 53, "10" }, { 54, "12" },
		{ 55, "14" }, { 56, "16" }, { 58, "6" },  { 59, "8" },  { 60, "10" }, { 61, "12" },
		{ 62, "2" },  { 63, "4" },  { 64, "18" }, { 65, "20" }, { 67, "10" }, { 68, "12" },
		{ 69, "2" },  { 70, "4" },  { 71, "6" },  { 72, "8" },  { 73, "22" }, { 74, "14" },
	};
	struct tn_state s;
	struct tn_plan plan;
	struct tn_diag d;

	plan_with("24em64t", tn_default_profile_json, &s, &plan, &d, 0);
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		const char *got = irq_after(&plan, want[i].irq);

		if (!got || strcmp(got, want[i].cpu) != 0)
			fail_msg("irq %d: %s, expected %s", want[i].irq, got ? got : "(none)",
				 want[i].cpu);
	}
	/* the "other" vectors are not touched */
	assert_null(irq_after(&plan, 48));
	assert_null(irq_after(&plan, 66));
	/* sysctls: only raised */
	assert_int_equal(plan.changes[0].kind, TN_CHANGE_SYSCTL);
	assert_string_equal(plan.changes[0].target, "net.core.netdev_budget");
	assert_string_equal(plan.changes[0].after, "600");
	assert_string_equal(plan.changes[1].target, "net.core.netdev_max_backlog");
	assert_string_equal(plan.changes[1].after, "4096");
	/* rings unknown under a sysroot: said, not planned */
	assert_true(d.n_warnings >= 1);
	tn_plan_free(&plan);
	tn_state_free(&s);
	tn_diag_free(&d);
}

/* 16intel64: virtio eth6 on node 1 (CPUs 8-15, 4 cores of 2 threads? see the
 * snapshot): rx and tx of the same queue on the same CPU. */
static void test_rx_tx_same_cpu(void **state)
{
	struct tn_state s;
	struct tn_plan plan;
	struct tn_diag d;

	plan_with("16intel64", tn_default_profile_json, &s, &plan, &d, 0);
	for (int q = 0; q < 4; q++) {
		const char *rx = irq_after(&plan, 64 + 2 * q), *tx = irq_after(&plan, 65 + 2 * q);

		assert_non_null(rx);
		assert_non_null(tx);
		assert_string_equal(rx, tx);
	}
	assert_string_not_equal(irq_after(&plan, 64), irq_after(&plan, 66));
	tn_plan_free(&plan);
	tn_state_free(&s);
	tn_diag_free(&d);
}

/* Rings from a snapshot that has them: clamped to the maximum, with a warning;
 * "max" takes the maximum; a value in place gives no change. */
static void test_rings(void **state)
{
	static const char prof[] = "{\"name\": \"r\", \"interfaces\": ["
				   "{\"match\": {\"name\": \"eth0\"}, \"rings\": {\"rx\": 8192, \"tx\": 256}},"
				   "{\"match\": {\"name\": \"eth1\"}, \"rings\": {\"rx\": \"max\"}}]}";
	struct tn_profile p;
	struct tn_state s;
	struct tn_plan plan;
	struct tn_diag d;

	tn_test_load_golden("24em64t", &s);
	for (int i = 0; i < s.n_nics; i++) {
		s.nics[i].has_ring = true;
		s.nics[i].ring = (struct tn_ring){ 256, 4096, 256, 4096 };
	}
	load_profile_text(prof, "r.json", &p);
	tn_diag_init(&d);
	assert_int_equal(tn_plan_compute(&s, &p, &plan, &d), 0);
	assert_int_equal(plan.n, 2);
	assert_string_equal(plan.changes[0].target, "eth0");
	assert_string_equal(plan.changes[0].key, "rx");
	assert_string_equal(plan.changes[0].after, "4096");
	assert_string_equal(plan.changes[0].note, "(max 4096)");
	assert_string_equal(plan.changes[1].target, "eth1");
	assert_string_equal(plan.changes[1].after, "4096");
	assert_int_equal(d.n_warnings, 1); /* the clamp; eth2 has no rule, which is fine */
	assert_string_equal(d.warnings[0], "eth0: rx ring 8192 asked, the device maximum is 4096");
	tn_plan_free(&plan);
	tn_profile_free(&p);
	tn_state_free(&s);
	tn_diag_free(&d);
}

/* Refusals: each with its message, and nothing planned. */
static void test_refusals(void **state)
{
	static const struct {
		const char *fx, *profile, *err;
	} cases[] = {
		{ "24em64t",
		  "{\"name\": \"x\", \"interfaces\": [{\"match\": {\"name\": \"eth9\"}, \"required\": true}]}",
		  "interfaces[0] (name eth9) is required but matches no NIC of this host" },
		{ "24em64t", "{\"name\": \"x\", \"sysctl\": {\"net.core.no_such\": 1}}",
		  "sysctl net.core.no_such: this host has no such setting (not in the snapshot)" },
		{ "24em64t",
		  "{\"name\": \"x\", \"interfaces\": [{\"match\": \"all\", \"irq\": {\"cpus\": {\"nodes\": [5]}}}]}",
		  "eth0: irq.cpus names NUMA node 5, which this host does not have" },
		{ "24em64t",
		  "{\"name\": \"x\", \"interfaces\": [{\"match\": \"all\", \"irq\": {}}],"
		  " \"processes\": [{\"match\": {\"comm\": \"redis-server\"}, \"placement\": {\"cpus\": \"2\"}}]}",
		  "processes[0] (comm redis-server) would run on the IRQ CPUs 2,4,6,8,10,12,14,16,18,20,22" },
		{ "24em64t",
		  "{\"name\": \"x\", \"processes\": [{\"match\": {\"comm\": \"redis-server\"}}]}",
		  "processes[0]: placement \"opposite\" needs interfaces the profile places" },
		{ "24em64t",
		  "{\"name\": \"x\", \"processes\": [{\"match\": {\"comm\": \"nginx\"}, \"required\": true}]}",
		  "processes[0] (comm nginx) is required but no process matches" },
		{ "32em64t",
		  "{\"name\": \"x\", \"interfaces\": [{\"match\": \"all\", \"irq\": {\"cpus\": {\"list\": \"30-31\"}}}]}",
		  "eth0: no online CPU is left for its IRQs (listed CPUs, after exclusions)" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct tn_state s;
		struct tn_plan plan = { .n = 77 };
		struct tn_diag d;

		plan_with(cases[i].fx, cases[i].profile, &s, &plan, &d, -EINVAL);
		assert_string_equal(d.error, cases[i].err);
		assert_int_equal(plan.n, 77);
		tn_state_free(&s);
		tn_diag_free(&d);
	}
}

/* Explicit lists, remote nodes, counts, wrapping and exclusions. */
static void test_policies(void **state)
{
	struct tn_state s;
	struct tn_plan plan;
	struct tn_diag d;

	/* remote: eth0 of 32em64t is on node 1; node 0 is 0-7,16-23 */
	plan_with("32em64t",
		  "{\"name\": \"x\", \"irqbalance\": \"ignore\", \"interfaces\": [{\"match\": "
		  "{\"name\": \"eth0\"}, \"irq\": {\"cpus\": \"remote\", \"count\": 2, \"exclude\": \"\"}}]}",
		  &s, &plan, &d, 0);
	/* 16 queues on 2 CPUs: wrap, one warning; CPU 0 allowed (exclude given) */
	assert_string_equal(irq_after(&plan, 41), "0");
	assert_string_equal(irq_after(&plan, 42), "1");
	assert_string_equal(irq_after(&plan, 43), "0");
	assert_string_equal(d.warnings[0], "eth0: 16 queues on 2 CPUs: some CPUs take several queues");
	tn_plan_free(&plan);
	tn_state_free(&s);
	tn_diag_free(&d);

	/* smt allow: CPU number order; isolated 30-31 left out by default */
	plan_with("32em64t",
		  "{\"name\": \"x\", \"irqbalance\": \"ignore\", \"interfaces\": [{\"match\": "
		  "{\"name\": \"ib0\"}, \"irq\": {\"smt\": \"allow\"}}]}",
		  &s, &plan, &d, 0);
	assert_string_equal(irq_after(&plan, 75), "8");
	assert_string_equal(irq_after(&plan, 76), "9");
	assert_string_equal(irq_after(&plan, 77), "10");
	assert_string_equal(irq_after(&plan, 78), "11"); /* was on 12 */
	assert_null(irq_after(&plan, 74)); /* the async vector is not a queue */
	tn_plan_free(&plan);
	tn_state_free(&s);
	tn_diag_free(&d);
}

/* irqbalance 1.9 takes one 500-byte command: a ban list past it is refused
 * at plan time, with the way out, not found out after 1000 writes. */
static void test_irqbalance_ban_too_long(void **state)
{
	struct tn_profile prof;
	struct tn_state s;
	struct tn_plan plan;
	struct tn_diag d;
	int *v;

	(void)state;
	tn_test_load_golden("32em64t", &s);
	assert_true(s.irqbalance.running);
	v = calloc(150, sizeof(int));
	assert_non_null(v);
	for (int i = 0; i < 150; i++)
		v[i] = 1000 + i; /* "1000 1001 ..." : 750 bytes */
	free(s.irqbalance.banned_irqs);
	s.irqbalance.banned_irqs = v;
	s.irqbalance.n_banned_irqs = 150;
	load_profile_text("{\"name\": \"x\", \"interfaces\": [{\"match\": \"all\", \"irq\": {}}]}", "test.json",
			  &prof);
	tn_diag_init(&d);
	assert_int_equal(tn_plan_compute(&s, &prof, &plan, &d), -E2BIG);
	assert_string_equal(d.error,
			    "irqbalance: the IRQs to keep it away from (36 placed now, 150 banned "
			    "already) do not fit in the one 500-byte command irqbalance 1.9 takes; "
			    "set \"irqbalance\": \"stop\" or \"ignore\" in the profile, or place "
			    "fewer IRQs");
	tn_diag_free(&d);
	/* with "ignore" the same host plans */
	tn_profile_free(&prof);
	load_profile_text("{\"name\": \"x\", \"interfaces\": [{\"match\": \"all\", \"irq\": {}}], "
			  "\"irqbalance\": \"ignore\"}",
			  "test.json", &prof);
	tn_diag_init(&d);
	assert_int_equal(tn_plan_compute(&s, &prof, &plan, &d), 0);
	tn_plan_free(&plan);
	tn_diag_free(&d);
	tn_profile_free(&prof);
	tn_state_free(&s);
}

/* apply --boot's readiness: 24em64t has eth0, eth1, eth2 (sorted by name) */
static void test_links_ready(void **state)
{
	static const struct {
		const char *profile;
		bool up[3];
		bool ready;
		const char *why;
	} cases[] = {
		{ "{\"name\": \"x\"}", { false, false, false }, true, "" },
		{ "{\"name\": \"x\", \"interfaces\": [{\"match\": \"all\"}]}",
		  { false, false, true }, true, "" },
		{ "{\"name\": \"x\", \"interfaces\": [{\"match\": \"all\"}]}",
		  { false, false, false }, false,
		  "no NIC the profile's interface rules match is up yet" },
		{ "{\"name\": \"x\", \"interfaces\": [{\"match\": {\"name\": \"eth9\"}, "
		  "\"required\": true}]}",
		  { true, true, true }, false, "interfaces[0] (name eth9): no such NIC yet" },
		{ "{\"name\": \"x\", \"interfaces\": [{\"match\": {\"name\": \"eth1\"}, "
		  "\"required\": true}, {\"match\": \"all\"}]}",
		  { true, false, true }, false, "interfaces[0] (name eth1): eth1 is down" },
		{ "{\"name\": \"x\", \"interfaces\": [{\"match\": {\"name\": \"eth1\"}, "
		  "\"required\": true}, {\"match\": \"all\"}]}",
		  { false, true, false }, true, "" },
		/* a required rule counts only the NICs it is the first match of */
		{ "{\"name\": \"x\", \"interfaces\": [{\"match\": \"all\"}, "
		  "{\"match\": {\"name\": \"eth1\"}, \"required\": true}]}",
		  { true, true, true }, false, "interfaces[1] (name eth1): no such NIC yet" },
	};
	struct tn_state s;

	(void)state;
	tn_test_load_golden("24em64t", &s);
	assert_int_equal(s.n_nics, 3);
	assert_string_equal(s.nics[1].name, "eth1");
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct tn_profile prof;
		char why[200];
		bool ready;

		load_profile_text(cases[i].profile, "test.json", &prof);
		ready = tn_plan_links_ready(&s, &prof, cases[i].up, why, sizeof(why));
		if (ready != cases[i].ready || strcmp(why, cases[i].why) != 0)
			fail_msg("case %zu: ready %d (want %d), why \"%s\" (want \"%s\")", i, ready,
				 cases[i].ready, why, cases[i].why);
		tn_profile_free(&prof);
	}
	tn_state_free(&s);
}

static int count_kind(const struct tn_plan *plan, enum tn_change_kind kind)
{
	int n = 0;

	for (int i = 0; i < plan->n; i++)
		n += plan->changes[i].kind == kind;
	return n;
}

/*
 * match.user: comm and cmdline are anyone's to choose, the uid is not. The
 * snapshot's redis-server runs as uid 112; the same process as uid 1000, or
 * with no uid (an older snapshot), is not redis's.
 */
static void test_user_match(void **state)
{
	static const char by_uid[] =
		"{\"name\": \"x\", \"irqbalance\": \"ignore\", \"interfaces\": [{\"match\": \"all\","
		" \"irq\": {}}], \"processes\": [{\"match\": {\"comm\": \"redis-server\", \"user\": 112}}]}";
	static const char anyone[] =
		"{\"name\": \"x\", \"irqbalance\": \"ignore\", \"interfaces\": [{\"match\": \"all\","
		" \"irq\": {}}], \"processes\": [{\"match\": {\"comm\": \"redis-server\"}}]}";
	static const char by_name[] =
		"{\"name\": \"x\", \"irqbalance\": \"ignore\", \"interfaces\": [{\"match\": \"all\","
		" \"irq\": {}}], \"processes\": [{\"match\": {\"comm\": \"redis-server\", \"user\": "
		"\"redis\"}}]}";
	static const int64_t uids[] = { 112, 1000, -1 };
	struct tn_profile prof_uid, prof_any, prof_name;
	struct tn_state s;
	struct tn_plan plan;
	struct tn_diag d;

	tn_test_load_golden("24em64t", &s);
	assert_int_equal(s.n_processes, 1);
	assert_int_equal(s.processes[0].uid, 112);
	load_profile_text(by_uid, "uid.json", &prof_uid);
	load_profile_text(anyone, "any.json", &prof_any);
	load_profile_text(by_name, "name.json", &prof_name);
	for (size_t i = 0; i < sizeof(uids) / sizeof(uids[0]); i++) {
		s.processes[0].uid = uids[i];
		tn_diag_init(&d);
		assert_int_equal(tn_plan_compute(&s, &prof_uid, &plan, &d), 0);
		assert_int_equal(count_kind(&plan, TN_CHANGE_PROCESS_AFFINITY) > 0, uids[i] == 112);
		if (uids[i] != 112)
			assert_string_equal(d.warnings[d.n_warnings - 1],
					    "processes[0] (comm redis-server, user 112): no process "
					    "matches");
		tn_plan_free(&plan);
		tn_diag_free(&d);
		/* without "user": whoever runs it */
		tn_diag_init(&d);
		assert_int_equal(tn_plan_compute(&s, &prof_any, &plan, &d), 0);
		assert_true(count_kind(&plan, TN_CHANGE_PROCESS_AFFINITY) > 0);
		tn_plan_free(&plan);
		tn_diag_free(&d);
	}
	/* a name nobody looked up is refused, not matched against anything */
	tn_diag_init(&d);
	plan.n = 77;
	assert_int_equal(tn_plan_compute(&s, &prof_name, &plan, &d), -EINVAL);
	assert_string_equal(d.error, "processes[0]: user \"redis\" was not looked up: give a uid");
	assert_int_equal(plan.n, 77);
	tn_diag_free(&d);
	/* looked up (as the CLI does from /etc/passwd) */
	prof_name.procs[0].uid = 112;
	s.processes[0].uid = 112;
	tn_diag_init(&d);
	assert_int_equal(tn_plan_compute(&s, &prof_name, &plan, &d), 0);
	assert_true(count_kind(&plan, TN_CHANGE_PROCESS_AFFINITY) > 0);
	tn_plan_free(&plan);
	tn_diag_free(&d);
	tn_profile_free(&prof_uid);
	tn_profile_free(&prof_any);
	tn_profile_free(&prof_name);
	tn_state_free(&s);
}

/* ---- Hardening (area d): values are whole, lists of any length ---- */

/* The existing ban list is the change's "before": it was appended to a 1 KiB
 * array with no bound (30,000 IRQs: a heap overflow). Now it is built to size,
 * and a list irqbalance cannot take is refused as before. */
static void test_ban_list_any_length(void **state)
{
	static const int counts[] = { 30000, 60 };
	struct tn_profile prof;
	struct tn_plan plan;
	struct tn_diag d;

	(void)state;
	load_profile_text("{\"name\": \"x\", \"interfaces\": [{\"match\": {\"name\": "
			  "\"eth0\"}, \"irq\": {}}], \"irqbalance\": \"ban\"}",
			  "test.json", &prof);
	for (size_t k = 0; k < sizeof(counts) / sizeof(counts[0]); k++) {
		struct tn_state s;
		char *want = NULL;
		size_t len = 0;
		FILE *f;

		tn_test_load_golden("32em64t", &s);
		free(s.irqbalance.banned_irqs);
		s.irqbalance.n_banned_irqs = counts[k];
		s.irqbalance.banned_irqs = calloc((size_t)counts[k], sizeof(int));
		assert_non_null(s.irqbalance.banned_irqs);
		f = open_memstream(&want, &len);
		for (int i = 0; i < counts[k]; i++) {
			s.irqbalance.banned_irqs[i] = 1000 + i;
			fprintf(f, "%s%d", i ? "," : "", 1000 + i);
		}
		fclose(f);
		tn_diag_init(&d);
		if (counts[k] > 100) {
			assert_int_equal(tn_plan_compute(&s, &prof, &plan, &d), -E2BIG);
			assert_non_null(strstr(d.error, "(16 placed now, 30000 banned already) do "
							"not fit in the one 500-byte command"));
		} else {
			const struct tn_change *c;

			assert_int_equal(tn_plan_compute(&s, &prof, &plan, &d), 0);
			c = &plan.changes[plan.n - 1];
			assert_int_equal(c->kind, TN_CHANGE_IRQBALANCE);
			assert_string_equal(c->before, want);
			assert_int_equal(strncmp(c->after, "41,", 3), 0);
			assert_non_null(strstr(c->after, want));
			tn_plan_free(&plan);
		}
		free(want);
		tn_diag_free(&d);
		tn_state_free(&s);
	}
	tn_profile_free(&prof);
}

/* "0,2,4,...,N" (the CPUs of one node of a host numbering nodes alternately) */
static char *alternate(int first, int ncpus)
{
	char *s = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&s, &len);

	for (int c = first; c < ncpus; c += 2)
		fprintf(f, "%s%d", c > first ? "," : "", c);
	fclose(f);
	return s;
}

/* A 4096-CPU host numbering its two nodes alternately: its CPU lists are
 * 9,700 characters. The plan, and a journal line of each change, carry them
 * whole (they were cut at 1,023, or the plan refused "too long to record"). */
static void test_values_whole(void **state)
{
	char *even = alternate(0, 4096), *odd = alternate(1, 4096), *text = NULL, *ports;
	struct tn_profile prof;
	struct tn_state s;
	struct tn_plan plan;
	struct tn_diag d;
	size_t len = 0;
	FILE *f;
	int seen = 0;

	(void)state;
	ports = alternate(1, 2400); /* a sysctl value of 4,000 characters */
	f = open_memstream(&text, &len);
	fprintf(f, "{\"schema_version\": 1, \"topology\": {\"cpus\": \"0-4095\", "
		   "\"online\": \"0-4095\", \"nodes\": [{\"id\": 0, \"cpus\": \"%s\"}, "
		   "{\"id\": 1, \"cpus\": \"%s\"}]}, "
		   "\"nics\": [{\"name\": \"eth0\", \"numa_node\": 0, \"irqs\": [{\"irq\": 60, "
		   "\"name\": \"eth0-TxRx-0\", \"kind\": \"txrx\", \"queue\": 0, "
		   "\"affinity\": \"%s\"}]}], "
		   "\"sysctls\": {\"net.ipv4.ip_local_reserved_ports\": \"%s\"}, "
		   "\"processes\": [{\"pid\": 1187, \"comm\": \"redis-server\", \"threads\": "
		   "[{\"tid\": 1187, \"affinity\": \"%s\"}, "
		   "{\"tid\": 1190, \"affinity\": \"%s\"}]}]}",
		even, odd, odd, ports, even, even);
	fclose(f);
	tn_diag_init(&d);
	if (tn_state_parse(text, "4096.json", &s, &d) < 0)
		fail_msg("%s", d.error);
	load_profile_text("{\"name\": \"x\", \"interfaces\": [{\"match\": \"all\", \"irq\": "
			  "{\"count\": 1}}], \"sysctl\": {\"net.ipv4.ip_local_reserved_ports\": "
			  "\"8000\"}, \"processes\": [{\"match\": {\"comm\": \"redis-server\"}, "
			  "\"placement\": \"opposite\"}], \"irqbalance\": \"ignore\"}",
			  "test.json", &prof);
	assert_int_equal(tn_plan_compute(&s, &prof, &plan, &d), 0);
	for (int i = 0; i < plan.n; i++) {
		const struct tn_change *c = &plan.changes[i];
		struct tn_journal j = { 0 };
		struct tn_diag jd;
		char *line = tn_journal_change_line(0, c), *doc = NULL;

		if (c->kind == TN_CHANGE_IRQ_AFFINITY) {
			assert_string_equal(c->before, odd);
			seen |= 1;
		} else if (c->kind == TN_CHANGE_PROCESS_AFFINITY) {
			assert_string_equal(c->before, even);
			assert_string_equal(c->after, odd);
			seen |= 2;
		} else if (c->kind == TN_CHANGE_SYSCTL) {
			assert_string_equal(c->before, ports);
			seen |= 4;
		}
		/* through the journal and back */
		assert_non_null(line);
		assert_true(asprintf(&doc,
				     "{\"schema_version\":1,\"kind\":\"journal\",\"id\":\"x\","
				     "\"boot_id\":\"b\",\"sysroot\":\"/\"}\n%s",
				     line) > 0);
		tn_diag_init(&jd);
		if (tn_journal_parse(doc, "x.journal", &j, &jd) < 0)
			fail_msg("%s", jd.error);
		assert_int_equal(j.n, 1);
		assert_string_equal(j.e[0].c.before, c->before);
		assert_string_equal(j.e[0].c.after, c->after);
		tn_journal_free(&j);
		tn_diag_free(&jd);
		free(doc);
		free(line);
	}
	assert_int_equal(seen, 7);
	tn_plan_free(&plan);
	tn_profile_free(&prof);
	tn_state_free(&s);
	tn_diag_free(&d);
	free(text);
	free(even);
	free(odd);
	free(ports);
}

/* A journal line is bounded before cJSON sees it ("[0,0,...]": 80 bytes a value). */
static void test_journal_line_bound(void **state)
{
	const char *head = "{\"schema_version\":1,\"kind\":\"journal\",\"id\":\"x\","
			   "\"boot_id\":\"b\",\"sysroot\":\"/\"}\n{\"end\":[";
	size_t n = strlen(head);
	struct tn_journal j;
	struct tn_diag d;
	char *text = malloc(n + TN_JOURNAL_LINE_MAX + 16);

	(void)state;
	assert_non_null(text);
	memcpy(text, head, n);
	for (int i = 0; i < TN_JOURNAL_LINE_MAX / 2; i++, n += 2)
		memcpy(text + n, "0,", 2);
	memcpy(text + n, "0]}\n", 5);
	tn_diag_init(&d);
	assert_int_equal(tn_journal_parse(text, "big.journal", &j, &d), -EINVAL);
	assert_string_equal(d.error, "big.journal:2: a line of more than 1048576 bytes: the "
				     "journal is damaged");
	tn_diag_free(&d);
	free(text);
}

/* IRQs held across stage 1 (core/plan_held.c): a record of each IRQ of a NIC
 * whose rings change, as it is before; after the driver reset some, a change
 * putting back each one the plan does not place (also where the driver gave
 * it another number), none for one it places or one as it was. */
static void test_held(void **state)
{
	static const char rings[] = "{\"name\": \"h\", \"interfaces\": ["
				    "{\"match\": {\"name\": \"eth0\"}, \"rings\": {\"rx\": 4096}}]}";
	static const char placed[] = "{\"name\": \"h\", \"interfaces\": ["
				     "{\"match\": {\"name\": \"eth0\"}, \"rings\": {\"rx\": 4096},"
				     " \"irq\": {}}]}";
	struct tn_change *held;
	struct tn_profile p, pp;
	struct tn_plan plan, again;
	struct tn_state s;
	struct tn_diag d;
	struct tn_nic *eth0;
	int n, restores = 0;

	tn_test_load_golden("24em64t", &s);
	for (int i = 0; i < s.n_nics; i++) {
		s.nics[i].has_ring = true;
		s.nics[i].ring = (struct tn_ring){ 256, 4096, 256, 4096 };
	}
	eth0 = &s.nics[0];
	assert_string_equal(eth0->name, "eth0");
	load_profile_text(rings, "h.json", &p);
	load_profile_text(placed, "hp.json", &pp);
	tn_diag_init(&d);
	assert_int_equal(tn_plan_compute(&s, &p, &plan, &d), 0);
	assert_int_equal(tn_plan_held(&s, &plan, &held, &n, &d), 0);
	assert_int_equal(n, eth0->n_irqs); /* eth0's, not eth1's: its rings do not change */
	for (int i = 0; i < n; i++) {
		assert_true(tn_change_is_held(&held[i]));
		assert_int_equal(atoi(held[i].target), eth0->irqs[i].irq);
		assert_string_equal(held[i].label, eth0->irqs[i].name);
		assert_string_equal(held[i].before, "0-23");
		assert_string_equal(held[i].after, "0-23");
		assert_int_equal(tn_journal_check_change(&held[i], (char[64]){ 0 }, 64), 0);
	}
	tn_plan_free(&plan);

	/* stage 1 made: the rings as asked, the driver moved IRQs 49 and 50 and
	 * gave eth0-TxRx-2 (51) the number 151 */
	eth0->ring.rx = 4096;
	assert_int_equal(tn_cpus_parse_list("5", &eth0->irqs[1].affinity), 0);
	assert_int_equal(tn_cpus_parse_list("6", &eth0->irqs[2].affinity), 0);
	assert_string_equal(eth0->irqs[3].name, "eth0-TxRx-2");
	eth0->irqs[3].irq = 151;
	assert_int_equal(tn_cpus_parse_list("7", &eth0->irqs[3].affinity), 0);
	assert_int_equal(tn_plan_compute(&s, &p, &again, &d), 0);
	assert_int_equal(again.n, 0);
	assert_int_equal(tn_plan_restore_held(&s, held, n, &again, &d), 0);
	assert_int_equal(again.n, 3);
	for (int i = 0; i < again.n; i++) {
		const struct tn_change *c = &again.changes[i];

		assert_int_equal(c->kind, TN_CHANGE_IRQ_AFFINITY);
		assert_string_equal(c->key, "smp_affinity_list");
		assert_string_equal(c->after, "0-23");
		assert_string_equal(c->reason,
				    "its driver reset it when eth0's rings or channels changed: as "
				    "before");
		restores += strcmp(c->target, "49") == 0 && strcmp(c->before, "5") == 0;
		restores += strcmp(c->target, "50") == 0 && strcmp(c->before, "6") == 0;
		restores += strcmp(c->target, "151") == 0 && strcmp(c->before, "7") == 0 &&
			    strcmp(c->label, "eth0-TxRx-2") == 0;
	}
	assert_int_equal(restores, 3);
	assert_true(d.n_warnings > 0);
	assert_string_equal(d.warnings[d.n_warnings - 1],
			    "eth0: its driver moved 3 IRQs when its rings or channels changed: put "
			    "back as they were");
	tn_plan_free(&again);

	/* the IRQs placed by the profile: the plan's values, nothing put back
	 * beside them, and the plan stays in kind order */
	assert_int_equal(tn_plan_compute(&s, &pp, &again, &d), 0);
	n = again.n;
	assert_int_equal(tn_plan_restore_held(&s, held, eth0->n_irqs, &again, &d), 0);
	for (int i = 0; i < again.n; i++) {
		assert_string_not_equal(tn_str(again.changes[i].reason),
					"its driver reset it when eth0's rings or channels "
					"changed: as before");
		if (i)
			assert_true(again.changes[i - 1].kind <= again.changes[i].kind);
	}
	assert_true(again.n >= n);
	tn_plan_free(&again);
	tn_held_free(held, eth0->n_irqs);
	tn_profile_free(&p);
	tn_profile_free(&pp);
	tn_state_free(&s);
	tn_diag_free(&d);
}

/* The driver put an IRQ the profile places exactly where the plan wants it
 * (virtio-net spreads one queue a CPU, as the planner may): it is not put back
 * as it was before stage 1; it stays, recorded by a change from and to the
 * plan's CPU (what rollback finds there as apply left it). */
static void test_held_placed_by_driver(void **state)
{
	static const char placed[] = "{\"name\": \"h\", \"interfaces\": ["
				     "{\"match\": {\"name\": \"eth0\"}, \"rings\": {\"rx\": 4096},"
				     " \"irq\": {}}]}";
	struct tn_change *held;
	struct tn_profile pp;
	struct tn_plan plan, again;
	struct tn_state s;
	struct tn_diag d;
	struct tn_nic *eth0;
	char want[64] = "";
	int n, kept = 0;

	(void)state;
	tn_test_load_golden("24em64t", &s);
	for (int i = 0; i < s.n_nics; i++) {
		s.nics[i].has_ring = true;
		s.nics[i].ring = (struct tn_ring){ 256, 4096, 256, 4096 };
	}
	eth0 = &s.nics[0];
	load_profile_text(placed, "hp.json", &pp);
	tn_diag_init(&d);
	assert_int_equal(tn_plan_compute(&s, &pp, &plan, &d), 0);
	assert_int_equal(tn_plan_held(&s, &plan, &held, &n, &d), 0);
	assert_int_equal(n, eth0->n_irqs);
	for (int i = 0; i < plan.n; i++)
		if (plan.changes[i].kind == TN_CHANGE_IRQ_AFFINITY &&
		    atoi(plan.changes[i].target) == eth0->irqs[1].irq)
			snprintf(want, sizeof(want), "%s", plan.changes[i].after);
	assert_string_not_equal(want, "");
	tn_plan_free(&plan);

	/* stage 1 made: the driver put eth0's second IRQ on the plan's CPU */
	eth0->ring.rx = 4096;
	assert_int_equal(tn_cpus_parse_list(want, &eth0->irqs[1].affinity), 0);
	assert_int_equal(tn_plan_compute(&s, &pp, &again, &d), 0);
	assert_int_equal(tn_plan_restore_held(&s, held, n, &again, &d), 0);
	for (int i = 0; i < again.n; i++) {
		const struct tn_change *c = &again.changes[i];

		if (c->kind != TN_CHANGE_IRQ_AFFINITY || atoi(c->target) != eth0->irqs[1].irq)
			continue;
		assert_string_equal(c->before, want);
		assert_string_equal(c->after, want);
		assert_string_equal(c->reason, "its driver put it where the profile wants it when "
					       "eth0's rings or channels changed");
		kept++;
	}
	assert_int_equal(kept, 1);
	tn_plan_free(&again);
	tn_held_free(held, n);
	tn_profile_free(&pp);
	tn_state_free(&s);
	tn_diag_free(&d);
}

/* Two NICs of one device listing the same IRQs (an IPoIB child beside its
 * parent, switchdev representors), both with a ring change: each IRQ is held
 * once (it was held by both: two records, and after stage 1 two changes of
 * one IRQ, said as moved twice). */
static void test_held_shared(void **state)
{
	static const char rings[] = "{\"name\": \"h\", \"interfaces\": ["
				    "{\"match\": {\"name\": \"eth[01]\"}, \"rings\": {\"rx\": 4096}}]}";
	struct tn_change *held;
	struct tn_profile p;
	struct tn_plan plan, again;
	struct tn_state s;
	struct tn_diag d;
	struct tn_nic *eth0, *eth1;
	int n, shared, restores = 0;

	(void)state;
	tn_test_load_golden("24em64t", &s);
	for (int i = 0; i < s.n_nics; i++) {
		s.nics[i].has_ring = true;
		s.nics[i].ring = (struct tn_ring){ 256, 4096, 256, 4096 };
	}
	eth0 = &s.nics[0];
	eth1 = &s.nics[1];
	assert_string_equal(eth1->name, "eth1");
	/* eth1 lists eth0's first IRQs, as they are */
	shared = eth0->n_irqs < eth1->n_irqs ? eth0->n_irqs : eth1->n_irqs;
	for (int k = 0; k < shared; k++) {
		struct tn_irq *q = &eth1->irqs[k];

		q->irq = eth0->irqs[k].irq;
		free(q->name);
		q->name = strdup(eth0->irqs[k].name);
		assert_non_null(q->name);
		assert_int_equal(tn_cpus_parse_list("0-23", &q->affinity), 0);
		q->has_affinity = true;
		q->managed = false;
	}
	load_profile_text(rings, "h.json", &p);
	tn_diag_init(&d);
	assert_int_equal(tn_plan_compute(&s, &p, &plan, &d), 0);
	assert_int_equal(tn_plan_held(&s, &plan, &held, &n, &d), 0);
	assert_int_equal(n, eth0->n_irqs + eth1->n_irqs - shared);
	for (int i = 0; i < n; i++)
		for (int k = i + 1; k < n; k++)
			assert_string_not_equal(held[i].target, held[k].target);
	tn_plan_free(&plan);

	/* stage 1 made: the driver moved eth0's second IRQ (eth1's too) */
	eth0->ring.rx = eth1->ring.rx = 4096;
	assert_int_equal(tn_cpus_parse_list("5", &eth0->irqs[1].affinity), 0);
	assert_int_equal(tn_cpus_parse_list("5", &eth1->irqs[1].affinity), 0);
	assert_int_equal(tn_plan_compute(&s, &p, &again, &d), 0);
	assert_int_equal(tn_plan_restore_held(&s, held, n, &again, &d), 0);
	for (int i = 0; i < again.n; i++)
		restores += atoi(again.changes[i].target) == eth0->irqs[1].irq;
	assert_int_equal(restores, 1);
	tn_plan_free(&again);
	tn_held_free(held, n);
	tn_profile_free(&p);
	tn_state_free(&s);
	tn_diag_free(&d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_all_profiles),   cmocka_unit_test(test_default_24em64t),
		cmocka_unit_test(test_rx_tx_same_cpu), cmocka_unit_test(test_rings),
		cmocka_unit_test(test_refusals),       cmocka_unit_test(test_policies),
		cmocka_unit_test(test_links_ready),
		cmocka_unit_test(test_irqbalance_ban_too_long),
		cmocka_unit_test(test_user_match),
		cmocka_unit_test(test_ban_list_any_length),
		cmocka_unit_test(test_values_whole),
		cmocka_unit_test(test_journal_line_bound),
		cmocka_unit_test(test_held),
		cmocka_unit_test(test_held_placed_by_driver),
		cmocka_unit_test(test_held_shared),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
