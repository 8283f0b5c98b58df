/* SPDX-License-Identifier: MIT */
#include "journal.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "enumname.h"
#include "jsonutil.h"

/* The statuses' journal words, by member (journal.h's enum stays as it is). */
/* clang-format off */
#define JSTATUS_LIST(X)                                                                    \
	X(TN_J_PENDING, "pending") X(TN_J_APPLIED, "applied") X(TN_J_FAILED, "failed")      \
	X(TN_J_SKIPPED, "skipped") X(TN_J_ROLLED_BACK, "rolled back") X(TN_J_LEFT, "left alone")
/* clang-format on */

_Static_assert(TN_ENUM_COUNT(JSTATUS_LIST) == TN_J_STATUS_COUNT, "a status without a name");

static const char *const status_names[] = TN_ENUM_NAMES(JSTATUS_LIST);

TN_ENUM_NAME_FN(tn_jstatus_name, enum tn_jstatus, JSTATUS_LIST)

static int jstatus_parse(const char *s)
{
	for (int i = 0; i < TN_J_STATUS_COUNT; i++)
		if (strcmp(s, status_names[i]) == 0)
			return i;
	return -EINVAL;
}

static char *line_of(cJSON *o)
{
	char *text, *line = NULL;

	if (!o)
		return NULL;
	text = cJSON_PrintUnformatted(o);
	cJSON_Delete(o);
	if (text && asprintf(&line, "%s\n", text) < 0)
		line = NULL;
	free(text);
	return line;
}

char *tn_journal_header_line(const struct tn_journal *j)
{
	cJSON *o = cJSON_CreateObject();

	if (!o || tn_json_add_int(o, "schema_version", TN_SCHEMA_VERSION) < 0 ||
	    tn_json_add_str(o, "kind", "journal") < 0 || tn_json_add_str(o, "id", j->id) < 0 ||
	    tn_json_add_str(o, "time", j->time) < 0 ||
	    tn_json_add_str(o, "boot_id", j->boot_id) < 0 ||
	    tn_json_add_str(o, "profile", j->profile) < 0 ||
	    tn_json_add_str(o, "digest", j->digest) < 0 ||
	    tn_json_add_str(o, "sysroot", j->sysroot) < 0 ||
	    (j->boottime_us >= 0 && tn_json_add_int_raw(o, "boottime_us", j->boottime_us) < 0)) {
		cJSON_Delete(o);
		return NULL;
	}
	return line_of(o);
}

char *tn_journal_change_line(int seq, const struct tn_change *c)
{
	cJSON *o = tn_change_to_json(c);

	if (!o || tn_json_add_int_raw(o, "seq", seq) < 0 ||
	    tn_json_add_str(o, "status", tn_jstatus_name(TN_J_PENDING)) < 0) {
		cJSON_Delete(o);
		return NULL;
	}
	return line_of(o);
}

char *tn_journal_status_line(int seq, enum tn_jstatus s, const char *error)
{
	cJSON *o = cJSON_CreateObject();

	if (!o || tn_json_add_int_raw(o, "seq", seq) < 0 ||
	    tn_json_add_str(o, "status", tn_jstatus_name(s)) < 0 ||
	    (error && *error && tn_json_add_str(o, "error", error) < 0)) {
		cJSON_Delete(o);
		return NULL;
	}
	return line_of(o);
}

char *tn_journal_end_line(const char *status)
{
	cJSON *o = cJSON_CreateObject();

	if (!o || tn_json_add_str(o, "end", status) < 0) {
		cJSON_Delete(o);
		return NULL;
	}
	return line_of(o);
}

int tn_jentry_set_error(struct tn_jentry *e, const char *err)
{
	free(e->error);
	e->error = NULL;
	if (err && *err && !(e->error = strdup(err)))
		return -ENOMEM;
	return 0;
}

void tn_journal_free(struct tn_journal *j)
{
	if (!j)
		return;
	for (int i = 0; i < j->n; i++) {
		tn_change_free(&j->e[i].c);
		free(j->e[i].error);
	}
	free(j->e);
	memset(j, 0, sizeof(*j));
}

const char *tn_journal_state(const struct tn_journal *j)
{
	return j->end[0] ? j->end : "interrupted";
}

int tn_journal_check_change(const struct tn_change *c, char *why, size_t len)
{
	return tn_change_check(c, why, len);
}

/* A change's value: a required string, whole, malloc'ed into *out. */
static int jr_value(struct tn_jreader *r, const cJSON *o, const char *key, char **out)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
	size_t m = tn_jr_push_key(r, key);
	int ret = 0;

	if (!v || cJSON_IsNull(v))
		ret = tn_jr_error(r, "missing");
	else if (!cJSON_IsString(v))
		ret = tn_jr_error(r, "expected a string");
	else if (!(*out = strdup(v->valuestring)))
		ret = tn_diag_error(r->diag, -ENOMEM, "out of memory");
	tn_jr_pop(r, m);
	return ret;
}

/* A change record; e is filled (its values owned by the caller) even on error. */
static int parse_change(struct tn_jreader *r, const cJSON *o, struct tn_jentry *e, int64_t *seq)
{
	static const char *const ck[] = { "seq",   "kind", "target", "key",    "before", "after",
					  "label", "note", "reason", "status", NULL };
	char kind[32], why[600];
	int ret, k;

	if ((ret = tn_jr_known_keys(r, o, ck)) < 0 ||
	    (ret = tn_jr_int(r, o, "seq", true, 0, 1 << 30, seq)) < 0 ||
	    (ret = tn_jr_str(r, o, "kind", true, kind, sizeof(kind))) < 0 ||
	    (ret = tn_jr_str(r, o, "target", true, e->c.target, sizeof(e->c.target))) < 0 ||
	    (ret = tn_jr_str(r, o, "key", true, e->c.key, sizeof(e->c.key))) < 0 ||
	    (ret = jr_value(r, o, "before", &e->c.before)) < 0 ||
	    (ret = jr_value(r, o, "after", &e->c.after)) < 0 ||
	    (ret = tn_jr_strdup(r, o, "label", false, TN_CHANGE_LABEL_MAX, &e->c.label)) < 0 ||
	    (ret = tn_jr_strdup(r, o, "note", false, TN_CHANGE_NOTE_MAX, &e->c.note)) < 0 ||
	    (ret = tn_jr_strdup(r, o, "reason", false, TN_CHANGE_REASON_MAX, &e->c.reason)) < 0)
		return ret;
	k = tn_change_kind_parse(kind);
	if (k < 0)
		return tn_jr_error(r, "unknown change kind \"%s\"", kind);
	e->c.kind = (enum tn_change_kind)k;
	/* rollback writes these: each must be what its kind holds */
	if (tn_journal_check_change(&e->c, why, sizeof(why)) < 0)
		return tn_jr_error(r, "%s %s; the journal is refused", kind, why);
	return 0;
}

/* Line 1: the header, "kind": "journal". */
static int parse_header(struct tn_jreader *r, const cJSON *o, struct tn_journal *j)
{
	static const char *const hk[] = { "schema_version", "kind",    "id",	 "time",
					  "boot_id",	    "profile", "digest", "sysroot",
					  "boottime_us",    NULL };
	int64_t ver;
	char kind[16] = "";
	int ret;

	if ((ret = tn_jr_known_keys(r, o, hk)) < 0 ||
	    (ret = tn_jr_int(r, o, "schema_version", true, 0, 1000, &ver)) < 0 ||
	    (ret = tn_jr_str(r, o, "kind", true, kind, sizeof(kind))) < 0)
		return ret;
	if (strcmp(kind, "journal") != 0 || ver != TN_SCHEMA_VERSION)
		return tn_jr_error(r, "not a tuner journal of schema version %d",
				   TN_SCHEMA_VERSION);
	if ((ret = tn_jr_str(r, o, "id", true, j->id, sizeof(j->id))) < 0 ||
	    (ret = tn_jr_str(r, o, "time", false, j->time, sizeof(j->time))) < 0 ||
	    (ret = tn_jr_str(r, o, "boot_id", true, j->boot_id, sizeof(j->boot_id))) < 0 ||
	    (ret = tn_jr_str(r, o, "profile", false, j->profile, sizeof(j->profile))) < 0 ||
	    (ret = tn_jr_str(r, o, "digest", false, j->digest, sizeof(j->digest))) < 0 ||
	    (ret = tn_jr_str(r, o, "sysroot", true, j->sysroot, sizeof(j->sysroot))) < 0)
		return ret;
	/* optional: journals of older tuners do not record it */
	j->boottime_us = TN_JOURNAL_NO_BOOTTIME;
	return tn_jr_int(r, o, "boottime_us", false, 0, TN_JOURNAL_BOOTTIME_MAX, &j->boottime_us);
}

/* A change record (it has a "kind"): the next in sequence, pending. */
static int parse_entry(struct tn_jreader *r, const cJSON *o, struct tn_journal *j, int *cap)
{
	struct tn_jentry e = { 0 };
	int64_t seq;
	int ret = parse_change(r, o, &e, &seq);

	if (ret == 0 && seq != j->n)
		ret = tn_jr_error(r, "change %lld out of sequence (expected %d)", (long long)seq,
				  j->n);
	if (ret == 0 && j->n == *cap) {
		int ncap = *cap ? *cap * 2 : 64;
		struct tn_jentry *ne = realloc(j->e, sizeof(*ne) * (size_t)ncap);

		if (!ne)
			ret = tn_diag_error(r->diag, -ENOMEM, "out of memory");
		else
			j->e = ne;
		*cap = ne ? ncap : *cap;
	}
	if (ret < 0) {
		tn_change_free(&e.c);
		return ret;
	}
	e.seq = (int)seq;
	e.status = TN_J_PENDING;
	j->e[j->n++] = e;
	return 0;
}

/* A status record: "seq", "status" and "error" of a change already recorded. */
static int parse_status(struct tn_jreader *r, const cJSON *o, struct tn_journal *j)
{
	static const char *const sk[] = { "seq", "status", "error", NULL };
	char status[32], *err = NULL;
	int64_t seq;
	int st, ret;

	if ((ret = tn_jr_known_keys(r, o, sk)) < 0 ||
	    (ret = tn_jr_int(r, o, "seq", true, 0, 1 << 30, &seq)) < 0 ||
	    (ret = tn_jr_str(r, o, "status", true, status, sizeof(status))) < 0 ||
	    (ret = tn_jr_strdup(r, o, "error", false, TN_JOURNAL_ERROR_MAX, &err)) < 0)
		return ret;
	st = jstatus_parse(status);
	if (st < 0)
		ret = tn_jr_error(r, "unknown status \"%s\"", status);
	else if (seq >= j->n)
		ret = tn_jr_error(r, "status of change %lld, which is not recorded",
				  (long long)seq);
	else {
		j->e[seq].status = (enum tn_jstatus)st;
		ret = tn_jentry_set_error(&j->e[seq], err);
		if (ret < 0)
			ret = tn_diag_error(r->diag, ret, "out of memory");
	}
	free(err);
	if (ret < 0)
		return ret;
	/* a new status after an end record: the journal is being worked on again */
	j->end[0] = '\0';
	return 0;
}

static int parse_line(struct tn_jreader *r, const cJSON *o, struct tn_journal *j, int *cap,
		      bool first)
{
	const cJSON *v;

	if (first)
		return parse_header(r, o, j);
	if ((v = cJSON_GetObjectItemCaseSensitive(o, "end"))) {
		if (!cJSON_IsString(v) || cJSON_GetArraySize(o) != 1)
			return tn_jr_error(r, "a malformed end record");
		snprintf(j->end, sizeof(j->end), "%s", v->valuestring);
		return 0;
	}
	if (cJSON_GetObjectItemCaseSensitive(o, "kind"))
		return parse_entry(r, o, j, cap);
	return parse_status(r, o, j);
}

/* The line at p, number lineno: a whole, bounded JSON object into *out, and
 * *next past its newline; or the reason it is not, in d. */
static int read_line(const char *p, const char *file, int lineno, cJSON **out, const char **next,
		     struct tn_diag *d)
{
	const char *nl = strchr(p, '\n');
	char *line;
	cJSON *o;

	if (!nl)
		return tn_diag_error(d, -EINVAL,
				     "%s:%d: the last line is truncated (no newline): the journal "
				     "is damaged",
				     file, lineno);
	if (nl - p > TN_JOURNAL_LINE_MAX)
		return tn_diag_error(d, -EINVAL,
				     "%s:%d: a line of more than %d bytes: the journal is damaged",
				     file, lineno, TN_JOURNAL_LINE_MAX);
	line = strndup(p, (size_t)(nl - p));
	if (!line)
		return tn_diag_error(d, -ENOMEM, "out of memory");
	o = cJSON_Parse(line);
	free(line);
	if (!o || !cJSON_IsObject(o)) {
		cJSON_Delete(o);
		return tn_diag_error(d, -EINVAL,
				     "%s:%d: not a journal record: the journal is damaged", file,
				     lineno);
	}
	*out = o;
	*next = nl + 1;
	return 0;
}

int tn_journal_parse(const char *text, const char *file, struct tn_journal *out, struct tn_diag *d)
{
	struct tn_journal j = { 0 };
	const char *p = text;
	int lineno = 0, cap = 0, ret = 0;

	while (*p) {
		struct tn_jreader r;
		char where[600];
		cJSON *o;

		lineno++;
		ret = read_line(p, file, lineno, &o, &p, d);
		if (ret < 0)
			goto fail;
		snprintf(where, sizeof(where), "%s:%d", file, lineno);
		tn_jr_init(&r, d, where);
		ret = parse_line(&r, o, &j, &cap, lineno == 1);
		cJSON_Delete(o);
		if (ret < 0)
			goto fail;
	}
	if (lineno == 0) {
		ret = tn_diag_error(d, -EINVAL, "%s: empty: not a journal", file);
		goto fail;
	}
	*out = j;
	return 0;
fail:
	tn_journal_free(&j);
	return ret;
}

int tn_journal_changes(const struct tn_journal *j)
{
	int n = 0;

	for (int i = 0; i < j->n; i++)
		n += !tn_change_is_held(&j->e[i].c);
	return n;
}

int tn_journal_parse_head(const char *text, const char *file, struct tn_journal *out,
			  struct tn_diag *d)
{
	struct tn_journal j = { 0 };
	struct tn_jreader r;
	const char *next;
	char where[600];
	cJSON *o;
	int ret;

	if (!*text)
		return tn_diag_error(d, -EINVAL, "%s: empty: not a journal", file);
	ret = read_line(text, file, 1, &o, &next, d);
	if (ret < 0)
		return ret;
	snprintf(where, sizeof(where), "%s:1", file);
	tn_jr_init(&r, d, where);
	ret = parse_header(&r, o, &j);
	cJSON_Delete(o);
	if (ret == 0)
		*out = j;
	return ret;
}

/* ---- the order of journals ---- */

/* A journal that can be placed by its boottime: its boot and position known. */
static bool timed(const struct tn_jorder *o)
{
	return !o->unreadable && o->boot_id[0] && o->boottime_us >= 0;
}

struct slot {
	struct tn_jorder o;
	int pos; /* its place in name order */
};

/* By boot, then boottime, then name order (equal boottimes: never within a
 * boot, but a hand-made journal may say so). */
static int cmp_slot(const void *a, const void *b)
{
	const struct slot *x = a, *y = b;
	int c = strcmp(x->o.boot_id, y->o.boot_id);

	if (c)
		return c;
	if (x->o.boottime_us != y->o.boottime_us)
		return x->o.boottime_us < y->o.boottime_us ? -1 : 1;
	return (x->pos > y->pos) - (x->pos < y->pos);
}

static int cmp_int(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;

	return (x > y) - (x < y);
}

int tn_journal_order(struct tn_jorder *v, int n)
{
	struct slot *s;
	int *pos, k = 0;

	for (int i = 0; i < n; i++)
		k += timed(&v[i]);
	if (k < 2)
		return 0;
	s = calloc((size_t)k, sizeof(*s));
	pos = calloc((size_t)k, sizeof(*pos));
	if (!s || !pos) {
		free(s);
		free(pos);
		return -ENOMEM;
	}
	k = 0;
	for (int i = 0; i < n; i++)
		if (timed(&v[i]))
			s[k++] = (struct slot){ v[i], i };
	qsort(s, (size_t)k, sizeof(*s), cmp_slot);
	/* each boot's journals, now in boottime order, take that boot's places */
	for (int a = 0, b; a < k; a = b) {
		for (b = a; b < k && strcmp(s[b].o.boot_id, s[a].o.boot_id) == 0; b++)
			pos[b] = s[b].pos;
		qsort(pos + a, (size_t)(b - a), sizeof(*pos), cmp_int);
		for (int i = a; i < b; i++)
			v[pos[i]] = s[i].o;
	}
	free(s);
	free(pos);
	return 0;
}

int tn_journal_pick_last(const struct tn_jorder *v, int n, const char *boot_id)
{
	int best = -1;

	for (int i = 0; boot_id[0] && i < n; i++) {
		if (strcmp(v[i].boot_id, boot_id) != 0)
			continue;
		/* later in name order wins a tie: >= */
		if (best < 0 || v[i].boottime_us >= v[best].boottime_us)
			best = i;
	}
	return best >= 0 ? best : n - 1;
}

int tn_journal_unreadable_after(const struct tn_jorder *v, int n, int pick)
{
	for (int i = pick + 1; i < n; i++)
		if (v[i].unreadable)
			return i;
	return -1;
}
