/* SPDX-License-Identifier: MIT */
/*
 * tnvm-load: the senders and receivers of the effect scenarios (tests/vm/
 * scenarios/1x-effect-*.sh). They run only inside the guest, in the network
 * namespaces a scenario creates; every mode is bounded in packets and
 * seconds (an alarm ends the process after its time limit). Built by
 * tests/vm/run.sh with gcc -static.
 *
 *   tnvm-load udp-send DST PORT COUNT SIZE BURSTS GAP_MS SNDBUF
 *       BURSTS bursts of COUNT datagrams of SIZE bytes to DST:PORT, GAP_MS
 *       apart; SO_BROADCAST set; SNDBUF > 0: SO_SNDBUFFORCE to it (veth
 *       charges a datagram to the sender until the receiving CPU processed
 *       it, so a burst needs room there). Prints the datagrams sent.
 *   tnvm-load udp-sink PORT NSOCK SECS
 *       NSOCK sockets bound to *:PORT (SO_REUSEADDR), never read, for SECS:
 *       a broadcast datagram is cloned to each, which makes the receive
 *       side slow. Prints "ready" once bound.
 *   tnvm-load udp-recv PORT SLEEP RCVBUF SECS
 *       one socket on *:PORT (RCVBUF > 0: SO_RCVBUF to it, which the kernel
 *       caps at net.core.rmem_max), prints "ready", sleeps SLEEP seconds or
 *       until a SIGUSR1 (the scenario's: the sender is done), then reads
 *       until nothing came for 300 ms; prints the datagrams read.
 *   tnvm-load tcp-recv PORT SLEEP SECS
 *       accepts one connection on *:PORT, prints "ready" before, sleeps
 *       SLEEP seconds after the accept (or until a SIGUSR1), then reads to
 *       EOF; prints the bytes.
 *   tnvm-load tcp-send DST PORT COUNT
 *       connects, TCP_NODELAY, COUNT writes of one byte; prints the bytes.
 *
 * SECS (at most 120) bounds the whole process: an alarm 2 s after it ends it. Exit 0 done, 1 error (on
 * stderr), 2 usage.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_SECS 120
#define MAX_COUNT 1000000L
#define MAX_SOCKS 1000

static const char *prog = "tnvm-load";

static void die(const char *what)
{
	fprintf(stderr, "%s: %s: %s\n", prog, what, strerror(errno));
	exit(1);
}

static long num(const char *s, long lo, long hi, const char *what)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < lo || v > hi) {
		fprintf(stderr, "%s: %s '%s': want %ld to %ld\n", prog, what, s, lo, hi);
		exit(2);
	}
	return v;
}

static struct sockaddr_in addr(const char *ip, long port)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };

	if (!ip)
		a.sin_addr.s_addr = htonl(INADDR_ANY);
	else if (inet_pton(AF_INET, ip, &a.sin_addr) != 1) {
		fprintf(stderr, "%s: bad IPv4 address '%s'\n", prog, ip);
		exit(2);
	}
	return a;
}

static volatile sig_atomic_t woken;

static void on_usr1(int sig)
{
	(void)sig;
	woken = 1;
}

static void msleep(long ms)
{
	struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L };

	while (!woken && nanosleep(&ts, &ts) && errno == EINTR)
		;
}

static void ready(void)
{
	puts("ready");
	fflush(stdout);
}

static int udp_bound(long port, int reuse)
{
	struct sockaddr_in a = addr(NULL, port);
	int fd = socket(AF_INET, SOCK_DGRAM, 0), one = 1;

	if (fd < 0)
		die("socket");
	if (reuse && setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)))
		die("SO_REUSEADDR");
	if (bind(fd, (struct sockaddr *)&a, sizeof(a)))
		die("bind");
	return fd;
}

static int udp_send(char **av)
{
	struct sockaddr_in dst = addr(av[0], num(av[1], 1, 65535, "port"));
	long count = num(av[2], 1, MAX_COUNT, "count"), size = num(av[3], 1, 65000, "size");
	long bursts = num(av[4], 1, 1000, "bursts"), gap = num(av[5], 0, 10000, "gap_ms");
	long sndbuf = num(av[6], 0, INT_MAX, "sndbuf"), sent = 0;
	int fd = socket(AF_INET, SOCK_DGRAM, 0), one = 1, v = (int)sndbuf;
	static char buf[65000];

	if (fd < 0)
		die("socket");
	if (setsockopt(fd, SOL_SOCKET, SO_BROADCAST, &one, sizeof(one)))
		die("SO_BROADCAST");
	if (sndbuf && setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &v, sizeof(v)))
		die("SO_SNDBUFFORCE");
	memset(buf, 'x', (size_t)size);
	for (long b = 0; b < bursts; b++) {
		if (b)
			msleep(gap);
		for (long i = 0; i < count; i++) {
			if (sendto(fd, buf, (size_t)size, 0, (struct sockaddr *)&dst, sizeof(dst)) < 0) {
				if (errno == ENOBUFS || errno == EAGAIN)
					continue;	/* not sent: not counted */
				die("sendto");
			}
			sent++;
		}
	}
	printf("%ld\n", sent);
	return 0;
}

static int udp_sink(char **av)
{
	long port = num(av[0], 1, 65535, "port"), n = num(av[1], 1, MAX_SOCKS, "sockets");
	long secs = num(av[2], 1, MAX_SECS, "secs");

	for (long i = 0; i < n; i++)
		udp_bound(port, 1);
	ready();
	msleep(secs * 1000);
	return 0;
}

static int udp_recv(char **av)
{
	long port = num(av[0], 1, 65535, "port"), slp = num(av[1], 0, MAX_SECS, "sleep");
	long rcvbuf = num(av[2], 0, INT_MAX, "rcvbuf"), got = 0;
	int fd = udp_bound(port, 0), v = (int)rcvbuf;
	struct pollfd p = { .fd = fd, .events = POLLIN };
	struct sigaction sa = { .sa_handler = on_usr1 };
	static char buf[65536];

	if (rcvbuf && setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &v, sizeof(v)))
		die("SO_RCVBUF");
	if (sigaction(SIGUSR1, &sa, NULL))	/* no SA_RESTART: wakes the sleep */
		die("sigaction");
	ready();
	msleep(slp * 1000);
	while (poll(&p, 1, 300) == 1) {
		if (recv(fd, buf, sizeof(buf), 0) < 0)
			die("recv");
		got++;
	}
	printf("%ld\n", got);
	return 0;
}

static int tcp_recv(char **av)
{
	long port = num(av[0], 1, 65535, "port"), slp = num(av[1], 0, MAX_SECS, "sleep");
	struct sockaddr_in a = addr(NULL, port);
	int lfd = socket(AF_INET, SOCK_STREAM, 0), fd, one = 1;
	long total = 0;
	ssize_t r;
	struct sigaction sa = { .sa_handler = on_usr1 };
	static char buf[65536];

	if (lfd < 0)
		die("socket");
	if (setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)))
		die("SO_REUSEADDR");
	if (bind(lfd, (struct sockaddr *)&a, sizeof(a)) || listen(lfd, 1))
		die("bind/listen");
	if (sigaction(SIGUSR1, &sa, NULL))	/* no SA_RESTART: wakes the sleep */
		die("sigaction");
	ready();
	while ((fd = accept(lfd, NULL, NULL)) < 0)
		if (errno != EINTR)
			die("accept");
	msleep(slp * 1000);
	while ((r = read(fd, buf, sizeof(buf))) > 0)
		total += r;
	if (r < 0)
		die("read");
	printf("%ld\n", total);
	return 0;
}

static int tcp_send(char **av)
{
	struct sockaddr_in dst = addr(av[0], num(av[1], 1, 65535, "port"));
	long count = num(av[2], 1, MAX_COUNT, "count"), sent = 0;
	int fd = socket(AF_INET, SOCK_STREAM, 0), one = 1;

	if (fd < 0)
		die("socket");
	if (setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one)))
		die("TCP_NODELAY");
	if (connect(fd, (struct sockaddr *)&dst, sizeof(dst)))
		die("connect");
	for (; sent < count; sent++)
		if (write(fd, "x", 1) != 1)
			die("write");
	if (close(fd))
		die("close");
	printf("%ld\n", sent);
	return 0;
}

static const struct {
	const char *name;
	int nargs;		/* after the mode */
	int secs_arg;		/* index of SECS, -1: none (then MAX_SECS) */
	int (*fn)(char **);
} modes[] = {
	{ "udp-send", 7, -1, udp_send }, { "udp-sink", 3, 2, udp_sink },
	{ "udp-recv", 4, 3, udp_recv },	 { "tcp-recv", 3, 2, tcp_recv },
	{ "tcp-send", 3, -1, tcp_send },
};

int main(int argc, char **argv)
{
	for (size_t i = 0; argc >= 2 && i < sizeof(modes) / sizeof(modes[0]); i++) {
		if (strcmp(argv[1], modes[i].name))
			continue;
		if (argc - 2 != modes[i].nargs)
			break;
		alarm(modes[i].secs_arg < 0 ? MAX_SECS
					    : (unsigned)num(argv[2 + modes[i].secs_arg], 1,
							    MAX_SECS, "secs") + 2);
		return modes[i].fn(argv + 2);
	}
	fprintf(stderr, "usage: %s udp-send|udp-sink|udp-recv|tcp-recv|tcp-send ARGS "
			"(see the source's header)\n", prog);
	return 2;
}
