/* SPDX-License-Identifier: MIT */
/*
 * The irqbalance control-socket client against a fake irqbalance: a forked
 * UNIX socket server in a temporary sysroot that speaks irqbalance 1.9.2's
 * protocol (one recvmsg() of at most 500 bytes per connection, SCM_CREDENTIALS
 * uid check, "settings ban irqs" replacing the list and parsed with strtoul()
 * until a 0, "setup" answered with SLEEP/IRQ.../BANNED, then close).
 * No real irqbalance is ever started: it would rewrite this machine's IRQ
 * affinity.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "irqbalance.h"

/* d emptied for the next call: each call's error is its own (the first wins). */
static struct tn_diag *fresh(struct tn_diag *d)
{
	tn_diag_free(d);
	return d;
}
#include "sysroot.h"

enum fake_mode {
	FAKE_IRQBALANCE,	/* the 1.9.2 protocol */
	FAKE_CLOSE,		/* accept, close without reading or answering */
	FAKE_REPLY,		/* answer every command with a fixed text */
	FAKE_HANG,		/* accept, never answer */
	FAKE_NO_ACCEPT,		/* listen, never accept */
};

struct fake_cfg {
	enum fake_mode mode;
	uid_t want_uid;			/* the uid the credentials must carry */
	const char *reply;		/* FAKE_REPLY */
	const int *initial;		/* banned at start, like --banirq */
	int ninitial;
	int ignore_settings;		/* take "settings" but change nothing */
	const char *bind_rel;		/* bind here instead of run/irqbalance/... */
	int abstract;			/* bind irqbalance's abstract fallback name */
};

static char root_dir[64];
static struct tn_sysroot root;
static pid_t fake_pid = -1;

/* root_dir/rel as a socket address; the paths here are short by construction. */
static int sock_addr(struct sockaddr_un *sa, const char *rel)
{
	size_t a = strlen(root_dir), b = strlen(rel);

	memset(sa, 0, sizeof(*sa));
	sa->sun_family = AF_UNIX;
	if (a + 1 + b >= sizeof(sa->sun_path))
		return -1;
	memcpy(sa->sun_path, root_dir, a);
	sa->sun_path[a] = '/';
	memcpy(sa->sun_path + a + 1, rel, b + 1);
	return 0;
}

/* ---- the fake irqbalance (runs in the child; no cmocka here) ---- */

static int fake_banned[1024];
static int fake_nbanned;
static int fake_sleep = 10;

static void fake_log(const char *cmd, size_t len)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/cmdlog", root_dir);
	f = fopen(path, "a");
	if (!f)
		return;
	fprintf(f, "%.*s\n", (int)len, cmd);
	fclose(f);
}

static void fake_ban_one(int irq)
{
	int i;

	for (i = 0; i < fake_nbanned; i++)
		if (fake_banned[i] == irq)
			return;
	if (fake_nbanned < (int)(sizeof(fake_banned) / sizeof(fake_banned[0])))
		fake_banned[fake_nbanned++] = irq;
}

/* "settings ban irqs ...": replace the list; "NONE" clears; strtoul() until a 0. */
static void fake_ban(const char *arg, const struct fake_cfg *cfg)
{
	char *end;
	int irq;

	if (cfg->ignore_settings)
		return;
	fake_nbanned = 0;
	if (strncmp(arg, "NONE", 4) == 0)
		return;
	irq = (int)strtoul(arg, &end, 10);
	do
		fake_ban_one(irq);
	while ((irq = (int)strtoul(end, &end, 10)));
}

static void fake_setup(int s)
{
	char out[16384];
	size_t k;
	int i;

	k = (size_t)snprintf(out, sizeof(out), "SLEEP %d ", fake_sleep);
	for (i = 0; i < fake_nbanned; i++)
		k += (size_t)snprintf(out + k, sizeof(out) - k, "IRQ %d LOAD 0 DIFF 0 CLASS 0 ",
				      fake_banned[i]);
	k += (size_t)snprintf(out + k, sizeof(out) - k, "BANNED 00000000,00000003");
	if (send(s, out, k, MSG_NOSIGNAL) < 0)
		return;
}

static void fake_serve_one(int s, const struct fake_cfg *cfg)
{
	char buff[500], ctl[CMSG_SPACE(sizeof(struct ucred))];
	struct iovec iov = { buff, sizeof(buff) };
	struct msghdr mh = { 0 };
	struct cmsghdr *cm;
	struct ucred uc;
	ssize_t k;

	mh.msg_iov = &iov;
	mh.msg_iovlen = 1;
	mh.msg_control = ctl;
	mh.msg_controllen = sizeof(ctl);
	k = recvmsg(s, &mh, 0);
	if (k < 0)
		return;
	cm = CMSG_FIRSTHDR(&mh);
	if (!cm || cm->cmsg_level != SOL_SOCKET || cm->cmsg_type != SCM_CREDENTIALS)
		return;
	memcpy(&uc, CMSG_DATA(cm), sizeof(uc));
	if (uc.uid != cfg->want_uid)
		return;		/* "Permission denied for user to connect to socket." */
	fake_log(buff, (size_t)k);
	if (cfg->mode == FAKE_REPLY) {
		if (send(s, cfg->reply, strlen(cfg->reply), MSG_NOSIGNAL) < 0)
			return;
		return;
	}
	if (k >= 9 && strncmp(buff, "settings ", 9) == 0) {
		if (k >= 15 && strncmp(buff + 9, "sleep ", 6) == 0) {
			char num[32];

			snprintf(num, sizeof(num), "%.*s", (int)k - 15, buff + 15);
			if (atoi(num) >= 1)
				fake_sleep = atoi(num);
		} else if (k >= 18 && strncmp(buff + 9, "ban irqs ", 9) == 0) {
			char arg[512];

			snprintf(arg, sizeof(arg), "%.*s", (int)k - 18, buff + 18);
			fake_ban(arg, cfg);
		}
	}
	if (k >= 5 && strncmp(buff, "setup", 5) == 0)
		fake_setup(s);
}

static void fake_main(const struct fake_cfg *cfg, int ready)
{
	struct sockaddr_un sa;
	char rel[128];
	int ls, one = 1, i;

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	alarm(60);
	for (i = 0; i < cfg->ninitial; i++)
		fake_ban_one(cfg->initial[i]);
	if (cfg->bind_rel)
		snprintf(rel, sizeof(rel), "%s", cfg->bind_rel);
	else
		snprintf(rel, sizeof(rel), "run/irqbalance/irqbalance%d.sock", (int)getpid());
	ls = socket(AF_UNIX, SOCK_STREAM, 0);
	if (sock_addr(&sa, rel) < 0)
		_exit(2);
	if (cfg->abstract) {
		/* irqbalance 1.9.2: a zeroed sun_path, bound with sizeof(sockaddr_un) */
		memset(&sa, 0, sizeof(sa));
		sa.sun_family = AF_UNIX;
	}
	if (ls < 0 || bind(ls, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    setsockopt(ls, SOL_SOCKET, SO_PASSCRED, &one, sizeof(one)) < 0 || listen(ls, 1) < 0)
		_exit(2);
	if (write(ready, "x", 1) != 1)
		_exit(2);
	close(ready);
	if (cfg->mode == FAKE_NO_ACCEPT)
		for (;;)
			pause();
	for (;;) {
		int s = accept(ls, NULL, NULL);

		if (s < 0)
			continue;
		if (cfg->mode == FAKE_HANG)
			continue;	/* keep it open, never answer */
		if (cfg->mode != FAKE_CLOSE)
			fake_serve_one(s, cfg);
		close(s);
	}
}

/* ---- test side ---- */

static void fake_stop(void)
{
	if (fake_pid > 0) {
		kill(fake_pid, SIGKILL);
		waitpid(fake_pid, NULL, 0);
	}
	fake_pid = -1;
}

/* Fork the fake and wait until it listens; its pid, or -1. No cmocka here. */
static pid_t fake_spawn(const struct fake_cfg *cfg)
{
	struct pollfd p;
	int fds[2], ok;
	pid_t pid;
	char c;

	if (pipe(fds) < 0)
		return -1;
	pid = fork();
	if (pid == 0) {
		close(fds[0]);
		fake_main(cfg, fds[1]);
		_exit(0);
	}
	close(fds[1]);
	p.fd = fds[0];
	p.events = POLLIN;
	ok = pid > 0 && poll(&p, 1, 5000) == 1 && read(fds[0], &c, 1) == 1;
	close(fds[0]);
	if (!ok && pid > 0) {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
	}
	return ok ? pid : -1;
}

static void fake_start(const struct fake_cfg *cfg)
{
	fake_stop();	/* one left by a failed assertion */
	fake_pid = fake_spawn(cfg);
	assert_true(fake_pid > 0);
}

static void mkdirs(const char *rel)
{
	char path[512], cmd[600];

	snprintf(path, sizeof(path), "%s/%s", root_dir, rel);
	snprintf(cmd, sizeof(cmd), "mkdir -p '%s'", path);
	assert_int_equal(system(cmd), 0);
}

static int setup(void **state)
{
	(void)state;
	snprintf(root_dir, sizeof(root_dir), "/tmp/tn-irqb-XXXXXX");
	if (!mkdtemp(root_dir))
		return -1;
	mkdirs("run/irqbalance");
	mkdirs("proc");
	return tn_sysroot_open(root_dir, &root);
}

static int teardown(void **state)
{
	char cmd[300];

	(void)state;
	fake_stop();
	tn_sysroot_close(&root);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root_dir);
	return system(cmd) == 0 ? 0 : -1;
}

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* The commands the fake took, one a line. */
static char *cmdlog(void)
{
	static char buf[8192];
	char path[512];
	FILE *f;
	size_t n = 0;

	snprintf(path, sizeof(path), "%s/cmdlog", root_dir);
	f = fopen(path, "r");
	if (f) {
		n = fread(buf, 1, sizeof(buf) - 1, f);
		fclose(f);
	}
	buf[n] = '\0';
	return buf;
}

static void assert_banned(const int *want, int nwant)
{
	struct tn_diag dg = { 0 };
	int *got = NULL, n = -1, i;

	assert_int_equal(tn_irqbalance_get_banned(&root, fake_pid, &got, &n, fresh(&dg)), 0);
	assert_string_equal(dg.error, "");
	assert_int_equal(n, nwant);
	if (nwant == 0)
		assert_null(got);
	for (i = 0; i < nwant; i++)
		assert_int_equal(got[i], want[i]);
	free(got);
}

/* The --banirq list is read back; set replaces it; set of the same set sends nothing. */
static void test_set_get_clear(void **state)
{
	static const int initial[] = { 7 };
	struct fake_cfg cfg = { .mode = FAKE_IRQBALANCE, .want_uid = geteuid(),
				.initial = initial, .ninitial = 1 };
	const int placed[] = { 30, 24, 25, 24 }, sorted[] = { 24, 25, 30 };
	struct tn_diag dg = { 0 };

	(void)state;
	fake_start(&cfg);
	assert_banned(initial, 1);

	assert_int_equal(tn_irqbalance_set_banned(&root, fake_pid, placed, 4, fresh(&dg)), 1);
	assert_string_equal(dg.error, "");
	assert_banned(sorted, 3);
	assert_non_null(strstr(cmdlog(), "\nsettings ban irqs 24 25 30\n"));

	/* unchanged: only a "setup" goes out */
	size_t before = strlen(cmdlog());
	assert_int_equal(tn_irqbalance_set_banned(&root, fake_pid, sorted, 3, fresh(&dg)), 0);
	assert_string_equal(cmdlog() + before, "setup\n");

	/* clear */
	assert_int_equal(tn_irqbalance_set_banned(&root, fake_pid, NULL, 0, fresh(&dg)), 1);
	assert_non_null(strstr(cmdlog(), "\nsettings ban irqs NONE\n"));
	assert_banned(NULL, 0);

	/* rollback: the list read first, put back */
	assert_int_equal(tn_irqbalance_set_banned(&root, fake_pid, initial, 1, fresh(&dg)),
			 1);
	assert_banned(initial, 1);
	fake_stop();
}

/* irqbalance 1.9.2 stops parsing at a 0: IRQ 0 must come first. */
static void test_irq0_first(void **state)
{
	struct fake_cfg cfg = { .mode = FAKE_IRQBALANCE, .want_uid = geteuid() };
	const int irqs[] = { 9, 0, 5 }, sorted[] = { 0, 5, 9 };
	struct tn_diag dg = { 0 };

	(void)state;
	fake_start(&cfg);
	assert_int_equal(tn_irqbalance_set_banned(&root, fake_pid, irqs, 3, fresh(&dg)), 1);
	assert_non_null(strstr(cmdlog(), "settings ban irqs 0 5 9\n"));
	assert_banned(sorted, 3);
	fake_stop();
}

/* A daemon that drops the command: the read-back catches it. */
static void test_set_not_taken(void **state)
{
	struct fake_cfg cfg = { .mode = FAKE_IRQBALANCE, .want_uid = geteuid(),
				.ignore_settings = 1 };
	const int irqs[] = { 40, 41 };
	struct tn_diag dg = { 0 };

	(void)state;
	fake_start(&cfg);
	assert_int_equal(tn_irqbalance_set_banned(&root, fake_pid, irqs, 2, fresh(&dg)),
			 -EIO);
	assert_non_null(strstr(dg.error, "asked to ban IRQs 40 41, it reports none"));
	fake_stop();
}

static void test_no_socket(void **state)
{
	int sentinel = 99, *irqs = &sentinel, n = 99;
	struct tn_diag dg = { 0 };
	char want[512];

	(void)state;
	assert_int_equal(tn_irqbalance_get_banned(&root, 812, &irqs, &n, fresh(&dg)),
			 -ENOENT);
	snprintf(want, sizeof(want), "irqbalance 812: no control socket at %s/run/irqbalance/"
		 "irqbalance812.sock", root_dir);
	assert_memory_equal(dg.error, want, strlen(want));
	assert_ptr_equal(irqs, &sentinel);
	assert_int_equal(n, 99);
	assert_int_equal(tn_irqbalance_set_banned(&root, 812, &sentinel, 1, fresh(&dg)),
			 -ENOENT);
}

/* A socket file nobody listens on (irqbalance killed with SIGKILL). */
static void test_stale_socket(void **state)
{
	struct sockaddr_un sa;
	int s, *irqs = NULL, n = 0;
	struct tn_diag dg = { 0 };

	(void)state;
	assert_int_equal(sock_addr(&sa, "run/irqbalance/irqbalance813.sock"), 0);
	s = socket(AF_UNIX, SOCK_STREAM, 0);
	assert_true(s >= 0);
	assert_int_equal(bind(s, (struct sockaddr *)&sa, sizeof(sa)), 0);
	close(s);
	assert_int_equal(tn_irqbalance_get_banned(&root, 813, &irqs, &n, fresh(&dg)),
			 -ECONNREFUSED);
	assert_non_null(strstr(dg.error, "nobody listens"));

	/* and a regular file in its place */
	assert_int_equal(unlink(sa.sun_path), 0);
	s = open(sa.sun_path, O_CREAT | O_WRONLY, 0600);
	assert_true(s >= 0);
	close(s);
	assert_int_equal(tn_irqbalance_get_banned(&root, 813, &irqs, &n, fresh(&dg)),
			 -ENOTSOCK);
	unlink(sa.sun_path);
}

static int no_reply_errno(void)
{
	return geteuid() == 0 ? -EPROTO : -EACCES;
}

static void test_closes_without_reply(void **state)
{
	struct fake_cfg cfg = { .mode = FAKE_CLOSE, .want_uid = geteuid() };
	int sentinel = 5, *irqs = &sentinel, n = 77;
	struct tn_diag dg = { 0 };

	(void)state;
	fake_start(&cfg);
	assert_int_equal(tn_irqbalance_get_banned(&root, fake_pid, &irqs, &n, fresh(&dg)),
			 no_reply_errno());
	assert_non_null(strstr(dg.error, "closed the connection without answering"));
	assert_ptr_equal(irqs, &sentinel);
	assert_int_equal(n, 77);
	assert_int_equal(tn_irqbalance_set_banned(&root, fake_pid, &sentinel, 1, fresh(&dg)),
			 no_reply_errno());
	fake_stop();
}

/* The daemon's own credential check: a sender of another uid is dropped silently. */
static void test_wrong_uid(void **state)
{
	struct fake_cfg cfg = { .mode = FAKE_IRQBALANCE, .want_uid = geteuid() + 1 };
	int irqs[] = { 3 }, *got = NULL, n = 0;
	struct tn_diag dg = { 0 };

	(void)state;
	fake_start(&cfg);
	assert_int_equal(tn_irqbalance_get_banned(&root, fake_pid, &got, &n, fresh(&dg)),
			 no_reply_errno());
	assert_int_equal(tn_irqbalance_set_banned(&root, fake_pid, irqs, 1, fresh(&dg)),
			 no_reply_errno());
	assert_string_equal(cmdlog(), "");
	fake_stop();
}

static void expect_reply(const char *reply, int want_err, int want_n)
{
	struct fake_cfg cfg = { .mode = FAKE_REPLY, .want_uid = geteuid(), .reply = reply };
	int sentinel = 1, *irqs = &sentinel, n = -1;
	struct tn_diag dg = { 0 };

	fake_start(&cfg);
	assert_int_equal(tn_irqbalance_get_banned(&root, fake_pid, &irqs, &n, fresh(&dg)),
			 want_err);
	if (want_err == 0) {
		assert_int_equal(n, want_n);
		free(irqs);
	} else {
		assert_ptr_equal(irqs, &sentinel);
		assert_int_equal(n, -1);
		assert_non_null(strstr(dg.error, "cannot parse the \"setup\" reply"));
	}
	fake_stop();
}

static void test_replies(void **state)
{
	(void)state;
	expect_reply("HELLO WORLD\n", -EPROTO, 0);
	expect_reply("SLEEP 10 IRQ 5 LOAD 0", -EPROTO, 0);			/* cut short */
	expect_reply("SLEEP 10 IRQ 5 LOAD 0 DIFF 0 CLASS 0 ", -EPROTO, 0);	/* no BANNED */
	expect_reply("SLEEP 10 IRQ x LOAD 0 DIFF 0 CLASS 0 BANNED 0", -EPROTO, 0);
	expect_reply("SLEEP 10 IRQ -4 LOAD 0 DIFF 0 CLASS 0 BANNED 0", -EPROTO, 0);
	expect_reply("SLEEP ten BANNED 0", -EPROTO, 0);
	expect_reply("SLEEP 10 BANNED 00000000", 0, 0);
	expect_reply("SLEEP 10 IRQ 5 LOAD 12 DIFF 3 CLASS -1 IRQ 5 LOAD 0 DIFF 0 CLASS 4 "
		     "BANNED 0f NEWFIELD 1", 0, 1);
	/* a "settings" command that gets an answer is not irqbalance */
	{
		struct fake_cfg cfg = { .mode = FAKE_REPLY, .want_uid = geteuid(),
					.reply = "SLEEP 10 BANNED 0" };
		int irqs[] = { 4 };
		struct tn_diag dg = { 0 };

		fake_start(&cfg);
		assert_int_equal(tn_irqbalance_set_banned(&root, fake_pid, irqs, 1, fresh(&dg)),
				 -EPROTO);
		fake_stop();
	}
}

static void expect_timeout(const struct fake_cfg *cfg, int fill_backlog, const char *what)
{
	int *irqs = NULL, n = 0, fds[16], nfds = 0, i;
	struct tn_diag dg = { 0 };
	int64_t t0, dt;

	fake_start(cfg);
	if (fill_backlog) {
		char rel[64];
		struct sockaddr_un sa;

		snprintf(rel, sizeof(rel), "run/irqbalance/irqbalance%d.sock", (int)fake_pid);
		assert_int_equal(sock_addr(&sa, rel), 0);
		for (nfds = 0; nfds < 16; nfds++) {
			fds[nfds] = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0);
			if (connect(fds[nfds], (struct sockaddr *)&sa, sizeof(sa)) < 0) {
				assert_int_equal(errno, EAGAIN);
				close(fds[nfds]);
				break;
			}
		}
		assert_true(nfds < 16);
	}
	t0 = now_ms();
	assert_int_equal(tn_irqbalance_get_banned(&root, fake_pid, &irqs, &n, fresh(&dg)),
			 -ETIMEDOUT);
	dt = now_ms() - t0;
	assert_true(dt >= TN_IRQBALANCE_TIMEOUT_MS - 100);
	assert_true(dt < TN_IRQBALANCE_TIMEOUT_MS + 1000);
	assert_non_null(strstr(dg.error, what));
	for (i = 0; i < nfds; i++)
		close(fds[i]);
	fake_stop();
}

/* A hung daemon: accepted but never answered, or never accepted at all. */
static void test_timeouts(void **state)
{
	struct fake_cfg hang = { .mode = FAKE_HANG, .want_uid = geteuid() };
	struct fake_cfg deaf = { .mode = FAKE_NO_ACCEPT, .want_uid = geteuid() };

	(void)state;
	expect_timeout(&hang, 0, "no answer within");
	expect_timeout(&deaf, 1, "connect to");
}

static void test_bad_arguments(void **state)
{
	int big[200], neg[] = { 3, -1 }, *irqs = NULL, n = 0, i;
	struct tn_diag dg = { 0 };

	(void)state;
	assert_int_equal(tn_irqbalance_get_banned(&root, 0, &irqs, &n, fresh(&dg)), -EINVAL);
	assert_int_equal(tn_irqbalance_get_banned(&root, 812, NULL, &n, fresh(&dg)),
			 -EINVAL);
	assert_int_equal(tn_irqbalance_set_banned(&root, 812, neg, 2, fresh(&dg)), -EINVAL);
	assert_int_equal(tn_irqbalance_set_banned(&root, 812, NULL, 3, fresh(&dg)), -EINVAL);
	/* 200 four-digit IRQs do not fit in 500 bytes: refused before any socket is looked at */
	for (i = 0; i < 200; i++)
		big[i] = 1000 + i;
	assert_int_equal(tn_irqbalance_set_banned(&root, 812, big, 200, fresh(&dg)), -E2BIG);
	assert_non_null(strstr(dg.error, "do not fit"));
	/* d may be NULL */
	assert_int_equal(tn_irqbalance_get_banned(&root, 812, &irqs, &n, NULL), -ENOENT);
}

/* An absolute symlink in the tree resolves inside the tree, not on the host. */
static void test_symlink_stays_in_root(void **state)
{
	struct fake_cfg cfg = { .mode = FAKE_IRQBALANCE, .want_uid = geteuid(),
				.bind_rel = "elsewhere/daemon.sock" };
	char link[512];
	const int irqs[] = { 11 };
	struct tn_diag dg = { 0 };

	(void)state;
	mkdirs("elsewhere");
	fake_start(&cfg);
	snprintf(link, sizeof(link), "%s/run/irqbalance/irqbalance%d.sock", root_dir,
		 (int)fake_pid);
	assert_int_equal(symlink("/elsewhere/daemon.sock", link), 0);
	assert_int_equal(tn_irqbalance_set_banned(&root, fake_pid, irqs, 1, fresh(&dg)), 1);
	assert_banned(irqs, 1);
	unlink(link);
	fake_stop();
}

/*
 * On the host root, a missing file socket falls back to irqbalance's abstract
 * name, and the peer must be the pid asked about. Run in a child inside a new
 * network namespace (abstract names are per namespace), so that nothing of
 * the host's is bound or reached; the host file tree is only looked up.
 */
static int abstract_child(void)
{
	struct fake_cfg cfg = { .mode = FAKE_IRQBALANCE, .want_uid = geteuid(), .abstract = 1 };
	struct tn_sysroot host;
	const int irqs[] = { 21, 22 };
	int *got = NULL, n = 0, rc = 0;
	struct tn_diag dg = { 0 };
	pid_t pid;

	if (unshare(CLONE_NEWNET) < 0)
		return 77;
	if (tn_sysroot_open("/", &host) < 0 || !host.is_host)
		return 10;
	pid = fake_spawn(&cfg);
	if (pid <= 0)
		return 11;
	if (tn_irqbalance_set_banned(&host, pid, irqs, 2, fresh(&dg)) != 1)
		rc = 12;
	else if (tn_irqbalance_get_banned(&host, pid, &got, &n, fresh(&dg)) != 0 || n != 2 ||
		 got[0] != 21 || got[1] != 22)
		rc = 13;
	/* a pid above any pid_max: no file socket, and the abstract peer is someone else */
	else if (tn_irqbalance_get_banned(&host, 2000000000, &got, &n, fresh(&dg)) !=
			 -ESRCH ||
		 !strstr(dg.error, "belongs to pid"))
		rc = 14;
	free(got);
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	tn_sysroot_close(&host);
	return rc;
}

static void test_abstract_fallback(void **state)
{
	pid_t pid;
	int st;

	(void)state;
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0)
		_exit(abstract_child());
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFEXITED(st));
	if (WEXITSTATUS(st) == 77)
		skip();	/* no CAP_SYS_ADMIN for a network namespace */
	assert_int_equal(WEXITSTATUS(st), 0);
}

static int clear_log(void **state)
{
	char path[512];

	(void)state;
	snprintf(path, sizeof(path), "%s/cmdlog", root_dir);
	unlink(path);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_set_get_clear, clear_log),
		cmocka_unit_test_setup(test_irq0_first, clear_log),
		cmocka_unit_test_setup(test_set_not_taken, clear_log),
		cmocka_unit_test(test_no_socket),
		cmocka_unit_test(test_stale_socket),
		cmocka_unit_test(test_closes_without_reply),
		cmocka_unit_test_setup(test_wrong_uid, clear_log),
		cmocka_unit_test(test_replies),
		cmocka_unit_test(test_timeouts),
		cmocka_unit_test(test_bad_arguments),
		cmocka_unit_test(test_symlink_stays_in_root),
		cmocka_unit_test(test_abstract_fallback),
	};

	signal(SIGPIPE, SIG_IGN);
	return cmocka_run_group_tests(tests, setup, teardown);
}
