/* SPDX-License-Identifier: MIT */
/*
 * A client for irqbalance 1.9's control socket (see irqbalance.h for the
 * protocol and where it was read). Our own code: one short-lived connection
 * per command, a deadline over the whole exchange, a strict reply parser.
 */
#include "irqbalance.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#define TN_IRQB_REPLY_MAX (1u << 20)

struct irqb {
	const struct tn_sysroot *root;
	int pid;
	struct tn_diag *d; /* the first failure, "irqbalance <pid>: ..." */
	int64_t deadline;  /* CLOCK_MONOTONIC, ms */
	char rel[64];	   /* run/irqbalance/irqbalance<pid>.sock */
	char shown[4200];  /* the same, as a person would find it */
};

static int irqb_fail(struct irqb *c, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int irqb_fail(struct irqb *c, int err, const char *fmt, ...)
{
	char text[TN_DIAG_MSG_MAX];
	va_list ap;

	if (!c->d)
		return err;
	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	return tn_diag_error(c->d, err, "irqbalance %d: %s", c->pid, text);
}

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int irqb_left_ms(const struct irqb *c)
{
	int64_t left = c->deadline - now_ms();

	return left > 0 ? (int)left : 0;
}

static int irqb_init(struct irqb *c, const struct tn_sysroot *root, int pid, struct tn_diag *d)
{
	memset(c, 0, sizeof(*c));
	c->root = root;
	c->pid = pid;
	c->d = d;
	if (!root || pid <= 0)
		return irqb_fail(c, -EINVAL, "invalid sysroot or pid");
	snprintf(c->rel, sizeof(c->rel), "run/irqbalance/irqbalance%d.sock", pid);
	snprintf(c->shown, sizeof(c->shown), "%s/%s", root->is_host ? "" : root->path, c->rel);
	return 0;
}

/* connect() bounded by the deadline: a full backlog makes a UNIX connect() wait. */
static int irqb_connect_addr(struct irqb *c, int s, const struct sockaddr_un *sa, socklen_t len)
{
	for (;;) {
		int ms = irqb_left_ms(c);
		struct timeval tv = { .tv_sec = ms / 1000, .tv_usec = (ms % 1000) * 1000 };

		if (ms <= 0)
			return -ETIMEDOUT;
		if (setsockopt(s, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)) < 0)
			return -errno;
		if (connect(s, (const struct sockaddr *)sa, len) == 0)
			return 0;
		if (errno == EINTR)
			continue;
		return errno == EAGAIN || errno == EWOULDBLOCK ? -ETIMEDOUT : -errno;
	}
}

/* On the host only: the peer must be the daemon we were asked about. */
static int irqb_check_peer(struct irqb *c, int s)
{
	struct ucred uc;
	socklen_t len = sizeof(uc);

	if (!c->root->is_host)
		return 0;
	if (getsockopt(s, SOL_SOCKET, SO_PEERCRED, &uc, &len) < 0)
		return irqb_fail(c, -errno, "SO_PEERCRED: %s", strerror(errno));
	/* 0: the peer is outside our pid namespace; nothing to compare. */
	if (uc.pid != 0 && uc.pid != c->pid)
		return irqb_fail(c, -ESRCH, "the control socket belongs to pid %d", (int)uc.pid);
	return 0;
}

static int irqb_connect_abstract(struct irqb *c, int s)
{
	/* irqbalance's fallback name: a zeroed sun_path, bound with sizeof(sockaddr_un). */
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int r = irqb_connect_addr(c, s, &sa, sizeof(sa));

	if (r == -ECONNREFUSED || r == -ENOENT)
		return irqb_fail(c, -ENOENT,
				 "no control socket at %s nor in the abstract namespace "
				 "(irqbalance not running, or without irqbalance-ui support)",
				 c->shown);
	if (r == -ETIMEDOUT)
		return irqb_fail(c, r, "connect to the abstract control socket timed out");
	if (r < 0)
		return irqb_fail(c, r, "connect to the abstract control socket: %s", strerror(-r));
	return 0;
}

static int irqb_connect_file(struct irqb *c, int s, int pathfd)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct stat st;
	int r;

	if (fstat(pathfd, &st) < 0)
		return irqb_fail(c, -errno, "%s: %s", c->shown, strerror(errno));
	if (!S_ISSOCK(st.st_mode))
		return irqb_fail(c, -ENOTSOCK, "%s is not a socket", c->shown);
	/* The O_PATH descriptor was resolved inside the root; connect through it. */
	snprintf(sa.sun_path, sizeof(sa.sun_path), "/proc/self/fd/%d", pathfd);
	r = irqb_connect_addr(c, s, &sa, sizeof(sa));
	if (r == -ECONNREFUSED)
		return irqb_fail(c, r, "nobody listens on %s (stale socket of a dead irqbalance?)",
				 c->shown);
	if (r == -ETIMEDOUT)
		return irqb_fail(c, r, "connect to %s timed out after %d ms (daemon hung?)",
				 c->shown, TN_IRQBALANCE_TIMEOUT_MS);
	if (r == -ENOENT)
		return irqb_fail(c, r, "cannot reach %s through /proc/self/fd (no /proc?)",
				 c->shown);
	if (r < 0)
		return irqb_fail(c, r, "connect to %s: %s", c->shown, strerror(-r));
	return 0;
}

/* A connected socket, or -errno with the reason in c->d. */
static int irqb_connect(struct irqb *c)
{
	int s, pathfd, r;

	s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (s < 0)
		return irqb_fail(c, -errno, "socket: %s", strerror(errno));
	pathfd = tn_sysroot_openat(c->root, c->rel, O_PATH, 0);
	if (pathfd >= 0) {
		r = irqb_connect_file(c, s, pathfd);
		close(pathfd);
	} else if (pathfd == -ENOENT && c->root->is_host) {
		r = irqb_connect_abstract(c, s);
	} else if (pathfd == -ENOENT) {
		r = irqb_fail(c, -ENOENT,
			      "no control socket at %s (irqbalance not running, "
			      "or without irqbalance-ui support)",
			      c->shown);
	} else {
		r = irqb_fail(c, pathfd, "%s: %s", c->shown, strerror(-pathfd));
	}
	if (r == 0)
		r = irqb_check_peer(c, s);
	if (r < 0) {
		close(s);
		return r;
	}
	return s;
}

/*
 * One sendmsg() with our credentials (irqbalance reads one recvmsg() and wants
 * SCM_CREDENTIALS with uid 0). Returns 1 when sent, 0 when the daemon had
 * already closed the connection, or -errno.
 */
static int irqb_send(struct irqb *c, int s, const char *cmd, size_t len)
{
	union {
		char buf[CMSG_SPACE(sizeof(struct ucred))];
		struct cmsghdr align;
	} ctl;
	struct ucred uc = { .pid = getpid(), .uid = geteuid(), .gid = getegid() };
	struct iovec iov = { .iov_base = (void *)cmd, .iov_len = len };
	struct msghdr mh = {
		.msg_iov = &iov,
		.msg_iovlen = 1,
		.msg_control = ctl.buf,
		.msg_controllen = sizeof(ctl.buf),
	};
	struct cmsghdr *cm;
	ssize_t k;

	memset(&ctl, 0, sizeof(ctl));
	cm = CMSG_FIRSTHDR(&mh);
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_CREDENTIALS;
	cm->cmsg_len = CMSG_LEN(sizeof(uc));
	memcpy(CMSG_DATA(cm), &uc, sizeof(uc));
	do
		k = sendmsg(s, &mh, MSG_NOSIGNAL);
	while (k < 0 && errno == EINTR);
	if (k < 0 && (errno == EPIPE || errno == ECONNRESET))
		return 0;
	if (k < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
		return irqb_fail(c, -ETIMEDOUT, "sending the command timed out");
	if (k < 0)
		return irqb_fail(c, -errno, "send: %s", strerror(errno));
	if ((size_t)k != len)
		return irqb_fail(c, -EIO, "short send (%zd of %zu bytes)", k, len);
	return 1;
}

static int irqb_grow(char **buf, size_t *cap)
{
	size_t ncap = *cap ? *cap * 2 : 4096;
	char *nb = realloc(*buf, ncap);

	if (!nb)
		return -ENOMEM;
	*buf = nb;
	*cap = ncap;
	return 0;
}

/* Everything until the daemon closes, NUL-terminated, within the deadline. */
static int irqb_recv_all(struct irqb *c, int s, char **out, size_t *outlen)
{
	char *buf = NULL;
	size_t cap = 0, n = 0;
	int r = 0;

	for (;;) {
		struct pollfd p = { .fd = s, .events = POLLIN };
		ssize_t k;
		int pr;

		if (n + 1 >= cap && (r = irqb_grow(&buf, &cap)) < 0) {
			irqb_fail(c, r, "out of memory");
			break;
		}
		pr = poll(&p, 1, irqb_left_ms(c));
		if (pr < 0 && errno == EINTR)
			continue;
		if (pr < 0) {
			r = irqb_fail(c, -errno, "poll: %s", strerror(errno));
			break;
		}
		if (pr == 0) {
			r = irqb_fail(c, -ETIMEDOUT, "no answer within %d ms (daemon hung?)",
				      TN_IRQBALANCE_TIMEOUT_MS);
			break;
		}
		k = recv(s, buf + n, cap - n - 1, MSG_DONTWAIT);
		if (k < 0 && (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK))
			continue;
		/* Closed with our command unread: the same as closed without a reply. */
		if (k == 0 || (k < 0 && errno == ECONNRESET))
			break;
		if (k < 0) {
			r = irqb_fail(c, -errno, "recv: %s", strerror(errno));
			break;
		}
		n += (size_t)k;
		if (n > TN_IRQB_REPLY_MAX) {
			r = irqb_fail(c, -EPROTO, "reply longer than %u bytes", TN_IRQB_REPLY_MAX);
			break;
		}
	}
	if (r < 0) {
		free(buf);
		return r;
	}
	buf[n] = '\0';
	*out = buf;
	*outlen = n;
	return 0;
}

/* Connect, send cmd, read until the daemon closes. */
static int irqb_exchange(struct irqb *c, const char *cmd, char **reply, size_t *len)
{
	int s, r;

	c->deadline = now_ms() + TN_IRQBALANCE_TIMEOUT_MS;
	s = irqb_connect(c);
	if (s < 0)
		return s;
	r = irqb_send(c, s, cmd, strlen(cmd));
	if (r == 0) {
		*reply = strdup("");
		*len = 0;
		r = *reply ? 0 : irqb_fail(c, -ENOMEM, "out of memory");
	} else if (r > 0) {
		r = irqb_recv_all(c, s, reply, len);
	}
	close(s);
	return r;
}

/* The next space-separated token of *p, NUL-terminated in place; NULL at the end. */
static char *irqb_token(char **p)
{
	char *t = *p, *e;

	while (*t == ' ')
		t++;
	if (!*t) {
		*p = t;
		return NULL;
	}
	e = t;
	while (*e && *e != ' ')
		e++;
	if (*e)
		*e++ = '\0';
	*p = e;
	return t;
}

/* A whole token of decimal digits, optionally negative, that fits in long long. */
static bool irqb_number(const char *t, long long *out)
{
	const char *d = t + (*t == '-');
	char *end;

	if (!*d || strspn(d, "0123456789") != strlen(d) || strlen(d) > 19)
		return false;
	errno = 0;
	*out = strtoll(t, &end, 10);
	return errno == 0 && *end == '\0';
}

/* "KEY <number>" at *p. */
static bool irqb_field(char **p, const char *key, long long *out)
{
	char *t = irqb_token(p);

	if (!t || strcmp(t, key) != 0)
		return false;
	t = irqb_token(p);
	return t && irqb_number(t, out);
}

/* Sort ascending and drop duplicates; returns the new count. */
static int irqb_canon(int *v, int n)
{
	int i, k = 0;

	if (n <= 0)
		return 0;
	qsort(v, (size_t)n, sizeof(*v), tn_util_cmp_int);
	for (i = 0; i < n; i++)
		if (k == 0 || v[k - 1] != v[i])
			v[k++] = v[i];
	return k;
}

/* The reply, shortened and made printable, for an error message. */
static void irqb_quote(const char *reply, char *buf, size_t len)
{
	size_t i, max = len > 4 ? len - 4 : 0;

	if (max > 60)
		max = 60;
	for (i = 0; reply[i] && i < max; i++)
		buf[i] = (reply[i] >= 0x20 && reply[i] < 0x7f) ? reply[i] : '?';
	buf[i] = '\0';
	if (reply[i] && len >= 4)
		strcat(buf, "...");
}

static int irqb_bad_reply(struct irqb *c, const char *reply, const char *what)
{
	char q[80];

	irqb_quote(reply, q, sizeof(q));
	return irqb_fail(c, -EPROTO, "cannot parse the \"setup\" reply (%s): \"%s\"", what, q);
}

/*
 * "SLEEP <s> [IRQ <n> LOAD <l> DIFF <d> CLASS <c> ]... BANNED <cpumask>"; what
 * follows the mask is ignored, so that a later irqbalance may append fields.
 */
static int irqb_parse_setup(struct irqb *c, const char *reply, int **irqs, int *n)
{
	char *copy, *p, *t;
	int *v = NULL, cnt = 0, cap = 0, r = 0;
	long long num;

	if (!*reply) {
		uid_t uid = geteuid();

		if (uid != 0)
			return irqb_fail(c, -EACCES,
					 "closed the connection without answering: it takes "
					 "commands only from uid 0, and we are uid %u",
					 (unsigned)uid);
		return irqb_fail(c, -EPROTO, "closed the connection without answering \"setup\"");
	}
	copy = strdup(reply);
	if (!copy)
		return irqb_fail(c, -ENOMEM, "out of memory");
	for (p = copy; *p; p++)
		if (*p == '\n' || *p == '\t' || *p == '\r')
			*p = ' ';
	p = copy;
	if (!irqb_field(&p, "SLEEP", &num)) {
		r = irqb_bad_reply(c, reply, "no SLEEP");
		goto out;
	}
	for (;;) {
		t = irqb_token(&p);
		if (!t) {
			r = irqb_bad_reply(c, reply, "no BANNED");
			goto out;
		}
		if (strcmp(t, "BANNED") == 0)
			break;
		if (strcmp(t, "IRQ") != 0 || !(t = irqb_token(&p)) || !irqb_number(t, &num) ||
		    num < 0 || num > INT_MAX) {
			r = irqb_bad_reply(c, reply, "expected IRQ <number>");
			goto out;
		}
		if (cnt == cap) {
			int ncap = cap ? cap * 2 : 16;
			int *nv = realloc(v, (size_t)ncap * sizeof(*v));

			if (!nv) {
				r = irqb_fail(c, -ENOMEM, "out of memory");
				goto out;
			}
			v = nv;
			cap = ncap;
		}
		v[cnt++] = (int)num;
		if (!irqb_field(&p, "LOAD", &num) || !irqb_field(&p, "DIFF", &num) ||
		    !irqb_field(&p, "CLASS", &num)) {
			r = irqb_bad_reply(c, reply, "expected LOAD, DIFF and CLASS");
			goto out;
		}
	}
	cnt = irqb_canon(v, cnt);
	if (cnt == 0) {
		free(v);
		v = NULL;
	}
	*irqs = v;
	*n = cnt;
	v = NULL;
out:
	free(v);
	free(copy);
	return r;
}

static int irqb_get(struct irqb *c, int **irqs, int *n)
{
	char *reply = NULL;
	size_t len = 0;
	int r;

	r = irqb_exchange(c, "setup", &reply, &len);
	if (r < 0)
		return r;
	r = irqb_parse_setup(c, reply, irqs, n);
	free(reply);
	return r;
}

int tn_irqbalance_get_banned(const struct tn_sysroot *root, int pid, int **irqs, int *n,
			     struct tn_diag *d)
{
	struct irqb c;
	int r = irqb_init(&c, root, pid, d);

	if (r < 0)
		return r;
	if (!irqs || !n)
		return irqb_fail(&c, -EINVAL, "no place for the result");
	return irqb_get(&c, irqs, n);
}

/* "settings ban irqs 24 25 26" or "settings ban irqs NONE"; -E2BIG past 500 bytes. */
static int irqb_ban_cmd(struct irqb *c, const int *v, int n, char *buf, size_t len)
{
	size_t k;
	int i;

	k = (size_t)snprintf(buf, len, TN_IRQBALANCE_BAN_PREFIX "%s", n ? "" : "NONE");
	/*
	 * irqbalance 1.9.2 parses with strtoul() until it reads a 0, so IRQ 0
	 * is taken only in first place: ascending order puts it there.
	 */
	for (i = 0; i < n && k < len; i++)
		k += (size_t)snprintf(buf + k, len - k, "%s%d", i ? " " : "", v[i]);
	if (k > TN_IRQBALANCE_CMD_MAX || k >= len)
		return irqb_fail(c, -E2BIG, "%d IRQs do not fit in one %d-byte command (%zu bytes)",
				 n, TN_IRQBALANCE_CMD_MAX, k);
	return 0;
}

static bool irqb_same(const int *a, int na, const int *b, int nb)
{
	return na == nb && (na == 0 || memcmp(a, b, (size_t)na * sizeof(*a)) == 0);
}

/* "24 25 26" for a message, shortened. */
static void irqb_list(const int *v, int n, char *buf, size_t len)
{
	size_t k = 0;
	int i;

	buf[0] = '\0';
	if (n == 0)
		snprintf(buf, len, "none");
	for (i = 0; i < n && k + 16 < len; i++)
		k += (size_t)snprintf(buf + k, len - k, "%s%d", i ? " " : "", v[i]);
	if (i < n)
		snprintf(buf + k, len - k, " ...");
}

int tn_irqbalance_set_banned(const struct tn_sysroot *root, int pid, const int *irqs, int n,
			     struct tn_diag *d)
{
	struct irqb c;
	char cmd[TN_IRQBALANCE_CMD_MAX + 32], want_s[128], got_s[128];
	char *reply = NULL;
	size_t len;
	int *want = NULL, *cur = NULL, *got = NULL, ncur = 0, ngot = 0, i, r;

	r = irqb_init(&c, root, pid, d);
	if (r < 0)
		return r;
	if (n < 0 || (n > 0 && !irqs))
		return irqb_fail(&c, -EINVAL, "invalid IRQ list");
	for (i = 0; i < n; i++)
		if (irqs[i] < 0)
			return irqb_fail(&c, -EINVAL, "invalid IRQ %d", irqs[i]);
	if (n > 0) {
		want = malloc((size_t)n * sizeof(*want));
		if (!want)
			return irqb_fail(&c, -ENOMEM, "out of memory");
		memcpy(want, irqs, (size_t)n * sizeof(*want));
	}
	n = irqb_canon(want, n);
	r = irqb_ban_cmd(&c, want, n, cmd, sizeof(cmd));
	if (r < 0)
		goto out;
	r = irqb_get(&c, &cur, &ncur);
	if (r < 0)
		goto out;
	if (irqb_same(want, n, cur, ncur)) {
		r = 0;
		goto out;
	}
	r = irqb_exchange(&c, cmd, &reply, &len);
	if (r < 0)
		goto out;
	if (len) {
		r = irqb_bad_reply(&c, reply, "irqbalance answers nothing to \"settings\"");
		goto out;
	}
	/* Read back what we wrote: the daemon drops a command it refuses without a word. */
	r = irqb_get(&c, &got, &ngot);
	if (r < 0)
		goto out;
	if (!irqb_same(want, n, got, ngot)) {
		irqb_list(want, n, want_s, sizeof(want_s));
		irqb_list(got, ngot, got_s, sizeof(got_s));
		r = irqb_fail(&c, -EIO, "asked to ban IRQs %s, it reports %s", want_s, got_s);
		goto out;
	}
	r = 1;
out:
	free(reply);
	free(want);
	free(cur);
	free(got);
	return r;
}
