/* SPDX-License-Identifier: MIT */
/* What sysroot.c, sysroot_path.c and sysroot_write.c share: not an API. */
#ifndef TN_SYSROOT_INT_H
#define TN_SYSROOT_INT_H

#include "sysroot.h"

/* rel without its leading slashes ("." for the root itself). */
const char *tn_sr_strip_slash(const char *rel);
/* Keep fd, just written at rel, for the read back of rel; else close it. */
void tn_sr_hold(const struct tn_sysroot *r, const char *rel, int fd);
/* The fd kept for rel (keep mode), given to the caller (it closes it), or -1. */
int tn_sr_kept_take(const struct tn_sysroot *r, const char *rel);

#endif
