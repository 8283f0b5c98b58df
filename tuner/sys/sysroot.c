/* SPDX-License-Identifier: MIT */
#include "sysroot.h"
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

/*
 * The directory cache. Thousands of files are read two levels below one
 * directory (proc/irq/N/smp_affinity_list, sys/kernel/irq/N/actions, a NIC's
 * queues/rx-N/rps_cpus); walking each path from the root again costs a sixth
 * of the open. A directory met twice in a row is opened (O_PATH, confined as
 * any open) and kept; the files below it are opened from it, confined to it
 * (RESOLVE_BENEATH), and from the root as before where that is refused (a
 * symlink leading out of it, which the root may allow) or finds nothing (the
 * directory was replaced since: a driver reloaded).
 */
enum { DIRCACHE_N = 8, DIRCACHE_PATH = 256 };

struct tn_dircache {
	struct {
		int fd;			/* -1: free */
		size_t len;
		char path[DIRCACHE_PATH];
	} e[DIRCACHE_N];
	int used, next;			/* entries in use; the next to replace */
	size_t miss_len;		/* the directory last missed */
	char miss[DIRCACHE_PATH];
	/* The file just written, open for reading too: the read back that
	 * follows the write (a transaction reads every value it writes) reads
	 * it there instead of opening it again. Any other open lets it go. */
	int held_fd;			/* -1: none */
	char held[DIRCACHE_PATH];
	/* Keep mode (tn_sysroot_keep): the files read, kept for their writes,
	 * by path in an open-addressing table of cap slots (a power of two, at
	 * least twice max); a slot whose file was taken holds fd -1 and its
	 * path (a tombstone) until the end. */
	struct kept {
		char *rel;		/* NULL: never used */
		int fd;
	} *kept;
	size_t kept_cap, kept_n, kept_max;
};

static void let_go(struct tn_dircache *c)
{
	if (c && c->held_fd >= 0) {
		close(c->held_fd);
		c->held_fd = -1;
	}
}

/* Keep fd, just written at rel, for the read back of rel; else close it. */
static void hold(const struct tn_sysroot *r, const char *rel, int fd)
{
	struct tn_dircache *c = r->dirs;

	let_go(c);
	if (!c || strlen(rel) >= sizeof(c->held)) {
		close(fd);
		return;
	}
	c->held_fd = fd;
	snprintf(c->held, sizeof(c->held), "%s", rel);
}

/* The fd held for rel (given to the caller: it closes it), or -1. */
static int take_held(const struct tn_sysroot *r, const char *rel)
{
	struct tn_dircache *c = r->dirs;
	int fd;

	if (!c || c->held_fd < 0)
		return -1;
	if (strcmp(c->held, rel) != 0) {
		let_go(c);
		return -1;
	}
	fd = c->held_fd;
	c->held_fd = -1;
	return fd;
}

/* Keep mode: beyond these, files are read and written as without it. */
enum { KEPT_MAX = 16384, KEPT_FD_SPARE = 128 };

static size_t kept_hash(const char *rel)
{
	size_t h = 1469598103934665603u;

	for (; *rel; rel++)
		h = (h ^ (unsigned char)*rel) * 1099511628211u;
	return h;
}

/* The slot of rel: its own, or the free one where it would go; NULL when
 * not keeping. */
static struct kept *kept_slot(const struct tn_dircache *c, const char *rel)
{
	size_t mask, i;

	if (!c || !c->kept)
		return NULL;
	mask = c->kept_cap - 1;
	for (i = kept_hash(rel) & mask;; i = (i + 1) & mask)
		if (!c->kept[i].rel || strcmp(c->kept[i].rel, rel) == 0)
			return &c->kept[i];
}

void tn_sysroot_keep(const struct tn_sysroot *r, int n)
{
	struct tn_dircache *c = r->dirs;
	struct rlimit rl;
	size_t max = n > 0 ? (size_t)n : 0, cap = 16;

	tn_sysroot_keep_end(r);
	if (max > KEPT_MAX)
		max = KEPT_MAX;
	if (!c || max == 0)
		return;
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY) {
		rlim_t want = (rlim_t)max + KEPT_FD_SPARE;

		/* the soft limit (often 1024, for select(2), which tuner does not
		 * use) raised toward the hard one, as far as these files need */
		if (rl.rlim_cur < want && rl.rlim_max > rl.rlim_cur) {
			rl.rlim_cur = rl.rlim_max != RLIM_INFINITY && rl.rlim_max < want
					      ? rl.rlim_max : want;
			if (setrlimit(RLIMIT_NOFILE, &rl) < 0)
				getrlimit(RLIMIT_NOFILE, &rl);
		}
		/* the fds the rest of tuner opens meanwhile (journal, netlink) stay free */
		if (rl.rlim_cur < want)
			max = rl.rlim_cur > KEPT_FD_SPARE ? (size_t)(rl.rlim_cur - KEPT_FD_SPARE) : 0;
		if (max == 0)
			return;
	}
	while (cap < 2 * max)
		cap *= 2;
	c->kept = calloc(cap, sizeof(*c->kept));
	if (!c->kept)
		return;
	c->kept_cap = cap;
	c->kept_max = max;
	c->kept_n = 0;
}

void tn_sysroot_keep_end(const struct tn_sysroot *r)
{
	struct tn_dircache *c = r->dirs;

	if (!c || !c->kept)
		return;
	for (size_t i = 0; i < c->kept_cap; i++) {
		if (c->kept[i].rel && c->kept[i].fd >= 0)
			close(c->kept[i].fd);
		free(c->kept[i].rel);
	}
	free(c->kept);
	c->kept = NULL;
	c->kept_cap = c->kept_n = c->kept_max = 0;
}

/* Keep fd, just read at rel; false when it is not kept (no room: the caller
 * closes it). */
static bool kept_put(const struct tn_sysroot *r, const char *rel, int fd)
{
	struct tn_dircache *c = r->dirs;
	struct kept *k = kept_slot(c, rel);

	if (!k || c->kept_n >= c->kept_max || (k->rel && k->fd >= 0))
		return false;
	if (!k->rel && !(k->rel = strdup(rel)))
		return false;
	k->fd = fd;
	c->kept_n++;
	return true;
}

/* The fd kept for rel (still kept), or -1. */
static int kept_get(const struct tn_sysroot *r, const char *rel)
{
	const struct kept *k = kept_slot(r->dirs, rel);

	return k && k->rel ? k->fd : -1;
}

/* The fd kept for rel, given to the caller (it closes it), or -1. */
static int kept_take(const struct tn_sysroot *r, const char *rel)
{
	struct kept *k = kept_slot(r->dirs, rel);
	int fd;

	if (!k || !k->rel || k->fd < 0)
		return -1;
	fd = k->fd;
	k->fd = -1; /* the path stays: a tombstone for the probes past it */
	return fd;
}

int tn_sysroot_open(const char *path, struct tn_sysroot *out)
{
	char real[PATH_MAX];
	int fd;

	if (!path || !*path)
		path = "/";
	if (!realpath(path, real))
		return -errno;
	fd = open(real, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	out->fd = fd;
	out->is_host = strcmp(real, "/") == 0;
	snprintf(out->path, sizeof(out->path), "%s", real);
	out->dirs = calloc(1, sizeof(*out->dirs)); /* none: every open walks from the root */
	if (out->dirs)
		out->dirs->held_fd = -1;
	return 0;
}

/* Close what c keeps (the held file too); accepts NULL. */
static void dircache_clear(struct tn_dircache *c)
{
	if (!c)
		return;
	let_go(c);
	for (int i = 0; i < c->used; i++)
		close(c->e[i].fd);
	c->used = c->next = 0;
	c->miss_len = 0;
}

void tn_sysroot_forget_dirs(const struct tn_sysroot *r)
{
	dircache_clear(r->dirs);
}

void tn_sysroot_close(struct tn_sysroot *r)
{
	if (r && r->fd >= 0) {
		close(r->fd);
		r->fd = -1;
	}
	if (r) {
		tn_sysroot_keep_end(r);
		dircache_clear(r->dirs);
		free(r->dirs);
		r->dirs = NULL;
	}
}

static const char *strip_slash(const char *rel)
{
	while (*rel == '/')
		rel++;
	return *rel ? rel : ".";
}

/* open rel below dirfd: in a tree, confined by resolve; an fd or -errno */
static int open_below(const struct tn_sysroot *r, int dirfd, const char *rel, int flags,
		      mode_t mode, uint64_t resolve)
{
	int fd;

	if (r->is_host) {
		fd = openat(dirfd, rel, flags | O_CLOEXEC, mode);
		return fd < 0 ? -errno : fd;
	}
	struct open_how how = {
		.flags = (uint64_t)(flags | O_CLOEXEC),
		.mode = (flags & O_CREAT) ? mode : 0,
		.resolve = resolve | RESOLVE_NO_MAGICLINKS,
	};
	/* EAGAIN: a rename or mount anywhere on the system raced with a ".."
	 * resolved in the root (openat2(2)); the kernel asks for a retry. */
	for (int tries = 0; tries < 64; tries++) {
		fd = (int)syscall(SYS_openat2, dirfd, rel, &how, sizeof(how));
		if (fd >= 0 || errno != EAGAIN)
			break;
	}
	if (fd < 0 && errno == ENOSYS) {
		/* Kernels before 5.6: plain openat, the tree's own links are relative. */
		fd = openat(dirfd, rel, flags | O_CLOEXEC, mode);
	}
	return fd < 0 ? -errno : fd;
}

/* The length of rel's directory two levels up ("proc/irq" of
 * "proc/irq/5/smp_affinity_list"), or 0 when rel has fewer levels. */
static size_t two_up(const char *rel)
{
	const char *end = strrchr(rel, '/');

	while (end && end > rel && end[-1] == '/')
		end--;
	if (!end || end == rel)
		return 0;
	for (const char *p = end - 1; p > rel; p--)
		if (*p == '/')
			return (size_t)(p - rel);
	return 0;
}

/* The cached directory of rel's first len bytes, opened now when it was the
 * one missed last; -1 when none. */
static int dircache_get(const struct tn_sysroot *r, const char *rel, size_t len)
{
	struct tn_dircache *c = r->dirs;
	char dir[DIRCACHE_PATH];
	int fd, i;

	if (!c || len == 0 || len >= DIRCACHE_PATH)
		return -1;
	for (i = 0; i < c->used; i++)
		if (c->e[i].len == len && memcmp(c->e[i].path, rel, len) == 0)
			return c->e[i].fd;
	if (c->miss_len != len || memcmp(c->miss, rel, len) != 0) {
		memcpy(c->miss, rel, len);
		c->miss_len = len;
		return -1;
	}
	memcpy(dir, rel, len);
	dir[len] = '\0';
	fd = open_below(r, r->fd, dir, O_PATH | O_DIRECTORY, 0, RESOLVE_IN_ROOT);
	if (fd < 0)
		return -1;
	if (c->used < DIRCACHE_N) {
		i = c->used++;
	} else {
		i = c->next;
		c->next = (c->next + 1) % DIRCACHE_N;
		close(c->e[i].fd);
	}
	c->e[i].fd = fd;
	c->e[i].len = len;
	memcpy(c->e[i].path, dir, len + 1);
	c->miss_len = 0;
	return fd;
}

static void dircache_drop(struct tn_dircache *c, int fd)
{
	for (int i = 0; i < c->used; i++) {
		if (c->e[i].fd != fd)
			continue;
		close(fd);
		c->e[i] = c->e[--c->used];
		c->next = 0;
		return;
	}
}

int tn_sysroot_openat(const struct tn_sysroot *r, const char *rel, int flags, mode_t mode)
{
	size_t len;
	int dfd, fd;

	rel = strip_slash(rel);
	let_go(r->dirs);
	len = two_up(rel);
	dfd = dircache_get(r, rel, len);
	if (dfd >= 0) {
		fd = open_below(r, dfd, rel + len + 1, flags, mode, RESOLVE_BENEATH);
		if (fd != -EXDEV && fd != -ENOENT)
			return fd;
		if (fd == -ENOENT) {
			/* found from the root: the kept directory is not the one there now */
			fd = open_below(r, r->fd, rel, flags, mode, RESOLVE_IN_ROOT);
			if (fd >= 0)
				dircache_drop(r->dirs, dfd);
			return fd;
		}
	}
	return open_below(r, r->fd, rel, flags, mode, RESOLVE_IN_ROOT);
}

/*
 * Open a file of the tree to read it. A FIFO, socket or device planted in a
 * tree is never read: O_NONBLOCK (opening a FIFO does not wait for a writer),
 * then fstat; anything but a regular file is -EINVAL (a directory -EISDIR).
 * procfs and sysfs files are regular files.
 */
static int open_read(const struct tn_sysroot *r, const char *rel, struct stat *st)
{
	int fd = tn_sysroot_openat(r, rel, O_RDONLY | O_NONBLOCK | O_NOCTTY, 0);

	if (fd < 0)
		return fd;
	if (fstat(fd, st) < 0) {
		int e = errno;

		close(fd);
		return -e;
	}
	if (!S_ISREG(st->st_mode)) {
		close(fd);
		return S_ISDIR(st->st_mode) ? -EISDIR : -EINVAL;
	}
	/* O_NONBLOCK stays set: it only ever mattered for what is refused above
	 * (a regular file of procfs or sysfs ignores it) */
	return fd;
}

int tn_sysroot_read(const struct tn_sysroot *r, const char *rel, char **out, size_t *len)
{
	return tn_sysroot_read_max(r, rel, TN_SYSROOT_READ_MAX, out, len);
}

int tn_sysroot_read_max(const struct tn_sysroot *r, const char *rel, size_t max, char **out,
			size_t *len)
{
	struct stat st;
	int ret, fd = open_read(r, rel, &st);

	if (fd < 0)
		return fd;
	/* procfs and sysfs say 0 or 4096 here: the read below is bounded too */
	if ((uintmax_t)st.st_size > max) {
		close(fd);
		return -EFBIG;
	}
	ret = tn_safefile_read(fd, max, out, len);
	close(fd);
	return ret;
}

/* Read from fd (from its start when at0) until a newline, end of file, or
 * cap bytes; returns the count or -errno. */
static ssize_t read_to_newline(int fd, char *buf, size_t cap, bool at0)
{
	size_t n = 0;

	while (n < cap) {
		ssize_t k = at0 ? pread(fd, buf + n, cap - n, (off_t)n) : read(fd, buf + n, cap - n);

		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0)
			return -errno;
		if (k == 0 || memchr(buf + n, '\n', (size_t)k))
			return (ssize_t)(n + (size_t)k);
		n += (size_t)k;
	}
	return (ssize_t)n;
}

/* The first line of tmp[0..k) (k >= 0, read with room for cap) into buf,
 * without its newline and trailing blanks; -EOVERFLOW when it does not fit or
 * no end of line is in sight (never cut). */
static int take_line(char *tmp, size_t k, size_t cap, char *buf, size_t len)
{
	char *nl;
	size_t n;

	tmp[k] = '\0';
	nl = memchr(tmp, '\n', k);
	if (!nl && k == cap)
		return -EOVERFLOW;
	if (nl)
		*nl = '\0';
	n = strlen(tmp);
	while (n > 0 && (tmp[n - 1] == ' ' || tmp[n - 1] == '\t' || tmp[n - 1] == '\r'))
		tmp[--n] = '\0';
	if (n >= len)
		return -EOVERFLOW;
	memcpy(buf, tmp, n + 1);
	return 0;
}

int tn_sysroot_read_line(const struct tn_sysroot *r, const char *rel, char *buf, size_t len)
{
	/* room for the line, its trailing blanks and newline: a longer one is refused */
	size_t cap = len + 256;
	/* a CPU list of 8192 CPUs fits on the stack: no malloc per file */
	char local[TN_CPULIST_MAX + 512], *tmp;
	struct stat st;
	ssize_t k;
	const char *path = strip_slash(rel);
	int fd = take_held(r, path), ret;
	bool held = fd >= 0, kept = false, keep = false;

	if (!held && (fd = kept_get(r, path)) >= 0)
		held = kept = true; /* read again: still kept for its write */
	if (!held && r->dirs && r->dirs->kept && r->dirs->kept_n < r->dirs->kept_max) {
		/* keep mode: opened for the write to come too, where that is allowed */
		fd = tn_sysroot_openat(r, rel, O_RDWR | O_NONBLOCK | O_NOCTTY, 0);
		keep = fd >= 0;
		if (fd == -EACCES || fd == -EPERM || fd == -EROFS || fd == -EISDIR ||
		    fd == -ETXTBSY)
			fd = -1;
		else if (fd < 0)
			return fd;
	}
	if (!held && fd < 0)
		fd = tn_sysroot_openat(r, rel, O_RDONLY | O_NONBLOCK | O_NOCTTY, 0);
	if (fd < 0)
		return fd;
	tmp = cap < sizeof(local) ? local : malloc(cap + 1);
	if (!tmp) {
		if (!kept)
			close(fd);
		return -ENOMEM;
	}
	/*
	 * Read first, look at what was opened only when nothing came: the files
	 * of procfs and sysfs (regular) always hold a line, and one fstat less
	 * per file is a sixth of reading thousands of them. What else can be
	 * planted in a tree by someone who is not root, a FIFO or a socket,
	 * neither blocks (O_NONBLOCK) nor is read as more than what a regular
	 * file there could hold; with nothing to read it is refused as before.
	 */
	k = read_to_newline(fd, tmp, cap, held);
	if (k <= 0 && fstat(fd, &st) == 0 && !S_ISREG(st.st_mode))
		k = S_ISDIR(st.st_mode) ? -EISDIR : -EINVAL;
	if (!kept && !(keep && k >= 0 && kept_put(r, path, fd)))
		close(fd);
	ret = k < 0 ? (int)k : take_line(tmp, (size_t)k, cap, buf, len);
	if (tmp != local)
		free(tmp);
	return ret;
}

/* Hand each complete line of buf[0..fill) to fn; returns the bytes consumed or -errno. */
static ssize_t feed_lines(char *buf, size_t fill, size_t line_max, struct tn_lines *l,
			  int (*fn)(void *ctx, const struct tn_lines *l), void *ctx)
{
	size_t off = 0;

	for (;;) {
		char *nl = memchr(buf + off, '\n', fill - off);
		size_t n = nl ? (size_t)(nl - (buf + off)) : fill - off;
		int ret;

		if (n > line_max)
			return -EOVERFLOW;
		if (!nl)
			return (ssize_t)off;
		l->line = buf + off;
		l->len = n;
		ret = fn(ctx, l);
		if (ret < 0)
			return ret;
		l->offset += n + 1;
		off += n + 1;
	}
}

int tn_sysroot_read_lines(const struct tn_sysroot *r, const char *rel, size_t line_max,
			  int (*fn)(void *ctx, const struct tn_lines *l), void *ctx)
{
	size_t cap = line_max + 1 + (64 << 10), fill = 0;
	struct tn_lines l = { 0 };
	struct stat st;
	ssize_t k, used;
	char *buf;
	int ret = 0, fd = open_read(r, rel, &st);

	if (fd < 0)
		return fd;
	l.file_size = (uint64_t)st.st_size;
	buf = malloc(cap);
	if (!buf) {
		close(fd);
		return -ENOMEM;
	}
	for (;;) {
		k = read(fd, buf + fill, cap - fill);
		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0) {
			ret = -errno;
			break;
		}
		if (k == 0) {
			/* the last line, without its newline */
			l.line = buf;
			l.len = fill;
			ret = fill > line_max ? -EOVERFLOW : fill ? fn(ctx, &l) : 0;
			break;
		}
		fill += (size_t)k;
		used = feed_lines(buf, fill, line_max, &l, fn, ctx);
		if (used < 0) {
			ret = (int)used;
			break;
		}
		memmove(buf, buf + used, fill - (size_t)used);
		fill -= (size_t)used;
	}
	free(buf);
	close(fd);
	return ret;
}

int tn_sysroot_read_int64(const struct tn_sysroot *r, const char *rel, int64_t *out)
{
	char buf[64], *end;
	long long v;
	int ret = tn_sysroot_read_line(r, rel, buf, sizeof(buf));

	if (ret < 0)
		return ret;
	/* decimal, as the kernel writes these files: "010" is 10, not 8, and
	 * "0x10" is no number */
	errno = 0;
	v = strtoll(buf, &end, 10);
	if (errno || end == buf || *end)
		return -EINVAL;
	*out = v;
	return 0;
}

int tn_sysroot_readlink(const struct tn_sysroot *r, const char *rel, char *buf, size_t len)
{
	char dir[4096];
	const char *slash;
	ssize_t k;
	int dfd;

	/* Resolve the parent inside the root, then read the link itself. */
	rel = strip_slash(rel);
	slash = strrchr(rel, '/');
	if (slash) {
		if ((size_t)(slash - rel) >= sizeof(dir))
			return -ENAMETOOLONG;
		memcpy(dir, rel, (size_t)(slash - rel));
		dir[slash - rel] = '\0';
		dfd = tn_sysroot_openat(r, dir, O_RDONLY | O_DIRECTORY | O_PATH, 0);
		if (dfd < 0)
			return dfd;
		k = readlinkat(dfd, slash + 1, buf, len);
	} else {
		dfd = -1;
		k = readlinkat(r->fd, rel, buf, len);
	}
	if (k < 0) {
		int e = errno;

		if (dfd >= 0)
			close(dfd);
		return -e;
	}
	if (dfd >= 0)
		close(dfd);
	if ((size_t)k >= len)
		return -ENAMETOOLONG;
	buf[k] = '\0';
	return 0;
}

int tn_sysroot_opendir(const struct tn_sysroot *r, const char *rel, DIR **out)
{
	DIR *d;
	int fd = tn_sysroot_openat(r, rel, O_RDONLY | O_DIRECTORY, 0);

	if (fd < 0)
		return fd;
	d = fdopendir(fd);
	if (!d) {
		int e = errno;

		close(fd);
		return -e;
	}
	*out = d;
	return 0;
}

#define TREE_MAX_ENTRIES (1 << 20)
#define TREE_MAX_DEPTH 64

struct tree_walk {
	char path[4096];	/* the entry being looked at, relative to the root */
	size_t n_entries;
	mode_t mode;		/* its type, when it is a special file */
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
	snprintf(pending, sizeof(pending), "%s", strip_slash(rel));
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

bool tn_sysroot_exists(const struct tn_sysroot *r, const char *rel)
{
	int fd = tn_sysroot_openat(r, rel, O_PATH, 0);

	if (fd < 0)
		return false;
	close(fd);
	return true;
}

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

	if (snprintf(path, len, "%s", strip_slash(rel)) >= (int)len)
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
static int write_in_tree(const struct tn_sysroot *r, const char *rel, const char *data,
			 int kept)
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
		hold(r, strip_slash(rel), fd);
	else
		close(fd);
	return ret;
}

int tn_sysroot_write(const struct tn_sysroot *r, const char *rel, const char *data)
{
	int fd = kept_take(r, strip_slash(rel)), ret;
	bool rw = false;

	if (!r->is_host) {
		ret = write_in_tree(r, rel, data, fd);
		return ret == 1 ? replace_in_tree(r, rel, data) : ret;
	}
	if (fd >= 0) {
		/* the file read in keep mode, open for writing too */
		ret = write_all(fd, data, strlen(data), true);
		if (ret == 0) {
			hold(r, strip_slash(rel), fd);
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
		hold(r, strip_slash(rel), fd);
		return 0;
	}
	if (close(fd) < 0 && ret == 0)
		ret = -errno;
	return ret;
}

int tn_pathf(char *buf, size_t len, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, len, fmt, ap);
	va_end(ap);
	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}
