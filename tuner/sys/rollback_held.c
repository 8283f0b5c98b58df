/* SPDX-License-Identifier: MIT */
/*
 * Rollback of held IRQs (core/plan_held.c): the affinity each IRQ of a NIC
 * had before apply changed the NIC's rings or channels. Restoring those makes
 * the driver reset the IRQs again, so a held IRQ is put back last, after
 * every other change, and the apply's own changes of it are recorded with it
 * (said once, there). Whether someone changed it since the apply is looked at
 * first, before anything is restored.
 */
#include "txn.h"
#include "txn_int.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "discover.h"

struct tn_rb_held {
	int *last;		/* per held entry: the last change of its IRQ after it, -1 none */
	int *of;		/* per other entry of an IRQ: the held entry of it, -1 none */
	bool *left;		/* per held entry: changed since the apply, left alone */
	char **now;		/* per held entry left: its value then */
};

struct irq_at {
	int irq, i;
};

static int cmp_irq_at(const void *a, const void *b)
{
	const struct irq_at *x = a, *y = b;

	if (x->irq != y->irq)
		return x->irq < y->irq ? -1 : 1;
	return (x->i > y->i) - (x->i < y->i);
}

/* h->last and h->of of the affinity changes, grouped by IRQ (sorted: n log
 * n, not n squared). */
static int link_entries(const struct tn_journal *j, struct tn_rb_held *h)
{
	struct irq_at *v = malloc(sizeof(*v) * ((size_t)j->n + 1));
	int n = 0;

	if (!v)
		return -ENOMEM;
	for (int i = 0; i < j->n; i++)
		if (j->e[i].c.kind == TN_CHANGE_IRQ_AFFINITY)
			v[n++] = (struct irq_at){ atoi(j->e[i].c.target), i };
	qsort(v, (size_t)n, sizeof(*v), cmp_irq_at);
	for (int a = 0, b; a < n; a = b) {
		int last = -1, held = -1;

		for (b = a; b < n && v[b].irq == v[a].irq; b++) {
			if (tn_change_is_held(&j->e[v[b].i].c))
				held = v[b].i;
			else
				h->of[v[b].i] = held;
		}
		for (int k = b - 1; k >= a; k--) {
			if (tn_change_is_held(&j->e[v[k].i].c))
				h->last[v[k].i] = last;
			else if (last < 0)
				last = v[k].i;
		}
	}
	free(v);
	return 0;
}

/* Whether value cur of held entry i is one the apply found or left: its own,
 * or the before or after of the IRQ's last change. An interrupted journal (no
 * end record: its apply, or a rollback of it, stopped) may lack the change
 * that followed its driver's reset (stage 2 not reached): then any value. */
static bool as_left(const struct tn_journal *j, const struct tn_rb_held *h, int i,
		    const char *cur)
{
	const struct tn_jentry *e = &j->e[i], *l = h->last[i] >= 0 ? &j->e[h->last[i]] : NULL;

	if (!l && !j->end[0])
		return true;
	return tn_change_same(&e->c, cur, e->c.before) ||
	       (l && (tn_change_same(&e->c, cur, l->c.after) ||
		      tn_change_same(&e->c, cur, l->c.before)));
}

/* Whether held entry k is still to put back. */
static bool active(const struct tn_rb *rb, int k)
{
	enum tn_jstatus st = rb->j->e[k].status;

	return st != TN_J_ROLLED_BACK && st != TN_J_SKIPPED && (st != TN_J_LEFT || rb->force);
}

int tn_rb_held_look(struct tn_rb *rb)
{
	const struct tn_journal *j = rb->j;
	struct tn_rb_held *h;
	bool any = false;

	for (int i = 0; i < j->n && !any; i++)
		any = tn_change_is_held(&j->e[i].c);
	if (!any)
		return 0; /* a journal without held IRQs: nothing of this */
	h = rb->held = calloc(1, sizeof(*h));
	if (!h)
		return -ENOMEM;
	h->last = calloc((size_t)j->n + 1, sizeof(*h->last));
	h->of = malloc(sizeof(*h->of) * ((size_t)j->n + 1));
	h->left = calloc((size_t)j->n + 1, sizeof(*h->left));
	h->now = calloc((size_t)j->n + 1, sizeof(*h->now));
	if (!h->last || !h->of || !h->left || !h->now)
		return -ENOMEM;
	for (int i = 0; i < j->n; i++)
		h->of[i] = -1;
	if (link_entries(j, h) < 0)
		return -ENOMEM;
	for (int i = 0; i < j->n && !rb->force; i++) {
		struct tn_diag kd;
		char *cur = NULL;

		if (!tn_change_is_held(&j->e[i].c) || !active(rb, i))
			continue;
		tn_diag_init(&kd);
		if (tn_live_read(rb->live, &j->e[i].c, &cur, &kd) == 0 && !as_left(j, h, i, cur)) {
			h->left[i] = true;
			h->now[i] = cur;
			cur = NULL;
		}
		free(cur);
		tn_diag_free(&kd);
	}
	return 0;
}

bool tn_rb_held_defer(struct tn_rb *rb, int i)
{
	const struct tn_rb_held *h = rb->held;
	int k = h ? h->of[i] : -1;

	if (k < 0 || !active(rb, k))
		return false;
	tn_rb_record(rb, &rb->j->e[i], h->left[k] ? TN_J_LEFT : TN_J_ROLLED_BACK,
		     h->left[k] ? "changed since the apply (its held IRQ is left alone)" : "");
	return true;
}

/* IRQ N is no longer the one held (its driver requested its IRQs anew): the
 * reason in buf, else 0. */
static int renamed(const struct tn_rb *rb, const struct tn_jentry *e, char *buf, size_t len)
{
	char name[512];

	if (tn_discover_irq_name(rb->root, atoi(e->c.target), name, sizeof(name)) != 1 ||
	    strcmp(name, tn_str(e->c.label)) == 0)
		return 0;
	snprintf(buf, len,
		 "IRQ %s is %s now, not %s (its driver requested its IRQs anew): not restored",
		 e->c.target, name, tn_str(e->c.label));
	return 1;
}

/* Put held entry e back (its driver may have moved it when its NIC's rings or
 * channels were restored, or apply set it). *quiet: it was as before, nothing
 * to say. */
static enum tn_jstatus put_back(struct tn_rb *rb, const struct tn_jentry *e, char *note,
				size_t len, bool *quiet)
{
	struct tn_diag kd;
	enum tn_jstatus st = TN_J_ROLLED_BACK;
	char *cur = NULL;
	int r;

	if (renamed(rb, e, note, len)) {
		rb->res->skipped++;
		return TN_J_SKIPPED;
	}
	tn_diag_init(&kd);
	r = tn_live_read(rb->live, &e->c, &cur, &kd);
	if (r < 0) {
		st = tn_rb_read_failed(r, &kd, note, len, rb->res);
	} else if (tn_change_same(&e->c, cur, e->c.before)) {
		*quiet = true;
	} else {
		/* "restored from 0, as before eth0's rings or channels changed" */
		snprintf(note, len, "%s from %s, %s", rb->dry_run ? "would be restored" : "restored",
			 cur, tn_str(e->c.reason)[0] ? e->c.reason : "as before the apply");
		if (rb->dry_run)
			rb->res->restored++;
		else
			st = tn_rb_write_back(rb->live, e, &kd, note, len, rb->res);
	}
	free(cur);
	tn_diag_free(&kd);
	return st;
}

void tn_rb_held_pass(struct tn_rb *rb)
{
	const struct tn_rb_held *h = rb->held;
	struct tn_journal *j = rb->j;

	for (int i = j->n - 1; h && i >= 0; i--) {
		struct tn_jentry *e = &j->e[i];
		char note[TN_DIAG_MSG_MAX + 1024] = "";
		enum tn_jstatus st;
		bool quiet = false;

		if (!tn_change_is_held(&e->c) || !active(rb, i))
			continue;
		if (h->left[i]) {
			st = TN_J_LEFT;
			snprintf(note, sizeof(note),
				 "changed since the apply: now %s, tuner had left %s (--force "
				 "restores %s)",
				 h->now[i], h->last[i] >= 0 ? j->e[h->last[i]].c.after : e->c.before,
				 e->c.before);
			rb->res->left++;
		} else {
			st = put_back(rb, e, note, sizeof(note), &quiet);
		}
		if (rb->report && !quiet) {
			rb->report(rb->ctx, &e->c, st, note);
		} else if (!quiet && st == TN_J_LEFT) { /* as rollback.c says it */
			char what[TN_LABEL_MAX];

			tn_txn_describe(&e->c, what, sizeof(what));
			tn_diag_warn(rb->d, "%s: %s", what, note);
		}
		tn_rb_record(rb, e, st, st == TN_J_ROLLED_BACK ? "" : note);
	}
}

void tn_rb_held_free(struct tn_rb *rb)
{
	struct tn_rb_held *h = rb->held;

	if (!h)
		return;
	for (int i = 0; h->now && i < rb->j->n; i++)
		free(h->now[i]);
	free(h->now);
	free(h->left);
	free(h->last);
	free(h->of);
	free(h);
	rb->held = NULL;
}
