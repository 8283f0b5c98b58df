/* SPDX-License-Identifier: MIT */
/* Writing through a sysroot: in place, kept files, the tree's atomic replace. */
#include "sysroot.h"
#include "sysroot_int.h"
#include "safefile.h"
#include "cpuset.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

/* All of data; at0: from offset 0 whatever the file's position (a kept file
 * was read: its position moved). Seeked, not pwrite(2): procfs files made
 * with seq_file refuse pwrite (ESPIPE) but seek. */
static int write_all(int fd, const char *data, size_t n, bool at0)
{
	size_t off = 0;

	if (at0 && lseek(fd, 0, SEEK_SET) < 0)
		return -errno;
	while (off < n) {
		ssize_t k = write(fd, data + off, n - off);

		if (k < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		off += (size_t)k;
	}
	return 0;
}

/* The directory of rel (opened inside the tree) and rel's last component. */
static int open_parent(const struct tn_sysroot *r, const char *rel, char *path, size_t len,
		       const char **base)
{
	char *slash;

	if (snprintf(path, len, "%s", tn_sr_strip_slash(rel)) >= (int)len)
		return -ENAMETOOLONG;
	slash = strrchr(path, '/');
	if (!slash) {
		*base = path;
		return tn_sysroot_openat(r, ".", O_RDONLY | O_DIRECTORY, 0);
	}
	*slash = '\0';
	*base = slash + 1;
	return tn_sysroot_openat(r, path, O_RDONLY | O_DIRECTORY, 0);
}

/*
 * In a tree: write a new file beside the target (same directory, same mode)
 * and rename it over the target, so that the tree holds the old content or
 * the new, never an empty or half-written file, whenever tuner is killed; as
 * procfs, which replaces a value in one write. A symlink is followed (inside
 * the tree) to the file it names.
 */
static int replace_in_tree(const struct tn_sysroot *r, const char *rel, const char *data)
{
	static unsigned counter;
	static pid_t pid;
	char path[4096], real[4096], tmp[NAME_MAX + 1];
	const char *base;
	struct stat st;
	int dfd, fd = -1, ret;

	dfd = open_parent(r, rel, path, sizeof(path), &base);
	if (dfd < 0)
		return dfd;
	if (fstatat(dfd, base, &st, AT_SYMLINK_NOFOLLOW) < 0) {
		ret = -errno;
		goto out;
	}
	if (S_ISLNK(st.st_mode)) {
		/* replace the file the link names, not the link */
		close(dfd);
		ret = tn_sysroot_resolve(r, rel, real, sizeof(real));
		if (ret < 0)
			return ret;
		dfd = open_parent(r, real, path, sizeof(path), &base);
		if (dfd < 0)
			return dfd;
		if (fstatat(dfd, base, &st, AT_SYMLINK_NOFOLLOW) < 0) {
			ret = -errno;
			goto out;
		}
	}
	/* an existing regular file only, as O_WRONLY without O_CREAT would */
	if (!S_ISREG(st.st_mode)) {
		ret = S_ISDIR(st.st_mode) ? -EISDIR : -EINVAL;
		goto out;
	}
	/* a name no one uses: one left by a tuner killed before its rename may be there */
	for (int tries = 0; fd < 0 && tries < 100; tries++) {
		if (!pid)
			pid = getpid(); /* once: a name clash (after a fork) only retries */
		snprintf(tmp, sizeof(tmp), ".%.200s.tuner-%d-%u", base, (int)pid, counter++);
		fd = openat(dfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
		if (fd < 0 && errno != EEXIST)
			break;
	}
	if (fd < 0) {
		ret = -errno;
		goto out;
	}
	ret = write_all(fd, data, strlen(data), false);
	if (ret == 0 && fchmod(fd, st.st_mode & 07777) < 0)
		ret = -errno;
	if (close(fd) < 0 && ret == 0)
		ret = -errno;
	if (ret == 0 && renameat(dfd, tmp, dfd, base) < 0)
		ret = -errno;
	if (ret < 0)
		unlinkat(dfd, tmp, 0);
out:
	close(dfd);
	return ret;
}

/*
 * In a tree, a one-line value (the kernel files tuner writes: sysctls, IRQ
 * and queue masks) is written in place, as procfs takes it: one write at
 * offset 0, then a longer old value's rest cut off. Killed between the two,
 * the file's first line, the one every reader takes, is the new value (the
 * old one's rest follows it); a rename cost a new inode per write, four
 * times the time of the write itself. 1: the file is not such a case
 * (more than one line, not a regular file of one link): replace it instead.
 */
static int write_in_tree(const struct tn_sysroot *r, const char *rel, const char *data, int kept)
{
	size_t n = strlen(data);
	const char *nl = memchr(data, '\n', n);
	struct stat st;
	int fd = kept, ret;

	if (!nl || (size_t)(nl - data) + 1 != n) {
		if (kept >= 0)
			close(kept);
		return 1;
	}
	if (fd < 0)
		fd = tn_sysroot_openat(r, rel, O_RDWR | O_NONBLOCK | O_NOCTTY, 0);
	if (fd < 0)
		return fd == -EISDIR || fd == -ENXIO ? 1 : fd; /* refused by the replace */
	if (fstat(fd, &st) < 0) {
		ret = -errno;
		close(fd);
		return ret;
	}
	/* a second link may be outside the tree: only its name here is replaced;
	 * a kept file replaced since it was read (no link left) is written by
	 * its name, as what the tree holds now */
	if (!S_ISREG(st.st_mode) || st.st_nlink != 1) {
		close(fd);
		return kept >= 0 && st.st_nlink == 0 ? write_in_tree(r, rel, data, -1) : 1;
	}
	ret = write_all(fd, data, n, kept >= 0);
	if (ret == 0 && (uintmax_t)st.st_size > n && ftruncate(fd, (off_t)n) < 0)
		ret = -errno;
	if (ret == 0)
		tn_sr_hold(r, tn_sr_strip_slash(rel), fd);
	else
		close(fd);
	return ret;
}

int tn_sysroot_write(const struct tn_sysroot *r, const char *rel, const char *data)
{
	int fd = tn_sr_kept_take(r, tn_sr_strip_slash(rel)), ret;
	bool rw = false;

	if (!r->is_host) {
		ret = write_in_tree(r, rel, data, fd);
		return ret == 1 ? replace_in_tree(r, rel, data) : ret;
	}
	if (fd >= 0) {
		/* the file read in keep mode, open for writing too */
		ret = write_all(fd, data, strlen(data), true);
		if (ret == 0) {
			tn_sr_hold(r, tn_sr_strip_slash(rel), fd);
			return 0;
		}
		close(fd);
		if (ret != -ESPIPE)
			return ret;
		/* a file that cannot seek back: opened again below */
	}
	/* procfs and sysfs take a value in one write and ignore O_TRUNC; open
	 * for reading too where the file allows it, for the read back */
	fd = tn_sysroot_openat(r, rel, O_RDWR | O_TRUNC, 0);
	if (fd == -EACCES)
		fd = tn_sysroot_openat(r, rel, O_WRONLY | O_TRUNC, 0);
	else if (fd >= 0)
		rw = true;
	if (fd < 0)
		return fd;
	ret = write_all(fd, data, strlen(data), false);
	if (ret == 0 && rw) {
		tn_sr_hold(r, tn_sr_strip_slash(rel), fd);
		return 0;
	}
	if (close(fd) < 0 && ret == 0)
		ret = -errno;
	return ret;
}
