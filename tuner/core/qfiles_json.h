/* SPDX-License-Identifier: MIT */
/* A NIC's queue files (struct tn_qfiles) in the snapshot JSON: "rps" and "xps"
 * arrays of its NIC object, absent when discovery found none (older snapshots
 * have none). Private to state_json*.c. */
#ifndef TN_QFILES_JSON_H
#define TN_QFILES_JSON_H

#include <cjson/cJSON.h>

#include "jsonutil.h"
#include "state.h"

/* Add "rps" and "xps" to the NIC object o; -ENOMEM. */
int tn_qfiles_to_json(cJSON *o, const struct tn_nic *n);
/* Load them from o, checked (masks, counts, indices ascending and below the
 * queue counts); *total counts queue files over all NICs (TN_QUEUE_FILES_MAX). */
int tn_qfiles_load(struct tn_jreader *r, const cJSON *o, struct tn_nic *n, int *total);

#endif
