/* SPDX-License-Identifier: MIT */
/*
 * Stacked net devices: bonds, teams, bridges, VLANs (no device of their own,
 * so no IRQs), each with the NICs and stacked devices below it, read from its
 * lower_* links, else bonding/slaves (a bond) or brif/ (a bridge); the kind
 * from its bonding/ or bridge/ directory, else uevent's DEVTYPE. Found by
 * walking up from the NICs (their upper_* links), and bonding_masters.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "discover.h"
#include "stacked.h"

/* Lower devices read per device, at most (a bridge of thousands of veths
 * keeps its NICs: the others are dropped after reading). */
#define RAW_LOWER_MAX 65536
#define DEV_REL_MAX (TN_IFNAME_MAX + 64)

struct lowers {
	struct tn_stacked *st;
	int cap;
	bool full;
};

/* The devices to look at: found above a NIC or a stacked device (its upper_*
 * links) or listed in bonding_masters; each once (a hash set of indexes). */
struct walk {
	char (*name)[TN_IFNAME_MAX];
	int n, cap;
	int *slot; /* 2 * cap entries, index + 1 (0: empty) */
};

static unsigned hash_name(const char *name, size_t len)
{
	unsigned h = 2166136261u;

	for (size_t i = 0; i < len; i++)
		h = (h ^ (unsigned char)name[i]) * 16777619u;
	return h;
}

static int *walk_find(const struct walk *w, const char *name, size_t len)
{
	unsigned mask = (unsigned)(2 * w->cap) - 1, i = hash_name(name, len) & mask;

	for (;; i = (i + 1) & mask) {
		int k = w->slot[i] - 1;

		if (k < 0 || (strncmp(w->name[k], name, len) == 0 && w->name[k][len] == '\0'))
			return &w->slot[i];
	}
}

static int walk_grow(struct walk *w)
{
	int ncap = w->cap ? w->cap * 2 : 16;
	char(*nn)[TN_IFNAME_MAX] = realloc(w->name, sizeof(*nn) * (size_t)ncap);
	int *ns;

	if (!nn)
		return -ENOMEM;
	w->name = nn;
	if (!(ns = calloc((size_t)ncap * 2, sizeof(*ns))))
		return -ENOMEM;
	free(w->slot);
	w->slot = ns;
	w->cap = ncap;
	for (int k = 0; k < w->n; k++)
		*walk_find(w, w->name[k], strlen(w->name[k])) = k + 1;
	return 0;
}

static int walk_add(struct walk *w, const char *name, size_t len)
{
	int *slot, ret;

	if (len == 0 || len >= TN_IFNAME_MAX || memchr(name, '/', len) || memchr(name, 0, len))
		return 0;
	if (w->n >= TN_STACKED_MAX)
		return 0; /* said when the devices are kept */
	if (w->n == w->cap && (ret = walk_grow(w)) < 0)
		return ret;
	slot = walk_find(w, name, len);
	if (*slot)
		return 0;
	memcpy(w->name[w->n], name, len);
	w->name[w->n][len] = '\0';
	*slot = ++w->n;
	return 0;
}

/* The upper_* entries of directory rel into w. */
static int uppers(const struct tn_sysroot *root, const char *rel, struct walk *w)
{
	struct dirent *de;
	DIR *dir;
	int ret = 0;

	if (tn_sysroot_opendir(root, rel, &dir) < 0)
		return 0; /* gone since it was listed */
	while (ret == 0 && (de = readdir(dir)))
		if (strncmp(de->d_name, "upper_", 6) == 0)
			ret = walk_add(w, de->d_name + 6, strlen(de->d_name + 6));
	closedir(dir);
	return ret;
}

static int add_lower(struct lowers *l, const char *name, size_t len)
{
	struct tn_stacked *st = l->st;

	if (len == 0 || len >= TN_IFNAME_MAX)
		return 0;
	if (st->n_lower >= RAW_LOWER_MAX) {
		l->full = true;
		return 0;
	}
	if (st->n_lower == l->cap) {
		int ncap = l->cap ? l->cap * 2 : 8;
		char(*nl)[TN_IFNAME_MAX] = realloc(st->lower, sizeof(*nl) * (size_t)ncap);

		if (!nl)
			return -ENOMEM;
		st->lower = nl;
		l->cap = ncap;
	}
	memcpy(st->lower[st->n_lower], name, len);
	st->lower[st->n_lower++][len] = '\0';
	return 0;
}

/* The entries of directory rel whose names start with prefix, as lower devices. */
static int dir_lowers(const struct tn_sysroot *root, const char *rel, const char *prefix,
		      struct lowers *l)
{
	size_t plen = strlen(prefix);
	struct dirent *de;
	DIR *dir;
	int ret = 0;

	if (tn_sysroot_opendir(root, rel, &dir) < 0)
		return 0;
	while (ret == 0 && (de = readdir(dir)))
		if (de->d_name[0] != '.' && strncmp(de->d_name, prefix, plen) == 0)
			ret = add_lower(l, de->d_name + plen, strlen(de->d_name + plen));
	closedir(dir);
	return ret;
}

/* bonding/slaves: the slaves' names separated by spaces. */
static int slave_lowers(const struct tn_sysroot *root, const char *dev, struct lowers *l)
{
	char rel[DEV_REL_MAX], *text = NULL;
	size_t len = 0;
	int ret = 0;

	snprintf(rel, sizeof(rel), "%s/bonding/slaves", dev);
	if (tn_sysroot_read_max(root, rel, 1 << 20, &text, &len) < 0)
		return 0;
	for (char *p = text; ret == 0 && *p;) {
		size_t n = strcspn(p, " \t\n");

		ret = add_lower(l, p, n);
		p += n;
		p += strspn(p, " \t\n");
	}
	free(text);
	return ret;
}

/* uevent's DEVTYPE ("vlan", ...) into kind, when it is a plain word. */
static void devtype(const struct tn_sysroot *root, const char *dev, char *kind, size_t len)
{
	char rel[DEV_REL_MAX], *text = NULL, *p;
	size_t n = 0;

	snprintf(rel, sizeof(rel), "%s/uevent", dev);
	if (tn_sysroot_read_max(root, rel, 4096, &text, &n) < 0)
		return;
	for (p = text; p; p = strchr(p, '\n'), p = p ? p + 1 : NULL) {
		size_t w;

		if (strncmp(p, "DEVTYPE=", 8) != 0)
			continue;
		p += 8;
		for (w = 0;
		     islower((unsigned char)p[w]) || isdigit((unsigned char)p[w]) || p[w] == '_';
		     w++)
			;
		if (w > 0 && w < len && (p[w] == '\n' || p[w] == '\0'))
			snprintf(kind, len, "%.*s", (int)w, p);
		break;
	}
	free(text);
}

/* Net device 'name' (no NIC) into *st: 1 when it is a stacked device, 0 when
 * not (lo, veth, tun: no lower device, no bond or bridge), -ENOMEM. */
static int one_device(const struct tn_sysroot *root, const char *name, struct tn_stacked *st,
		      struct walk *w, struct tn_diag *d)
{
	struct lowers l = { .st = st };
	bool bond = false, bridge = false, device = false;
	char dev[DEV_REL_MAX];
	struct dirent *de;
	DIR *dir;
	int ret = 0;

	snprintf(dev, sizeof(dev), "sys/class/net/%s", name);
	snprintf(st->name, sizeof(st->name), "%s", name);
	if (tn_sysroot_opendir(root, dev, &dir) < 0)
		return 0; /* gone since it was listed */
	while (ret == 0 && (de = readdir(dir))) {
		device |= strcmp(de->d_name, "device") == 0;
		bond |= strcmp(de->d_name, "bonding") == 0;
		bridge |= strcmp(de->d_name, "bridge") == 0;
		if (strncmp(de->d_name, "lower_", 6) == 0)
			ret = add_lower(&l, de->d_name + 6, strlen(de->d_name + 6));
		else if (strncmp(de->d_name, "upper_", 6) == 0)
			ret = walk_add(w, de->d_name + 6, strlen(de->d_name + 6));
	}
	closedir(dir);
	if (ret == 0 && !st->n_lower && bond)
		ret = slave_lowers(root, dev, &l);
	if (ret == 0 && !st->n_lower && bridge) {
		char rel[DEV_REL_MAX];

		snprintf(rel, sizeof(rel), "%s/brif", dev);
		ret = dir_lowers(root, rel, "", &l);
	}
	if (ret < 0 || device)
		return ret;
	if (l.full)
		tn_diag_warn(d, "%s: more than %d lower devices; the first %d read are kept", name,
			     RAW_LOWER_MAX, RAW_LOWER_MAX);
	snprintf(st->kind, sizeof(st->kind), "%s", bond ? "bond" : bridge ? "bridge" : "");
	if (!st->kind[0] && st->n_lower) {
		devtype(root, dev, st->kind, sizeof(st->kind));
		if (!st->kind[0])
			snprintf(st->kind, sizeof(st->kind), "virtual");
	}
	return st->kind[0] ? 1 : 0;
}

static int cmp_nic_name(const void *key, const void *nic)
{
	return strcmp(key, ((const struct tn_nic *)nic)->name);
}

static bool is_nic(const struct tn_state *s, const char *name)
{
	return s->nics && bsearch(name, s->nics, (size_t)s->n_nics, sizeof(*s->nics), cmp_nic_name);
}

/* Keep the lower devices that are NICs or stacked devices (s sorted). */
static void keep_known_lowers(struct tn_state *s, struct tn_diag *d)
{
	for (int i = 0; i < s->n_stacked; i++) {
		struct tn_stacked *st = &s->stacked[i];
		int w = 0;

		for (int k = 0; k < st->n_lower; k++)
			if (is_nic(s, st->lower[k]) || tn_state_stacked(s, st->lower[k]))
				memmove(st->lower[w++], st->lower[k], sizeof(*st->lower));
		if (w > TN_STACKED_LOWER_MAX) {
			tn_diag_warn(d,
				     "%s: %d NICs and stacked devices below it; the first %d "
				     "by name are kept",
				     st->name, w, TN_STACKED_LOWER_MAX);
			w = TN_STACKED_LOWER_MAX;
		}
		st->n_lower = w;
	}
}

/* The names in bonding_masters (every bond, with or without slaves) into w. */
static int bond_masters(const struct tn_sysroot *root, struct walk *w)
{
	char *text = NULL;
	size_t len = 0;
	int ret = 0;

	if (tn_sysroot_read_max(root, "sys/class/net/bonding_masters", 1 << 20, &text, &len) < 0)
		return 0; /* no bonding module */
	for (char *p = text; ret == 0 && *p;) {
		size_t n = strcspn(p, " \t\n");

		ret = walk_add(w, p, n);
		p += n;
		p += strspn(p, " \t\n");
	}
	free(text);
	return ret;
}

/*
 * Only what stands above a NIC (and every bond) is looked at: a walk up the
 * upper_* links from each NIC, not a look into every net device, which on a
 * container host (thousands of veths) doubled discovery.
 */
int tn_discover_stacked(const struct tn_sysroot *root, struct tn_state *s, struct tn_diag *d)
{
	struct walk w = { 0 };
	int ret = 0, cap = 0;

	for (int i = 0; ret == 0 && i < s->n_nics; i++) {
		char rel[DEV_REL_MAX];

		snprintf(rel, sizeof(rel), "sys/class/net/%s", s->nics[i].name);
		ret = uppers(root, rel, &w);
	}
	if (ret == 0)
		ret = bond_masters(root, &w);
	/* w grows as the devices found name what stands above them */
	for (int i = 0; ret == 0 && i < w.n; i++) {
		struct tn_stacked st = { 0 };
		char name[TN_IFNAME_MAX];

		if (is_nic(s, w.name[i]))
			continue;
		memcpy(name, w.name[i], sizeof(name)); /* w.name moves as w grows */
		ret = one_device(root, name, &st, &w, d);
		if (ret <= 0) {
			tn_stacked_free(&st);
			if (ret < 0)
				break;
			continue;
		}
		if (s->n_stacked == TN_STACKED_MAX) {
			tn_stacked_free(&st);
			tn_diag_warn(d, "more than %d stacked net devices; the others are left out",
				     TN_STACKED_MAX);
			break;
		}
		if (s->n_stacked == cap) {
			int ncap = cap ? cap * 2 : 8;
			struct tn_stacked *ns = realloc(s->stacked, sizeof(*ns) * (size_t)ncap);

			if (!ns) {
				tn_stacked_free(&st);
				ret = -ENOMEM;
				break;
			}
			s->stacked = ns;
			cap = ncap;
		}
		s->stacked[s->n_stacked++] = st;
		ret = 0;
	}
	free(w.name);
	free(w.slot);
	if (ret < 0)
		return tn_diag_error(d, ret, "out of memory");
	tn_stacked_sort(s);
	keep_known_lowers(s, d);
	return 0;
}
