/* SPDX-License-Identifier: MIT */
/*
 * Files a user names (profiles, snapshots, topologies, journals): opened
 * without ever blocking or opening anything but a regular file, checked for who
 * may have written them, and read whole within a bound.
 */
#ifndef TN_SAFEFILE_H
#define TN_SAFEFILE_H

#include <stddef.h>
#include <sys/stat.h>
#include <sys/types.h>

#include "diag.h"

/*
 * openat(dirfd, path, flags) of a regular file only. Its type is looked at
 * first through an O_PATH descriptor, so that a FIFO, socket or device is never
 * opened for reading or writing (no blocking on a FIFO, no side effect of
 * opening a device); the file is then opened with O_NONBLOCK, checked again
 * with fstat and O_NONBLOCK is cleared. flags may add O_NOFOLLOW (a symlink
 * then gives -ELOOP). Returns the fd with *st filled, or -errno: -EISDIR for a
 * directory, -EINVAL for any other file that is not a regular file (*st then
 * says which; see tn_safefile_type()).
 */
int tn_safefile_open(int dirfd, const char *path, int flags, struct stat *st);

/* "a FIFO", "a socket", "a character device", "a block device", "a directory",
 * "a symlink", "a regular file" */
const char *tn_safefile_type(mode_t mode);

/*
 * Whether tuner may trust a file it reads or a directory above its state: it
 * must be owned by root or by the caller (real or effective uid) and not be
 * writable by group or others, like ssh's StrictModes. One exception, for
 * directories only: a sticky directory owned by root (/tmp), in which no other
 * user can rename or remove what is not theirs. Returns 0, or -EPERM with the
 * reason in why ("owned by uid 1000, not by root or the caller (uid 0)").
 */
int tn_safefile_check_trusted(const struct stat *st, char *why, size_t len);

/* Read fd whole: at most max bytes (-EFBIG beyond), NUL-terminated; *len
 * excludes the NUL. Returns 0 or -errno; out untouched on failure. */
int tn_safefile_read(int fd, size_t max, char **out, size_t *len);

/*
 * Read fd whole as text, for a file a user named (a snapshot, a profile, a
 * journal): at most max bytes, and no NUL byte (a parser would stop there and
 * take the file for what comes before it). Errors go to d, name path and end
 * with 'verdict' ("not a profile", "refused"):
 *	PATH: larger than 64 MiB; not a snapshot
 *	PATH: contains a NUL byte; not a snapshot
 *	PATH: read: Input/output error
 * (a bound of 4 MiB or more in whole MiB is said in MiB, others in bytes).
 * *out is NUL-terminated, *len (may be NULL) its length. fd stays open.
 * Returns 0 or -errno; out untouched on failure.
 */
int tn_safefile_read_text(int fd, const char *path, size_t max, const char *verdict, char **out,
			  size_t *len, struct tn_diag *d);

/*
 * tn_safefile_open (regular files only: a FIFO is never opened) and
 * tn_safefile_read_text, with the open's errors said in d too ("PATH: a FIFO,
 * not a regular file; refused", "PATH: No such file or directory"). For a
 * file named on the command line; no trust check (see
 * tn_safefile_check_trusted for what tuner applies).
 */
int tn_safefile_load(int dirfd, const char *path, size_t max, const char *verdict, char **out,
		     size_t *len, struct tn_diag *d);

#endif
