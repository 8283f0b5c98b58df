/* SPDX-License-Identifier: MIT */
/*
 * What the fuzz targets share: the input as a C string, a JSON document as
 * compact text, and the tail of a profile loader. Header-only (static inline):
 * each fuzzer compiles its sources into itself, and an unused helper costs
 * nothing.
 */
#ifndef TN_FUZZ_UTIL_H
#define TN_FUZZ_UTIL_H

#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "diag.h"

/* The input, NUL-terminated, malloc'ed (NULL when out of memory or larger
 * than max bytes: the fuzzer skips it). The input may hold NUL bytes. */
static inline char *fuzz_text(const uint8_t *data, size_t size, size_t max)
{
	char *text;

	if (size > max)
		return NULL;
	text = malloc(size + 1);
	if (!text)
		return NULL;
	memcpy(text, data, size);
	text[size] = '\0';
	return text;
}

/* A document as compact JSON text (malloc'ed, NULL on out-of-memory); takes
 * the document (NULL gives NULL). */
static inline char *fuzz_json_text(cJSON *doc)
{
	char *text;

	if (!doc)
		return NULL;
	text = cJSON_PrintUnformatted(doc);
	cJSON_Delete(doc);
	return text;
}

/* What a tn_profile_loader returns for a profile it serves: a copy of text,
 * "NAME.json" as the resolved name. */
static inline char *fuzz_serve_profile(const char *name, const char *text, char *resolved,
				       size_t resolved_len, struct tn_diag *d)
{
	char *copy;

	snprintf(resolved, resolved_len, "%s.json", name);
	copy = strdup(text);
	if (!copy)
		tn_diag_error(d, -ENOMEM, "out of memory");
	return copy;
}

#endif
