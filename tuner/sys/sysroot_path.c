/* SPDX-License-Identifier: MIT */
/* A sysroot's paths: the tree checked for special files, and paths resolved. */
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

#define TREE_MAX_ENTRIES (1 << 20)
#define TREE_MAX_DEPTH 64

struct tree_walk {
	char path[4096]; /* the entry being looked at, relative to the root */
	size_t n_entries;
	mode_t mode; /* its type, when it is a special file */
};

/* The directory open as dfd (closed here), whose path is w->path[0, plen). */
static int walk_dir(int dfd, struct tree_walk *w, size_t plen, int depth)
{
	struct dirent *de;
	int ret = 0;
	DIR *dir;

	if (depth > TREE_MAX_DEPTH) {
		close(dfd);
		return -ELOOP;
	}
	dir = fdopendir(dfd);
	if (!dir) {
		close(dfd);
		return -errno;
	}
	while (ret == 0 && (de = readdir(dir))) {
		size_t k = strlen(de->d_name);
		unsigned char type = de->d_type;
		struct stat st;

		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		if (++w->n_entries > TREE_MAX_ENTRIES)
			ret = -E2BIG;
		else if (plen + k + 2 > sizeof(w->path))
			ret = -ENAMETOOLONG;
		if (ret < 0)
			break;
		w->path[plen] = '/';
		memcpy(w->path + plen + 1, de->d_name, k + 1);
		if (type == DT_UNKNOWN) {
			if (fstatat(dirfd(dir), de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
				continue;
			type = IFTODT(st.st_mode);
		}
		if (type == DT_DIR) {
			int sub = openat(dirfd(dir), de->d_name,
					 O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

			if (sub >= 0)
				ret = walk_dir(sub, w, plen + 1 + k, depth + 1);
		} else if (type == DT_FIFO || type == DT_SOCK || type == DT_CHR || type == DT_BLK) {
			w->mode = DTTOIF(type);
			ret = -EINVAL;
		}
	}
	closedir(dir);
	return ret;
}

int tn_sysroot_check_tree(const struct tn_sysroot *r, char *bad, size_t len, mode_t *mode)
{
	static const char *const top[] = { "proc", "sys" };
	struct tree_walk *w = calloc(1, sizeof(*w));
	int ret = 0;

	if (!w)
		return -ENOMEM;
	for (size_t i = 0; i < sizeof(top) / sizeof(top[0]) && ret == 0; i++) {
		int fd = tn_sysroot_openat(r, top[i], O_RDONLY | O_DIRECTORY, 0);

		if (fd < 0)
			continue;
		snprintf(w->path, sizeof(w->path), "%s", top[i]);
		ret = walk_dir(fd, w, strlen(top[i]), 1);
	}
	if (ret < 0) {
		snprintf(bad, len, "%s", w->path);
		*mode = w->mode;
	}
	free(w);
	return ret;
}

/* Append component [c, c+n) to path (of length *plen), or pop on "..". */
static int push_component(char *path, size_t *plen, size_t cap, const char *c, size_t n)
{
	if (n == 0 || (n == 1 && c[0] == '.'))
		return 0;
	if (n == 2 && c[0] == '.' && c[1] == '.') {
		char *s = *plen ? memrchr(path, '/', *plen) : NULL;

		*plen = s ? (size_t)(s - path) : 0;
		path[*plen] = '\0';
		return 0;
	}
	if (*plen + n + 2 > cap)
		return -ENAMETOOLONG;
	if (*plen)
		path[(*plen)++] = '/';
	memcpy(path + *plen, c, n);
	*plen += n;
	path[*plen] = '\0';
	return 0;
}

/*
 * The kernel's walk: open rel (O_PATH, confined to the root as every open) and
 * read back where the descriptor points. One walk instead of one per component
 * (a sysfs device path is ten deep). -EAGAIN when the answer cannot be taken
 * as it is (no /proc, the root moved, a path outside it, a deleted file): the
 * caller walks by hand then.
 */
static int resolve_by_fd(const struct tn_sysroot *r, const char *rel, char *buf, size_t len)
{
	char fdpath[64], link[PATH_MAX + 1];
	size_t plen = r->is_host ? 0 : strlen(r->path);
	const char *tail;
	ssize_t n;
	int fd = tn_sysroot_openat(r, rel, O_PATH, 0);

	if (fd < 0)
		return fd;
	snprintf(fdpath, sizeof(fdpath), "/proc/self/fd/%d", fd);
	n = readlink(fdpath, link, sizeof(link) - 1);
	close(fd);
	if (n <= 0 || n >= (ssize_t)sizeof(link) - 1 || link[0] != '/')
		return -EAGAIN;
	link[n] = '\0';
	if (strncmp(link, r->path, plen) != 0 || (link[plen] != '/' && link[plen] != '\0') ||
	    strstr(link, " (deleted)"))
		return -EAGAIN;
	tail = link + plen;
	while (*tail == '/')
		tail++;
	if (strlen(tail) + 1 > len)
		return -ENAMETOOLONG;
	memcpy(buf, tail, strlen(tail) + 1);
	return 0;
}

int tn_sysroot_resolve(const struct tn_sysroot *r, const char *rel, char *buf, size_t len)
{
	int ret = resolve_by_fd(r, rel, buf, len);

	if (ret != -EAGAIN)
		return ret;
	return tn_sysroot_resolve_walk(r, rel, buf, len);
}

/* Component by component, as the kernel would (RESOLVE_IN_ROOT). */
int tn_sysroot_resolve_walk(const struct tn_sysroot *r, const char *rel, char *buf, size_t len)
{
	char path[4096] = "", pending[8192], link[4096];
	size_t plen = 0;
	int hops = 0;

	if (strlen(rel) >= sizeof(pending))
		return -ENAMETOOLONG;
	snprintf(pending, sizeof(pending), "%s", tn_sr_strip_slash(rel));
	for (char *p = pending; *p;) {
		char *slash = strchr(p, '/');
		size_t n = slash ? (size_t)(slash - p) : strlen(p);
		struct stat st;
		int ret;

		ret = push_component(path, &plen, sizeof(path), p, n);
		if (ret < 0)
			return ret;
		p += n;
		while (*p == '/')
			p++;
		if (plen == 0)
			continue;
		if (fstatat(r->fd, path, &st, AT_SYMLINK_NOFOLLOW) < 0)
			return -errno;
		if (!S_ISLNK(st.st_mode))
			continue;
		if (++hops > 40)
			return -ELOOP;
		ret = tn_sysroot_readlink(r, path, link, sizeof(link));
		if (ret < 0)
			return ret;
		/* Replace the link by its target, then continue with the rest. */
		char rest[8192];

		snprintf(rest, sizeof(rest), "%s", p);
		if (link[0] == '/') {
			plen = 0;
			path[0] = '\0';
		} else {
			char *s = memrchr(path, '/', plen);

			plen = s ? (size_t)(s - path) : 0;
			path[plen] = '\0';
		}
		if (snprintf(pending, sizeof(pending), "%s%s%s", link, *rest ? "/" : "", rest) >=
		    (int)sizeof(pending))
			return -ENAMETOOLONG;
		p = pending;
	}
	if (plen + 1 > len)
		return -ENAMETOOLONG;
	memcpy(buf, path, plen + 1);
	return 0;
}
