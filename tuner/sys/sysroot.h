/* SPDX-License-Identifier: MIT */
/*
 * One root for every /proc and /sys path. Paths given to these functions are
 * relative to the root ("proc/interrupts", "sys/class/net"). With a root other
 * than "/", files are opened with openat2(RESOLVE_IN_ROOT) so that no symlink
 * inside the tree can lead outside it.
 */
#ifndef TN_SYSROOT_H
#define TN_SYSROOT_H

#include <dirent.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct tn_dircache;

struct tn_sysroot {
	int fd;
	bool is_host; /* the root is the real "/" */
	char path[4096];
	/* directories opened before, for the files read many to a directory
	 * (proc/irq/N/..., a NIC's queues/...): NULL for none. Owned: a
	 * tn_sysroot is never copied, only pointed to. */
	struct tn_dircache *dirs;
};

/* Returns 0 or -errno (the directory cannot be opened). */
int tn_sysroot_open(const char *path, struct tn_sysroot *out);
void tn_sysroot_close(struct tn_sysroot *r);

/* Close the directories kept for opens (struct tn_dircache): what is read
 * next walks from the root again, and sees a directory replaced since (a
 * renamed one: a removed one is seen anyway). Each discovery starts so. */
void tn_sysroot_forget_dirs(const struct tn_sysroot *r);
/*
 * Keep mode, for a transaction that reads the values it is about to write:
 * from tn_sysroot_keep(r, n) until tn_sysroot_keep_pause(r), a line read with
 * tn_sysroot_read_line is read through the file opened for writing too where
 * the file allows it, and up to n more such files (fewer when the process's
 * fd limit is near; at most 16384 in all) are kept open, until
 * tn_sysroot_keep_end(r), for the tn_sysroot_write of the same path that
 * follows: one open per change instead of two, and the write goes to the
 * file that was read (a /proc/irq/N removed since fails with EIO instead of
 * writing a new IRQ N). A file kept is read again through its open file,
 * paused or not: apply's discovery keeps the files its plan will write, and
 * the transaction finds them open. In a tree, a kept file replaced since (its
 * link count 0) is written by path as before. Out of memory: no file is kept.
 */
void tn_sysroot_keep(const struct tn_sysroot *r, int n);
/* Open no more files to keep; those kept stay open. */
void tn_sysroot_keep_pause(const struct tn_sysroot *r);
/* Close the files kept and end keep mode; accepts a root not keeping. */
void tn_sysroot_keep_end(const struct tn_sysroot *r);
/* open() relative to the root; returns an fd or -errno. */
int tn_sysroot_openat(const struct tn_sysroot *r, const char *rel, int flags, mode_t mode);
/* No file is read whole beyond this (64 MiB; the largest /proc/interrupts of a
 * real host is a few MB): a larger one is refused with -EFBIG. */
#define TN_SYSROOT_READ_MAX (64 << 20)
/* The whole file, NUL-terminated, in a malloc'ed buffer; *len excludes the NUL.
 * Returns 0 or -errno (-EFBIG: larger than TN_SYSROOT_READ_MAX); out untouched
 * on failure. */
int tn_sysroot_read(const struct tn_sysroot *r, const char *rel, char **out, size_t *len);
/* The same with another limit: a file of more than max bytes is -EFBIG. */
int tn_sysroot_read_max(const struct tn_sysroot *r, const char *rel, size_t max, char **out,
			size_t *len);
/* The first line, without its newline and trailing white space; -EOVERFLOW
 * when it does not fit in len (never cut). */
int tn_sysroot_read_line(const struct tn_sysroot *r, const char *rel, char *buf, size_t len);
/* A line handed to a tn_sysroot_read_lines callback. */
struct tn_lines {
	const char *line; /* not NUL-terminated, without its newline */
	size_t len;
	uint64_t offset;    /* of the line in the file */
	uint64_t file_size; /* what fstat said (0 for most of procfs) */
};
/*
 * Read a file as a stream of lines: fn gets each (the last one without a
 * newline too) and returns 0 to go on or -errno to stop, which is returned.
 * Memory is line_max + 64 KiB whatever the file's size; a line longer than
 * line_max stops the read with -EOVERFLOW (fn has had the lines before it).
 */
int tn_sysroot_read_lines(const struct tn_sysroot *r, const char *rel, size_t line_max,
			  int (*fn)(void *ctx, const struct tn_lines *l), void *ctx);
int tn_sysroot_read_int64(const struct tn_sysroot *r, const char *rel, int64_t *out);
/* readlink() relative to the root; NUL-terminated; -ENAMETOOLONG when truncated. */
int tn_sysroot_readlink(const struct tn_sysroot *r, const char *rel, char *buf, size_t len);
/* opendir() relative to the root; returns 0 or -errno. */
int tn_sysroot_opendir(const struct tn_sysroot *r, const char *rel, DIR **out);
/*
 * Resolve rel (following symlinks, confined to the root) to a canonical path
 * relative to the root, without a leading slash: "sys/class/net/eth0" ->
 * "sys/devices/pci0000:00/0000:00:03.0/virtio2/net/eth0".
 */
int tn_sysroot_resolve(const struct tn_sysroot *r, const char *rel, char *buf, size_t len);
/* The same, walked component by component by hand: what tn_sysroot_resolve
 * falls back to where the kernel's answer cannot be read (no /proc). */
int tn_sysroot_resolve_walk(const struct tn_sysroot *r, const char *rel, char *buf, size_t len);
/* True when rel exists (following symlinks). */
bool tn_sysroot_exists(const struct tn_sysroot *r, const char *rel);
/*
 * Look through the tree's proc/ and sys/ (symlinks not followed) for a FIFO,
 * socket or device: hwloc reads the tree below HWLOC_FSROOT with plain
 * blocking opens. Returns 0; -EINVAL with that file's path (relative to the
 * root) in bad and its type in *mode; -E2BIG beyond 2^20 entries; -ELOOP
 * deeper than 64 directories (bad then names where it stopped).
 */
int tn_sysroot_check_tree(const struct tn_sysroot *r, char *bad, size_t len, mode_t *mode);
/*
 * Write data to an existing file; 0 or -errno. On the host, one write at
 * offset 0 (no O_CREAT), as procfs and sysfs want, through the file kept in
 * keep mode when there is one. In a tree, a one-line value is written in
 * place (one write at offset 0, a longer old value's rest cut after it), and
 * anything else, or a file with a second link, replaced whole (a new file
 * beside it renamed over it): a tuner killed midway leaves the old first line
 * or the new, as /proc would. The file written is held for the read back of
 * the same path that follows.
 */
int tn_sysroot_write(const struct tn_sysroot *r, const char *rel, const char *data);

/* snprintf for paths: 0, or -ENAMETOOLONG when the result does not fit. */
int tn_pathf(char *buf, size_t len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

#endif
