/* SPDX-License-Identifier: MIT */
/*
 * tn_sysroot_write in a tree: a one-line value is written in place (the same
 * inode and mode, a longer old value cut to the new one's length); anything
 * else, and a file with a second link (which may be outside the tree), is
 * replaced whole (a new file renamed over it: another inode, the same mode,
 * no file left beside it). Through a symlink the file it names, never a file
 * outside the tree, and only an existing regular file (a FIFO is refused, its
 * open never waits). Keep mode (a transaction's reads kept open for its
 * writes): the file read is the file written, read again as it is now; one
 * replaced or removed since is written by its name, or refused; at most n
 * files kept; none left open at its end.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "sysroot.h"

static char root_dir[256], outside[256];

static void path_of(char *buf, size_t len, const char *rel)
{
	snprintf(buf, len, "%s/%s", root_dir, rel);
}

static void put(const char *rel, const char *text, mode_t mode)
{
	char path[512];
	FILE *f;

	path_of(path, sizeof(path), rel);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	assert_int_equal(chmod(path, mode), 0);
}

static void get(const char *rel, char *buf, size_t len)
{
	char path[512];
	FILE *f;
	size_t n;

	path_of(path, sizeof(path), rel);
	f = fopen(path, "r");
	assert_non_null(f);
	n = fread(buf, 1, len - 1, f);
	buf[n] = '\0';
	fclose(f);
}

static int setup(void **state)
{
	char path[512];
	int fd;

	snprintf(root_dir, sizeof(root_dir), "/tmp/tn-treewrite-XXXXXX");
	snprintf(outside, sizeof(outside), "/tmp/tn-treewrite-outside-XXXXXX");
	if (!mkdtemp(root_dir) || (fd = mkstemp(outside)) < 0)
		return -1;
	if (write(fd, "outside\n", 8) != 8)
		return -1;
	close(fd);
	path_of(path, sizeof(path), "d");
	mkdir(path, 0755);
	path_of(path, sizeof(path), "d/sub");
	mkdir(path, 0755);
	put("d/value", "300\n", 0640);
	path_of(path, sizeof(path), "d/link");
	if (symlink("value", path) < 0)
		return -1;
	path_of(path, sizeof(path), "d/escape");
	if (symlink(outside, path) < 0)
		return -1;
	path_of(path, sizeof(path), "d/fifo");
	if (mkfifo(path, 0600) < 0)
		return -1;
	return 0;
}

static int teardown(void **state)
{
	char cmd[600];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s' '%s'", root_dir, outside);
	return system(cmd) == 0 ? 0 : -1;
}

/* the names in d/ (sorted, joined with spaces) */
static void names(char *buf, size_t len)
{
	struct dirent **v;
	char path[512];
	int n;

	path_of(path, sizeof(path), "d");
	n = scandir(path, &v, NULL, alphasort);
	assert_true(n >= 0);
	buf[0] = '\0';
	for (int i = 0; i < n; i++) {
		if (strcmp(v[i]->d_name, ".") && strcmp(v[i]->d_name, ".."))
			snprintf(buf + strlen(buf), len - strlen(buf), "%s%s", buf[0] ? " " : "",
				 v[i]->d_name);
		free(v[i]);
	}
	free(v);
}

static void test_in_place(void **state)
{
	struct tn_sysroot r;
	struct stat a, b;
	char path[512], buf[64], list[256];

	assert_int_equal(tn_sysroot_open(root_dir, &r), 0);
	path_of(path, sizeof(path), "d/value");
	assert_int_equal(stat(path, &a), 0);
	assert_int_equal(tn_sysroot_write(&r, "d/value", "6000\n"), 0);
	assert_int_equal(stat(path, &b), 0);
	get("d/value", buf, sizeof(buf));
	assert_string_equal(buf, "6000\n");
	assert_true(a.st_ino == b.st_ino);		/* written in place */
	assert_int_equal(b.st_mode & 07777, 0640);
	/* shorter than the old value: nothing of the old one is left after it */
	assert_int_equal(tn_sysroot_write(&r, "d/value", "6\n"), 0);
	get("d/value", buf, sizeof(buf));
	assert_string_equal(buf, "6\n");
	names(list, sizeof(list));
	assert_string_equal(list, "escape fifo link sub value"); /* nothing left beside it */
	/* through a symlink: the file it names; the link stays a link */
	assert_int_equal(tn_sysroot_write(&r, "/d/link", "700\n"), 0);
	get("d/value", buf, sizeof(buf));
	assert_string_equal(buf, "700\n");
	path_of(path, sizeof(path), "d/link");
	assert_int_equal(lstat(path, &a), 0);
	assert_true(S_ISLNK(a.st_mode));
	tn_sysroot_close(&r);
}

static void test_replace(void **state)
{
	struct tn_sysroot r;
	struct stat a, b;
	char path[512], other[512], buf[64], list[256];

	assert_int_equal(tn_sysroot_open(root_dir, &r), 0);
	/* more than one line: replaced whole */
	path_of(path, sizeof(path), "d/value");
	assert_int_equal(stat(path, &a), 0);
	assert_int_equal(tn_sysroot_write(&r, "d/value", "a\nb\n"), 0);
	assert_int_equal(stat(path, &b), 0);
	get("d/value", buf, sizeof(buf));
	assert_string_equal(buf, "a\nb\n");
	assert_true(a.st_ino != b.st_ino);		/* a new file, renamed over */
	assert_int_equal(b.st_mode & 07777, 0640);	/* with the old one's mode */
	/* a second link (here beside it; it may be anywhere): replaced, the other
	 * name keeps the old content */
	path_of(other, sizeof(other), "d/sub/other");
	assert_int_equal(link(path, other), 0);
	assert_int_equal(tn_sysroot_write(&r, "d/value", "800\n"), 0);
	get("d/value", buf, sizeof(buf));
	assert_string_equal(buf, "800\n");
	get("d/sub/other", buf, sizeof(buf));
	assert_string_equal(buf, "a\nb\n");
	assert_int_equal(stat(path, &a), 0);
	assert_int_equal(a.st_nlink, 1);
	assert_int_equal(unlink(other), 0);
	names(list, sizeof(list));
	assert_string_equal(list, "escape fifo link sub value"); /* nothing left beside it */
	tn_sysroot_close(&r);
}

static void test_refused(void **state)
{
	struct tn_sysroot r;
	char buf[64], list[256];

	assert_int_equal(tn_sysroot_open(root_dir, &r), 0);
	/* an existing file only: nothing is created */
	assert_int_equal(tn_sysroot_write(&r, "d/missing", "1\n"), -ENOENT);
	assert_int_equal(tn_sysroot_write(&r, "d/nodir/x", "1\n"), -ENOENT);
	assert_int_equal(tn_sysroot_write(&r, "d/sub", "1\n"), -EISDIR);
	/* a FIFO: refused (an open for writing without O_NONBLOCK would block) */
	assert_int_equal(tn_sysroot_write(&r, "d/fifo", "1\n"), -EINVAL);
	/* an absolute link is resolved inside the tree, where it names nothing */
	assert_int_equal(tn_sysroot_write(&r, "d/escape", "1\n"), -ENOENT);
	assert_int_equal(tn_sysroot_write(&r, "d/../../../../../../../../../../../../etc/x", "1\n"),
			 -ENOENT);
	tn_sysroot_close(&r);
	get("d/value", buf, sizeof(buf));
	names(list, sizeof(list));
	assert_string_equal(list, "escape fifo link sub value");
	{
		FILE *f = fopen(outside, "r");
		size_t n;

		assert_non_null(f);
		n = fread(buf, 1, sizeof(buf) - 1, f);
		buf[n] = '\0';
		fclose(f);
		assert_string_equal(buf, "outside\n");
	}
}

/* The fds this process has open. */
static int open_fds(void)
{
	struct dirent *e;
	DIR *d = opendir("/proc/self/fd");
	int n = 0;

	assert_non_null(d);
	while ((e = readdir(d)))
		n += e->d_name[0] != '.';
	closedir(d);
	return n - 1; /* the directory's own */
}

static void test_keep(void **state)
{
	struct tn_sysroot r;
	struct stat a, b;
	char path[512], buf[64];
	int fds;

	put("d/k1", "1\n", 0644);
	put("d/k2", "2\n", 0644);
	put("d/k3", "3\n", 0644);
	assert_int_equal(tn_sysroot_open(root_dir, &r), 0);
	fds = open_fds();
	tn_sysroot_keep(&r, 2);
	assert_int_equal(tn_sysroot_read_line(&r, "d/k1", buf, sizeof(buf)), 0);
	assert_string_equal(buf, "1");
	assert_int_equal(tn_sysroot_read_line(&r, "d/k2", buf, sizeof(buf)), 0);
	assert_int_equal(tn_sysroot_read_line(&r, "d/k3", buf, sizeof(buf)), 0); /* not kept */
	assert_int_equal(open_fds(), fds + 2);
	/* a kept file read again reads what it holds now */
	put("d/k1", "11\n", 0644);
	assert_int_equal(tn_sysroot_read_line(&r, "/d/k1", buf, sizeof(buf)), 0);
	assert_string_equal(buf, "11");
	/* written through the kept file: in place, the value whole at offset 0
	 * though the file was read, and read back */
	path_of(path, sizeof(path), "d/k1");
	assert_int_equal(stat(path, &a), 0);
	assert_int_equal(tn_sysroot_write(&r, "d/k1", "7\n"), 0);
	assert_int_equal(tn_sysroot_read_line(&r, "d/k1", buf, sizeof(buf)), 0);
	assert_string_equal(buf, "7");
	get("d/k1", buf, sizeof(buf));
	assert_string_equal(buf, "7\n");
	assert_int_equal(stat(path, &b), 0);
	assert_true(a.st_ino == b.st_ino);
	/* k2 replaced since it was read (a new file renamed over it): the new
	 * one is written, not the kept one nobody sees */
	put("d/k2.new", "22\n", 0644);
	{
		char from[512], to[512];

		path_of(from, sizeof(from), "d/k2.new");
		path_of(to, sizeof(to), "d/k2");
		assert_int_equal(rename(from, to), 0);
	}
	assert_int_equal(tn_sysroot_write(&r, "d/k2", "8\n"), 0);
	get("d/k2", buf, sizeof(buf));
	assert_string_equal(buf, "8\n");
	/* the file not kept is written by its name */
	assert_int_equal(tn_sysroot_write(&r, "d/k3", "9\n"), 0);
	get("d/k3", buf, sizeof(buf));
	assert_string_equal(buf, "9\n");
	/* read (kept), then removed: the write is refused, nothing created */
	tn_sysroot_keep(&r, 4);
	assert_int_equal(tn_sysroot_read_line(&r, "d/k1", buf, sizeof(buf)), 0);
	assert_int_equal(open_fds(), fds + 1);
	path_of(path, sizeof(path), "d/k1");
	assert_int_equal(unlink(path), 0);
	assert_int_equal(tn_sysroot_write(&r, "d/k1", "10\n"), -ENOENT);
	assert_int_equal(stat(path, &a), -1);
	/* the end of keep mode closes what is left; reads are as before */
	assert_int_equal(tn_sysroot_read_line(&r, "d/k2", buf, sizeof(buf)), 0);
	assert_int_equal(open_fds(), fds + 1);
	tn_sysroot_keep_end(&r);
	tn_sysroot_keep_end(&r);
	assert_int_equal(open_fds(), fds);
	assert_int_equal(tn_sysroot_read_line(&r, "d/k2", buf, sizeof(buf)), 0);
	assert_string_equal(buf, "8");
	assert_int_equal(open_fds(), fds);
	tn_sysroot_close(&r);
	path_of(path, sizeof(path), "d/k2");
	unlink(path);
	path_of(path, sizeof(path), "d/k3");
	unlink(path);
}

/* The fd limit: the soft one raised as far as the files kept need, within the
 * hard one; below it, fewer files kept (128 left for the rest). In a child:
 * its limits are its own. */
static void test_keep_limit(void **state)
{
	pid_t pid = fork();
	int st;

	assert_true(pid >= 0);
	if (pid == 0) {
		struct rlimit rl = { 150, 0 };
		struct tn_sysroot r;
		char buf[64], rel[32];
		int fds, ok = 1;

		/* every system's hard limit is at least 1024 */
		getrlimit(RLIMIT_NOFILE, &rl);
		rl.rlim_cur = 130;
		if (setrlimit(RLIMIT_NOFILE, &rl) < 0 || tn_sysroot_open(root_dir, &r) < 0)
			_exit(2);
		tn_sysroot_keep(&r, 20);
		getrlimit(RLIMIT_NOFILE, &rl);
		ok &= rl.rlim_cur == 148; /* 20 + 128 */
		/* a hard limit of 140: 12 kept, the rest read and closed */
		rl.rlim_cur = rl.rlim_max = 140;
		if (setrlimit(RLIMIT_NOFILE, &rl) < 0)
			_exit(2);
		fds = open_fds();
		tn_sysroot_keep(&r, 100);
		for (int i = 0; i < 20; i++) {
			snprintf(rel, sizeof(rel), "d/lim%d", i);
			put(rel, "5\n", 0644);
			ok &= tn_sysroot_read_line(&r, rel, buf, sizeof(buf)) == 0;
		}
		ok &= open_fds() == fds + 12;
		tn_sysroot_keep_end(&r);
		ok &= open_fds() == fds;
		for (int i = 0; i < 20; i++) {
			char path[512];

			snprintf(rel, sizeof(rel), "d/lim%d", i);
			path_of(path, sizeof(path), rel);
			unlink(path);
		}
		tn_sysroot_close(&r);
		_exit(ok ? 0 : 1);
	}
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_in_place),
		cmocka_unit_test(test_replace),
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_keep),
		cmocka_unit_test(test_keep_limit),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
