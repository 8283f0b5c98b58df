/* SPDX-License-Identifier: MIT */
/*
 * Profiles: the text checks, "extends" (documents merged, the child wins) and
 * the entry point. The rules are read in profile_rules.c, the sysctls in
 * profile_sysctl.c.
 */
#include "profile.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jsonutil.h"
#include "profile_int.h"

#define MAX_EXTENDS_DEPTH 8

TN_ENUM_NAME_FN(tn_placement_name, enum tn_placement, TN_PLACEMENT_LIST)
TN_ENUM_NAME_FN(tn_memory_name, enum tn_memory, TN_MEMORY_LIST)
TN_ENUM_NAME_FN(tn_irqbalance_mode_name, enum tn_irqbalance_mode, TN_IRQBALANCE_MODE_LIST)

void tn_profile_free(struct tn_profile *p)
{
	if (!p)
		return;
	for (int i = 0; i < p->n_procs; i++)
		for (int k = 0; k < p->procs[i].n_sel; k++)
			tn_procsel_free(&p->procs[i].sel[k]);
	free(p->ifaces);
	free(p->sysctls);
	free(p->procs);
	free(p->merged);
	memset(p, 0, sizeof(*p));
}

/* ---- checks on the raw text ---- */

/* Valid UTF-8 (no overlongs, no surrogates); returns the first bad byte or NULL. */
static const char *bad_utf8(const char *text)
{
	const unsigned char *p = (const unsigned char *)text;

	while (*p) {
		unsigned c = *p, need, cp;

		if (c < 0x80) {
			p++;
			continue;
		}
		if (c >= 0xc2 && c <= 0xdf)
			need = 1, cp = c & 0x1f;
		else if (c >= 0xe0 && c <= 0xef)
			need = 2, cp = c & 0x0f;
		else if (c >= 0xf0 && c <= 0xf4)
			need = 3, cp = c & 0x07;
		else
			return (const char *)p;
		for (unsigned i = 1; i <= need; i++) {
			if ((p[i] & 0xc0) != 0x80)
				return (const char *)p;
			cp = (cp << 6) | (p[i] & 0x3f);
		}
		if ((need == 2 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
		    (need == 3 && (cp < 0x10000 || cp > 0x10ffff)))
			return (const char *)p;
		p += need + 1;
	}
	return NULL;
}

/* The first bracket that opens a level deeper than max, or NULL. */
static const char *too_deep(const char *text, int max)
{
	int depth = 0;
	bool in_str = false;

	for (const char *p = text; *p; p++) {
		if (in_str) {
			if (*p == '\\' && p[1])
				p++;
			else if (*p == '"')
				in_str = false;
		} else if (*p == '"') {
			in_str = true;
		} else if (*p == '{' || *p == '[') {
			if (++depth > max)
				return p;
		} else if (*p == '}' || *p == ']') {
			depth--;
		}
	}
	return NULL;
}

static int text_error(struct tn_diag *d, const char *file, const char *text, const char *at,
		      const char *msg)
{
	int line, col;

	tn_json_position(text, at, &line, &col);
	return tn_diag_error(d, -EINVAL, "%s:%d:%d: %s", file, line, col, msg);
}

static int parse_text(const char *text, const char *file, cJSON **out, struct tn_diag *d)
{
	const char *at, *end = NULL;
	cJSON *j;

	if (strlen(text) > TN_PROFILE_MAX_BYTES)
		return tn_diag_error(d, -EFBIG, "%s: larger than %d bytes; not a profile", file,
				     TN_PROFILE_MAX_BYTES);
	if ((at = bad_utf8(text)))
		return text_error(d, file, text, at, "invalid UTF-8");
	if ((at = tn_json_find_nul_escape(text)))
		return text_error(d, file, text, at,
				  "\\u0000 (a NUL character) in a string: "
				  "it would cut the string short");
	if ((at = too_deep(text, TN_PROFILE_MAX_DEPTH))) {
		char msg[64];

		snprintf(msg, sizeof(msg), "nested deeper than %d levels", TN_PROFILE_MAX_DEPTH);
		return text_error(d, file, text, at, msg);
	}
	j = cJSON_ParseWithOpts(text, &end, 1);
	if (!j) {
		if (!end)
			return tn_diag_error(d, -ENOMEM, "%s: out of memory", file);
		return text_error(d, file, text, end, "JSON syntax error");
	}
	*out = j;
	return 0;
}

/* ---- extends: merge documents, the child wins ---- */

/* The members of an object sorted by key, to look keys up while merging:
 * a child of 87,000 sysctls over a parent of as many took 84 s with a
 * linear lookup per key. */
struct member_slot {
	const char *key;
	cJSON *item;
};

static int cmp_slot(const void *a, const void *b)
{
	return strcmp(((const struct member_slot *)a)->key, ((const struct member_slot *)b)->key);
}

static struct member_slot *index_members(cJSON *obj, int *n)
{
	struct member_slot *idx;
	cJSON *it;
	int k = 0;

	*n = cJSON_GetArraySize(obj);
	idx = malloc(sizeof(*idx) * (size_t)(*n ? *n : 1));
	if (!idx)
		return NULL;
	cJSON_ArrayForEach (it, obj)
		idx[k++] = (struct member_slot){ .key = it->string, .item = it };
	qsort(idx, (size_t)*n, sizeof(*idx), cmp_slot);
	return idx;
}

/* Objects merge key by key; any other value (arrays included) replaces. Keys
 * are unique in both (each document was checked on its own). */
static int merge_into(cJSON *base, const cJSON *child)
{
	struct member_slot *idx, *slot;
	const cJSON *it;
	int n, ret = 0;

	idx = index_members(base, &n);
	if (!idx)
		return -ENOMEM;
	cJSON_ArrayForEach (it, child) {
		struct member_slot want = { .key = it->string };
		cJSON *old, *copy;

		if (strcmp(it->string, "extends") == 0)
			continue;
		slot = bsearch(&want, idx, (size_t)n, sizeof(*idx), cmp_slot);
		old = slot ? slot->item : NULL;
		if (old && cJSON_IsObject(old) && cJSON_IsObject(it) &&
		    strcmp(it->string, "match") != 0 && strcmp(it->string, "placement") != 0) {
			if ((ret = merge_into(old, it)) < 0)
				break;
			continue;
		}
		copy = cJSON_Duplicate(it, 1);
		if (!copy) {
			ret = -ENOMEM;
			break;
		}
		if (old) {
			/* the copy keeps the key; the old item, freed here, leaves the index */
			slot->key = copy->string;
			slot->item = copy;
			cJSON_ReplaceItemViaPointer(base, old, copy);
		} else if (!cJSON_AddItemToObject(base, it->string, copy)) {
			cJSON_Delete(copy);
			ret = -ENOMEM;
			break;
		}
	}
	free(idx);
	return ret;
}

struct chain {
	const char *names[MAX_EXTENDS_DEPTH + 1];
	char store[MAX_EXTENDS_DEPTH + 1][512];
	int n;
};

/* Parse one file, check it on its own, and return its document merged over
 * its parents'. */
static int load_merged(const char *text, const char *file, tn_profile_loader load, void *ctx,
		       struct chain *ch, cJSON **out, struct tn_diag *d)
{
	struct tn_profile check = { 0 };
	struct tn_jreader r;
	const cJSON *ext;
	cJSON *doc = NULL, *base = NULL;
	int ret;

	ret = parse_text(text, file, &doc, d);
	if (ret < 0)
		return ret;
	tn_jr_init(&r, d, file);
	tn_jr_set_text(&r, text);
	ret = tn_profile_build(&r, doc, &check);
	tn_profile_free(&check);
	if (ret < 0)
		goto out;
	ext = cJSON_GetObjectItemCaseSensitive(doc, "extends");
	if (!ext) {
		*out = doc;
		return 0;
	}
	if (!load) {
		ret = tn_diag_error(d, -EINVAL, "%s: \"extends\" is not available here", file);
		goto out;
	}
	if (ch->n >= MAX_EXTENDS_DEPTH) {
		ret = tn_diag_error(d, -ELOOP, "%s: \"extends\" nested more than %d deep", file,
				    MAX_EXTENDS_DEPTH);
		goto out;
	}
	{
		char resolved[512] = "";
		char *ptext = load(ext->valuestring, file, resolved, sizeof(resolved), ctx, d);

		if (!ptext) {
			ret = tn_diag_error(d, -ENOENT, "%s: extends \"%s\": cannot load it", file,
					    ext->valuestring);
			goto out;
		}
		for (int i = 0; i < ch->n; i++) {
			if (strcmp(ch->store[i], resolved) == 0) {
				free(ptext);
				ret = tn_diag_error(d, -ELOOP, "%s: extends \"%s\": a cycle", file,
						    ext->valuestring);
				goto out;
			}
		}
		snprintf(ch->store[ch->n], sizeof(ch->store[0]), "%s", resolved);
		ch->names[ch->n] = ch->store[ch->n];
		ch->n++;
		ret = load_merged(ptext, ch->names[ch->n - 1], load, ctx, ch, &base, d);
		free(ptext);
		if (ret < 0)
			goto out;
	}
	ret = merge_into(base, doc);
	if (ret < 0) {
		ret = tn_diag_error(d, ret, "out of memory");
		cJSON_Delete(base);
		goto out;
	}
	cJSON_DeleteItemFromObjectCaseSensitive(base, "extends");
	*out = base;
out:
	cJSON_Delete(doc);
	return ret;
}

static void digest(const char *text, char out[17])
{
	uint64_t h = 1469598103934665603ULL;

	for (const char *p = text; *p; p++) {
		h ^= (unsigned char)*p;
		h *= 1099511628211ULL;
	}
	snprintf(out, 17, "%016llx", (unsigned long long)h);
}

int tn_profile_parse(const char *text, const char *file, tn_profile_loader load, void *ctx,
		     struct tn_profile *out, struct tn_diag *d)
{
	struct tn_profile p = { 0 };
	struct chain ch = { .n = 1 };
	struct tn_jreader r;
	cJSON *doc = NULL;
	int ret;

	snprintf(ch.store[0], sizeof(ch.store[0]), "%s", file);
	ch.names[0] = ch.store[0];
	ret = load_merged(text, file, load, ctx, &ch, &doc, d);
	if (ret < 0)
		return ret;
	tn_jr_init(&r, d, file);
	ret = tn_profile_build(&r, doc, &p);
	if (ret == 0) {
		snprintf(p.source, sizeof(p.source), "%s", file);
		p.merged = cJSON_PrintUnformatted(doc);
		if (!p.merged)
			ret = tn_diag_error(d, -ENOMEM, "out of memory");
		else
			digest(p.merged, p.digest);
	}
	cJSON_Delete(doc);
	if (ret < 0) {
		tn_profile_free(&p);
		return ret;
	}
	*out = p;
	return 0;
}
