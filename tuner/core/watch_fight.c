/* SPDX-License-Identifier: MIT */
/* tuner watch: fights, their back-off, the likely fighter (watch.h). */
#include "watch.h"

#include <ctype.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void tn_fight_id(const struct tn_change *c, char *buf, size_t len)
{
	const struct tn_kind *k = tn_kind_get(c->kind);
	char target[sizeof(c->target)], *slash;

	tn_change_short_target(c, target, sizeof(target));
	/* a thread's change ("PID@START/TID@START", the journal's) is its
	 * process's: the one value the plan's change names */
	if (k && k->per_thread && (slash = strchr(target, '/')))
		*slash = '\0';
	snprintf(buf, len, "%s/%s/%s", tn_change_kind_name(c->kind), target, c->key);
}

static struct tn_fight *find(const struct tn_fights *f, const char *id)
{
	for (int i = 0; i < f->n; i++)
		if (strcmp(f->e[i].id, id) == 0)
			return (struct tn_fight *)&f->e[i];
	return NULL;
}

void tn_fights_clear(struct tn_fights *f)
{
	if (!f)
		return;
	free(f->e);
	memset(f, 0, sizeof(*f));
}

/* The entry to reuse in a full table (watch.h): the oldest quiet one; for a
 * failure, when none is quiet and the table is at TN_FIGHT_FAILED_MAX, the
 * one nearest the end of its back-off. NULL: a new one is to be added. */
static struct tn_fight *reuse(struct tn_fights *f, bool failure)
{
	struct tn_fight *e = NULL;

	if (f->n < TN_FIGHT_MAX)
		return NULL;
	for (int i = 0; i < f->n; i++)
		if (f->e[i].backoff_ms == 0 && (!e || f->e[i].last_repair < e->last_repair))
			e = &f->e[i];
	if (e || !failure || f->n < TN_FIGHT_FAILED_MAX)
		return e;
	for (int i = 0; i < f->n; i++)
		if (!e || f->e[i].until < e->until)
			e = &f->e[i];
	return e;
}

/* A new entry for id, or a reused one (watch.h); NULL when a fought value
 * finds every entry backing off (a fight in back-off is never forgotten for
 * another), or out of memory. */
static struct tn_fight *add(struct tn_fights *f, const char *id, bool failure)
{
	struct tn_fight *e = reuse(f, failure);

	if (!e && f->n >= TN_FIGHT_MAX && !failure)
		return NULL;
	if (!e && f->n == f->cap) {
		int cap = f->cap ? f->cap * 2 : 16;
		struct tn_fight *ne;

		if (cap > TN_FIGHT_FAILED_MAX)
			cap = TN_FIGHT_FAILED_MAX;
		ne = realloc(f->e, sizeof(*ne) * (size_t)cap);
		if (!ne)
			return NULL;
		f->e = ne;
		f->cap = cap;
	}
	if (!e)
		e = &f->e[f->n++];
	memset(e, 0, sizeof(*e));
	snprintf(e->id, sizeof(e->id), "%s", id);
	return e;
}

bool tn_fight_blocked(const struct tn_fights *f, const char *id, int64_t now)
{
	const struct tn_fight *e = find(f, id);

	return e && e->backoff_ms && now < e->until;
}

int64_t tn_fight_backoff(const struct tn_fights *f, const char *id)
{
	const struct tn_fight *e = find(f, id);

	return e ? e->backoff_ms : 0;
}

enum tn_fight_verdict tn_fight_repaired(struct tn_fights *f, const char *id, int64_t now)
{
	struct tn_fight *e = find(f, id);

	if (!e)
		e = add(f, id, false);
	if (!e) /* TN_FIGHT_MAX fights backing off: this value is not tracked */
		return TN_FIGHT_NONE;
	if (e->failing) { /* its repair made at last: not a fight, a new start */
		struct tn_fight fresh = { 0 };

		memcpy(fresh.id, e->id, sizeof(fresh.id));
		*e = fresh;
	}
	e->last_repair = now;
	if (e->backoff_ms) {
		/* undone again after a back-off: the fight goes on */
		e->backoff_ms = e->backoff_ms * 2 > TN_FIGHT_BACKOFF_MAX_MS
					? TN_FIGHT_BACKOFF_MAX_MS
					: e->backoff_ms * 2;
		e->until = now + e->backoff_ms;
		e->fights++;
		return TN_FIGHT_AGAIN;
	}
	if (e->n == 0 || now - e->window_start > TN_FIGHT_WINDOW_MS) {
		e->window_start = now;
		e->n = 0;
	}
	if (++e->n < TN_FIGHT_REPAIRS)
		return TN_FIGHT_NONE;
	e->n = 0;
	e->backoff_ms = TN_FIGHT_BACKOFF_MS;
	e->until = now + e->backoff_ms;
	e->fights++;
	if (e->reported)
		return TN_FIGHT_AGAIN;
	e->reported = true;
	return TN_FIGHT_STARTED;
}

void tn_fight_held(struct tn_fights *f, const char *id, int64_t now)
{
	struct tn_fight *e = find(f, id);

	if (!e || now < e->until || now - e->last_repair < TN_FIGHT_HOLD_MS)
		return;
	*e = f->e[--f->n]; /* forgotten: a later fight is a new one */
}

void tn_fighter_describe(const struct tn_fighter_facts *f, char *buf, size_t len)
{
	size_t n = 0;

	buf[0] = '\0';
	if (f->irqbalance)
		n += (size_t)snprintf(buf, len, "irqbalance (pid %d) is running",
				      f->irqbalance_pid);
	if (f->link_file && n < len)
		n += (size_t)snprintf(buf + n, len - n,
				      "%s%s sets %s (the driver re-spreads its "
				      "IRQs when it is applied)",
				      n ? "; " : "", f->link_file_path, f->link_file_keys);
	if (f->tuned && n < len)
		n += (size_t)snprintf(buf + n, len - n, "%sthe tuned daemon is running",
				      n ? "; " : "");
	if (n == 0)
		snprintf(buf, len, "an unknown writer (no irqbalance, tuned or .link file found)");
}

/* ---- systemd .link files ---- */

static const char *const linkfile_keys[] = {
	"RxChannels",	"TxChannels",	"OtherChannels",    "CombinedChannels",
	"RxBufferSize", "TxBufferSize", "RxMiniBufferSize", "RxJumboBufferSize",
};

/* Whether a space-separated list of globs matches s ("!" negates the list). */
static bool glob_list(const char *list, const char *s)
{
	char word[128];
	bool neg = false, any = false;

	if (*list == '!') {
		neg = true;
		list++;
	}
	while (*list) {
		size_t k = 0;

		while (*list && isspace((unsigned char)*list))
			list++;
		while (*list && !isspace((unsigned char)*list)) {
			if (k + 1 < sizeof(word))
				word[k++] = *list;
			list++;
		}
		word[k] = '\0';
		if (k && s[0] && fnmatch(word, s, 0) == 0)
			any = true;
	}
	return neg ? !any : any;
}

struct linkfile {
	const char *ifname, *driver;
	bool in_match, in_link, matched_all;
	char *keys;
	size_t keys_len, nk;
};

static void linkfile_line(struct linkfile *lf, char *line)
{
	char *eq, *v;

	if (line[0] == '[') {
		lf->in_match = strncmp(line, "[Match]", 7) == 0;
		lf->in_link = strncmp(line, "[Link]", 6) == 0;
		return;
	}
	eq = strchr(line, '=');
	if (!eq)
		return;
	*eq = '\0';
	for (v = eq - 1; v >= line && isspace((unsigned char)*v); v--)
		*v = '\0';
	for (v = eq + 1; isspace((unsigned char)*v); v++)
		;
	if (lf->in_match &&
	    (!strcmp(line, "OriginalName") || !strcmp(line, "Name") || !strcmp(line, "Driver"))) {
		if (!glob_list(v, strcmp(line, "Driver") ? lf->ifname : lf->driver))
			lf->matched_all = false;
	}
	for (size_t i = 0; lf->in_link && i < sizeof(linkfile_keys) / sizeof(*linkfile_keys); i++)
		if (strcmp(line, linkfile_keys[i]) == 0 && lf->nk < lf->keys_len)
			lf->nk += (size_t)snprintf(lf->keys + lf->nk, lf->keys_len - lf->nk,
						   "%s%s=", lf->nk ? " " : "", line);
}

bool tn_linkfile_fights(const char *text, const char *ifname, const char *driver, char *keys,
			size_t keys_len)
{
	struct linkfile lf = { ifname, driver, false, false, true, keys, keys_len, 0 };
	char line[512];

	if (keys_len)
		keys[0] = '\0';
	while (*text) {
		size_t k = 0;

		while (*text && *text != '\n') {
			if (k + 1 < sizeof(line))
				line[k++] = *text;
			text++;
		}
		if (*text)
			text++;
		line[k] = '\0';
		if (line[0] != '#' && line[0] != ';')
			linkfile_line(&lf, line);
	}
	return lf.matched_all && lf.nk > 0;
}

int64_t tn_fight_failed(struct tn_fights *f, const char *id, int64_t now)
{
	struct tn_fight *e = find(f, id);

	if (!e)
		e = add(f, id, true);
	if (!e) /* out of memory */
		return 0;
	if (!e->failing) /* a fight's back-off gives way to the failure's */
		e->backoff_ms = 0;
	e->failing = true;
	e->last_repair = now;
	e->backoff_ms = !e->backoff_ms				      ? TN_FIGHT_BACKOFF_MS
			: e->backoff_ms * 2 > TN_FIGHT_BACKOFF_MAX_MS ? TN_FIGHT_BACKOFF_MAX_MS
								      : e->backoff_ms * 2;
	e->until = now + e->backoff_ms;
	return e->backoff_ms;
}
