/* SPDX-License-Identifier: MIT */
/*
 * tn_ethtool against the running kernel.
 *
 * Reads are checked against the ethtool command on a real interface (eth0, or
 * TN_TEST_IFNAME), without changing anything. Sets are only done on a veth
 * pair inside a network namespace that a forked child creates for itself and
 * that disappears with it; the initial namespace's interfaces are never set.
 */

#include <errno.h>
#include <limits.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <net/if.h>

#include <cmocka.h>

#include "ethtool.h"

/* d emptied for the next call: each call's error is its own (the first wins). */
static struct tn_diag *fresh(struct tn_diag *d)
{
	tn_diag_free(d);
	return d;
}

#define NO_SUCH_DEV "tnnosuchdev0"
#define VETH_A "tnva"
#define VETH_B "tnvb"
#define CHILD_SKIP 77

struct fixture {
	struct tn_ethtool *e;		/* NULL when the kernel has no ethtool family */
	char ethtool[PATH_MAX];		/* the ethtool binary, "" when absent */
	char ip[PATH_MAX];		/* the ip binary, "" when absent */
};

/* The values one section of `ethtool -g` or `ethtool -l` output gives. */
struct ethtool_out {
	int64_t max[4];
	int64_t cur[4];
};

static void find_cmd(const char *name, char *out, size_t len)
{
	const char *path = getenv("PATH");
	char *dirs;
	char *save = NULL;

	out[0] = '\0';
	if (asprintf(&dirs, "%s:/usr/sbin:/sbin:/usr/bin:/bin", path ? path : "") < 0)
		return;
	for (char *d = strtok_r(dirs, ":", &save); d; d = strtok_r(NULL, ":", &save)) {
		char cand[PATH_MAX];

		if (!*d || snprintf(cand, sizeof(cand), "%s/%s", d, name) >= (int)sizeof(cand))
			continue;
		if (access(cand, X_OK) == 0) {
			snprintf(out, len, "%s", cand);
			break;
		}
	}
	free(dirs);
}

static int64_t parse_value(const char *s)
{
	char *end;
	long long v;

	while (*s == ' ' || *s == '\t')
		s++;
	if (strncmp(s, "n/a", 3) == 0)
		return TN_UNKNOWN;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno || end == s)
		return -2;	/* neither a number nor n/a: fails any comparison */
	return v;
}

/*
 * Run "ethtool <opt> <ifname>" and read the values of keys[] ("RX", "TX",
 * ...) from its "Pre-set maximums" and "Current hardware settings" sections.
 * Returns the command's exit status, or -1 when it could not be run.
 */
static int run_ethtool(const char *ethtool, const char *opt, const char *ifname,
		       const char *const keys[], int n_keys, struct ethtool_out *out)
{
	char cmd[PATH_MAX + 64];
	char line[256];
	int section = -1;
	FILE *f;
	int status;

	for (int i = 0; i < n_keys; i++)
		out->max[i] = out->cur[i] = TN_UNKNOWN;
	snprintf(cmd, sizeof(cmd), "LC_ALL=C '%s' %s %s 2>/dev/null", ethtool, opt, ifname);
	fflush(NULL);
	f = popen(cmd, "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		char *colon = strchr(line, ':');

		if (strncmp(line, "Pre-set maximums:", 17) == 0) {
			section = 0;
			continue;
		}
		if (strncmp(line, "Current hardware settings:", 26) == 0) {
			section = 1;
			continue;
		}
		if (section < 0 || !colon)
			continue;
		*colon = '\0';
		for (int i = 0; i < n_keys; i++) {
			if (strcmp(line, keys[i]) != 0)
				continue;
			if (section == 0)
				out->max[i] = parse_value(colon + 1);
			else
				out->cur[i] = parse_value(colon + 1);
		}
	}
	status = pclose(f);
	if (status < 0 || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

static const char *const ring_keys[] = { "RX", "TX" };
static const char *const channel_keys[] = { "RX", "TX", "Other", "Combined" };

static int ethtool_rings(const char *ethtool, const char *ifname, struct tn_ring *r)
{
	struct ethtool_out o;
	int status = run_ethtool(ethtool, "-g", ifname, ring_keys, 2, &o);

	r->rx_max = o.max[0];
	r->tx_max = o.max[1];
	r->rx = o.cur[0];
	r->tx = o.cur[1];
	return status;
}

static int ethtool_channels(const char *ethtool, const char *ifname, struct tn_channels *c)
{
	struct ethtool_out o;
	int status = run_ethtool(ethtool, "-l", ifname, channel_keys, 4, &o);

	c->rx_max = o.max[0];
	c->tx_max = o.max[1];
	c->other_max = o.max[2];
	c->combined_max = o.max[3];
	c->rx = o.cur[0];
	c->tx = o.cur[1];
	c->other = o.cur[2];
	c->combined = o.cur[3];
	return status;
}

static const char *test_ifname(void)
{
	const char *name = getenv("TN_TEST_IFNAME");

	return name && *name ? name : "eth0";
}

static int group_setup(void **state)
{
	struct fixture *fx = calloc(1, sizeof(*fx));
	int rc;

	if (!fx)
		return -1;
	rc = tn_ethtool_open(&fx->e);
	if (rc == -EOPNOTSUPP)
		fx->e = NULL;
	else if (rc < 0) {
		fprintf(stderr, "tn_ethtool_open: %s\n", strerror(-rc));
		free(fx);
		return -1;
	}
	find_cmd("ethtool", fx->ethtool, sizeof(fx->ethtool));
	find_cmd("ip", fx->ip, sizeof(fx->ip));
	*state = fx;
	return 0;
}

static int group_teardown(void **state)
{
	struct fixture *fx = *state;

	tn_ethtool_close(fx->e);
	free(fx);
	return 0;
}

#define SKIP_BECAUSE(...)                                          \
	do {                                                       \
		print_message("skipped: " __VA_ARGS__);            \
		print_message("\n");                               \
		skip();                                            \
	} while (0)

static struct tn_ethtool *need_handle(void **state)
{
	struct fixture *fx = *state;

	if (!fx->e)
		SKIP_BECAUSE("the kernel has no ethtool netlink family");
	return fx->e;
}

static void test_close_null(void **state)
{
	(void)state;
	tn_ethtool_close(NULL);
	assert_int_equal(tn_ethtool_open(NULL), -EINVAL);
}

static void test_rings_match_ethtool(void **state)
{
	struct fixture *fx = *state;
	struct tn_ethtool *e = need_handle(state);
	const char *ifname = test_ifname();
	struct tn_ring got, want;
	struct tn_diag dg = { 0 };
	int rc, status;

	if (!if_nametoindex(ifname))
		SKIP_BECAUSE("no interface %s", ifname);
	if (!fx->ethtool[0])
		SKIP_BECAUSE("no ethtool binary to compare with");
	rc = tn_ethtool_get_rings(e, ifname, &got, fresh(&dg));
	status = ethtool_rings(fx->ethtool, ifname, &want);
	assert_true(status >= 0);
	if (status != 0) {
		/* ethtool failed as well: the driver has no get_ringparam */
		assert_true(rc < 0);
		return;
	}
	assert_int_equal(rc, 0);
	assert_string_equal(dg.error, "");
	assert_int_equal(got.rx, want.rx);
	assert_int_equal(got.rx_max, want.rx_max);
	assert_int_equal(got.tx, want.tx);
	assert_int_equal(got.tx_max, want.tx_max);
}

static void assert_channels_equal(const struct tn_channels *got, const struct tn_channels *want)
{
	assert_int_equal(got->rx, want->rx);
	assert_int_equal(got->rx_max, want->rx_max);
	assert_int_equal(got->tx, want->tx);
	assert_int_equal(got->tx_max, want->tx_max);
	assert_int_equal(got->other, want->other);
	assert_int_equal(got->other_max, want->other_max);
	assert_int_equal(got->combined, want->combined);
	assert_int_equal(got->combined_max, want->combined_max);
}

static void test_channels_match_ethtool(void **state)
{
	struct fixture *fx = *state;
	struct tn_ethtool *e = need_handle(state);
	const char *ifname = test_ifname();
	struct tn_channels got, want;
	struct tn_diag dg = { 0 };
	int rc, status;

	if (!if_nametoindex(ifname))
		SKIP_BECAUSE("no interface %s", ifname);
	if (!fx->ethtool[0])
		SKIP_BECAUSE("no ethtool binary to compare with");
	rc = tn_ethtool_get_channels(e, ifname, &got, fresh(&dg));
	status = ethtool_channels(fx->ethtool, ifname, &want);
	assert_true(status >= 0);
	if (status != 0) {
		assert_true(rc < 0);
		return;
	}
	assert_int_equal(rc, 0);
	assert_string_equal(dg.error, "");
	assert_channels_equal(&got, &want);
}

/* `ethtool -c IFNAME`: rx-usecs, rx-frames, tx-usecs and "Adaptive RX" (n/a:
 * TN_UNKNOWN). Returns the command's exit status, or -1. */
static int ethtool_coalesce(const char *ethtool, const char *ifname, struct tn_coalesce *c)
{
	char cmd[PATH_MAX + 64], line[256];
	FILE *f;
	int status;

	*c = (struct tn_coalesce){ -2, -2, -2, -2 };	/* not printed: fails any comparison */
	snprintf(cmd, sizeof(cmd), "LC_ALL=C '%s' -c %s 2>/dev/null", ethtool, ifname);
	fflush(NULL);
	f = popen(cmd, "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (strncmp(line, "rx-usecs:", 9) == 0)
			c->rx_usecs = parse_value(line + 9);
		else if (strncmp(line, "rx-frames:", 10) == 0)
			c->rx_frames = parse_value(line + 10);
		else if (strncmp(line, "tx-usecs:", 9) == 0)
			c->tx_usecs = parse_value(line + 9);
		else if (strncmp(line, "Adaptive RX: ", 13) == 0)
			c->adaptive_rx = strncmp(line + 13, "on", 2) == 0    ? 1
					 : strncmp(line + 13, "off", 3) == 0 ? 0
									     : parse_value(line + 13);
	}
	status = pclose(f);
	if (status < 0 || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

/* Read-only: the host's own NIC, against the ethtool command. */
static void test_coalesce_match_ethtool(void **state)
{
	struct fixture *fx = *state;
	struct tn_ethtool *e = need_handle(state);
	const char *ifname = test_ifname();
	struct tn_coalesce got, want;
	struct tn_diag dg = { 0 };
	int rc, status;

	if (!if_nametoindex(ifname))
		SKIP_BECAUSE("no interface %s", ifname);
	if (!fx->ethtool[0])
		SKIP_BECAUSE("no ethtool binary to compare with");
	rc = tn_ethtool_get_coalesce(e, ifname, &got, fresh(&dg));
	status = ethtool_coalesce(fx->ethtool, ifname, &want);
	assert_true(status >= 0);
	if (status != 0) {
		assert_true(rc < 0);	/* the driver has no get_coalesce */
		return;
	}
	assert_int_equal(rc, 0);
	assert_int_equal(got.rx_usecs, want.rx_usecs);
	assert_int_equal(got.rx_frames, want.rx_frames);
	assert_int_equal(got.tx_usecs, want.tx_usecs);
	assert_int_equal(got.adaptive_rx, want.adaptive_rx);
	assert_int_equal(tn_ethtool_get_coalesce(e, NO_SUCH_DEV, &got, fresh(&dg)), -ENODEV);
	tn_diag_free(&dg);
}

static void test_no_such_device(void **state)
{
	struct tn_ethtool *e = need_handle(state);
	struct tn_ring ring, ring_before;
	struct tn_channels ch, ch_before;
	struct tn_diag dg = { 0 };
	int rc;

	if (if_nametoindex(NO_SUCH_DEV))
		SKIP_BECAUSE("an interface named %s exists", NO_SUCH_DEV);
	memset(&ring, 0x5a, sizeof(ring));
	ring_before = ring;
	memset(&ch, 0x5a, sizeof(ch));
	ch_before = ch;

	assert_int_equal(tn_ethtool_get_rings(e, NO_SUCH_DEV, &ring, fresh(&dg)), -ENODEV);
	print_message("kernel said: \"%s\"\n", dg.error);
	assert_memory_equal(&ring, &ring_before, sizeof(ring));	/* out untouched */

	assert_int_equal(tn_ethtool_get_channels(e, NO_SUCH_DEV, &ch, NULL), -ENODEV);
	assert_memory_equal(&ch, &ch_before, sizeof(ch));

	/* A set on a missing device cannot change anything; -EPERM without root. */
	rc = tn_ethtool_set_channels(e, NO_SUCH_DEV, TN_UNKNOWN, 1, 1, fresh(&dg));
	assert_true(rc == -ENODEV || rc == -EPERM);
	rc = tn_ethtool_set_rings(e, NO_SUCH_DEV, 256, TN_UNKNOWN, NULL);
	assert_true(rc == -ENODEV || rc == -EPERM);

	/* 15 characters is the longest valid name: it is sent, and not found. */
	assert_int_equal(tn_ethtool_get_rings(e, "tnnosuchdev0123", &ring, fresh(&dg)),
			 -ENODEV);
}

static void test_invalid_arguments(void **state)
{
	struct tn_ethtool *e = need_handle(state);
	struct tn_ring ring;
	struct tn_channels ch;
	struct tn_diag dg = { 0 };

	/*
	 * The kernel accepts names up to 127 characters (altnames) and would
	 * answer -ENODEV, so -EINVAL shows the request was never sent.
	 */
	assert_int_equal(tn_ethtool_get_rings(e, "tnnosuchdev01234", &ring, fresh(&dg)),
			 -EINVAL);
	assert_string_equal(dg.error, "");
	assert_int_equal(tn_ethtool_get_channels(e, "a-much-too-long-interface-name", &ch,
						 fresh(&dg)),
			 -EINVAL);
	assert_int_equal(tn_ethtool_get_rings(e, "", &ring, fresh(&dg)), -EINVAL);
	assert_int_equal(tn_ethtool_get_rings(e, NULL, &ring, fresh(&dg)), -EINVAL);
	assert_int_equal(tn_ethtool_get_rings(e, NO_SUCH_DEV, NULL, fresh(&dg)), -EINVAL);
	assert_int_equal(tn_ethtool_get_channels(e, NO_SUCH_DEV, NULL, NULL), -EINVAL);
	assert_int_equal(tn_ethtool_get_rings(NULL, NO_SUCH_DEV, &ring, fresh(&dg)), -EINVAL);

	/* Values that do not fit a u32 are refused before sending (else -ENODEV). */
	assert_int_equal(tn_ethtool_set_rings(e, NO_SUCH_DEV, -2, TN_UNKNOWN, fresh(&dg)),
			 -EINVAL);
	assert_int_equal(tn_ethtool_set_rings(e, NO_SUCH_DEV, TN_UNKNOWN, (int64_t)UINT32_MAX + 1,
					      fresh(&dg)),
			 -EINVAL);
	assert_int_equal(tn_ethtool_set_channels(e, NO_SUCH_DEV, INT64_MIN, TN_UNKNOWN, TN_UNKNOWN,
						 fresh(&dg)),
			 -EINVAL);
	assert_string_equal(dg.error, "");
	/* d may be NULL */
	assert_int_equal(tn_ethtool_set_rings(e, "", 1, 1, NULL), -EINVAL);
}

/* ---- inside the child's own network namespace ---- */

#define CHILD_CHECK(cond)                                                                  \
	do {                                                                               \
		if (!(cond)) {                                                             \
			fprintf(stderr, "%s:%d: check failed in the namespace child: %s\n", \
				__FILE__, __LINE__, #cond);                                \
			ret = 1;                                                           \
			goto out;                                                          \
		}                                                                          \
	} while (0)

static int child_channels(const struct fixture *fx, struct tn_ethtool *e)
{
	struct tn_channels ch, cmd;
	struct tn_diag dg = { 0 };
	char first[TN_DIAG_MSG_MAX];
	int64_t rx_max, tx_max;
	int ret = 0;
	int rc;

	rc = tn_ethtool_get_channels(e, VETH_A, &ch, fresh(&dg));
	CHILD_CHECK(rc == 0);
	CHILD_CHECK(ch.rx_max >= 2 && ch.tx_max >= 2);	/* created with 4 queues each */
	CHILD_CHECK(ch.combined == TN_UNKNOWN && ch.combined_max == TN_UNKNOWN);
	if (fx->ethtool[0]) {
		CHILD_CHECK(ethtool_channels(fx->ethtool, VETH_A, &cmd) == 0);
		CHILD_CHECK(memcmp(&ch, &cmd, sizeof(ch)) == 0);
	}
	rx_max = ch.rx_max;
	tx_max = ch.tx_max;

	/* rx and tx together */
	rc = tn_ethtool_set_channels(e, VETH_A, TN_UNKNOWN, rx_max - 1, 1, fresh(&dg));
	fprintf(stderr, "set rx %lld tx 1: %d \"%s\"\n", (long long)rx_max - 1, rc, dg.error);
	CHILD_CHECK(rc == 0);
	CHILD_CHECK(dg.error[0] == '\0');
	CHILD_CHECK(tn_ethtool_get_channels(e, VETH_A, &ch, NULL) == 0);
	CHILD_CHECK(ch.rx == rx_max - 1 && ch.tx == 1);
	if (fx->ethtool[0]) {
		CHILD_CHECK(ethtool_channels(fx->ethtool, VETH_A, &cmd) == 0);
		CHILD_CHECK(cmd.rx == rx_max - 1 && cmd.tx == 1);
	}

	/* TN_UNKNOWN leaves tx alone */
	CHILD_CHECK(tn_ethtool_set_channels(e, VETH_A, TN_UNKNOWN, rx_max, TN_UNKNOWN,
					    fresh(&dg)) == 0);
	CHILD_CHECK(tn_ethtool_get_channels(e, VETH_A, &ch, NULL) == 0);
	CHILD_CHECK(ch.rx == rx_max && ch.tx == 1);
	if (fx->ethtool[0]) {
		CHILD_CHECK(ethtool_channels(fx->ethtool, VETH_A, &cmd) == 0);
		CHILD_CHECK(cmd.rx == rx_max && cmd.tx == 1);
	}

	/* veth has no combined channels: the kernel refuses, with a reason */
	rc = tn_ethtool_set_channels(e, VETH_A, 1, TN_UNKNOWN, TN_UNKNOWN, fresh(&dg));
	fprintf(stderr, "set combined 1: %d \"%s\"\n", rc, dg.error);
	CHILD_CHECK(rc == -EINVAL);
	CHILD_CHECK(dg.error[0] != '\0');
	/* the same text again: a fresh diag gets the kernel's words each time */
	snprintf(first, sizeof(first), "%s", dg.error);
	rc = tn_ethtool_set_channels(e, VETH_A, 1, TN_UNKNOWN, TN_UNKNOWN, fresh(&dg));
	CHILD_CHECK(rc == -EINVAL);
	CHILD_CHECK(strcmp(first, dg.error) == 0);
	CHILD_CHECK(tn_ethtool_set_channels(e, VETH_A, 1, TN_UNKNOWN, TN_UNKNOWN, NULL) ==
		    -EINVAL);

	rc = tn_ethtool_set_channels(e, VETH_A, TN_UNKNOWN, rx_max + 1, TN_UNKNOWN, fresh(&dg));
	fprintf(stderr, "set rx %lld: %d \"%s\"\n", (long long)rx_max + 1, rc, dg.error);
	CHILD_CHECK(rc == -EINVAL);
	CHILD_CHECK(dg.error[0] != '\0');

	/* a refused set changed nothing; a successful one records no error */
	CHILD_CHECK(tn_ethtool_get_channels(e, VETH_A, &ch, fresh(&dg)) == 0);
	CHILD_CHECK(dg.error[0] == '\0');
	CHILD_CHECK(ch.rx == rx_max && ch.tx == 1 && ch.tx_max == tx_max);
out:
	return ret;
}

static int child_rings(const struct fixture *fx, struct tn_ethtool *e)
{
	struct tn_ring ring, before, cmd;
	struct tn_diag dg = { 0 };
	int ret = 0;
	int rc, status = -1;

	memset(&ring, 0x5a, sizeof(ring));
	before = ring;
	rc = tn_ethtool_get_rings(e, VETH_A, &ring, fresh(&dg));
	fprintf(stderr, "get rings on veth: %d \"%s\"\n", rc, dg.error);
	if (fx->ethtool[0])
		status = ethtool_rings(fx->ethtool, VETH_A, &cmd);
	if (rc == -EOPNOTSUPP) {
		/* veth without get/set_ringparam */
		CHILD_CHECK(memcmp(&ring, &before, sizeof(ring)) == 0);
		CHILD_CHECK(status != 0);
		rc = tn_ethtool_set_rings(e, VETH_A, 128, TN_UNKNOWN, fresh(&dg));
		fprintf(stderr, "set rx ring on veth: %d \"%s\"\n", rc, dg.error);
		CHILD_CHECK(rc == -EOPNOTSUPP);
		CHILD_CHECK(tn_ethtool_set_rings(e, VETH_A, TN_UNKNOWN, TN_UNKNOWN, NULL) ==
			    -EOPNOTSUPP);
		goto out;
	}
	/* a veth driver that has ring parameters */
	CHILD_CHECK(rc == 0);
	if (status >= 0) {
		CHILD_CHECK(status == 0);
		CHILD_CHECK(memcmp(&ring, &cmd, sizeof(ring)) == 0);
	}
	if (ring.rx_max > 1) {
		int64_t want = ring.rx_max / 2;

		rc = tn_ethtool_set_rings(e, VETH_A, want, TN_UNKNOWN, fresh(&dg));
		fprintf(stderr, "set rx ring %lld on veth: %d \"%s\"\n", (long long)want, rc,
			dg.error);
		CHILD_CHECK(rc == 0);
		CHILD_CHECK(tn_ethtool_get_rings(e, VETH_A, &ring, NULL) == 0);
		CHILD_CHECK(ring.rx == want);
		rc = tn_ethtool_set_rings(e, VETH_A, ring.rx_max + 1, TN_UNKNOWN, fresh(&dg));
		CHILD_CHECK(rc == -EINVAL);
		CHILD_CHECK(dg.error[0] != '\0');
	}
out:
	return ret;
}

static int netns_child(const struct fixture *fx, struct tn_ethtool *parent_handle)
{
	struct tn_ethtool *e = NULL;
	struct tn_channels ch;
	struct stat before, after;
	char cmd[2 * PATH_MAX];
	int ret = 0;

	if (stat("/proc/self/ns/net", &before) < 0) {
		printf("skipped: no /proc/self/ns/net\n");
		return CHILD_SKIP;
	}
	if (unshare(CLONE_NEWNET) < 0) {
		printf("skipped: unshare(CLONE_NEWNET): %s\n", strerror(errno));
		return CHILD_SKIP;
	}
	/* Never go on to create or set anything unless the namespace is new. */
	if (stat("/proc/self/ns/net", &after) < 0 ||
	    (after.st_dev == before.st_dev && after.st_ino == before.st_ino)) {
		fprintf(stderr, "not in a new network namespace after unshare\n");
		return 1;
	}
	snprintf(cmd, sizeof(cmd),
		 "'%s' link add " VETH_A " numrxqueues 4 numtxqueues 4 type veth peer name "
		 VETH_B " numrxqueues 4 numtxqueues 4",
		 fx->ip);
	fflush(NULL);
	if (system(cmd) != 0) {
		printf("skipped: cannot create a veth pair (%s)\n", cmd);
		return CHILD_SKIP;
	}

	/* A genl socket stays in the namespace it was opened in. */
	CHILD_CHECK(tn_ethtool_get_channels(parent_handle, VETH_A, &ch, NULL) == -ENODEV);

	CHILD_CHECK(tn_ethtool_open(&e) == 0);
	CHILD_CHECK(child_channels(fx, e) == 0);
	CHILD_CHECK(child_rings(fx, e) == 0);
out:
	tn_ethtool_close(e);
	return ret;
}

static void test_set_in_netns(void **state)
{
	struct fixture *fx = *state;
	struct tn_ethtool *e = need_handle(state);
	int status;
	pid_t pid;

	if (geteuid() != 0)
		SKIP_BECAUSE("needs root to create a network namespace");
	if (!fx->ip[0])
		SKIP_BECAUSE("no ip binary to create a veth pair");
	if (if_nametoindex(VETH_A) || if_nametoindex(VETH_B))
		SKIP_BECAUSE("%s or %s exists in this namespace", VETH_A, VETH_B);
	fflush(NULL);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		int rc = netns_child(fx, e);

		fflush(NULL);
		exit(rc);	/* exit(), not _exit(): LeakSanitizer checks the child too */
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	/* the pair went away with the child's namespace, and never was here */
	assert_int_equal(if_nametoindex(VETH_A), 0);
	if (WEXITSTATUS(status) == CHILD_SKIP)
		skip();
	assert_int_equal(WEXITSTATUS(status), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_close_null),
		cmocka_unit_test(test_rings_match_ethtool),
		cmocka_unit_test(test_channels_match_ethtool),
		cmocka_unit_test(test_coalesce_match_ethtool),
		cmocka_unit_test(test_no_such_device),
		cmocka_unit_test(test_invalid_arguments),
		cmocka_unit_test(test_set_in_netns),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
