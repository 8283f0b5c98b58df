/* SPDX-License-Identifier: MIT */
/*
 * The state directory and its journal files: opened and checked (owned by us,
 * not writable by others, no symlink anywhere), locked, listed and read. The
 * transaction (txn.c) writes the journals.
 */
#include "statedir.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "safefile.h"
#include "sysroot.h"

/* A journal is read whole by rollback and history: beyond this it is refused. */
#define JOURNAL_MAX_BYTES (256u << 20)

/* ---- state directory ---- */

static int check_private(int fd, const char *what, const char *path, bool dir, struct tn_diag *d)
{
	struct stat st;

	if (fstat(fd, &st) < 0)
		return tn_diag_error(d, -errno, "%s: %s", path, strerror(errno));
	if (dir ? !S_ISDIR(st.st_mode) : !S_ISREG(st.st_mode))
		return tn_diag_error(d, -EINVAL, "%s: not a %s; refused", path,
				     dir ? "directory" : "regular file");
	if (st.st_uid != geteuid())
		return tn_diag_error(d, -EPERM, "%s: %s owned by uid %u, not by us; refused", path,
				     what, (unsigned)st.st_uid);
	if (st.st_mode & 022)
		return tn_diag_error(d, -EPERM, "%s: %s writable by others (mode %04o); refused",
				     path, what, (unsigned)(st.st_mode & 07777));
	return 0;
}

/* Lexically normalise 'path' (made absolute from the current directory) into
 * out: "/a/b/c", no ".", "..", "//" or trailing slash. Resolving ".." without
 * the file system is right here: no component may be a symlink. */
static int normalise(const char *path, char *out, size_t len)
{
	char in[PATH_MAX];
	size_t n = 0;

	if (path[0] != '/') {
		if (!getcwd(in, sizeof(in)))
			return -errno;
		if (tn_pathf(in + strlen(in), sizeof(in) - strlen(in), "/%s", path) < 0)
			return -ENAMETOOLONG;
	} else if (tn_pathf(in, sizeof(in), "%s", path) < 0) {
		return -ENAMETOOLONG;
	}
	for (char *save = NULL, *c = strtok_r(in, "/", &save); c; c = strtok_r(NULL, "/", &save)) {
		size_t k = strlen(c);

		if (strcmp(c, ".") == 0)
			continue;
		if (strcmp(c, "..") == 0) {
			while (n > 0 && out[n - 1] != '/')
				n--;
			if (n > 0)
				n--;
			continue;
		}
		if (n + k + 2 > len)
			return -ENAMETOOLONG;
		out[n++] = '/';
		memcpy(out + n, c, k);
		n += k;
	}
	out[n] = '\0';
	return 0;
}

/* One directory above the state directory: a real directory (not a symlink)
 * that tn_safefile_check_trusted() accepts. fd is an O_PATH descriptor. */
static int check_parent(int fd, const char *given, const char *dir, struct tn_diag *d)
{
	struct stat st;
	char why[160];

	if (fstat(fd, &st) < 0)
		return tn_diag_error(d, -errno, "--state-dir %s: %s: %s", given, dir,
				     strerror(errno));
	if (S_ISLNK(st.st_mode))
		return tn_diag_error(d, -ELOOP,
				     "--state-dir %s: %s is a symlink; refused: the "
				     "state directory must be reached through real "
				     "directories",
				     given, dir);
	if (!S_ISDIR(st.st_mode))
		return tn_diag_error(d, -ENOTDIR, "--state-dir %s: %s: %s", given, dir,
				     strerror(ENOTDIR));
	if (tn_safefile_check_trusted(&st, why, sizeof(why)) < 0)
		return tn_diag_error(d, -EPERM,
				     "--state-dir %s: %s is %s; refused: another user "
				     "could replace the state directory",
				     given, dir, why);
	return 0;
}

/*
 * Walk from / to the state directory's parent, one O_PATH|O_NOFOLLOW openat
 * at a time, checking each directory. Returns 0 with the parent's fd in *out
 * and the state directory's own name in *last (inside norm).
 */
static int open_parent(const char *given, char *norm, size_t len, char **last, int *out,
		       struct tn_diag *d)
{
	char *c, *slash;
	int fd, ret = normalise(given, norm, len);

	if (ret < 0)
		return tn_diag_error(d, ret, "--state-dir %s: %s", given, strerror(-ret));
	if (!norm[0])
		return tn_diag_error(d, -EINVAL,
				     "--state-dir %s: the root directory cannot be a "
				     "state directory",
				     given);
	fd = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return tn_diag_error(d, -errno, "/: %s", strerror(errno));
	ret = check_parent(fd, given, "/", d);
	for (c = norm + 1; ret == 0 && (slash = strchr(c, '/')); c = slash + 1) {
		int next;

		*slash = '\0';
		next = openat(fd, c, O_PATH | O_NOFOLLOW | O_CLOEXEC);
		ret = next < 0 ? tn_diag_error(d, -errno, "--state-dir %s: %s: %s", given, norm,
					       strerror(errno))
			       : check_parent(next, given, norm, d);
		*slash = '/';
		close(fd);
		fd = next;
	}
	if (ret < 0) {
		if (fd >= 0)
			close(fd);
		return ret;
	}
	*last = c;
	*out = fd;
	return 0;
}

int tn_statedir_open(const char *path, bool create, int *dirfd, struct tn_diag *d)
{
	char norm[PATH_MAX], *last = NULL;
	int fd, pfd = -1, ret;

	ret = open_parent(path, norm, sizeof(norm), &last, &pfd, d);
	if (ret < 0)
		return ret;
	if (create && mkdirat(pfd, last, 0700) < 0 && errno != EEXIST) {
		ret = -errno;
		close(pfd);
		return tn_diag_error(d, ret, "--state-dir %s: %s", path, strerror(-ret));
	}
	/* O_NOFOLLOW on the last component: the state directory is no symlink either */
	fd = openat(pfd, last, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	ret = fd < 0 ? -errno : 0;
	close(pfd);
	if (fd < 0) {
		if (ret == -ELOOP || ret == -ENOTDIR)
			return tn_diag_error(d, ret,
					     "--state-dir %s: a symlink or not a directory; "
					     "refused",
					     path);
		return tn_diag_error(d, ret, "--state-dir %s: %s", path, strerror(-ret));
	}
	ret = check_private(fd, "state directory", path, true, d);
	if (ret < 0) {
		close(fd);
		return ret;
	}
	*dirfd = fd;
	return 0;
}

int tn_statedir_lock(int dirfd, const char *path, int wait_secs, struct tn_diag *d)
{
	struct timespec start, now;
	long waited_ms;

	clock_gettime(CLOCK_MONOTONIC, &start);
	for (;;) {
		if (flock(dirfd, LOCK_EX | LOCK_NB) == 0)
			return 0;
		if (errno != EWOULDBLOCK)
			return tn_diag_error(d, -errno, "%s: lock: %s", path, strerror(errno));
		clock_gettime(CLOCK_MONOTONIC, &now);
		waited_ms = (now.tv_sec - start.tv_sec) * 1000L +
			    (now.tv_nsec - start.tv_nsec) / 1000000L;
		if (waited_ms >= wait_secs * 1000L) {
			if (wait_secs)
				return tn_diag_error(
					d, -EBUSY,
					"%s: another tuner apply or rollback holds the "
					"lock (waited %d s)",
					path, wait_secs);
			return tn_diag_error(d, -EBUSY,
					     "%s: another tuner apply or rollback holds the lock; "
					     "--wait SECS to wait for it",
					     path);
		}
		usleep(100000);
	}
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int tn_journal_list(int dirfd, char ***ids, int *n)
{
	int fd = dup(dirfd), cnt = 0, cap = 0;
	char **v = NULL;
	struct dirent *de;
	DIR *dir;

	if (fd < 0)
		return -errno;
	dir = fdopendir(fd);
	if (!dir) {
		close(fd);
		return -errno;
	}
	rewinddir(dir);
	while ((de = readdir(dir))) {
		size_t len = strlen(de->d_name), sl = strlen(TN_JOURNAL_SUFFIX);

		if (len <= sl || strcmp(de->d_name + len - sl, TN_JOURNAL_SUFFIX) != 0)
			continue;
		if (cnt == cap) {
			char **nv = realloc(v, sizeof(*v) * (size_t)(cap ? cap * 2 : 16));

			if (!nv)
				goto oom;
			v = nv;
			cap = cap ? cap * 2 : 16;
		}
		v[cnt] = strndup(de->d_name, len - sl);
		if (!v[cnt])
			goto oom;
		cnt++;
	}
	closedir(dir);
	if (v)
		qsort(v, (size_t)cnt, sizeof(*v), cmp_str);
	*ids = v;
	*n = cnt;
	return 0;
oom:
	closedir(dir);
	tn_journal_list_free(v, cnt);
	return -ENOMEM;
}

void tn_journal_list_free(char **ids, int n)
{
	for (int i = 0; i < n; i++)
		free(ids[i]);
	free(ids);
}

static bool id_valid(const char *id)
{
	if (!*id || strlen(id) > 60)
		return false;
	for (const char *p = id; *p; p++)
		if (!((*p >= '0' && *p <= '9') || (*p >= 'A' && *p <= 'Z') ||
		      (*p >= 'a' && *p <= 'z') || *p == '-' || *p == '_'))
			return false;
	return true;
}

static int open_journal(int dirfd, const char *dir, const char *id, int flags, int *out,
			struct tn_diag *d)
{
	char name[96], path[4200];
	struct stat st;
	int fd, ret;

	if (!id_valid(id))
		return tn_diag_error(d, -EINVAL, "journal \"%s\": not a journal id", id);
	snprintf(name, sizeof(name), "%s%s", id, TN_JOURNAL_SUFFIX);
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	/* a FIFO or device planted as a journal is never opened: no blocking */
	fd = tn_safefile_open(dirfd, name, flags | O_NOFOLLOW, &st);
	if (fd < 0) {
		ret = fd;
		if (ret == -ELOOP)
			return tn_diag_error(d, ret, "%s: a symlink; refused", path);
		if (ret == -ENOENT)
			return tn_diag_error(d, ret, "journal %s: no such journal in %s", id, dir);
		if (ret == -EINVAL || ret == -EISDIR)
			return tn_diag_error(d, ret, "%s: %s, not a regular file; refused", path,
					     tn_safefile_type(st.st_mode));
		return tn_diag_error(d, ret, "%s: %s", path, strerror(-ret));
	}
	ret = check_private(fd, "journal", path, false, d);
	if (ret < 0) {
		close(fd);
		return ret;
	}
	*out = fd;
	return 0;
}

int tn_journal_open_append(int dirfd, const char *id, int *fd, struct tn_diag *d)
{
	return open_journal(dirfd, "state directory", id, O_WRONLY | O_APPEND, fd, d);
}

int tn_journal_load(int dirfd, const char *dir, const char *id, struct tn_journal *out,
		    struct tn_diag *d)
{
	char path[4200], *buf = NULL;
	struct tn_diag rd; /* the read's reason, but our own words for NUL bytes */
	int fd, ret;

	ret = open_journal(dirfd, dir, id, O_RDONLY, &fd, d);
	if (ret < 0)
		return ret;
	snprintf(path, sizeof(path), "%s/%s%s", dir, id, TN_JOURNAL_SUFFIX);
	tn_diag_init(&rd);
	ret = tn_safefile_read_text(fd, path, JOURNAL_MAX_BYTES, "refused", &buf, NULL, &rd);
	close(fd);
	if (ret == -EINVAL)
		tn_diag_error(d, ret, "%s: contains NUL bytes: the journal is damaged", path);
	else if (ret < 0)
		tn_diag_error(d, ret, "%s", rd.error);
	tn_diag_free(&rd);
	if (ret < 0)
		return ret;
	ret = tn_journal_parse(buf, path, out, d);
	free(buf);
	return ret;
}

/* A journal's beginning, up to and with its first newline, or at most
 * TN_JOURNAL_LINE_MAX + 1 bytes of it (a longer header is refused as such). */
static int read_head(int fd, char **out)
{
	size_t cap = 4096, len = 0;
	char *buf = NULL, *nb;
	ssize_t r;

	for (;;) {
		nb = realloc(buf, cap + 1);
		if (!nb) {
			free(buf);
			return -ENOMEM;
		}
		buf = nb;
		r = read(fd, buf + len, cap - len);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			r = -errno;
			free(buf);
			return (int)r;
		}
		buf[len + (size_t)r] = '\0';
		if (r == 0 || memchr(buf + len, '\n', (size_t)r))
			break;
		len += (size_t)r;
		if (len > TN_JOURNAL_LINE_MAX)
			break;
		if (len == cap)
			cap *= 2;
	}
	*out = buf;
	return 0;
}

int tn_journal_load_head(int dirfd, const char *dir, const char *id, struct tn_journal *out,
			 struct tn_diag *d)
{
	char path[4200], *buf = NULL;
	int fd, ret;

	ret = open_journal(dirfd, dir, id, O_RDONLY, &fd, d);
	if (ret < 0)
		return ret;
	snprintf(path, sizeof(path), "%s/%s%s", dir, id, TN_JOURNAL_SUFFIX);
	ret = read_head(fd, &buf);
	close(fd);
	if (ret < 0)
		return tn_diag_error(d, ret, "%s: %s", path, strerror(-ret));
	ret = tn_journal_parse_head(buf, path, out, d);
	free(buf);
	return ret;
}

int tn_journal_heads(int dirfd, const char *dir, char **ids, int n, struct tn_jorder **out)
{
	struct tn_jorder *v = calloc((size_t)n + 1, sizeof(*v));

	if (!v)
		return -ENOMEM;
	for (int i = 0; i < n; i++) {
		struct tn_journal j;
		struct tn_diag jd;

		v[i].id = ids[i];
		v[i].boottime_us = TN_JOURNAL_NO_BOOTTIME;
		v[i].unreadable = true;
		tn_diag_init(&jd);
		/* one that cannot be read keeps its place by name; loading it says why */
		if (tn_journal_load_head(dirfd, dir, ids[i], &j, &jd) == 0) {
			snprintf(v[i].boot_id, sizeof(v[i].boot_id), "%s", j.boot_id);
			v[i].boottime_us = j.boottime_us;
			v[i].unreadable = false;
			tn_journal_free(&j);
		}
		tn_diag_free(&jd);
	}
	*out = v;
	return 0;
}
