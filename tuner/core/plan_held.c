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
	    tn_change_printf(&c->reason, "as before %s's rings or channels changed", n->name) < 0)
		return -ENOMEM;
	return 0;
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
				struct tn_change *nv = realloc(v, sizeof(*v) * (size_t)(cap ? cap * 2 : 16));

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

/* The IRQ a held record names in s: the same number with the same name, else
 * the one IRQ of that name (a driver that requested its IRQs anew); NULL when
 * it is gone. *nic is its NIC. */
static const struct tn_irq *find_held(const struct tn_state *s, const struct tn_change *h,
				      const struct tn_nic **nic)
{
	const struct tn_irq *found = NULL;
	int irq = atoi(h->target), named = 0;

	for (int i = 0; i < s->n_nics; i++)
		for (int k = 0; k < s->nics[i].n_irqs; k++) {
			const struct tn_irq *q = &s->nics[i].irqs[k];

			if (strcmp(q->name, tn_str(h->label)) != 0)
				continue;
			if (q->irq == irq) {
				*nic = &s->nics[i];
				return q;
			}
			named++;
			found = q;
			*nic = &s->nics[i];
		}
	return named == 1 ? found : NULL;
}

/* Whether the profile places IRQ irq (1: changed by plan p, 2: already where
 * it wants it, no change of it in p). */
static int planned_irq(const struct tn_plan *p, int irq)
{
	char t[16];

	snprintf(t, sizeof(t), "%d", irq);
	for (int i = 0; i < p->n; i++)
		if (p->changes[i].kind == TN_CHANGE_IRQ_AFFINITY && strcmp(p->changes[i].target, t) == 0)
			return 1;
	for (int i = 0; i < p->n_placed; i++)
		if (p->placed[i] == irq)
			return 2;
	return 0;
}

/* Insert c (its strings now the plan's) after the plan's changes of kinds up
 * to its own (the plan is in kind order). */
static int insert_change(struct tn_plan *p, const struct tn_change *c)
{
	struct tn_change *nv = realloc(p->changes, sizeof(*nv) * (size_t)(p->n + 1));
	int at = 0;

	if (!nv)
		return -ENOMEM;
	p->changes = nv;
	while (at < p->n && p->changes[at].kind <= c->kind)
		at++;
	memmove(&p->changes[at + 1], &p->changes[at], sizeof(*nv) * (size_t)(p->n - at));
	p->changes[at] = *c;
	p->n++;
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
	    tn_change_printf(&c->reason,
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
		tn_diag_warn(d, "%s: its driver moved %d IRQ%s when its rings or channels changed: "
			     "put back as %s", nic->name, n, n == 1 ? "" : "s",
			     n == 1 ? "it was" : "they were");
}

int tn_plan_restore_held(const struct tn_state *s, const struct tn_change *held, int n,
			 struct tn_plan *p, struct tn_diag *d)
{
	const struct tn_nic *said = NULL;
	int count = 0;

	for (int i = 0; i < n; i++) {
		const struct tn_nic *nic = NULL;
		const struct tn_irq *q = find_held(s, &held[i], &nic);
		struct tn_change c;
		int placed;
		char *cur;

		if (!q || q->managed || !q->has_affinity || (placed = planned_irq(p, q->irq)) == 1)
			continue;
		cur = cpus_list(&q->affinity);
		if (!cur)
			return tn_diag_error(d, -ENOMEM, "out of memory");
		if (tn_change_same(&held[i], cur, held[i].before)) {
			free(cur);
			continue;
		}
		if (restore_change(&c, &held[i], q, nic, cur, placed == 2) < 0)
			return tn_diag_error(d, -ENOMEM, "out of memory");
		if (insert_change(p, &c) < 0) {
			tn_change_free(&c);
			return tn_diag_error(d, -ENOMEM, "out of memory");
		}
		if (placed == 2)
			continue; /* not moved back: said as a change of its own */
		if (nic != said) {
			say_restored(said, count, d);
			said = nic;
			count = 0;
		}
		count++;
	}
	say_restored(said, count, d);
	return 0;
}
