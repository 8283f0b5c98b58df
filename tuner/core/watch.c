/* SPDX-License-Identifier: MIT */
/* tuner watch, the pure part (watch.h). */
#include "watch.h"

#include <ctype.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

void tn_watch_dirty_clear(struct tn_watch_dirty *w)
{
	memset(w, 0, sizeof(*w));
}

bool tn_watch_dirty_any(const struct tn_watch_dirty *w)
{
	return w->n_nics || w->all_nics || w->procs || w->rediscover || w->everything;
}

static void add_nic(struct tn_watch_dirty *w, const char *name)
{
	for (int i = 0; i < w->n_nics; i++)
		if (strcmp(w->nics[i], name) == 0)
			return;
	if (w->n_nics == TN_WATCH_MAX_DIRTY) {
		w->all_nics = true;
		return;
	}
	snprintf(w->nics[w->n_nics++], TN_IFNAME_MAX, "%s", name);
}

void tn_watch_dirty_merge(struct tn_watch_dirty *dst, const struct tn_watch_dirty *src)
{
	if (!tn_watch_dirty_any(dst))
		memcpy(dst->why, src->why, sizeof(dst->why));
	for (int i = 0; i < src->n_nics; i++)
		add_nic(dst, src->nics[i]);
	dst->all_nics |= src->all_nics;
	dst->procs |= src->procs;
	dst->rediscover |= src->rediscover;
	dst->everything |= src->everything;
}

static const struct tn_nic *find_nic(const struct tn_state *s, const struct tn_wevent *e)
{
	for (int i = 0; i < s->n_nics; i++) {
		const struct tn_nic *n = &s->nics[i];

		if (e->ifname[0] ? strcmp(n->name, e->ifname) == 0
				 : (e->ifindex > 0 && n->ifindex == e->ifindex))
			return n;
	}
	return NULL;
}

/* A NIC of an event, known (n) or new (its name only). */
static bool nic_covered(const struct tn_profile *p, const struct tn_nic *n, const char *name)
{
	for (int r = 0; r < p->n_ifaces; r++) {
		const struct tn_iface_match *m = &p->ifaces[r].match;

		if (n ? tn_plan_nic_matches(m, n) : (!m->name[0] || fnmatch(m->name, name, 0) == 0))
			return true;
	}
	return false;
}

/* Whether some process rule may match a process of this comm. */
static bool proc_covered(const struct tn_profile *p, const struct tn_wevent *e)
{
	for (int r = 0; r < p->n_procs; r++) {
		const struct tn_proc_rule *rule = &p->procs[r];
		bool maybe = true;

		for (int i = 0; i < rule->n_sel && maybe; i++) {
			const struct tn_procsel *sel = &rule->sel[i];

			if (sel->kind == TN_SEL_PID)
				maybe = sel->pid == e->pid;
			else if (sel->kind == TN_SEL_COMM)
				maybe = tn_procsel_match(sel, e->pid, e->comm, NULL, NULL);
		}
		if (maybe)
			return true;
	}
	return false;
}

/* The NIC of s that an event's link was before a rename (its index, another
 * name), or NULL. */
static const struct tn_nic *renamed_from(const struct tn_state *s, const struct tn_wevent *e)
{
	for (int i = 0; e->ifname[0] && e->ifindex > 0 && i < s->n_nics; i++)
		if (s->nics[i].ifindex == e->ifindex && strcmp(s->nics[i].name, e->ifname) != 0)
			return &s->nics[i];
	return NULL;
}

static bool note_nic(const struct tn_state *s, const struct tn_profile *p,
		     const struct tn_wevent *e, struct tn_watch_dirty *w)
{
	const struct tn_nic *n = find_nic(s, e), *old = n ? NULL : renamed_from(s, e);
	const char *name = n ? n->name : e->ifname;

	if (old && nic_covered(p, old, old->name) && (!name[0] || !nic_covered(p, NULL, name))) {
		/* renamed out of the profile: gone under its old name */
		w->rediscover = true;
		snprintf(w->why, sizeof(w->why), "%s was renamed %s", old->name, name);
		return true;
	}
	if (!name[0] || !nic_covered(p, n, name))
		return false;
	if (!n)
		w->rediscover = true;
	add_nic(w, name);
	/* the last event's words: a link flap "came up" */
	snprintf(w->why, sizeof(w->why), "%s %s", name,
		 e->kind == TN_WEV_ETHTOOL ? "changed channels or rings"
		 : !n			   ? "appeared"
		 : e->up		   ? "came up"
					   : "changed");
	return true;
}

/* A NIC of the snapshot that a rule matches was removed: nothing of it to
 * place, but the host is discovered again, so that the plans that follow (a
 * process's placement by its NICs' nodes, the NICs counted) no longer see it. */
static bool note_gone(const struct tn_state *s, const struct tn_profile *p,
		      const struct tn_wevent *e, struct tn_watch_dirty *w)
{
	const struct tn_nic *n = find_nic(s, e);

	if (!n || !nic_covered(p, n, n->name))
		return false;
	w->rediscover = true;
	snprintf(w->why, sizeof(w->why), "%s went away", n->name);
	return true;
}

bool tn_watch_note_event(const struct tn_state *s, const struct tn_profile *p,
			 const struct tn_wevent *e, struct tn_watch_dirty *w)
{
	switch (e->kind) {
	case TN_WEV_LINK:
	case TN_WEV_ETHTOOL:
		return note_nic(s, p, e, w);
	case TN_WEV_LINK_GONE:
		return note_gone(s, p, e, w);
	case TN_WEV_EXEC:
	case TN_WEV_COMM:
		/* no comm: gone already (or not in the sysroot): nothing to place */
		if (!p->n_procs || !e->comm[0] || !proc_covered(p, e))
			return false;
		snprintf(w->why, sizeof(w->why), "process %d (%s) started", e->pid,
			 e->comm[0] ? e->comm : "?");
		w->procs = true;
		return true;
	case TN_WEV_RESCAN:
	case TN_WEV_LOST:
		if (!p->n_procs && e->kind == TN_WEV_RESCAN)
			return false;
		if (!w->why[0]) /* a NIC's or process's words say more */
			snprintf(w->why, sizeof(w->why), "%s",
				 e->kind == TN_WEV_LOST ? "events were lost" : "rescan");
		w->procs = p->n_procs > 0;
		if (e->kind == TN_WEV_LOST)
			w->all_nics = w->rediscover = true;
		return true;
	}
	return false;
}

/* Whether name is s's first len bytes, whole. */
static bool name_is(const char *name, const char *s, size_t len)
{
	return strlen(name) == len && strncmp(name, s, len) == 0;
}

/* Whether the NIC named by name's first len bytes is dirty. */
static bool dirty_nic(const struct tn_watch_dirty *w, const char *name, size_t len)
{
	if (w->all_nics)
		return true;
	for (int i = 0; i < w->n_nics; i++)
		if (name_is(w->nics[i], name, len))
			return true;
	return false;
}

/* The NIC owning IRQ irq in s, or NULL. */
static const struct tn_nic *irq_nic(const struct tn_state *s, int irq)
{
	for (int i = 0; i < s->n_nics; i++)
		for (int k = 0; k < s->nics[i].n_irqs; k++)
			if (s->nics[i].irqs[k].irq == irq)
				return &s->nics[i];
	return NULL;
}

/* The NIC named by a NIC-scoped change's target ("eth1", "eth1/rx-3"), or NULL. */
static const struct tn_nic *target_nic(const struct tn_state *s, const char *target)
{
	size_t n = strcspn(target, "/");

	for (int i = 0; i < s->n_nics; i++)
		if (name_is(s->nics[i].name, target, n))
			return &s->nics[i];
	return NULL;
}

const struct tn_nic *tn_watch_change_nic(const struct tn_state *s, const struct tn_change *c)
{
	const struct tn_kind *k = tn_kind_get(c->kind);
	char *end;
	long irq;

	if (k && k->scope == TN_SCOPE_NIC)
		return target_nic(s, c->target);
	if (!k || k->scope != TN_SCOPE_IRQ)
		return NULL;
	irq = strtol(c->target, &end, 10);
	if (*end || end == c->target || irq < 0 || irq > 0x7fffffff)
		return NULL;
	return irq_nic(s, (int)irq);
}

int tn_watch_count_nics(const struct tn_state *s, const struct tn_profile *p)
{
	int n = 0;

	for (int i = 0; i < s->n_nics; i++)
		n += nic_covered(p, &s->nics[i], s->nics[i].name);
	return n;
}

bool tn_watch_covers(const struct tn_state *s, const struct tn_watch_dirty *w,
		     const struct tn_change *c)
{
	const struct tn_kind *k = tn_kind_get(c->kind);
	const struct tn_nic *n;

	if (!k)
		return false;
	if (w->everything)
		return true;
	switch (k->scope) {
	case TN_SCOPE_NIC:
		/* by its name: a NIC not in the snapshot yet is dirty by name too */
		return dirty_nic(w, c->target, strcspn(c->target, "/"));
	case TN_SCOPE_IRQ:
		n = tn_watch_change_nic(s, c);
		return n && dirty_nic(w, n->name, strlen(n->name));
	case TN_SCOPE_PROCESS:
		return w->procs;
	case TN_SCOPE_HOST:
		break;
	}
	return false;
}

/* ---- debounce ---- */

void tn_debounce_init(struct tn_debounce *b, int quiet_ms, int max_ms)
{
	memset(b, 0, sizeof(*b));
	b->quiet_ms = quiet_ms;
	b->max_ms = max_ms < quiet_ms ? quiet_ms : max_ms;
}

void tn_debounce_kick(struct tn_debounce *b, int64_t now)
{
	if (!b->armed)
		b->first = now;
	b->armed = true;
	b->last = now;
}

int64_t tn_debounce_deadline(const struct tn_debounce *b)
{
	int64_t quiet, cap;

	if (!b->armed)
		return -1;
	quiet = b->last + b->quiet_ms;
	cap = b->first + b->max_ms;
	return quiet < cap ? quiet : cap;
}

bool tn_debounce_take(struct tn_debounce *b, int64_t now)
{
	if (!b->armed || now < tn_debounce_deadline(b))
		return false;
	b->armed = false;
	return true;
}
