/* SPDX-License-Identifier: MIT */
/* User names to uids, from the sysroot's /etc/passwd (no NSS: a tree has none). */
#ifndef TN_USERS_H
#define TN_USERS_H

#include <stdint.h>

#include "diag.h"
#include "sysroot.h"

/* Largest /etc/passwd read. */
#define TN_PASSWD_MAX_BYTES (16 << 20)

/*
 * The uid of a user name: the first line of etc/passwd below the root that
 * names it. The file must be a regular file owned by root (or the caller) and
 * not writable by group or others. Returns 0, or -ENOENT (no such user) or
 * another -errno with the reason in d, naming the file.
 */
int tn_user_lookup(const struct tn_sysroot *root, const char *name, int64_t *uid,
		   struct tn_diag *d);

/*
 * The parsing part, on the text of a passwd file: the uid of the first line
 * naming user. 0 (with *lineno), -EINVAL when that line's uid field is not a
 * number below 4294967295 (*lineno says which), -ENOENT when no line names it.
 * *uid is untouched unless 0 is returned.
 */
int tn_passwd_find(const char *text, const char *user, int64_t *uid, int *lineno);

#endif
