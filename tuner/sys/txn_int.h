/* SPDX-License-Identifier: MIT */
/* What txn.c, jout.c and rollback.c share: not an API. */
#ifndef TN_TXN_INT_H
#define TN_TXN_INT_H

#include <stdbool.h>

#include "diag.h"
#include "kind.h"
#include "txn.h"

/* Add line (freed here) to what o writes; written now, and synced, when sync.
 * NULL line: out of memory. 0 or -errno with the reason in d. */
int tn_jout_append(struct tn_jout *o, char *line, bool sync, struct tn_diag *d);
/* Write what o gathered. */
int tn_jout_flush(struct tn_jout *o, struct tn_diag *d);
/* Write what o gathered, and fdatasync. */
int tn_jout_sync(struct tn_jout *o, struct tn_diag *d);
void tn_jout_free(struct tn_jout *o);

/* A change as the transaction's errors name it. */
static inline void tn_txn_describe(const struct tn_change *c, char *buf, size_t len)
{
	tn_change_label(c, TN_LABEL_ERROR, buf, len);
}

/* ": " and the kernel's words after an errno's text, when there are some. */
static inline const char *tn_txn_sep(const struct tn_diag *kd)
{
	return kd->error[0] ? ": " : "";
}

#endif
