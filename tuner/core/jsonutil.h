/* SPDX-License-Identifier: MIT */
/* Small helpers over cJSON shared by the state, profile and plan codecs. */
#ifndef TN_JSONUTIL_H
#define TN_JSONUTIL_H

#include <stdbool.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "cpuset.h"
#include "diag.h"

/* Adders: return 0 or -ENOMEM. */
int tn_json_add_str(cJSON *obj, const char *key, const char *val);
int tn_json_add_int(cJSON *obj, const char *key, int64_t val);
/* The same as raw digits ("123", what cJSON prints for it): for lines that are
 * only printed, never read back as an item. Debian's cJSON (1.7.15) prints
 * every number with "%1.15g" and checks it with sscanf: a microsecond each,
 * three per change in a journal (its record, its status, its rollback). */
int tn_json_add_int_raw(cJSON *obj, const char *key, int64_t val);
/*
 * A count (0 to 2^64-1) as a JSON integer, its digits exact: a number item up
 * to INT32_MAX (what cJSON prints with "%d"), raw digits above. cJSON prints
 * other numbers as doubles with "%1.15g", kept when it reads back within an
 * epsilon: 2^53-1 came out as 9.00719925474099e+15, 2^64-5 as
 * 1.8446744073709552e+19, and 10^15 as 1e+15 (a float to most readers).
 */
int tn_json_add_u64(cJSON *obj, const char *key, uint64_t val);
/* null when val == unknown */
int tn_json_add_int_or_null(cJSON *obj, const char *key, int64_t val, int64_t unknown);
int tn_json_add_bool(cJSON *obj, const char *key, bool val);
int tn_json_add_null(cJSON *obj, const char *key);
int tn_json_add_cpuset(cJSON *obj, const char *key, const struct tn_cpuset *s);
/* Add child to obj (object: with key; array: key NULL). Frees child on failure. */
int tn_json_add_item(cJSON *obj, const char *key, cJSON *child);

/*
 * A reader that tracks the JSON path of what it reads ("nics[2].irqs[0].name")
 * so that an error can name it.
 */
struct tn_jreader {
	struct tn_diag *diag;
	const char *file; /* for messages; may be NULL */
	const char *text; /* the source text, for line:column in messages; may be NULL */
	char path[512];
};

void tn_jr_init(struct tn_jreader *r, struct tn_diag *d, const char *file);
/* With the source text, errors say FILE:LINE:COL of the value they name. */
void tn_jr_set_text(struct tn_jreader *r, const char *text);
/* Push ".key" or "[i]"; returns the previous length to pass to tn_jr_pop(). */
size_t tn_jr_push_key(struct tn_jreader *r, const char *key);
size_t tn_jr_push_index(struct tn_jreader *r, int i);
void tn_jr_pop(struct tn_jreader *r, size_t mark);
/* Record "FILE: PATH: message" and return -EINVAL. */
int tn_jr_error(struct tn_jreader *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The same, with the position of the current key (not its value). */
int tn_jr_key_error(struct tn_jreader *r, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* The same, at a given place in the text (NULL: no line:column). */
int tn_jr_error_at(struct tn_jreader *r, const char *at, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Typed getters of obj[key]. 'required' false: a missing (or null) key leaves
 * *out untouched and returns 0. Wrong type/range: error naming the path. */
int tn_jr_int(struct tn_jreader *r, const cJSON *obj, const char *key, bool required, int64_t min,
	      int64_t max, int64_t *out);
/* Like tn_jr_int, but null is accepted and stored as 'null_value'. */
int tn_jr_int_or_null(struct tn_jreader *r, const cJSON *obj, const char *key, int64_t min,
		      int64_t max, int64_t null_value, int64_t *out);
int tn_jr_str(struct tn_jreader *r, const cJSON *obj, const char *key, bool required, char *out,
	      size_t len);
/* Like tn_jr_str, into a malloc'ed copy (*out NULL when missing) of at most max bytes. */
int tn_jr_strdup(struct tn_jreader *r, const cJSON *obj, const char *key, bool required, size_t max,
		 char **out);
int tn_jr_bool(struct tn_jreader *r, const cJSON *obj, const char *key, bool required, bool *out);
int tn_jr_cpuset(struct tn_jreader *r, const cJSON *obj, const char *key, bool required,
		 struct tn_cpuset *out);
/* obj[key] must be an array (or missing when !required: *out = NULL). */
int tn_jr_array(struct tn_jreader *r, const cJSON *obj, const char *key, bool required,
		const cJSON **out);
int tn_jr_object(struct tn_jreader *r, const cJSON *obj, const char *key, bool required,
		 const cJSON **out);
/* Every key of obj must be in the NULL-terminated list (NULL: any key), once.
 * A duplicate is reported at its second occurrence; O(n log n) in the keys. */
int tn_jr_known_keys(struct tn_jreader *r, const cJSON *obj, const char *const *keys);

/*
 * The first "\u0000" escape inside a string of JSON text, or NULL. cJSON
 * decodes it into a NUL that ends the C string: "net.core.x\u0000junk" would
 * silently read as "net.core.x". Callers refuse such text.
 */
const char *tn_json_find_nul_escape(const char *text);

/* Where a cJSON parse failed: 1-based line and column of 'at' within text. */
void tn_json_position(const char *text, const char *at, int *line, int *col);
/*
 * Find the value a path names ("interfaces[0].rings.rx", keys that are not
 * identifiers quoted: sysctl["net.core.x"]) in JSON text. Returns a pointer to
 * its first character, or NULL. For an "unknown key" error the key itself is
 * the place: with want_key the pointer is to the key's opening quote.
 */
const char *tn_json_locate(const char *text, const char *path, bool want_key);

#endif
