/* SPDX-License-Identifier: MIT */
#include "stacked.h"

#include <errno.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The NICs listed in a message, at most. */
#define SAY_NICS 8

void tn_stacked_free(struct tn_stacked *st)
{
	if (!st)
		return;
	free(st->lower);
	st->lower = NULL;
	st->n_lower = 0;
}

static int cmp_name(const void *a, const void *b)
{
	return strcmp(a, b); /* both a stacked device and a lower name start with the name */
}

void tn_stacked_sort(struct tn_state *s)
{
	if (s->stacked)
		qsort(s->stacked, (size_t)s->n_stacked, sizeof(*s->stacked), cmp_name);
	for (int i = 0; i < s->n_stacked; i++)
		if (s->stacked[i].lower)
			qsort(s->stacked[i].lower, (size_t)s->stacked[i].n_lower,
			      sizeof(*s->stacked[i].lower), cmp_name);
}

const struct tn_stacked *tn_state_stacked(const struct tn_state *s, const char *name)
{
	if (!s->stacked)
		return NULL;
	return bsearch(name, s->stacked, (size_t)s->n_stacked, sizeof(*s->stacked), cmp_name);
}

static int load_one(struct tn_jreader *r, const cJSON *o, struct tn_stacked *st)
{
	static const char *const keys[] = { "name", "kind", "lower", NULL };
	const cJSON *lower, *it;
	int ret, k = 0;

	if (!cJSON_IsObject(o))
		return tn_jr_error(r, "expected an object");
	if ((ret = tn_jr_known_keys(r, o, keys)) < 0 ||
	    (ret = tn_jr_str(r, o, "name", true, st->name, sizeof(st->name))) < 0 ||
	    (ret = tn_jr_str(r, o, "kind", true, st->kind, sizeof(st->kind))) < 0 ||
	    (ret = tn_jr_array(r, o, "lower", false, &lower)) < 0)
		return ret;
	if (!st->name[0])
		return tn_jr_error(r, "name: empty");
	if (!lower)
		return 0;
	if (cJSON_GetArraySize(lower) > TN_STACKED_LOWER_MAX)
		return tn_jr_error(r, "lower: more than the %d devices tuner accepts",
				   TN_STACKED_LOWER_MAX);
	st->lower = calloc((size_t)cJSON_GetArraySize(lower) + 1, sizeof(*st->lower));
	if (!st->lower)
		return tn_diag_error(r->diag, -ENOMEM, "out of memory");
	cJSON_ArrayForEach (it, lower) {
		if (!cJSON_IsString(it) || !it->valuestring[0] ||
		    strlen(it->valuestring) >= sizeof(*st->lower))
			return tn_jr_error(r, "lower: expected interface names (1 to %d bytes)",
					   TN_IFNAME_MAX - 1);
		snprintf(st->lower[k++], sizeof(*st->lower), "%s", it->valuestring);
		st->n_lower = k;
	}
	return 0;
}

int tn_stacked_load(struct tn_jreader *r, const cJSON *arr, struct tn_state *s)
{
	const cJSON *it;
	size_t m = tn_jr_push_key(r, "stacked");
	int ret, n = cJSON_GetArraySize(arr), i = 0;

	if (n > TN_STACKED_MAX)
		return tn_jr_error(r, "%d devices: more than the %d tuner accepts", n,
				   TN_STACKED_MAX);
	s->stacked = calloc((size_t)(n ? n : 1), sizeof(*s->stacked));
	if (!s->stacked)
		return tn_diag_error(r->diag, -ENOMEM, "out of memory");
	cJSON_ArrayForEach (it, arr) {
		size_t m2 = tn_jr_push_index(r, i);

		s->n_stacked = ++i; /* freed with the state, whole or not */
		if ((ret = load_one(r, it, &s->stacked[i - 1])) < 0)
			return ret;
		tn_jr_pop(r, m2);
	}
	tn_jr_pop(r, m);
	return 0;
}

int tn_stacked_to_json(cJSON *o, const struct tn_state *s)
{
	cJSON *arr = cJSON_CreateArray();

	if (tn_json_add_item(o, "stacked", arr) < 0)
		return -ENOMEM;
	for (int i = 0; i < s->n_stacked; i++) {
		const struct tn_stacked *st = &s->stacked[i];
		cJSON *one = cJSON_CreateObject(), *lower;

		if (tn_json_add_item(arr, NULL, one) < 0 ||
		    tn_json_add_str(one, "name", st->name) < 0 ||
		    tn_json_add_str(one, "kind", st->kind) < 0 ||
		    tn_json_add_item(one, "lower", lower = cJSON_CreateArray()) < 0)
			return -ENOMEM;
		for (int k = 0; k < st->n_lower; k++)
			if (tn_json_add_str(lower, NULL, st->lower[k]) < 0)
				return -ENOMEM;
	}
	return 0;
}

static int cmp_nic_name(const void *key, const void *nic)
{
	return strcmp(key, ((const struct tn_nic *)nic)->name);
}

/* Whether name is a NIC of s (sorted by name). */
static bool is_nic(const struct tn_state *s, const char *name)
{
	return s->nics && bsearch(name, s->nics, (size_t)s->n_nics, sizeof(*s->nics), cmp_nic_name);
}

/* The NICs below stacked device 'top', through stacked devices below it
 * (each visited once: a hand-made snapshot may loop), into buf as "a, b";
 * how many there are. */
static int nics_below(const struct tn_state *s, int top, char *buf, size_t len)
{
	bool *seen = calloc((size_t)s->n_stacked, sizeof(bool));
	int *todo = malloc(sizeof(int) * (size_t)s->n_stacked), n = 0, found = 0;
	size_t at = 0;

	buf[0] = '\0';
	if (!seen || !todo) {
		free(seen);
		free(todo);
		return 0;
	}
	seen[top] = true;
	todo[n++] = top;
	while (n > 0) {
		const struct tn_stacked *st = &s->stacked[todo[--n]];

		for (int k = 0; k < st->n_lower; k++) {
			const struct tn_stacked *below = tn_state_stacked(s, st->lower[k]);
			int b = below ? (int)(below - s->stacked) : -1;

			if (b >= 0 && !seen[b]) {
				seen[b] = true;
				todo[n++] = b;
			} else if (b < 0 && is_nic(s, st->lower[k]) && ++found <= SAY_NICS &&
				   at < len) {
				at += (size_t)snprintf(buf + at, len - at, "%s%s", at ? ", " : "",
						       st->lower[k]);
			}
		}
	}
	if (found > SAY_NICS && at < len)
		snprintf(buf + at, len - at, ", ... (%d NICs)", found);
	free(seen);
	free(todo);
	return found;
}

bool tn_stacked_describe(const struct tn_state *s, const char *pattern, char *buf, size_t len)
{
	char nics[SAY_NICS * (TN_IFNAME_MAX + 2) + 32];

	buf[0] = '\0';
	for (int i = 0; i < s->n_stacked; i++) {
		const struct tn_stacked *st = &s->stacked[i];
		const char *kind = strcmp(st->kind, "virtual") == 0 ? "virtual device" : st->kind;

		if (fnmatch(pattern, st->name, 0) != 0)
			continue;
		if (nics_below(s, i, nics, sizeof(nics)) > 0)
			snprintf(buf, len,
				 "%s (%s) has no IRQs of its own; match the NIC%s below "
				 "it instead: %s",
				 st->name, kind, strchr(nics, ',') ? "s" : "", nics);
		else
			snprintf(buf, len, "%s (%s) has no IRQs of its own, and no NIC below it",
				 st->name, kind);
		return true;
	}
	return false;
}
