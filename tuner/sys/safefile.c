/* SPDX-License-Identifier: MIT */
#include "safefile.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int not_regular(const struct stat *st)
{
	if (S_ISDIR(st->st_mode))
		return -EISDIR;
	if (S_ISLNK(st->st_mode))
		return -ELOOP;
	return -EINVAL;
}

int tn_safefile_open(int dirfd, const char *path, int flags, struct stat *st)
{
	int fd, fl;

	/* O_PATH opens nothing: no FIFO handshake, no device open routine */
	fd = openat(dirfd, path, O_PATH | O_CLOEXEC | (flags & O_NOFOLLOW));
	if (fd < 0)
		return -errno;
	if (fstat(fd, st) < 0) {
		int e = errno;

		close(fd);
		return -e;
	}
	close(fd);
	if (!S_ISREG(st->st_mode))
		return not_regular(st);
	/* it may have been replaced since: O_NONBLOCK, then look again */
	fd = openat(dirfd, path, flags | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fstat(fd, st) < 0) {
		int e = errno;

		close(fd);
		return -e;
	}
	if (!S_ISREG(st->st_mode)) {
		close(fd);
		return not_regular(st);
	}
	fl = fcntl(fd, F_GETFL);
	if (fl < 0 || fcntl(fd, F_SETFL, fl & ~O_NONBLOCK) < 0) {
		int e = errno;

		close(fd);
		return -e;
	}
	return fd;
}

const char *tn_safefile_type(mode_t mode)
{
	if (S_ISREG(mode))
		return "a regular file";
	if (S_ISDIR(mode))
		return "a directory";
	if (S_ISFIFO(mode))
		return "a FIFO";
	if (S_ISSOCK(mode))
		return "a socket";
	if (S_ISCHR(mode))
		return "a character device";
	if (S_ISBLK(mode))
		return "a block device";
	if (S_ISLNK(mode))
		return "a symlink";
	return "a special file";
}

int tn_safefile_check_trusted(const struct stat *st, char *why, size_t len)
{
	bool sticky_root = S_ISDIR(st->st_mode) && (st->st_mode & S_ISVTX) && st->st_uid == 0;

	if (st->st_uid != 0 && st->st_uid != getuid() && st->st_uid != geteuid()) {
		snprintf(why, len, "owned by uid %u, not by root or the caller (uid %u)",
			 (unsigned)st->st_uid, (unsigned)getuid());
		return -EPERM;
	}
	if ((st->st_mode & 022) && !sticky_root) {
		snprintf(why, len, "writable by %s (mode %04o)",
			 (st->st_mode & 002) ? "others" : "its group",
			 (unsigned)(st->st_mode & 07777));
		return -EPERM;
	}
	return 0;
}

int tn_safefile_read(int fd, size_t max, char **out, size_t *len)
{
	size_t cap = max < 4096 ? max + 2 : 4096, n = 0; /* grows by doubling */
	char *buf = malloc(cap);

	if (!buf)
		return -ENOMEM;
	for (;;) {
		ssize_t k;

		if (n + 1 >= cap) {
			size_t ncap = cap * 2 > max + 2 ? max + 2 : cap * 2;
			char *nb;

			if (ncap <= cap) {
				free(buf);
				return -EFBIG; /* max + 1 bytes read: larger than max */
			}
			nb = realloc(buf, ncap);
			if (!nb) {
				free(buf);
				return -ENOMEM;
			}
			buf = nb;
			cap = ncap;
		}
		k = read(fd, buf + n, cap - n - 1);
		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0) {
			int e = errno;

			free(buf);
			return -e;
		}
		if (k == 0)
			break;
		n += (size_t)k;
	}
	if (n > max) {
		free(buf);
		return -EFBIG;
	}
	buf[n] = '\0';
	*out = buf;
	if (len)
		*len = n;
	return 0;
}

int tn_safefile_read_text(int fd, const char *path, size_t max, const char *verdict, char **out,
			  size_t *len, struct tn_diag *d)
{
	const size_t mib = (size_t)1 << 20;
	size_t n;
	char *buf;
	int ret = tn_safefile_read(fd, max, &buf, &n);

	if (ret == -EFBIG && max >= 4 * mib && max % mib == 0)
		return tn_diag_error(d, ret, "%s: larger than %zu MiB; %s", path, max / mib,
				     verdict);
	if (ret == -EFBIG)
		return tn_diag_error(d, ret, "%s: larger than %zu bytes; %s", path, max, verdict);
	if (ret < 0)
		return tn_diag_error(d, ret, "%s: read: %s", path, strerror(-ret));
	if (strlen(buf) != n) {
		free(buf);
		return tn_diag_error(d, -EINVAL, "%s: contains a NUL byte; %s", path, verdict);
	}
	*out = buf;
	if (len)
		*len = n;
	return 0;
}

int tn_safefile_load(int dirfd, const char *path, size_t max, const char *verdict, char **out,
		     size_t *len, struct tn_diag *d)
{
	struct stat st;
	int fd = tn_safefile_open(dirfd, path, O_RDONLY, &st), ret;

	if (fd == -EINVAL || fd == -EISDIR)
		return tn_diag_error(d, fd, "%s: %s, not a regular file; refused", path,
				     tn_safefile_type(st.st_mode));
	if (fd < 0)
		return tn_diag_error(d, fd, "%s: %s", path, strerror(-fd));
	ret = tn_safefile_read_text(fd, path, max, verdict, out, len, d);
	close(fd);
	return ret;
}
