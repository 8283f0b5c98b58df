/* SPDX-License-Identifier: MIT */
#include "jsonutil.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int tn_json_add_item(cJSON *obj, const char *key, cJSON *child)
{
	if (!child)
		return -ENOMEM;
	if (key ? !cJSON_AddItemToObject(obj, key, child) : !cJSON_AddItemToArray(obj, child)) {
		cJSON_Delete(child);
		return -ENOMEM;
	}
	return 0;
}

int tn_json_add_str(cJSON *obj, const char *key, const char *val)
{
	return tn_json_add_item(obj, key, cJSON_CreateString(val));
}

int tn_json_add_int(cJSON *obj, const char *key, int64_t val)
{
	return tn_json_add_item(obj, key, cJSON_CreateNumber((double)val));
}

int tn_json_add_int_raw(cJSON *obj, const char *key, int64_t val)
{
	char digits[24];

	snprintf(digits, sizeof(digits), "%lld", (long long)val);
	return tn_json_add_item(obj, key, cJSON_CreateRaw(digits));
}

int tn_json_add_u64(cJSON *obj, const char *key, uint64_t val)
{
	char digits[24];

	if (val <= INT32_MAX)
		return tn_json_add_item(obj, key, cJSON_CreateNumber((double)val));
	snprintf(digits, sizeof(digits), "%llu", (unsigned long long)val);
	return tn_json_add_item(obj, key, cJSON_CreateRaw(digits));
}

int tn_json_add_int_or_null(cJSON *obj, const char *key, int64_t val, int64_t unknown)
{
	if (val == unknown)
		return tn_json_add_null(obj, key);
	return tn_json_add_int(obj, key, val);
}

int tn_json_add_bool(cJSON *obj, const char *key, bool val)
{
	return tn_json_add_item(obj, key, cJSON_CreateBool(val));
}

int tn_json_add_null(cJSON *obj, const char *key)
{
	return tn_json_add_item(obj, key, cJSON_CreateNull());
}

int tn_json_add_cpuset(cJSON *obj, const char *key, const struct tn_cpuset *s)
{
	char buf[TN_CPULIST_MAX];

	tn_cpuset_format_list(s, buf, sizeof(buf));
	return tn_json_add_str(obj, key, buf);
}

void tn_jr_init(struct tn_jreader *r, struct tn_diag *d, const char *file)
{
	r->diag = d;
	r->file = file;
	r->text = NULL;
	r->path[0] = '\0';
}

void tn_jr_set_text(struct tn_jreader *r, const char *text)
{
	r->text = text;
}

static bool is_ident(const char *k)
{
	if (!*k || isdigit((unsigned char)*k))
		return false;
	for (; *k; k++)
		if (!isalnum((unsigned char)*k) && *k != '_' && *k != '-')
			return false;
	return true;
}

size_t tn_jr_push_key(struct tn_jreader *r, const char *key)
{
	size_t n = strlen(r->path);

	if (is_ident(key))
		snprintf(r->path + n, sizeof(r->path) - n, "%s%s", n ? "." : "", key);
	else
		snprintf(r->path + n, sizeof(r->path) - n, "[\"%s\"]", key);
	return n;
}

size_t tn_jr_push_index(struct tn_jreader *r, int i)
{
	size_t n = strlen(r->path);

	snprintf(r->path + n, sizeof(r->path) - n, "[%d]", i);
	return n;
}

void tn_jr_pop(struct tn_jreader *r, size_t mark)
{
	if (mark < sizeof(r->path))
		r->path[mark] = '\0';
}

/* Record the message at 'at' in the text (NULL: no line:column). */
static int jr_report_at(struct tn_jreader *r, const char *at, const char *fmt, va_list ap)
	__attribute__((format(printf, 3, 0)));
static int jr_report_at(struct tn_jreader *r, const char *at, const char *fmt, va_list ap)
{
	char msg[TN_DIAG_MSG_MAX];

	vsnprintf(msg, sizeof(msg), fmt, ap);
	if (at) {
		int line, col;

		tn_json_position(r->text, at, &line, &col);
		return tn_diag_error(r->diag, -EINVAL, "%s:%d:%d: %s: %s", r->file ? r->file : "-",
				     line, col, r->path[0] ? r->path : "(top level)", msg);
	}
	if (r->file)
		return tn_diag_error(r->diag, -EINVAL, "%s: %s: %s", r->file,
				     r->path[0] ? r->path : "(top level)", msg);
	return tn_diag_error(r->diag, -EINVAL, "%s: %s", r->path[0] ? r->path : "(top level)", msg);
}

static int jr_report(struct tn_jreader *r, bool at_key, const char *fmt, va_list ap)
	__attribute__((format(printf, 3, 0)));
static int jr_report(struct tn_jreader *r, bool at_key, const char *fmt, va_list ap)
{
	const char *at = r->text ? tn_json_locate(r->text, r->path, at_key) : NULL;

	return jr_report_at(r, at, fmt, ap);
}

int tn_jr_error(struct tn_jreader *r, const char *fmt, ...)
{
	va_list ap;
	int ret;

	va_start(ap, fmt);
	ret = jr_report(r, false, fmt, ap);
	va_end(ap);
	return ret;
}

int tn_jr_error_at(struct tn_jreader *r, const char *at, const char *fmt, ...)
{
	va_list ap;
	int ret;

	va_start(ap, fmt);
	ret = jr_report_at(r, at, fmt, ap);
	va_end(ap);
	return ret;
}

int tn_jr_key_error(struct tn_jreader *r, const char *fmt, ...)
{
	va_list ap;
	int ret;

	va_start(ap, fmt);
	ret = jr_report(r, true, fmt, ap);
	va_end(ap);
	return ret;
}

static const char *type_name(const cJSON *v)
{
	if (cJSON_IsNull(v))
		return "null";
	if (cJSON_IsBool(v))
		return "a boolean";
	if (cJSON_IsNumber(v))
		return "a number";
	if (cJSON_IsString(v))
		return "a string";
	if (cJSON_IsArray(v))
		return "an array";
	if (cJSON_IsObject(v))
		return "an object";
	return "invalid";
}

static const cJSON *member(const cJSON *obj, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);

	return cJSON_IsNull(v) ? NULL : v;
}

static int missing(struct tn_jreader *r, const char *key, bool required)
{
	if (!required)
		return 0;
	size_t m = tn_jr_push_key(r, key);
	int ret = tn_jr_error(r, "missing");

	tn_jr_pop(r, m);
	return ret;
}

static int check_int(struct tn_jreader *r, const cJSON *v, int64_t min, int64_t max, int64_t *out)
{
	double d;

	if (!cJSON_IsNumber(v))
		return tn_jr_error(r, "expected an integer, found %s", type_name(v));
	d = v->valuedouble;
	if (d != floor(d) || !isfinite(d))
		return tn_jr_error(r, "expected an integer, found %g", d);
	if (d < (double)min || d > (double)max)
		return tn_jr_error(r, "%.0f is out of range (%lld to %lld)", d, (long long)min,
				   (long long)max);
	*out = (int64_t)d;
	return 0;
}

int tn_jr_int(struct tn_jreader *r, const cJSON *obj, const char *key, bool required, int64_t min,
	      int64_t max, int64_t *out)
{
	const cJSON *v = member(obj, key);
	size_t m;
	int ret;

	if (!v)
		return missing(r, key, required);
	m = tn_jr_push_key(r, key);
	ret = check_int(r, v, min, max, out);
	tn_jr_pop(r, m);
	return ret;
}

int tn_jr_int_or_null(struct tn_jreader *r, const cJSON *obj, const char *key, int64_t min,
		      int64_t max, int64_t null_value, int64_t *out)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);

	if (!v)
		return missing(r, key, true);
	if (cJSON_IsNull(v)) {
		*out = null_value;
		return 0;
	}
	return tn_jr_int(r, obj, key, true, min, max, out);
}

/* obj[key] as a string of at most max bytes: 1 with *v set, 0 when missing
 * (and not required), or the error. */
static int string_member(struct tn_jreader *r, const cJSON *obj, const char *key, bool required,
			 size_t max, const char **v)
{
	const cJSON *m = member(obj, key);
	size_t mark;
	int ret = 1;

	if (!m)
		return missing(r, key, required);
	mark = tn_jr_push_key(r, key);
	if (!cJSON_IsString(m))
		ret = tn_jr_error(r, "expected a string, found %s", type_name(m));
	else if (strlen(m->valuestring) > max)
		ret = tn_jr_error(r, "longer than %zu characters", max);
	else
		*v = m->valuestring;
	tn_jr_pop(r, mark);
	return ret;
}

int tn_jr_str(struct tn_jreader *r, const cJSON *obj, const char *key, bool required, char *out,
	      size_t len)
{
	const char *v = NULL;
	int ret = string_member(r, obj, key, required, len - 1, &v);

	if (ret == 1)
		memcpy(out, v, strlen(v) + 1);
	return ret < 0 ? ret : 0;
}

int tn_jr_strdup(struct tn_jreader *r, const cJSON *obj, const char *key, bool required, size_t max,
		 char **out)
{
	const char *v = NULL;
	int ret = string_member(r, obj, key, required, max, &v);

	*out = NULL;
	if (ret == 1 && !(*out = strdup(v)))
		return tn_diag_error(r->diag, -ENOMEM, "out of memory");
	return ret < 0 ? ret : 0;
}

int tn_jr_bool(struct tn_jreader *r, const cJSON *obj, const char *key, bool required, bool *out)
{
	const cJSON *v = member(obj, key);
	size_t m;
	int ret = 0;

	if (!v)
		return missing(r, key, required);
	m = tn_jr_push_key(r, key);
	if (!cJSON_IsBool(v))
		ret = tn_jr_error(r, "expected true or false, found %s", type_name(v));
	else
		*out = cJSON_IsTrue(v);
	tn_jr_pop(r, m);
	return ret;
}

int tn_jr_cpuset(struct tn_jreader *r, const cJSON *obj, const char *key, bool required,
		 struct tn_cpuset *out)
{
	const cJSON *v = member(obj, key);
	size_t m;
	int ret = 0;

	if (!v)
		return missing(r, key, required);
	m = tn_jr_push_key(r, key);
	if (!cJSON_IsString(v))
		ret = tn_jr_error(r, "expected a CPU list string, found %s", type_name(v));
	else if ((ret = tn_cpuset_parse_list(v->valuestring, out)) < 0)
		ret = tn_jr_error(r, "\"%s\" is not a CPU list%s", v->valuestring,
				  ret == -ERANGE ? " (CPU number too large)" : "");
	tn_jr_pop(r, m);
	return ret;
}

static int typed(struct tn_jreader *r, const cJSON *obj, const char *key, bool required,
		 const cJSON **out, cJSON_bool (*is)(const cJSON *), const char *what)
{
	const cJSON *v = member(obj, key);
	size_t m;
	int ret = 0;

	if (!v) {
		*out = NULL;
		return missing(r, key, required);
	}
	m = tn_jr_push_key(r, key);
	if (!is(v))
		ret = tn_jr_error(r, "expected %s, found %s", what, type_name(v));
	else
		*out = v;
	tn_jr_pop(r, m);
	return ret;
}

int tn_jr_array(struct tn_jreader *r, const cJSON *obj, const char *key, bool required,
		const cJSON **out)
{
	return typed(r, obj, key, required, out, cJSON_IsArray, "an array");
}

int tn_jr_object(struct tn_jreader *r, const cJSON *obj, const char *key, bool required,
		 const cJSON **out)
{
	return typed(r, obj, key, required, out, cJSON_IsObject, "an object");
}

/* The text scanners below, also used to point at a duplicate key. */
static const char *ws(const char *p);
static const char *skip_string(const char *p);
static const char *skip_value(const char *p, int depth);
static bool key_equals(const char *p, const char *key, size_t klen);

/* Up to this many members, duplicates are looked for pairwise; above, by sorting. */
#define DUP_PAIRWISE_MAX 16

struct member_ref {
	const char *key;
	int index; /* position in the object */
	const cJSON *item;
};

static int cmp_member_ref(const void *a, const void *b)
{
	const struct member_ref *x = a, *y = b;
	int c = strcmp(x->key, y->key);

	return c ? c : (x->index > y->index) - (x->index < y->index);
}

/*
 * The first member (in document order) whose key an earlier member already
 * has: the second occurrence of that key. NULL when every key is unique;
 * -ENOMEM in *err when the sort could not allocate. O(n log n).
 */
static const cJSON *first_duplicate(const cJSON *obj, int *err)
{
	const cJSON *it, *best = NULL;
	struct member_ref *refs;
	int n = 0, best_index = INT_MAX;

	*err = 0;
	cJSON_ArrayForEach (it, obj)
		n++;
	if (n <= DUP_PAIRWISE_MAX) {
		cJSON_ArrayForEach (it, obj) {
			for (const cJSON *prev = obj->child; prev != it; prev = prev->next) {
				if (strcmp(prev->string, it->string) == 0)
					return it;
			}
		}
		return NULL;
	}
	refs = malloc(sizeof(*refs) * (size_t)n);
	if (!refs) {
		*err = -ENOMEM;
		return NULL;
	}
	n = 0;
	cJSON_ArrayForEach (it, obj) {
		refs[n] = (struct member_ref){ .key = it->string, .index = n, .item = it };
		n++;
	}
	qsort(refs, (size_t)n, sizeof(*refs), cmp_member_ref);
	/* equal keys are adjacent, in document order: the second of a run repeats */
	for (int i = 1; i < n; i++) {
		if (refs[i].index < best_index && strcmp(refs[i - 1].key, refs[i].key) == 0) {
			best = refs[i].item;
			best_index = refs[i].index;
		}
	}
	free(refs);
	return best;
}

/* The opening quote of the nth occurrence of key among the members of the
 * object that objpath names, or NULL. */
static const char *locate_member(const char *text, const char *objpath, const char *key, int nth)
{
	const char *p = tn_json_locate(text, objpath, false);
	size_t klen = strlen(key);

	if (!p || *p != '{')
		return NULL;
	p = ws(p + 1);
	while (*p == '"') {
		const char *k = p;

		if (!(p = skip_string(p)))
			return NULL;
		if (key_equals(k, key, klen) && --nth == 0)
			return k;
		p = ws(p);
		if (*p++ != ':' || !(p = skip_value(p, 0)))
			return NULL;
		p = ws(p);
		if (*p != ',')
			return NULL;
		p = ws(p + 1);
	}
	return NULL;
}

/* The error points at the second occurrence: the first one is not the mistake. */
static int duplicate_error(struct tn_jreader *r, const cJSON *dup)
{
	const char *at = r->text ? locate_member(r->text, r->path, dup->string, 2) : NULL;
	size_t m = tn_jr_push_key(r, dup->string);
	int ret = tn_jr_error_at(r, at, "duplicate key");

	tn_jr_pop(r, m);
	return ret;
}

int tn_jr_known_keys(struct tn_jreader *r, const cJSON *obj, const char *const *keys)
{
	const cJSON *it, *dup;
	int err;

	dup = first_duplicate(obj, &err);
	if (err < 0)
		return tn_diag_error(r->diag, err, "out of memory");
	if (dup)
		return duplicate_error(r, dup);
	if (!keys)
		return 0;
	cJSON_ArrayForEach (it, obj) {
		bool ok = false;

		for (const char *const *k = keys; *k && !ok; k++)
			ok = strcmp(*k, it->string) == 0;
		if (!ok) {
			size_t m = tn_jr_push_key(r, it->string);
			int ret = tn_jr_key_error(r, "unknown key");

			tn_jr_pop(r, m);
			return ret;
		}
	}
	return 0;
}

void tn_json_position(const char *text, const char *at, int *line, int *col)
{
	int l = 1, c = 1;

	for (const char *p = text; p < at && *p; p++) {
		if (*p == '\n') {
			l++;
			c = 1;
		} else if (((unsigned char)*p & 0xc0) != 0x80) {
			c++;
		}
	}
	*line = l;
	*col = c;
}

/* ---- locating a path in the text ---- */

static const char *ws(const char *p)
{
	while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
		p++;
	return p;
}

/* Skip a string starting at its quote; returns the char after the closing quote. */
static const char *skip_string(const char *p)
{
	for (p++; *p && *p != '"'; p++)
		if (*p == '\\' && p[1])
			p++;
	return *p ? p + 1 : NULL;
}

/* Skip any value; NULL on malformed text. Depth-bounded. */
static const char *skip_value(const char *p, int depth)
{
	p = ws(p);
	if (depth > 1000)
		return NULL;
	if (*p == '"')
		return skip_string(p);
	if (*p == '{' || *p == '[') {
		char close = *p == '{' ? '}' : ']';

		p = ws(p + 1);
		if (*p == close)
			return p + 1;
		for (;;) {
			if (close == '}') {
				if (*p != '"' || !(p = skip_string(p)))
					return NULL;
				p = ws(p);
				if (*p++ != ':')
					return NULL;
			}
			if (!(p = skip_value(p, depth + 1)))
				return NULL;
			p = ws(p);
			if (*p == ',') {
				p = ws(p + 1);
				continue;
			}
			return *p == close ? p + 1 : NULL;
		}
	}
	while (*p && *p != ',' && *p != '}' && *p != ']' && *p != ' ' && *p != '\n' && *p != '\t' &&
	       *p != '\r')
		p++;
	return p;
}

/* Compare a JSON string token at p (no escapes handled beyond identity) to key. */
static bool key_equals(const char *p, const char *key, size_t klen)
{
	return strncmp(p + 1, key, klen) == 0 && p[1 + klen] == '"';
}

const char *tn_json_locate(const char *text, const char *path, bool want_key)
{
	const char *p = ws(text), *keypos = NULL;
	const char *c = path;

	while (*c) {
		char key[256];
		size_t klen = 0;
		long index = -1;

		if (*c == '.')
			c++;
		if (c[0] == '[' && c[1] == '"') {
			const char *e = strstr(c + 2, "\"]");

			if (!e || (size_t)(e - c - 2) >= sizeof(key))
				return NULL;
			klen = (size_t)(e - c - 2);
			memcpy(key, c + 2, klen);
			c = e + 2;
		} else if (*c == '[') {
			index = strtol(c + 1, (char **)&c, 10);
			if (*c++ != ']')
				return NULL;
		} else {
			while (*c && *c != '.' && *c != '[' && klen < sizeof(key) - 1)
				key[klen++] = *c++;
		}
		key[klen] = '\0';
		p = ws(p);
		if (index >= 0) {
			if (*p != '[')
				return NULL;
			p = ws(p + 1);
			for (long i = 0; i < index; i++) {
				if (!(p = skip_value(p, 0)))
					return NULL;
				p = ws(p);
				if (*p != ',')
					return NULL;
				p = ws(p + 1);
			}
			keypos = NULL;
			continue;
		}
		if (*p != '{')
			return NULL;
		p = ws(p + 1);
		for (;;) {
			const char *k = p;

			if (*p != '"' || !(p = skip_string(p)))
				return NULL;
			p = ws(p);
			if (*p++ != ':')
				return NULL;
			p = ws(p);
			if (key_equals(k, key, klen)) {
				keypos = k;
				break;
			}
			if (!(p = skip_value(p, 0)))
				return NULL;
			p = ws(p);
			if (*p != ',')
				return NULL;
			p = ws(p + 1);
		}
	}
	if (want_key && keypos)
		return keypos;
	return p;
}

const char *tn_json_find_nul_escape(const char *text)
{
	bool in_str = false;

	for (const char *p = text; *p; p++) {
		if (!in_str) {
			in_str = *p == '"';
		} else if (*p == '"') {
			in_str = false;
		} else if (*p == '\\' && p[1]) {
			if (p[1] == 'u' && strncmp(p + 2, "0000", 4) == 0)
				return p;
			p++;
		}
	}
	return NULL;
}
