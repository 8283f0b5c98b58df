/* SPDX-License-Identifier: MIT */
/*
 * LD_PRELOAD shim for the tests/hostile/c_*.sh tests: it lets a test make
 * tuner meet, at one chosen instant, what a kill or another process would do.
 *
 *   TN_SHIM_KILL_WRITE=TEXT  the first write() to a file whose path holds TEXT
 *                            kills the process (SIGKILL) before a byte of it
 *                            is written: a tuner killed in the middle of a
 *                            value's write.
 *   TN_SHIM_SWAP=A:B         when a "*.journal" file is created (an apply has
 *                            made its plan and changed nothing yet), the paths
 *                            A and B are exchanged (renameat2 RENAME_EXCHANGE):
 *                            another process takes a planned process's pid.
 *
 * Nothing else changes; without these variables the shim does nothing.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <dlfcn.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef RENAME_EXCHANGE
#define RENAME_EXCHANGE (1 << 1)
#endif

static void maybe_kill(int fd)
{
	const char *want = getenv("TN_SHIM_KILL_WRITE");
	char link[64], path[4096];
	ssize_t k;

	if (!want || !*want || fd < 3)
		return;
	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	k = readlink(link, path, sizeof(path) - 1);
	if (k <= 0)
		return;
	path[k] = '\0';
	if (strstr(path, want)) {
		static const char msg[] = "c_shim: killed before writing\n";

		syscall(SYS_write, 2, msg, sizeof(msg) - 1);
		raise(SIGKILL);
	}
}

ssize_t write(int fd, const void *buf, size_t n)
{
	static ssize_t (*real)(int, const void *, size_t);

	if (!real)
		real = (ssize_t(*)(int, const void *, size_t))dlsym(RTLD_NEXT, "write");
	maybe_kill(fd);
	return real(fd, buf, n);
}

static void maybe_swap(const char *name, int flags)
{
	static int done;
	const char *spec = getenv("TN_SHIM_SWAP"), *colon;
	size_t len = strlen(name);
	char a[4096];

	if (done || !spec || !(flags & O_CREAT) || len < 8 || strcmp(name + len - 8, ".journal"))
		return;
	colon = strchr(spec, ':');
	if (!colon || (size_t)(colon - spec) >= sizeof(a))
		return;
	memcpy(a, spec, (size_t)(colon - spec));
	a[colon - spec] = '\0';
	done = 1;
	if (syscall(SYS_renameat2, AT_FDCWD, a, AT_FDCWD, colon + 1, RENAME_EXCHANGE) != 0) {
		perror("c_shim: renameat2");
		_exit(98);
	}
}

typedef int (*openat_fn)(int, const char *, int, ...);

static int call_openat(const char *sym, int dirfd, const char *name, int flags, va_list ap)
{
	openat_fn real = (openat_fn)dlsym(RTLD_NEXT, sym);
	mode_t mode = (flags & (O_CREAT | __O_TMPFILE)) ? (mode_t)va_arg(ap, int) : 0;

	maybe_swap(name, flags);
	return real(dirfd, name, flags, mode);
}

int openat(int dirfd, const char *name, int flags, ...)
{
	va_list ap;
	int ret;

	va_start(ap, flags);
	ret = call_openat("openat", dirfd, name, flags, ap);
	va_end(ap);
	return ret;
}

int openat64(int dirfd, const char *name, int flags, ...)
{
	va_list ap;
	int ret;

	va_start(ap, flags);
	ret = call_openat("openat64", dirfd, name, flags, ap);
	va_end(ap);
	return ret;
}
