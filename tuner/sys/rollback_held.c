/* SPDX-License-Identifier: MIT */
/*
 * Rollback of held IRQs (core/plan_held.c): the affinity each IRQ of a NIC
 * had before apply changed the NIC's rings or channels. Restoring those makes
 * the driver reset the IRQs again, so a held IRQ is put back last, after
 * every other change, and the apply's own changes of it are recorded with it
 * (said once, there). Whether someone changed it since the apply is looked at
 * first, before anything is restored.
 *
 * A driver may request the NIC's IRQs anew at such a change, under new
 * numbers: a held IRQ is known by its name (its record's label), and the
 * apply's changes of it are the changes of that name. Where its number is no
 * longer its name's, the IRQs of the NICs whose rings or channels the journal
 * changed are discovered again and it is followed to the one IRQ of its name;
 * a number that is another vector's now is never written, and a name that is
 * gone (or that two IRQs have) is said, not guessed.
 */
#include "txn.h"
#include "txn_int.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "discover.h"

/* An IRQ of the NICs discovered again, by name. */
struct irq_named {
	char *name;
	int irq;
};

struct tn_rb_held {
	int *last;		 /* per held entry: the last change of its IRQ after it, -1 none */
	int *of;		 /* per other entry of an IRQ: the held entry of it, -1 none */
	bool *left;		 /* per held entry: changed since the apply, left alone */
	char **now;		 /* per held entry left: its value then */
	struct irq_named *names; /* the journal's NICs' IRQs now, sorted by name */
	int nnames;
	bool named;	   /* names discovered (again since the restores) */
	char nics[160];	   /* those NICs, for messages: "eth0, eth1" */
	const char **back; /* NICs whose rings or channels were back as before, sorted */
	int nback;
};

/* An affinity entry, grouped with the others of its IRQ: by name (its label)
 * where it has one that no two held records share, else by number. */
struct irq_at {
	const char *name; /* NULL: by number */
	int irq, i;
};

static int cmp_irq_at(const void *a, const void *b)
{
	const struct irq_at *x = a, *y = b;
	int c;

	if (!x->name != !y->name)
		return x->name ? 1 : -1;
	if (x->name && (c = strcmp(x->name, y->name)) != 0)
		return c;
	if (!x->name && x->irq != y->irq)
		return x->irq < y->irq ? -1 : 1;
	return (x->i > y->i) - (x->i < y->i);
}

static bool same_irq(const struct irq_at *x, const struct irq_at *y)
{
	if (!x->name || !y->name)
		return !x->name && !y->name && x->irq == y->irq;
	return strcmp(x->name, y->name) == 0;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The labels of the held entries that two of them have, sorted (*n of them);
 * 0 or -ENOMEM. */
static int shared_labels(const struct tn_journal *j, const char ***out, int *n)
{
	const char **v = malloc(sizeof(*v) * ((size_t)j->n + 1));
	int m = 0;

	*n = 0;
	*out = v;
	if (!v)
		return -ENOMEM;
	for (int i = 0; i < j->n; i++)
		if (tn_change_is_held(&j->e[i].c) && tn_str(j->e[i].c.label)[0])
			v[m++] = j->e[i].c.label;
	qsort(v, (size_t)m, sizeof(*v), cmp_str);
	for (int k = 1; k < m; k++)
		if (strcmp(v[k], v[k - 1]) == 0 && (!*n || strcmp(v[*n - 1], v[k]) != 0))
			v[(*n)++] = v[k];
	return 0;
}

/* h->last and h->of of the affinity changes, grouped by IRQ (sorted: n log
 * n, not n squared). */
static int link_entries(const struct tn_journal *j, struct tn_rb_held *h)
{
	struct irq_at *v = malloc(sizeof(*v) * ((size_t)j->n + 1));
	const char **shared;
	int n = 0, nshared;

	if (shared_labels(j, &shared, &nshared) < 0 || !v) {
		free(shared);
		free(v);
		return -ENOMEM;
	}
	for (int i = 0; i < j->n; i++) {
		const char *name = tn_str(j->e[i].c.label);

		if (j->e[i].c.kind != TN_CHANGE_IRQ_AFFINITY)
			continue;
		if (!name[0] || bsearch(&name, shared, (size_t)nshared, sizeof(*shared), cmp_str))
			name = NULL;
		v[n++] = (struct irq_at){ name, atoi(j->e[i].c.target), i };
	}
	free(shared);
	qsort(v, (size_t)n, sizeof(*v), cmp_irq_at);
	for (int a = 0, b; a < n; a = b) {
		int last = -1, held = -1;

		for (b = a; b < n && same_irq(&v[a], &v[b]); b++) {
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

/* Whether value cur of held entry i, found at IRQ irq, is one the apply found
 * or left: its own, or the before or after of the IRQ's last change. Any
 * value where its driver reset it since: an interrupted apply (no end record)
 * may lack the change that followed that reset (stage 2 not reached); the
 * rings or channels of its NIC were back as before when this rollback began
 * (restored by a rollback that was stopped before it put the IRQs back: its
 * statuses are written at its end; or by hand); and an IRQ at a number no
 * record of it names was requested by its driver since the apply recorded
 * it. */
static bool as_left(const struct tn_journal *j, const struct tn_rb_held *h, int i, int irq,
		    const char *cur)
{
	const struct tn_jentry *e = &j->e[i], *l = h->last[i] >= 0 ? &j->e[h->last[i]] : NULL;
	char nic[TN_IFNAME_MAX];
	const char *key = nic;

	if (!l && !j->end[0])
		return true;
	/* its NIC's rings or channels were back as before: its driver reset it */
	if (tn_held_nic(&e->c, nic, sizeof(nic)) &&
	    bsearch(&key, h->back, (size_t)h->nback, sizeof(*h->back), cmp_str))
		return true;
	if (irq != atoi(e->c.target) && (!l || irq != atoi(l->c.target)))
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

static int cmp_named(const void *a, const void *b)
{
	const struct irq_named *x = a, *y = b;
	int c = strcmp(x->name, y->name);

	return c ? c : (x->irq > y->irq) - (x->irq < y->irq);
}

static void names_free(struct tn_rb_held *h)
{
	for (int i = 0; i < h->nnames; i++)
		free(h->names[i].name);
	free(h->names);
	h->names = NULL;
	h->nnames = 0;
	h->named = false;
}

/* The IRQs of NIC nic as discovery finds them now into h->names; a NIC that
 * is gone (removed, renamed) has none. 0 or -ENOMEM. */
static int names_of_nic(const struct tn_rb *rb, struct tn_rb_held *h, const char *nic, int *cap)
{
	struct tn_state one;
	struct tn_diag kd;
	int ret = 0;

	tn_state_init(&one);
	one.nics = calloc(1, sizeof(*one.nics));
	if (!one.nics)
		return -ENOMEM;
	one.n_nics = 1;
	snprintf(one.nics[0].name, sizeof(one.nics[0].name), "%s", nic);
	tn_diag_init(&kd);
	if (tn_discover_nic(rb->root, &one, nic, &kd) == -ENOMEM)
		ret = -ENOMEM;
	for (int k = 0; ret == 0 && k < one.nics[0].n_irqs; k++) {
		const struct tn_irq *q = &one.nics[0].irqs[k];

		if (h->nnames == *cap) {
			int ncap = *cap ? *cap * 2 : 64;
			struct irq_named *nv = realloc(h->names, sizeof(*nv) * (size_t)ncap);

			if (!nv) {
				ret = -ENOMEM;
				break;
			}
			h->names = nv;
			*cap = ncap;
		}
		h->names[h->nnames].irq = q->irq;
		if (!(h->names[h->nnames].name = strdup(q->name)))
			ret = -ENOMEM;
		else
			h->nnames++;
	}
	tn_diag_free(&kd);
	tn_state_free(&one);
	return ret;
}

/* h->names: the IRQs of the NICs whose rings or channels the journal changed,
 * discovered now, each NIC once; and h->nics, those NICs. 0 or -ENOMEM. */
static int names_load(const struct tn_rb *rb, struct tn_rb_held *h)
{
	const struct tn_journal *j = rb->j;
	const char **nics = malloc(sizeof(*nics) * ((size_t)j->n + 1));
	int n = 0, cap = 0, ret = 0;
	size_t off = 0;

	if (!nics)
		return -ENOMEM;
	for (int i = 0; i < j->n; i++)
		if (tn_change_stage(&j->e[i].c) == 1)
			nics[n++] = j->e[i].c.target;
	qsort(nics, (size_t)n, sizeof(*nics), cmp_str);
	h->nics[0] = '\0';
	for (int i = 0; i < n && ret == 0; i++) {
		if (i && strcmp(nics[i], nics[i - 1]) == 0)
			continue;
		ret = names_of_nic(rb, h, nics[i], &cap);
		if (off < sizeof(h->nics) - 1)
			off += (size_t)snprintf(h->nics + off, sizeof(h->nics) - off, "%s%s",
						off ? ", " : "", nics[i]);
	}
	free(nics);
	if (off >= sizeof(h->nics) - 1) /* cut: said as cut */
		memcpy(h->nics + sizeof(h->nics) - 4, "...", 4);
	if (h->nnames > 1)
		qsort(h->names, (size_t)h->nnames, sizeof(*h->names), cmp_named);
	h->named = ret == 0;
	return ret;
}

/* The IRQs named name now: the first at *at, how many. */
static int names_find(const struct tn_rb_held *h, const char *name, int *at)
{
	int lo = 0, hi = h->nnames, end;

	while (lo < hi) {
		int mid = lo + (hi - lo) / 2;

		if (strcmp(h->names[mid].name, name) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (end = lo; end < h->nnames && strcmp(h->names[end].name, name) == 0; end++)
		;
	*at = lo;
	return end - lo;
}

/*
 * Where held entry e's IRQ is now: its number while that number still has its
 * name, else the one IRQ of its name among the journal's NICs (its driver
 * requested its IRQs anew). 1 with *irq; 0 when it is not to be written (why
 * in buf: its number another vector's, or its name there unreadable, and no
 * IRQ of its name; or two IRQs of that name); -ENOMEM. A number without a
 * name (gone, or a kernel without actions files) and no IRQ of the name: the
 * number (reading it says it is gone).
 */
static int held_irq(const struct tn_rb *rb, const struct tn_jentry *e, int *irq, char *buf,
		    size_t len)
{
	struct tn_rb_held *h = rb->held;
	const char *label = tn_str(e->c.label);
	char name[8192];
	int r, at, n;

	*irq = atoi(e->c.target);
	r = tn_discover_irq_name(rb->root, *irq, name, sizeof(name));
	if ((r == 1 && strcmp(name, label) == 0) || !label[0])
		return 1;
	if (!h->named && names_load(rb, h) < 0)
		return -ENOMEM;
	n = names_find(h, label, &at);
	if (n == 1) {
		*irq = h->names[at].irq;
		return 1;
	}
	if (n > 1) {
		snprintf(buf, len,
			 "IRQs %d and %d are both %s now (its driver requested its IRQs "
			 "anew): not restored",
			 h->names[at].irq, h->names[at + 1].irq, label);
		return 0;
	}
	if (r < 0) { /* not known to be its IRQ still */
		snprintf(buf, len, "the name of IRQ %s could not be read (%s): not restored",
			 e->c.target, strerror(-r));
		return 0;
	}
	if (r != 1)
		return 1;
	snprintf(buf, len,
		 "IRQ %s is %s now, not %s (its driver requested its IRQs anew)%s%s%s: "
		 "not restored",
		 e->c.target, name, label, h->nics[0] ? ", and no IRQ of " : "", h->nics,
		 h->nics[0] ? " has that name" : "");
	return 0;
}

/* Read held entry e's IRQ, now at irq (its value into *cur). */
static int read_at(struct tn_rb *rb, const struct tn_jentry *e, int irq, char **cur,
		   struct tn_diag *kd)
{
	struct tn_change c = e->c;

	snprintf(c.target, sizeof(c.target), "%d", irq);
	return tn_live_read(rb->live, &c, cur, kd);
}

/* h->back: the NICs whose rings or channels this journal changed and that
 * are back as before now (recorded so, or found at their value before the
 * apply). 0 or -ENOMEM. */
static int nics_back(struct tn_rb *rb, struct tn_rb_held *h)
{
	const struct tn_journal *j = rb->j;

	h->back = malloc(sizeof(*h->back) * ((size_t)j->n + 1));
	if (!h->back)
		return -ENOMEM;
	for (int i = 0; i < j->n; i++) {
		const struct tn_jentry *e = &j->e[i];
		bool back = e->status == TN_J_ROLLED_BACK;
		struct tn_diag kd;
		char *cur = NULL;

		if (tn_change_stage(&e->c) != 1)
			continue;
		if (e->status == TN_J_APPLIED) {
			tn_diag_init(&kd);
			back = tn_live_read(rb->live, &e->c, &cur, &kd) == 0 &&
			       tn_change_same(&e->c, cur, e->c.before);
			free(cur);
			tn_diag_free(&kd);
		}
		if (back)
			h->back[h->nback++] = e->c.target;
	}
	qsort(h->back, (size_t)h->nback, sizeof(*h->back), cmp_str);
	return 0;
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
	if (link_entries(j, h) < 0 || (!rb->force && nics_back(rb, h) < 0))
		return -ENOMEM;
	for (int i = 0; i < j->n && !rb->force; i++) {
		char why[TN_DIAG_MSG_MAX];
		struct tn_diag kd;
		char *cur = NULL;
		int irq, r;

		if (!tn_change_is_held(&j->e[i].c) || !active(rb, i))
			continue;
		r = held_irq(rb, &j->e[i], &irq, why, sizeof(why));
		if (r < 0)
			return r;
		if (r == 0)
			continue; /* said when it is to be put back */
		tn_diag_init(&kd);
		if (read_at(rb, &j->e[i], irq, &cur, &kd) == 0 && !as_left(j, h, i, irq, cur)) {
			h->left[i] = true;
			h->now[i] = cur;
			cur = NULL;
		}
		free(cur);
		tn_diag_free(&kd);
	}
	names_free(h); /* the restores may change them */
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

/* Put held entry e back (its driver may have moved it when its NIC's rings or
 * channels were restored, or apply set it; or requested it anew, under another
 * number). *quiet: it was as before, nothing to say. -ENOMEM, else its status. */
static int put_back(struct tn_rb *rb, const struct tn_jentry *e, char *note, size_t len,
		    bool *quiet)
{
	struct tn_jentry at = *e;
	struct tn_diag kd;
	enum tn_jstatus st = TN_J_ROLLED_BACK;
	char *cur = NULL, moved[64] = "";
	int irq, r = held_irq(rb, e, &irq, note, len);

	if (r < 0)
		return r;
	if (r == 0) {
		rb->res->skipped++;
		return TN_J_SKIPPED;
	}
	if (irq != atoi(e->c.target))
		snprintf(moved, sizeof(moved), " on IRQ %d, its number now", irq);
	snprintf(at.c.target, sizeof(at.c.target), "%d", irq);
	tn_diag_init(&kd);
	r = tn_live_read(rb->live, &at.c, &cur, &kd);
	if (r < 0) {
		st = tn_rb_read_failed(r, &kd, note, len, rb->res);
	} else if (tn_change_same(&e->c, cur, e->c.before)) {
		*quiet = true;
	} else {
		/* "restored from 0, as before eth0's rings or channels changed" */
		snprintf(note, len, "%s from %s%s, %s",
			 rb->dry_run ? "would be restored" : "restored", cur, moved,
			 tn_str(e->c.reason)[0] ? e->c.reason : "as before the apply");
		if (rb->dry_run)
			rb->res->restored++;
		else
			st = tn_rb_write_back(rb->live, &at, &kd, note, len, rb->res);
	}
	free(cur);
	tn_diag_free(&kd);
	return (int)st;
}

void tn_rb_held_pass(struct tn_rb *rb)
{
	struct tn_rb_held *h = rb->held;
	struct tn_journal *j = rb->j;

	for (int i = j->n - 1; h && i >= 0; i--) {
		struct tn_jentry *e = &j->e[i];
		char note[TN_DIAG_MSG_MAX + 1024] = "";
		bool quiet = false;
		int st;

		if (!tn_change_is_held(&e->c) || !active(rb, i))
			continue;
		if (h->left[i]) {
			st = TN_J_LEFT;
			snprintf(note, sizeof(note),
				 "changed since the apply: now %s, tuner had left %s (--force "
				 "restores %s)",
				 h->now[i],
				 h->last[i] >= 0 ? j->e[h->last[i]].c.after : e->c.before,
				 e->c.before);
			rb->res->left++;
		} else if ((st = put_back(rb, e, note, sizeof(note), &quiet)) < 0) {
			rb->ret = tn_diag_error(rb->d, st, "out of memory");
			return;
		}
		if (rb->report && !quiet) {
			rb->report(rb->ctx, &e->c, (enum tn_jstatus)st, note);
		} else if (!quiet && st == TN_J_LEFT) { /* as rollback.c says it */
			char what[TN_LABEL_MAX];

			tn_txn_describe(&e->c, what, sizeof(what));
			tn_diag_warn(rb->d, "%s: %s", what, note);
		}
		tn_rb_record(rb, e, (enum tn_jstatus)st, st == TN_J_ROLLED_BACK ? "" : note);
	}
}

void tn_rb_held_free(struct tn_rb *rb)
{
	struct tn_rb_held *h = rb->held;

	if (!h)
		return;
	for (int i = 0; h->now && i < rb->j->n; i++)
		free(h->now[i]);
	names_free(h);
	free(h->back);
	free(h->now);
	free(h->left);
	free(h->last);
	free(h->of);
	free(h);
	rb->held = NULL;
}
