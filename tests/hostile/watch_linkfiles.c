/* SPDX-License-Identifier: MIT */
/*
 * tuner watch names the likely fighter from systemd .link files, which any
 * package or user with write access to those directories may have put
 * there: on a sysroot tree, hostile ones are skipped (never read, never block)
 * and the first trusted one that fits the NIC is named. Hostile: a
 * world-writable file, a FIFO (read would block: the test has an alarm), a
 * symlink, a file over 64 KiB, one with a NUL byte, a directory named *.link,
 * a line of 10,000 bytes, more entries than are looked at.
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
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "fighter.h"

static char root[512];

static void put(const char *rel, const char *text, size_t len, mode_t mode)
{
	char path[1024];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, len), (ssize_t)len);
	close(fd);
	assert_int_equal(chmod(path, mode), 0);
}

#define PUT(rel, text) put(rel, text, strlen(text), 0644)
#define MATCH_ETH1 "[Match]\nOriginalName=eth1\n[Link]\n"

static void build_tree(void)
{
	static const char *const dirs[] = { "etc", "etc/systemd", "etc/systemd/network", "run",
					    "run/systemd", "run/systemd/network" };
	char path[1024], *big;
	size_t n = 70000;

	snprintf(root, sizeof(root), "%s/watch_linkfiles.XXXXXX", TN_BUILD_DIR);
	assert_non_null(mkdtemp(root));
	for (size_t i = 0; i < sizeof(dirs) / sizeof(*dirs); i++) {
		snprintf(path, sizeof(path), "%s/%s", root, dirs[i]);
		assert_int_equal(mkdir(path, 0755), 0);
	}
	put("etc/systemd/network/10-writable.link", MATCH_ETH1 "CombinedChannels=1\n",
	    strlen(MATCH_ETH1 "CombinedChannels=1\n"), 0666);
	snprintf(path, sizeof(path), "%s/etc/systemd/network/11-fifo.link", root);
	assert_int_equal(mkfifo(path, 0644), 0);
	PUT("etc/systemd/network/99-target.conf", MATCH_ETH1 "RxChannels=1\n");
	snprintf(path, sizeof(path), "%s/etc/systemd/network/12-symlink.link", root);
	assert_int_equal(symlink("99-target.conf", path), 0);
	big = malloc(n);
	assert_non_null(big);
	memset(big, '#', n);
	memcpy(big, MATCH_ETH1 "TxChannels=1\n", strlen(MATCH_ETH1 "TxChannels=1\n"));
	put("etc/systemd/network/13-big.link", big, n, 0644);
	free(big);
	/* what a parser stopping at the NUL would take for the whole file fits */
	put("etc/systemd/network/14-nul.link", MATCH_ETH1 "RxChannels=1\n\0[Match]\nName=x\n",
	    sizeof(MATCH_ETH1 "RxChannels=1\n\0[Match]\nName=x\n") - 1, 0644);
	snprintf(path, sizeof(path), "%s/etc/systemd/network/15-dir.link", root);
	assert_int_equal(mkdir(path, 0755), 0);
	PUT("etc/systemd/network/16-eth0.link", "[Match]\nOriginalName=eth0\n[Link]\nRxChannels=1\n");
	/* a 10,000-byte line: cut by the parser, the file still read */
	big = malloc(10100);
	assert_non_null(big);
	memset(big, 'x', 10000);
	snprintf(big + 10000, 100, "\n" MATCH_ETH1 "OtherChannels=1\n");
	big[0] = '#';
	PUT("etc/systemd/network/20-longline.link", big);
	free(big);
}

static void test_hostile_skipped(void **unused)
{
	struct tn_sysroot r;
	struct tn_state s;
	struct tn_fighter_facts f;

	(void)unused;
	alarm(20); /* a FIFO opened for reading would block */
	build_tree();
	assert_int_equal(tn_sysroot_open(root, &r), 0);
	memset(&s, 0, sizeof(s));
	tn_fighter_facts_read(&r, &s, "eth1", "igb", &f);
	/* 10 to 15 skipped, 16 is eth0's: the long-line file is the first trusted fit */
	assert_true(f.link_file);
	assert_string_equal(f.link_file_path, "/etc/systemd/network/20-longline.link");
	assert_string_equal(f.link_file_keys, "OtherChannels=");
	assert_false(f.irqbalance);
	/* eth0: its own file */
	tn_fighter_facts_read(&r, &s, "eth0", "igb", &f);
	assert_true(f.link_file);
	assert_string_equal(f.link_file_path, "/etc/systemd/network/16-eth0.link");
	/* eth2: none of /etc; /run is looked at next */
	tn_fighter_facts_read(&r, &s, "eth2", "igb", &f);
	assert_false(f.link_file);
	PUT("run/systemd/network/40-eth2.link", "[Match]\nName=eth2\n[Link]\nRxBufferSize=4096\n");
	tn_fighter_facts_read(&r, &s, "eth2", "igb", &f);
	assert_true(f.link_file);
	assert_string_equal(f.link_file_path, "/run/systemd/network/40-eth2.link");
	/* a process's fight names no .link file; irqbalance from the snapshot */
	s.irqbalance.running = true;
	s.irqbalance.pid = 412;
	tn_fighter_facts_read(&r, &s, "", "", &f);
	assert_false(f.link_file);
	assert_true(f.irqbalance && f.irqbalance_pid == 412);
	tn_sysroot_close(&r);
	alarm(0);
}

/* More files than are looked at: the one past the bound is not read. */
static void test_many_files(void **unused)
{
	struct tn_sysroot r;
	struct tn_state s;
	struct tn_fighter_facts f;
	char rel[128];

	(void)unused;
	for (int i = 0; i < TN_LINKFILE_MAX_FILES + 10; i++) {
		snprintf(rel, sizeof(rel), "run/systemd/network/%05d-x.link", i);
		PUT(rel, "[Match]\nOriginalName=nothing\n");
	}
	PUT("run/systemd/network/99999-eth3.link", "[Match]\nName=eth3\n[Link]\nRxChannels=1\n");
	assert_int_equal(tn_sysroot_open(root, &r), 0);
	memset(&s, 0, sizeof(s));
	tn_fighter_facts_read(&r, &s, "eth3", "igb", &f);
	assert_false(f.link_file);
	tn_sysroot_close(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hostile_skipped),
		cmocka_unit_test(test_many_files),
	};
	int ret = cmocka_run_group_tests(tests, NULL, NULL);
	char cmd[600];

	if (root[0]) {
		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
		if (system(cmd) != 0)
			fprintf(stderr, "could not remove %s\n", root);
	}
	return ret;
}
