/* SPDX-License-Identifier: MIT */
/* The sysroot: every path stays inside the tree, whatever its symlinks say. */
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

#include "discover.h"
#include "sysroot.h"

static char root_dir[256];

static void put(const char *rel, const char *text)
{
	char path[512], cmd[600];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", root_dir, rel);
	snprintf(cmd, sizeof(cmd), "mkdir -p \"$(dirname '%s')\"", path);
	assert_int_equal(system(cmd), 0);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void link_to(const char *rel, const char *target)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/%s", root_dir, rel);
	assert_int_equal(symlink(target, path), 0);
}

static int setup(void **state)
{
	snprintf(root_dir, sizeof(root_dir), "/tmp/tn-sysroot-XXXXXX");
	if (!mkdtemp(root_dir))
		return -1;
	put("proc/sys/net/core/netdev_budget", "300\n");
	put("proc/sys/net/ipv4/tcp_rmem", "4096\t131072\t6291456\n");
	put("sys/devices/pci0000:00/0000:00:03.0/virtio2/net/eth0/ifindex", "2\n");
	put("sys/class/net/.keep", "");
	link_to("sys/class/net/eth0", "../../devices/pci0000:00/0000:00:03.0/virtio2/net/eth0");
	link_to("sys/devices/pci0000:00/0000:00:03.0/virtio2/net/eth0/device", "../../../virtio2");
	/* links that try to leave the tree */
	link_to("escape-abs", "/etc/hostname");
	link_to("escape-rel", "../../../../../../../../etc/hostname");
	link_to("loop-a", "loop-b");
	link_to("loop-b", "loop-a");
	link_to("sys/up", "../sys/class/net/eth0/device/../virtio2/net/./eth0");
	put("etc/hostname", "inside\n");
	return 0;
}

static int teardown(void **state)
{
	char cmd[300];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root_dir);
	return system(cmd);
}

static void test_read(void **state)
{
	struct tn_sysroot r;
	char buf[64];
	int64_t v;

	assert_int_equal(tn_sysroot_open(root_dir, &r), 0);
	assert_false(r.is_host);
	assert_int_equal(tn_sysroot_read_line(&r, "proc/sys/net/core/netdev_budget", buf,
					      sizeof(buf)), 0);
	assert_string_equal(buf, "300");
	assert_int_equal(tn_sysroot_read_int64(&r, "/proc/sys/net/core/netdev_budget", &v), 0);
	assert_int_equal(v, 300);
	/* decimal only: a leading zero is no octal, "0x" no hex */
	put("proc/sys/num-zero", "010\n");
	put("proc/sys/num-hex", "0x10\n");
	put("proc/sys/num-neg", "-1\n");
	assert_int_equal(tn_sysroot_read_int64(&r, "proc/sys/num-zero", &v), 0);
	assert_int_equal(v, 10);
	assert_int_equal(tn_sysroot_read_int64(&r, "proc/sys/num-hex", &v), -EINVAL);
	assert_int_equal(tn_sysroot_read_int64(&r, "proc/sys/num-neg", &v), 0);
	assert_int_equal(v, -1);
	assert_int_equal(tn_sysroot_read_line(&r, "proc/nothing", buf, sizeof(buf)), -ENOENT);
	assert_int_equal(tn_sysroot_read_line(&r, "proc/sys/net/core/netdev_budget", buf, 2),
			 -EOVERFLOW);
	tn_sysroot_close(&r);
}

/* The files of one directory's subdirectories are opened from that directory
 * once it has been met twice (struct tn_dircache): the same answers as from
 * the root, including a symlink leading out of it, a directory removed and
 * made again, and (once forgotten) one renamed away. */
/* rel's first line is want */
static void line_is(const struct tn_sysroot *r, const char *rel, const char *want)
{
	char buf[64];

	assert_int_equal(tn_sysroot_read_line(r, rel, buf, sizeof(buf)), 0);
	assert_string_equal(buf, want);
}

static void test_dircache(void **state)
{
	struct tn_sysroot r;
	char buf[64], cmd[700];

	put("dc/irq/1/aff", "one\n");
	put("dc/irq/2/aff", "two\n");
	put("dc/other/3/aff", "three\n");
	link_to("dc/irq/3", "/dc/other/3"); /* absolute: in the root, out of dc/irq */
	assert_int_equal(tn_sysroot_open(root_dir, &r), 0);
	assert_non_null(r.dirs);
	for (int pass = 0; pass < 3; pass++) {
		line_is(&r, "dc/irq/1/aff", "one");
		line_is(&r, "dc/irq/2/aff", "two");
		line_is(&r, "dc/irq/3/aff", "three");
		assert_int_equal(tn_sysroot_read_line(&r, "dc/irq/4/aff", buf, sizeof(buf)),
				 -ENOENT);
		/* ".." out of the kept directory: from the root, where it is allowed */
		line_is(&r, "dc/irq/../other/3/aff", "three");
	}
	/* removed and made again (a driver reloaded): the new one, and the new
	 * one kept (twice more: met again, then opened) */
	snprintf(cmd, sizeof(cmd), "rm -rf '%s/dc/irq'", root_dir);
	assert_int_equal(system(cmd), 0);
	put("dc/irq/1/aff", "new one\n");
	for (int i = 0; i < 3; i++)
		line_is(&r, "dc/irq/1/aff", "new one");
	/* renamed away: the kept one still answers, until forgotten */
	snprintf(cmd, sizeof(cmd), "mv '%s/dc/irq' '%s/dc/old'", root_dir, root_dir);
	assert_int_equal(system(cmd), 0);
	put("dc/irq/1/aff", "newer\n");
	line_is(&r, "dc/irq/1/aff", "new one");
	tn_sysroot_forget_dirs(&r);
	line_is(&r, "dc/irq/1/aff", "newer");
	/* a write goes through the kept directory too, to the same file */
	assert_int_equal(tn_sysroot_read_line(&r, "dc/irq/1/aff", buf, sizeof(buf)), 0);
	assert_int_equal(tn_sysroot_write(&r, "dc/irq/1/aff", "written\n"), 0);
	line_is(&r, "dc/irq/1/aff", "written");
	tn_sysroot_close(&r);
	assert_null(r.dirs);
}

/* Read first, fstat only when nothing came: a FIFO (with or without a
 * writer that wrote nothing) and a directory are refused as before. */
static void test_read_special(void **state)
{
	struct tn_sysroot r;
	char path[512], buf[64];
	int wfd;

	snprintf(path, sizeof(path), "%s/proc/fifo", root_dir);
	assert_int_equal(mkfifo(path, 0600), 0);
	assert_int_equal(tn_sysroot_open(root_dir, &r), 0);
	assert_int_equal(tn_sysroot_read_line(&r, "proc/fifo", buf, sizeof(buf)), -EINVAL);
	wfd = open(path, O_RDWR | O_NONBLOCK); /* a writer that writes nothing */
	assert_true(wfd >= 0);
	assert_int_equal(tn_sysroot_read_line(&r, "proc/fifo", buf, sizeof(buf)), -EINVAL);
	close(wfd);
	assert_int_equal(tn_sysroot_read_line(&r, "proc/sys", buf, sizeof(buf)), -EISDIR);
	tn_sysroot_close(&r);
	unlink(path);
}

/* Hardening (area d): a line is read whole or refused, never cut; a file is
 * read whole up to a limit, and refused beyond it. */
static void test_read_bounds(void **state)
{
	static char list[TN_CPULIST_MAX], buf[TN_CPULIST_MAX];
	struct tn_sysroot r;
	char path[512], *text = NULL;
	size_t n = 0, len = 0;
	int fd;

	/* "0,2,...,8190": longer than the 8 KiB the reader used to take in one read */
	for (int cpu = 0; cpu < 8192; cpu += 2)
		n += (size_t)snprintf(list + n, sizeof(list) - n, "%s%d", cpu ? "," : "", cpu);
	assert_true(n > 16384);
	snprintf(buf, sizeof(buf), "%s\n", list);
	put("proc/irq/60/smp_affinity_list", buf);
	assert_int_equal(tn_sysroot_open(root_dir, &r), 0);
	assert_int_equal(tn_sysroot_read_line(&r, "proc/irq/60/smp_affinity_list", buf,
					      sizeof(buf)), 0);
	assert_string_equal(buf, list);
	/* one byte short: refused, not cut */
	assert_int_equal(tn_sysroot_read_line(&r, "proc/irq/60/smp_affinity_list", buf, n),
			 -EOVERFLOW);
	/* no newline in sight */
	memset(list, '7', sizeof(list) - 1);
	put("proc/irq/61/smp_affinity_list", list);
	assert_int_equal(tn_sysroot_read_line(&r, "proc/irq/61/smp_affinity_list", buf, 1000),
			 -EOVERFLOW);

	assert_int_equal(tn_sysroot_read_max(&r, "proc/irq/61/smp_affinity_list",
					     sizeof(list) - 1, &text, &len), 0);
	assert_int_equal(len, sizeof(list) - 1);
	free(text);
	text = NULL;
	assert_int_equal(tn_sysroot_read_max(&r, "proc/irq/61/smp_affinity_list",
					     sizeof(list) - 2, &text, &len), -EFBIG);
	assert_null(text);
	/* a sparse file of 3 GiB: refused without being read */
	put("proc/interrupts", "");
	snprintf(path, sizeof(path), "%s/proc/interrupts", root_dir);
	fd = open(path, O_WRONLY);
	assert_true(fd >= 0);
	assert_int_equal(ftruncate(fd, (off_t)3 << 30), 0);
	close(fd);
	assert_int_equal(tn_sysroot_read(&r, "proc/interrupts", &text, &len), -EFBIG);
	assert_null(text);
	tn_sysroot_close(&r);
}

static void test_confined(void **state)
{
	struct tn_sysroot r;
	char buf[64];

	assert_int_equal(tn_sysroot_open(root_dir, &r), 0);
	/* both links resolve inside the tree: to its own etc/hostname */
	assert_int_equal(tn_sysroot_read_line(&r, "escape-abs", buf, sizeof(buf)), 0);
	assert_string_equal(buf, "inside");
	assert_int_equal(tn_sysroot_read_line(&r, "escape-rel", buf, sizeof(buf)), 0);
	assert_string_equal(buf, "inside");
	assert_int_equal(tn_sysroot_read_line(&r, "../../../../etc/hostname", buf, sizeof(buf)), 0);
	assert_string_equal(buf, "inside");
	assert_int_equal(tn_sysroot_resolve(&r, "escape-abs", buf, sizeof(buf)), 0);
	assert_string_equal(buf, "etc/hostname");
	tn_sysroot_close(&r);
}

static void test_resolve(void **state)
{
	struct tn_sysroot r;
	char buf[256];

	assert_int_equal(tn_sysroot_open(root_dir, &r), 0);
	assert_int_equal(tn_sysroot_resolve(&r, "sys/class/net/eth0/device", buf, sizeof(buf)), 0);
	assert_string_equal(buf, "sys/devices/pci0000:00/0000:00:03.0/virtio2");
	assert_int_equal(tn_sysroot_resolve(&r, "sys/class/net/eth9/device", buf, sizeof(buf)),
			 -ENOENT);
	tn_sysroot_close(&r);
}

/* The kernel's walk (the descriptor read back) and the hand walk agree. */
static void test_resolve_walk(void **state)
{
	static const struct {
		const char *rel, *want;
		int ret;
	} cases[] = {
		{ "sys/class/net/eth0/device", "sys/devices/pci0000:00/0000:00:03.0/virtio2", 0 },
		{ "sys/class/net/eth0", "sys/devices/pci0000:00/0000:00:03.0/virtio2/net/eth0", 0 },
		{ "sys/up", "sys/devices/pci0000:00/0000:00:03.0/virtio2/net/eth0", 0 },
		{ "escape-abs", "etc/hostname", 0 },
		{ "escape-rel", "etc/hostname", 0 },
		{ "../..", "", 0 },
		{ "sys/class/net/eth9/device", NULL, -ENOENT },
		{ "loop-a", NULL, -ELOOP },
	};
	struct tn_sysroot r;
	char buf[256];

	assert_int_equal(tn_sysroot_open(root_dir, &r), 0);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int (*fn[2])(const struct tn_sysroot *, const char *, char *, size_t) = {
			tn_sysroot_resolve, tn_sysroot_resolve_walk
		};

		for (int k = 0; k < 2; k++) {
			int ret = fn[k](&r, cases[i].rel, buf, sizeof(buf));

			if (ret != cases[i].ret)
				fail_msg("%s (%s): %d, not %d", cases[i].rel, k ? "walk" : "kernel", ret,
					 cases[i].ret);
			if (cases[i].want && strcmp(buf, cases[i].want) != 0)
				fail_msg("%s (%s): \"%s\", not \"%s\"", cases[i].rel,
					 k ? "walk" : "kernel", buf, cases[i].want);
		}
	}
	tn_sysroot_close(&r);
}

static void test_sysctl(void **state)
{
	struct tn_sysroot r;
	struct tn_sysctl sc;
	char path[128];

	assert_int_equal(tn_sysroot_open(root_dir, &r), 0);
	assert_int_equal(tn_sysctl_read(&r, "net.ipv4.tcp_rmem", &sc), 0);
	assert_true(sc.present);
	assert_string_equal(sc.value, "4096 131072 6291456");
	tn_sysctl_free(&sc);
	assert_int_equal(tn_sysctl_read(&r, "net.core.nothing", &sc), 0);
	assert_false(sc.present);
	assert_int_equal(tn_sysctl_read(&r, "net/core/x", &sc), -EINVAL);
	assert_int_equal(tn_sysctl_read(&r, "net.core..x", &sc), -EINVAL);
	assert_int_equal(tn_sysctl_path("net.core.rmem_max", path, sizeof(path)), 0);
	assert_string_equal(path, "proc/sys/net/core/rmem_max");
	assert_int_equal(tn_sysctl_path("net/../../etc/x", path, sizeof(path)), -EINVAL);
	/* writes land in the tree, and only on files that exist */
	assert_int_equal(tn_sysroot_write(&r, "proc/sys/net/core/netdev_budget", "600\n"), 0);
	assert_int_equal(tn_sysctl_read(&r, "net.core.netdev_budget", &sc), 0);
	assert_string_equal(sc.value, "600");
	tn_sysctl_free(&sc);
	assert_int_equal(tn_sysroot_write(&r, "proc/sys/net/core/new", "1\n"), -ENOENT);
	tn_sysroot_close(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_read),
		cmocka_unit_test(test_read_bounds),
		cmocka_unit_test(test_dircache),
		cmocka_unit_test(test_read_special),
		cmocka_unit_test(test_confined),
		cmocka_unit_test(test_resolve),
		cmocka_unit_test(test_resolve_walk),
		cmocka_unit_test(test_sysctl),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
