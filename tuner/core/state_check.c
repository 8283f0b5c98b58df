/* SPDX-License-Identifier: MIT */
/*
 * What a snapshot read from JSON must hold beyond each value's type and range:
 * what discovery guarantees, so that a hand-edited or hostile file cannot
 * give a plan a host never would (an IRQ placed twice, on two CPUs; a process
 * moved twice; a CPU the topology does not have). Errors name the JSON path
 * of the entry, in file order (before tn_state_sort).
 */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "jsonutil.h"
#include "state_json.h"

struct val_at {
	int v, i;
};

static int cmp_val_at(const void *a, const void *b)
{
	const struct val_at *x = a, *y = b;

	if (x->v != y->v)
		return (x->v > y->v) - (x->v < y->v);
	return (x->i > y->i) - (x->i < y->i);
}

/*
 * Among n entries of 'size' bytes from base, each with an int at offset off:
 * the index of the first (in file order) whose value an earlier one has, and
 * that earlier one's in *first; -1 when every value is unique, -ENOMEM.
 */
static int first_repeat(const void *base, int n, size_t size, size_t off, int *first)
{
	struct val_at *v;
	int best = -1;

	if (n < 2)
		return -1;
	v = malloc(sizeof(*v) * (size_t)n);
	if (!v)
		return -ENOMEM;
	for (int i = 0; i < n; i++) {
		memcpy(&v[i].v, (const char *)base + (size_t)i * size + off, sizeof(int));
		v[i].i = i;
	}
	qsort(v, (size_t)n, sizeof(*v), cmp_val_at);
	for (int i = 1; i < n; i++) {
		if (v[i].v == v[i - 1].v && (best < 0 || v[i].i < best)) {
			best = v[i].i;
			/* the run's first entry: the value's first occurrence */
			for (int k = i - 1; k >= 0 && v[k].v == v[i].v; k--)
				*first = v[k].i;
		}
	}
	free(v);
	return best;
}

/* "KEY[i].FIELD: WHAT %d is listed twice (also KEY[first])" */
static int repeated(struct tn_jreader *r, const char *key, int i, const char *field,
		    const char *what, int value, int first)
{
	size_t m = tn_jr_push_key(r, key);
	int ret;

	tn_jr_push_index(r, i);
	tn_jr_push_key(r, field);
	ret = tn_jr_error(r, "%s %d is listed twice (also %s[%d])", what, value, key, first);
	tn_jr_pop(r, m);
	return ret;
}

static int check_repeats(struct tn_jreader *r, const struct tn_state *s)
{
	int at, first = -1, ret = 0;
	size_t m;

	for (int i = 0; i < s->n_nics && ret == 0; i++) {
		const struct tn_nic *n = &s->nics[i];

		at = first_repeat(n->irqs, n->n_irqs, sizeof(*n->irqs),
				  offsetof(struct tn_irq, irq), &first);
		if (at >= 0) {
			m = tn_jr_push_key(r, "nics");
			tn_jr_push_index(r, i);
			ret = repeated(r, "irqs", at, "irq", "IRQ", n->irqs[at].irq, first);
			tn_jr_pop(r, m);
		}
		ret = at == -ENOMEM ? at : ret;
	}
	if (ret == 0) {
		at = first_repeat(s->processes, s->n_processes, sizeof(*s->processes),
				  offsetof(struct tn_process, pid), &first);
		ret = at >= 0 ? repeated(r, "processes", at, "pid", "pid", s->processes[at].pid,
					 first)
		      : at == -ENOMEM ? at
				      : 0;
	}
	for (int i = 0; i < s->n_processes && ret == 0; i++) {
		const struct tn_process *p = &s->processes[i];

		at = first_repeat(p->threads, p->n_threads, sizeof(*p->threads),
				  offsetof(struct tn_thread, tid), &first);
		if (at >= 0) {
			m = tn_jr_push_key(r, "processes");
			tn_jr_push_index(r, i);
			ret = repeated(r, "threads", at, "tid", "thread", p->threads[at].tid,
				       first);
			tn_jr_pop(r, m);
		}
		ret = at == -ENOMEM ? at : ret;
	}
	if (ret == -ENOMEM)
		return tn_diag_error(r->diag, ret, "out of memory");
	return ret;
}

/* topology.PATH: set must be within topology.cpus. */
static int within_cpus(struct tn_jreader *r, const struct tn_topology *t,
		       const struct tn_cpuset *set, const char *key, int index)
{
	struct tn_cpuset out = *set;
	char *list;
	size_t m;
	int ret;

	tn_cpuset_andnot(&out, &t->cpus);
	if (tn_cpuset_empty(&out))
		return 0;
	m = tn_jr_push_key(r, "topology");
	if (index >= 0) {
		tn_jr_push_key(r, key);
		tn_jr_push_index(r, index);
		tn_jr_push_key(r, "cpus");
	} else {
		tn_jr_push_key(r, key);
	}
	list = tn_cpuset_list_alloc(&out);
	ret = list ? tn_jr_error(r, "CPU%s %s %s not in topology.cpus (the host's CPUs)",
				 tn_cpuset_count(&out) == 1 ? "" : "s", list,
				 tn_cpuset_count(&out) == 1 ? "is" : "are")
		   : tn_diag_error(r->diag, -ENOMEM, "out of memory");
	free(list);
	tn_jr_pop(r, m);
	return ret;
}

static int check_topology(struct tn_jreader *r, const struct tn_topology *t)
{
	int ret;

	if ((ret = within_cpus(r, t, &t->online, "online", -1)) < 0)
		return ret;
	for (int i = 0; i < t->n_nodes; i++)
		if ((ret = within_cpus(r, t, &t->nodes[i].cpus, "nodes", i)) < 0)
			return ret;
	for (int i = 0; i < t->n_cores; i++) {
		if ((ret = within_cpus(r, t, &t->cores[i].cpus, "cores", i)) < 0)
			return ret;
		if (t->cores[i].node >= 0 && !tn_topology_node(t, t->cores[i].node)) {
			size_t m = tn_jr_push_key(r, "topology");

			tn_jr_push_key(r, "cores");
			tn_jr_push_index(r, i);
			tn_jr_push_key(r, "node");
			ret = tn_jr_error(r, "node %d is not in topology.nodes", t->cores[i].node);
			tn_jr_pop(r, m);
			return ret;
		}
	}
	return 0;
}

int tn_state_check(struct tn_jreader *r, const struct tn_state *s)
{
	int ret = check_topology(r, &s->topo);

	return ret < 0 ? ret : check_repeats(r, s);
}
