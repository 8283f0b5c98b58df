/* SPDX-License-Identifier: MIT */
/*
 * tnvm-irqb: send one command to a running irqbalance's control socket and
 * print the reply; the guest's way to ask the daemon itself what it does
 * (scenario 07-irqbalance), independently of tuner. Built by tests/vm/run.sh
 * with gcc -static.
 *
 *   tnvm-irqb [-n] SOCKET COMMAND
 *
 * SOCKET  a path (irqbalance 1.9: /run/irqbalance/irqbalance<pid>.sock), or
 *         "@" for the abstract fallback irqbalance binds when that path
 *         cannot be: an all-zero sun_path, address length sizeof(sockaddr_un).
 * COMMAND sent as one message, e.g. "setup" or "settings ban irqs 24 25".
 * -n      send no SCM_CREDENTIALS of our own. irqbalance sets SO_PASSCRED on
 *         its socket, so the kernel should attach ours anyway; -n checks that.
 *
 * irqbalance reads one message per connection, answers (or not: "settings"
 * get no reply, a sender that is not uid 0 gets none either) and closes.
 * The reply is written to stdout as received, followed by one newline when it
 * is not empty. Exit 0 once the command was sent and the daemon closed the
 * connection (whatever it answered), 1 on an error (on stderr; 3 s budget for
 * the whole exchange), 2 usage.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#define BUDGET_MS 3000

int main(int argc, char **argv)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	union {
		char buf[CMSG_SPACE(sizeof(struct ucred))];
		struct cmsghdr align;
	} ctl;
	struct ucred uc = { .pid = getpid(), .uid = geteuid(), .gid = getegid() };
	struct iovec iov;
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
	struct timeval tv = { .tv_sec = BUDGET_MS / 1000 };
	const char *path, *cmd;
	int creds = 1, s, got = 0;
	char buf[4096];

	if (argc == 4 && strcmp(argv[1], "-n") == 0) {
		creds = 0;
		argv++;
		argc--;
	}
	if (argc != 3) {
		fprintf(stderr, "usage: tnvm-irqb [-n] SOCKET|@ COMMAND\n");
		return 2;
	}
	path = argv[1];
	cmd = argv[2];
	if (strcmp(path, "@") != 0) {
		if (strlen(path) >= sizeof(sa.sun_path)) {
			fprintf(stderr, "tnvm-irqb: socket path too long\n");
			return 2;
		}
		strcpy(sa.sun_path, path);
	}
	s = socket(AF_UNIX, SOCK_STREAM, 0);
	if (s < 0) {
		perror("tnvm-irqb: socket");
		return 1;
	}
	setsockopt(s, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	if (connect(s, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		fprintf(stderr, "tnvm-irqb: connect %s: %s\n", path, strerror(errno));
		return 1;
	}
	iov.iov_base = (void *)cmd;
	iov.iov_len = strlen(cmd);
	if (creds) {
		struct cmsghdr *cm;

		memset(&ctl, 0, sizeof(ctl));
		mh.msg_control = ctl.buf;
		mh.msg_controllen = sizeof(ctl.buf);
		cm = CMSG_FIRSTHDR(&mh);
		cm->cmsg_level = SOL_SOCKET;
		cm->cmsg_type = SCM_CREDENTIALS;
		cm->cmsg_len = CMSG_LEN(sizeof(uc));
		memcpy(CMSG_DATA(cm), &uc, sizeof(uc));
	}
	if (sendmsg(s, &mh, MSG_NOSIGNAL) != (ssize_t)iov.iov_len) {
		fprintf(stderr, "tnvm-irqb: send: %s\n", strerror(errno));
		return 1;
	}
	for (;;) {
		struct pollfd p = { .fd = s, .events = POLLIN };
		ssize_t k;
		int r = poll(&p, 1, BUDGET_MS);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			fprintf(stderr, "tnvm-irqb: %s\n",
				r ? strerror(errno) : "the daemon did not close the connection in time");
			return 1;
		}
		k = read(s, buf, sizeof(buf));
		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0 && errno == ECONNRESET)
			break;
		if (k < 0) {
			perror("tnvm-irqb: read");
			return 1;
		}
		if (k == 0)
			break;
		fwrite(buf, 1, (size_t)k, stdout);
		got = 1;
	}
	if (got)
		putchar('\n');
	return fflush(stdout) == 0 ? 0 : 1;
}
