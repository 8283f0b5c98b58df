/* SPDX-License-Identifier: MIT */
/*
 * User names to uids from a tree's etc/passwd (match.user in profiles): the
 * first line naming the user wins, a malformed uid is an error naming the
 * line, and a passwd file that is not a root-owned (or the caller's) regular
 * file writable only by its owner, or is larger than TN_PASSWD_MAX_BYTES, is
 * refused without being read.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "users.h"

static char root_dir[256], passwd[300];
static struct tn_sysroot root;

static void put_passwd(const char *text, mode_t mode)
{
	FILE *f;

	unlink(passwd);
	f = fopen(passwd, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	assert_int_equal(chmod(passwd, mode), 0);
}

static int setup(void **state)
{
	char etc[300];

	snprintf(root_dir, sizeof(root_dir), "/tmp/tn-users-XXXXXX");
	if (!mkdtemp(root_dir))
		return -1;
	snprintf(etc, sizeof(etc), "%s/etc", root_dir);
	snprintf(passwd, sizeof(passwd), "%s/etc/passwd", root_dir);
	if (mkdir(etc, 0755) < 0)
		return -1;
	return tn_sysroot_open(root_dir, &root) < 0 ? -1 : 0;
}

static int teardown(void **state)
{
	char cmd[300];

	tn_sysroot_close(&root);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root_dir);
	return system(cmd) == 0 ? 0 : -1;
}

/* lookup NAME: the return value, the uid in *uid, the message in msg */
static int lookup(const char *name, int64_t *uid, char *msg, size_t len)
{
	struct tn_diag d;
	int ret;

	tn_diag_init(&d);
	ret = tn_user_lookup(&root, name, uid, &d);
	snprintf(msg, len, "%s", d.error);
	tn_diag_free(&d);
	return ret;
}

static void test_found(void **state)
{
	char msg[1024], want[600];
	int64_t uid = 77;

	put_passwd("root:x:0:0:root:/root:/bin/bash\n"
		   "redisx:x:5:5::/:/bin/false\n"
		   "redis:x:112:119::/var/lib/redis:/usr/sbin/nologin\n"
		   "redis:x:999:999::/:/bin/false\n"
		   "alice:x:1000:1000:Alice:/home/alice:/bin/bash",
		   0644);
	assert_int_equal(lookup("redis", &uid, msg, sizeof(msg)), 0);
	assert_int_equal(uid, 112); /* the first line naming it; not redisx */
	assert_int_equal(lookup("root", &uid, msg, sizeof(msg)), 0);
	assert_int_equal(uid, 0);
	assert_int_equal(lookup("alice", &uid, msg, sizeof(msg)), 0); /* no final newline */
	assert_int_equal(uid, 1000);
	uid = 77;
	assert_int_equal(lookup("redi", &uid, msg, sizeof(msg)), -ENOENT);
	snprintf(want, sizeof(want), "no user \"redi\" in %s", passwd);
	assert_string_equal(msg, want);
	assert_int_equal(uid, 77);
}

static void test_bad_uid(void **state)
{
	static const char *const lines[] = {
		"redis:x:abc:1::/:/bin/false\n",
		"redis:x:4294967295:1::/:/bin/false\n",
		"redis:x:12a:1::/:/bin/false\n",
		"redis:x\n",
	};
	char msg[1024], want[600];
	int64_t uid = 77;

	for (size_t i = 0; i < sizeof(lines) / sizeof(lines[0]); i++) {
		char text[256];

		snprintf(text, sizeof(text), "root:x:0:0::/:/bin/sh\n%s", lines[i]);
		put_passwd(text, 0644);
		assert_int_equal(lookup("redis", &uid, msg, sizeof(msg)), -EINVAL);
		snprintf(want, sizeof(want), "%s:2: user \"redis\": the uid field is not a number "
					     "below 4294967295",
			 passwd);
		assert_string_equal(msg, want);
		assert_int_equal(uid, 77);
	}
}

static void test_refused(void **state)
{
	char msg[1024], want[600];
	int64_t uid = 77;

	put_passwd("redis:x:112:119::/:/bin/false\n", 0666);
	assert_int_equal(lookup("redis", &uid, msg, sizeof(msg)), -EPERM);
	snprintf(want, sizeof(want), "%s: writable by others (mode 0666): not trusted", passwd);
	assert_string_equal(msg, want);
	put_passwd("redis:x:112:119::/:/bin/false\n", 0620);
	assert_int_equal(lookup("redis", &uid, msg, sizeof(msg)), -EPERM);
	snprintf(want, sizeof(want), "%s: writable by its group (mode 0620): not trusted", passwd);
	assert_string_equal(msg, want);
	/* a FIFO: refused at once, not waited on */
	unlink(passwd);
	assert_int_equal(mkfifo(passwd, 0644), 0);
	assert_int_equal(lookup("redis", &uid, msg, sizeof(msg)), -EINVAL);
	snprintf(want, sizeof(want), "%s: not a regular file", passwd);
	assert_string_equal(msg, want);
	/* larger than the limit (sparse): refused before reading */
	put_passwd("redis:x:112:119::/:/bin/false\n", 0644);
	assert_int_equal(truncate(passwd, (off_t)TN_PASSWD_MAX_BYTES + 1), 0);
	assert_int_equal(lookup("redis", &uid, msg, sizeof(msg)), -EFBIG);
	snprintf(want, sizeof(want), "%s: larger than %d bytes", passwd, TN_PASSWD_MAX_BYTES);
	assert_string_equal(msg, want);
	unlink(passwd);
	assert_int_equal(lookup("redis", &uid, msg, sizeof(msg)), -ENOENT);
	snprintf(want, sizeof(want), "%s: No such file or directory", passwd);
	assert_string_equal(msg, want);
	assert_int_equal(uid, 77);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_found),
		cmocka_unit_test(test_bad_uid),
		cmocka_unit_test(test_refused),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
