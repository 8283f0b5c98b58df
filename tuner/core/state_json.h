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
int tn_state_from_json(const cJSON *j, const char *file, struct tn_state *out, struct tn_diag *d);
/*
 * A document of more JSON values than this (4,194,304) is refused before it
 * is parsed: each costs cJSON about 100 bytes, 400 MB in all. A real host's
 * snapshot has far fewer (8192 cores: 40,000; 60,000 NICs of one IRQ: a
 * million), though not every count of state.h at its limit at once.
 */
#define TN_STATE_JSON_VALUES_MAX (1 << 22)

struct tn_jreader;
/* state_check.c: what discovery guarantees of a snapshot and a file must
 * hold too (online and every node's and core's CPUs within topology.cpus, a
 * core's node among the nodes; no IRQ twice in a NIC, no pid twice, no tid
 * twice in a process); errors through r, naming the JSON path. */
int tn_state_check(struct tn_jreader *r, const struct tn_state *s);

/* Parse text (syntax errors name file:line:column) and load it. */
int tn_state_parse(const char *text, const char *file, struct tn_state *out, struct tn_diag *d);

#endif
