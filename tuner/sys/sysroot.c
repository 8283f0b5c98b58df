/* SPDX-License-Identifier: MIT */
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
#include <sys/mman.h>
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
		int fd; /* -1: free */
		size_t len;
		char path[DIRCACHE_PATH];
	} e[DIRCACHE_N];
	int used, next;	 /* entries in use; the next to replace */
	size_t miss_len; /* the directory last missed */
	char miss[DIRCACHE_PATH];
	/* The file just written, open for reading too: the read back that
	 * follows the write (a transaction reads every value it writes) reads
	 * it there instead of opening it again. Any other open lets it go. */
	int held_fd; /* -1: none */
	char held[DIRCACHE_PATH];
	/* Keep mode (tn_sysroot_keep): the files read, kept for their writes,
	 * by path in an open-addressing table of cap slots (a power of two);
	 * a slot whose file was taken holds fd -1 and its path (a tombstone,
	 * for the probes past it) until the table grows or ends. Slots in use
	 * (tombstones too) stay at most half of them: a probe always ends. */
	struct kept {
		char *rel; /* NULL: never used; else in a block below */
		int fd;
	} * kept;
	struct kept_block *blocks;  /* the paths' storage, newest first */
	size_t kept_cap, kept_used; /* slots; slots with a path */
	size_t kept_open, kept_max; /* files kept open; at most this many */
	bool keeping;		    /* a line read opens its file to keep it */
};

static void let_go(struct tn_dircache *c)
{
	if (c && c->held_fd >= 0) {
		close(c->held_fd);
		c->held_fd = -1;
	}
}

/* Keep fd, just written at rel, for the read back of rel; else close it. */
void tn_sr_hold(const struct tn_sysroot *r, const char *rel, int fd)
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

/*
 * The kept files' paths are stored in blocks of pages of their own (mmap),
 * freed at once at the end: thousands of small strings made during apply's
 * discovery and kept to the end of its transaction would otherwise pin the
 * heap above what is freed meanwhile (the snapshot), and cost a malloc chunk
 * each.
 */
struct kept_block {
	struct kept_block *next;
	size_t size, used; /* bytes mapped; of data used */
	char data[];
};
enum { KEPT_BLOCK = 128 << 10 };

static char *kept_strdup(struct tn_dircache *c, const char *s)
{
	size_t n = strlen(s) + 1, size = KEPT_BLOCK;
	struct kept_block *b = c->blocks;
	char *p;

	if (!b || b->size - sizeof(*b) - b->used < n) {
		if (n > size - sizeof(*b))
			return NULL; /* a path is below PATH_MAX */
		b = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (b == MAP_FAILED)
			return NULL;
		b->next = c->blocks;
		b->size = size;
		b->used = 0;
		c->blocks = b;
	}
	p = b->data + b->used;
	memcpy(p, s, n);
	b->used += n;
	return p;
}

static void kept_blocks_free(struct tn_dircache *c)
{
	while (c->blocks) {
		struct kept_block *b = c->blocks;

		c->blocks = b->next;
		munmap(b, b->size);
	}
}

static size_t kept_hash(const char *rel)
{
	size_t h = 1469598103934665603u;

	for (; *rel; rel++)
		h = (h ^ (unsigned char)*rel) * 1099511628211u;
	return h;
}

/* The slot of rel in the table t of cap slots: its own, or the free one
 * where it would go. */
static struct kept *slot_in(struct kept *t, size_t cap, const char *rel)
{
	size_t mask = cap - 1, i;

	for (i = kept_hash(rel) & mask;; i = (i + 1) & mask)
		if (!t[i].rel || strcmp(t[i].rel, rel) == 0)
			return &t[i];
}

/* The slot of rel, or NULL when nothing is kept. */
static struct kept *kept_slot(const struct tn_dircache *c, const char *rel)
{
	return c && c->kept ? slot_in(c->kept, c->kept_cap, rel) : NULL;
}

/* The table moved to cap slots, its tombstones left behind; false when out
 * of memory (the table is as it was). */
static bool kept_rehash(struct tn_dircache *c, size_t cap)
{
	/* its own pages too (zeroed), for the reason the paths have theirs */
	struct kept *t = mmap(NULL, cap * sizeof(*t), PROT_READ | PROT_WRITE,
			      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (t == MAP_FAILED)
		return false;
	c->kept_used = 0;
	for (size_t i = 0; c->kept && i < c->kept_cap; i++) {
		if (c->kept[i].rel && c->kept[i].fd >= 0) {
			*slot_in(t, cap, c->kept[i].rel) = c->kept[i];
			c->kept_used++;
		}
	}
	if (c->kept)
		munmap(c->kept, c->kept_cap * sizeof(*c->kept));
	c->kept = t;
	c->kept_cap = cap;
	return true;
}

/* How many files may be kept open in all: want, or fewer where the
 * process's fd limit is near. */
static size_t kept_limit(size_t want)
{
	struct rlimit rl;

	if (want > KEPT_MAX)
		want = KEPT_MAX;
	if (getrlimit(RLIMIT_NOFILE, &rl) < 0 || rl.rlim_cur == RLIM_INFINITY)
		return want;
	/* the soft limit (often 1024, for select(2), which tuner does not use)
	 * raised toward the hard one, as far as these files need */
	if (rl.rlim_cur < (rlim_t)want + KEPT_FD_SPARE && rl.rlim_max > rl.rlim_cur) {
		rlim_t need = (rlim_t)want + KEPT_FD_SPARE;

		rl.rlim_cur = rl.rlim_max != RLIM_INFINITY && rl.rlim_max < need ? rl.rlim_max
										 : need;
		if (setrlimit(RLIMIT_NOFILE, &rl) < 0)
			getrlimit(RLIMIT_NOFILE, &rl);
	}
	/* the fds the rest of tuner opens meanwhile (journal, netlink) stay free */
	if (rl.rlim_cur < (rlim_t)want + KEPT_FD_SPARE)
		want = rl.rlim_cur > KEPT_FD_SPARE ? (size_t)(rl.rlim_cur - KEPT_FD_SPARE) : 0;
	return want;
}

void tn_sysroot_keep(const struct tn_sysroot *r, int n)
{
	struct tn_dircache *c = r->dirs;
	size_t max, cap = 16;

	if (!c || n <= 0)
		return;
	max = kept_limit(c->kept_open + (size_t)n);
	if (max <= c->kept_open)
		return; /* no room: read and written as without keep mode */
	if (c->kept_used + (max - c->kept_open) > c->kept_cap / 2) {
		while (cap < 2 * max)
			cap *= 2;
		if (!kept_rehash(c, cap))
			return;
	}
	c->kept_max = max;
	c->keeping = true;
}

void tn_sysroot_keep_pause(const struct tn_sysroot *r)
{
	if (r->dirs)
		r->dirs->keeping = false;
}

void tn_sysroot_keep_end(const struct tn_sysroot *r)
{
	struct tn_dircache *c = r->dirs;

	if (!c)
		return;
	for (size_t i = 0; c->kept && i < c->kept_cap; i++) {
		if (c->kept[i].rel && c->kept[i].fd >= 0)
			close(c->kept[i].fd);
	}
	kept_blocks_free(c);
	if (c->kept)
		munmap(c->kept, c->kept_cap * sizeof(*c->kept));
	c->kept = NULL;
	c->kept_cap = c->kept_used = c->kept_open = c->kept_max = 0;
	c->keeping = false;
}

/* Keep fd, just read at rel; false when it is not kept (no room: the caller
 * closes it). */
static bool kept_put(const struct tn_sysroot *r, const char *rel, int fd)
{
	struct tn_dircache *c = r->dirs;
	struct kept *k = kept_slot(c, rel);

	if (!k || c->kept_open >= c->kept_max || (k->rel && k->fd >= 0))
		return false;
	if (!k->rel) {
		if (c->kept_used >= c->kept_cap / 2 || !(k->rel = kept_strdup(c, rel)))
			return false;
		c->kept_used++;
	}
	k->fd = fd;
	c->kept_open++;
	return true;
}

/* The fd kept for rel (still kept), or -1. */
static int kept_get(const struct tn_sysroot *r, const char *rel)
{
	const struct kept *k = kept_slot(r->dirs, rel);

	return k && k->rel ? k->fd : -1;
}

/* The fd kept for rel, given to the caller (it closes it), or -1. */
int tn_sr_kept_take(const struct tn_sysroot *r, const char *rel)
{
	struct kept *k = kept_slot(r->dirs, rel);
	int fd;

	if (!k || !k->rel || k->fd < 0)
		return -1;
	fd = k->fd;
	k->fd = -1; /* the path stays: a tombstone for the probes past it */
	r->dirs->kept_open--;
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

const char *tn_sr_strip_slash(const char *rel)
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

	rel = tn_sr_strip_slash(rel);
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

/* Read fd (from its start when at0) to a newline, its end or cap bytes: the count or -errno. */
static ssize_t read_to_newline(int fd, char *buf, size_t cap, bool at0)
{
	size_t n = 0;

	while (n < cap) {
		ssize_t k = at0 ? pread(fd, buf + n, cap - n, (off_t)n)
				: read(fd, buf + n, cap - n);

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
	const char *path = tn_sr_strip_slash(rel);
	int fd = take_held(r, path), ret;
	bool held = fd >= 0, kept = false, keep = false;

	if (!held && (fd = kept_get(r, path)) >= 0)
		held = kept = true; /* read again: still kept for its write */
	if (!held && r->dirs && r->dirs->keeping && r->dirs->kept_open < r->dirs->kept_max) {
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
	rel = tn_sr_strip_slash(rel);
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

bool tn_sysroot_exists(const struct tn_sysroot *r, const char *rel)
{
	int fd = tn_sysroot_openat(r, rel, O_PATH, 0);

	if (fd < 0)
		return false;
	close(fd);
	return true;
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
