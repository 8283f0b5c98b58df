/* SPDX-License-Identifier: MIT */
/* The state snapshot as JSON: `tuner show --json` writes it, `--state FILE` reads it. */
#ifndef TN_STATE_JSON_H
#define TN_STATE_JSON_H

#include <cjson/cJSON.h>

#include "diag.h"
#include "state.h"

/* A new JSON object, or NULL on out-of-memory. */
cJSON *tn_state_to_json(const struct tn_state *s);
/* Fill *out from a parsed document; errors name 'file' and the JSON path. *out
 * is only written on success. */
int tn_state_from_json(const cJSON *j, const char *file, struct tn_state *out,
		       struct tn_diag *d);
/*
 * A document of more JSON values than this is refused before it is parsed:
 * each costs cJSON about 80 bytes, and a snapshot within the limits of
 * state.h has fewer (a 1024-node distance matrix alone is a million).
 */
#define TN_STATE_JSON_VALUES_MAX (1 << 23)

/* Parse text (syntax errors name file:line:column) and load it. */
int tn_state_parse(const char *text, const char *file, struct tn_state *out, struct tn_diag *d);

#endif
