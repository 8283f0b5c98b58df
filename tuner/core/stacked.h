/* SPDX-License-Identifier: MIT */
/*
 * Stacked net devices of a snapshot (bonds, teams, bridges, VLANs: no IRQs of
 * their own): sorting, their JSON, and what a profile rule naming one is told.
 */
#ifndef TN_STACKED_H
#define TN_STACKED_H

#include <cjson/cJSON.h>
#include <stddef.h>

#include "jsonutil.h"
#include "state.h"

/* Sort s->stacked by name, and each one's lower list. */
void tn_stacked_sort(struct tn_state *s);
/* "stacked" of a snapshot into s (names, kinds and lower lists checked and
 * bounded); 0 or -errno with the reason in r. */
int tn_stacked_load(struct tn_jreader *r, const cJSON *arr, struct tn_state *s);
/* s->stacked as a JSON array added to o as "stacked"; -ENOMEM. */
int tn_stacked_to_json(cJSON *o, const struct tn_state *s);
/*
 * The first stacked device (by name) whose name fits the glob pattern, said
 * for a rule that matches no NIC: "bond0 is a bond (no IRQs of its own); match
 * the NICs below it instead: eth0, eth1" into buf. Returns false (buf empty)
 * when none fits.
 */
bool tn_stacked_describe(const struct tn_state *s, const char *pattern, char *buf, size_t len);

#endif
