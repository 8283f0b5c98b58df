/* SPDX-License-Identifier: MIT */
/*
 * IRQs held across stage 1. Drivers reset the affinity of a NIC's IRQs when
 * its rings or channels change (virtio-net spreads them again; others free
 * and request them anew), both when apply makes the change and when rollback
 * undoes it. So apply records each IRQ of such a NIC as it was before (a
 * "held" record: key "held", before = after = its CPUs, label = its name),
 * puts back after stage 1 those the profile does not place, and rollback puts
 * back every one of them once it has restored the rings and channels.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plan.h"

bool tn_change_is_held(const struct tn_change *c)
{
	return c->kind == TN_CHANGE_IRQ_AFFINITY && strcmp(c->key, TN_HELD_KEY) == 0;
}

/* Whether NIC name is the target of one of the plan's stage 1 changes (ones
 * holds their indices, n of them). */
static bool stage_one_nic(const struct tn_plan *p, const int *ones, int n, const char *name)
{
	for (int i = 0; i < n; i++)
		if (strcmp(p->changes[ones[i]].target, name) == 0)
			return true;
	return false;
}

static char *cpus_list(const struct tn_cpus *c)
{
	struct tn_cpuset s;

	tn_cpus_get(c, &s);
	return tn_cpuset_list_alloc(&s);
}

/* A held record's reason: "as before eth0's rings or channels changed". */
#define HELD_REASON_A "as before "
#define HELD_REASON_B "'s rings or channels changed"

/* One held record of IRQ q of NIC n into c (zeroed); 0 or -ENOMEM. */
static int held_record(struct tn_change *c, const struct tn_nic *n, const struct tn_irq *q)
{
	memset(c, 0, sizeof(*c));
	c->kind = TN_CHANGE_IRQ_AFFINITY;
	snprintf(c->target, sizeof(c->target), "%d", q->irq);
	snprintf(c->key, sizeof(c->key), "%s", TN_HELD_KEY);
	c->before = cpus_list(&q->affinity);
	c->after = c->before ? strdup(c->before) : NULL;
	if (!c->after || tn_change_printf(&c->label, "%s", q->name) < 0 ||
	    tn_change_printf(&c->reason, HELD_REASON_A "%s" HELD_REASON_B, n->name) < 0)
		return -ENOMEM;
	return 0;
}

int tn_held_nic(const struct tn_change *held, char *nic, size_t len)
{
	const char *r = tn_str(held->reason);
	size_t n = strlen(r), a = strlen(HELD_REASON_A), b = strlen(HELD_REASON_B);

	nic[0] = '\0';
	if (n <= a + b || n - a - b >= len || strncmp(r, HELD_REASON_A, a) != 0 ||
	    strcmp(r + n - b, HELD_REASON_B) != 0)
		return 0;
	memcpy(nic, r + a, n - a - b);
	nic[n - a - b] = '\0';
	return 1;
}

struct held_at {
	int irq, i;
};

static int cmp_held_at(const void *a, const void *b)
{
	const struct held_at *x = a, *y = b;

	if (x->irq != y->irq)
		return x->irq < y->irq ? -1 : 1;
	return (x->i > y->i) - (x->i < y->i);
}

/* Each IRQ held once, by the first NIC listing it (netdevs of one device list
 * the same vectors: an IPoIB child beside its parent, switchdev
 * representors), the records kept in order; n log n. 0 or -ENOMEM. */
static int held_once(struct tn_change *v, int *n)
{
	struct held_at *at = malloc(sizeof(*at) * ((size_t)*n + 1));
	bool *dup = calloc((size_t)*n + 1, sizeof(*dup));
	int w = 0;

	if (!at || !dup) {
		free(at);
		free(dup);
		return -ENOMEM;
	}
	for (int i = 0; i < *n; i++)
		at[i] = (struct held_at){ atoi(v[i].target), i };
	qsort(at, (size_t)*n, sizeof(*at), cmp_held_at);
	for (int k = 1; k < *n; k++)
		dup[at[k].i] = at[k].irq == at[k - 1].irq;
	for (int i = 0; i < *n; i++) {
		if (dup[i])
			tn_change_free(&v[i]);
		else
			v[w++] = v[i];
	}
	*n = w;
	free(at);
	free(dup);
	return 0;
}

void tn_held_free(struct tn_change *held, int n)
{
	for (int i = 0; i < n; i++)
		tn_change_free(&held[i]);
	free(held);
}

int tn_plan_held(const struct tn_state *s, const struct tn_plan *p, struct tn_change **out,
		 int *nout, struct tn_diag *d)
{
	struct tn_change *v = NULL;
	int n = 0, cap = 0, nones = 0, *ones;

	*out = NULL;
	*nout = 0;
	ones = malloc(sizeof(*ones) * ((size_t)p->n + 1));
	if (!ones)
		return tn_diag_error(d, -ENOMEM, "out of memory");
	for (int i = 0; i < p->n; i++)
		if (tn_change_stage(&p->changes[i]) == 1)
			ones[nones++] = i;
	for (int i = 0; i < s->n_nics && nones; i++) {
		const struct tn_nic *nic = &s->nics[i];

		if (!stage_one_nic(p, ones, nones, nic->name))
			continue;
		for (int k = 0; k < nic->n_irqs; k++) {
			const struct tn_irq *q = &nic->irqs[k];

			if (!q->has_affinity || q->managed)
				continue;
			if (n == cap) {
				struct tn_change *nv =
					realloc(v, sizeof(*v) * (size_t)(cap ? cap * 2 : 16));

				if (!nv)
					goto oom;
				v = nv;
				cap = cap ? cap * 2 : 16;
			}
			if (held_record(&v[n++], nic, q) < 0)
				goto oom;
		}
	}
	if (n > 1 && held_once(v, &n) < 0)
		goto oom;
	free(ones);
	*out = v;
	*nout = n;
	return 0;
oom:
	free(ones);
	tn_held_free(v, n);
	return tn_diag_error(d, -ENOMEM, "out of memory");
}

/* The IRQs of a snapshot by name, and the IRQs a plan places by number:
 * looked up once per held record (thousands, on a large host) in log time. */
struct irq_ref {
	const char *name;
	const struct tn_irq *q;
	const struct tn_nic *nic;
};

struct held_index {
	struct irq_ref *by_name;
	int n;
	int *changed, nchanged; /* IRQs the plan changes, sorted */
	int *placed, nplaced;	/* IRQs the profile places, sorted */
};

static int cmp_ref(const void *a, const void *b)
{
	const struct irq_ref *x = a, *y = b;
	int c = strcmp(x->name, y->name);

	return c ? c : (x->q->irq > y->q->irq) - (x->q->irq < y->q->irq);
}

static int cmp_int(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;

	return (x > y) - (x < y);
}

static void index_free(struct held_index *x)
{
	free(x->by_name);
	free(x->changed);
	free(x->placed);
}

static int index_build(const struct tn_state *s, const struct tn_plan *p, struct held_index *x)
{
	int total = 0;

	memset(x, 0, sizeof(*x));
	for (int i = 0; i < s->n_nics; i++)
		total += s->nics[i].n_irqs;
	x->by_name = malloc(sizeof(*x->by_name) * ((size_t)total + 1));
	x->changed = malloc(sizeof(*x->changed) * ((size_t)p->n + 1));
	x->placed = malloc(sizeof(*x->placed) * ((size_t)p->n_placed + 1));
	if (!x->by_name || !x->changed || !x->placed)
		return -ENOMEM;
	for (int i = 0; i < s->n_nics; i++)
		for (int k = 0; k < s->nics[i].n_irqs; k++)
			x->by_name[x->n++] = (struct irq_ref){ s->nics[i].irqs[k].name,
							       &s->nics[i].irqs[k], &s->nics[i] };
	qsort(x->by_name, (size_t)x->n, sizeof(*x->by_name), cmp_ref);
	for (int i = 0; i < p->n; i++)
		if (p->changes[i].kind == TN_CHANGE_IRQ_AFFINITY)
			x->changed[x->nchanged++] = atoi(p->changes[i].target);
	qsort(x->changed, (size_t)x->nchanged, sizeof(int), cmp_int);
	if (p->n_placed)
		memcpy(x->placed, p->placed, sizeof(int) * (size_t)p->n_placed);
	x->nplaced = p->n_placed;
	qsort(x->placed, (size_t)x->nplaced, sizeof(int), cmp_int);
	return 0;
}

/* The IRQ a held record names in s: the same number with the same name, else
 * the one IRQ of that name (a driver that requested its IRQs anew); NULL when
 * it is gone. *nic is its NIC. */
static const struct tn_irq *find_held(const struct held_index *x, const struct tn_change *h,
				      const struct tn_nic **nic)
{
	const char *name = tn_str(h->label);
	int irq = atoi(h->target), lo = 0, hi = x->n, end;

	while (lo < hi) { /* the first of that name */
		int mid = lo + (hi - lo) / 2;

		if (strcmp(x->by_name[mid].name, name) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (end = lo; end < x->n && strcmp(x->by_name[end].name, name) == 0; end++)
		if (x->by_name[end].q->irq == irq) {
			*nic = x->by_name[end].nic;
			return x->by_name[end].q;
		}
	if (end - lo != 1)
		return NULL;
	*nic = x->by_name[lo].nic;
	return x->by_name[lo].q;
}

/* Whether the profile places IRQ irq (1: changed by the plan, 2: already where
 * it wants it, no change of it in the plan). */
static int planned_irq(const struct held_index *x, int irq)
{
	if (bsearch(&irq, x->changed, (size_t)x->nchanged, sizeof(int), cmp_int))
		return 1;
	return bsearch(&irq, x->placed, (size_t)x->nplaced, sizeof(int), cmp_int) ? 2 : 0;
}

/* The changes add[0..n) (their strings now the plan's) into the plan, after
 * its changes of kinds up to theirs (irq_affinity: the plan is in kind order),
 * in one move. */
static int insert_changes(struct tn_plan *p, const struct tn_change *add, int n)
{
	struct tn_change *nv;
	int at = 0;

	if (!n)
		return 0;
	nv = realloc(p->changes, sizeof(*nv) * (size_t)(p->n + n));
	if (!nv)
		return -ENOMEM;
	p->changes = nv;
	while (at < p->n && p->changes[at].kind <= add[0].kind)
		at++;
	memmove(&p->changes[at + n], &p->changes[at], sizeof(*nv) * (size_t)(p->n - at));
	memcpy(&p->changes[at], add, sizeof(*nv) * (size_t)n);
	p->n += n;
	return 0;
}

/* The change that puts back held record h on IRQ q (now at cur) into c; kept:
 * its driver put it where the profile wants it, where it stays (the change,
 * from cur to cur, records for rollback what apply left, and that it was). */
static int restore_change(struct tn_change *c, const struct tn_change *h, const struct tn_irq *q,
			  const struct tn_nic *nic, char *cur, bool kept)
{
	memset(c, 0, sizeof(*c));
	c->kind = TN_CHANGE_IRQ_AFFINITY;
	snprintf(c->target, sizeof(c->target), "%d", q->irq);
	snprintf(c->key, sizeof(c->key), "smp_affinity_list");
	c->before = cur;
	c->after = strdup(kept ? cur : h->before);
	if (!c->after || tn_change_printf(&c->label, "%s", q->name) < 0 ||
	    tn_change_printf(
		    &c->reason,
		    kept ? "its driver put it where the profile wants it when %s's rings "
			   "or channels changed"
			 : "its driver reset it when %s's rings or channels changed: as before",
		    nic->name) < 0) {
		tn_change_free(c);
		return -ENOMEM;
	}
	return 0;
}

/* Say how many IRQs of NIC nic the plan puts back. */
static void say_restored(const struct tn_nic *nic, int n, struct tn_diag *d)
{
	if (nic && n)
		tn_diag_warn(d,
			     "%s: its driver moved %d IRQ%s when its rings or channels changed: "
			     "put back as %s",
			     nic->name, n, n == 1 ? "" : "s", n == 1 ? "it was" : "they were");
}

int tn_plan_restore_held(const struct tn_state *s, const struct tn_change *held, int n,
			 struct tn_plan *p, struct tn_diag *d)
{
	const struct tn_nic *said = NULL;
	struct tn_change *add = malloc(sizeof(*add) * ((size_t)n + 1));
	struct held_index x = { 0 };
	int count = 0, nadd = 0, ret = 0;

	if (!add || index_build(s, p, &x) < 0) {
		free(add);
		index_free(&x);
		return tn_diag_error(d, -ENOMEM, "out of memory");
	}
	for (int i = 0; i < n && ret == 0; i++) {
		const struct tn_nic *nic = NULL;
		const struct tn_irq *q = find_held(&x, &held[i], &nic);
		int placed;
		char *cur;

		if (!q || q->managed || !q->has_affinity || (placed = planned_irq(&x, q->irq)) == 1)
			continue;
		cur = cpus_list(&q->affinity);
		if (!cur) {
			ret = -ENOMEM;
			break;
		}
		if (tn_change_same(&held[i], cur, held[i].before)) {
			free(cur);
			continue;
		}
		if (restore_change(&add[nadd], &held[i], q, nic, cur, placed == 2) < 0) {
			ret = -ENOMEM;
			break;
		}
		nadd++;
		if (placed == 2)
			continue; /* not moved back: said as a change of its own */
		if (nic != said) {
			say_restored(said, count, d);
			said = nic;
			count = 0;
		}
		count++;
	}
	index_free(&x);
	if (ret == 0 && insert_changes(p, add, nadd) < 0)
		ret = -ENOMEM;
	if (ret < 0) {
		for (int i = 0; i < nadd; i++)
			tn_change_free(&add[i]);
		free(add);
		return tn_diag_error(d, -ENOMEM, "out of memory");
	}
	free(add);
	say_restored(said, count, d);
	return 0;
}
