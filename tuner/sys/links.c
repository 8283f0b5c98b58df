/* SPDX-License-Identifier: MIT */
#include "links.h"

#include <errno.h>
#include <net/if.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <linux/rtnetlink.h>
#include <netlink/netlink.h>
#include <netlink/socket.h>

struct tn_linkwatch {
	struct nl_sock *sk; /* NULL under a sysroot */
};

/* Events only wake us: what changed is read back from sysfs afterwards. */
static int ignore_msg(struct nl_msg *msg, void *arg)
{
	(void)msg;
	(void)arg;
	return NL_OK;
}

int tn_linkwatch_open(const struct tn_sysroot *root, struct tn_linkwatch **out, struct tn_diag *d)
{
	struct tn_linkwatch *w = calloc(1, sizeof(*w));
	int ret;

	if (!w)
		return tn_diag_error(d, -ENOMEM, "out of memory");
	if (root->is_host) {
		w->sk = nl_socket_alloc();
		if (!w->sk) {
			free(w);
			return tn_diag_error(d, -ENOMEM, "out of memory");
		}
		nl_socket_disable_seq_check(w->sk);
		nl_socket_modify_cb(w->sk, NL_CB_VALID, NL_CB_CUSTOM, ignore_msg, NULL);
		ret = nl_connect(w->sk, NETLINK_ROUTE);
		if (ret == 0)
			ret = nl_socket_add_membership(w->sk, RTNLGRP_LINK);
		if (ret == 0)
			ret = nl_socket_set_nonblocking(w->sk);
		if (ret < 0) {
			tn_diag_error(d, -EIO, "rtnetlink: cannot listen to link events: %s",
				      nl_geterror(ret));
			tn_linkwatch_close(w);
			return -EIO;
		}
	}
	*out = w;
	return 0;
}

int tn_linkwatch_wait(struct tn_linkwatch *w, int timeout_ms)
{
	struct pollfd p;
	int ret;

	if (timeout_ms < 0)
		timeout_ms = 0;
	if (!w->sk) {
		int ms = timeout_ms < TN_LINKWATCH_TREE_MS ? timeout_ms : TN_LINKWATCH_TREE_MS;
		struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };

		nanosleep(&ts, NULL);
		return ms == timeout_ms ? 0 : 1;
	}
	p.fd = nl_socket_get_fd(w->sk);
	p.events = POLLIN;
	ret = poll(&p, 1, timeout_ms);
	if (ret < 0)
		return errno == EINTR ? 1 : -errno;
	if (ret == 0)
		return 0;
	/* drain: a driver load sends a burst of events; one check covers them */
	for (;;) {
		ret = nl_recvmsgs_default(w->sk);
		if (ret == -NLE_AGAIN)
			break;
		if (ret < 0 && ret != -NLE_NOMEM && ret != -NLE_DUMP_INTR)
			return -EIO;
		if (ret == -NLE_NOMEM) /* ENOBUFS: events were lost; a re-check covers it */
			break;
	}
	return 1;
}

void tn_linkwatch_close(struct tn_linkwatch *w)
{
	if (!w)
		return;
	if (w->sk)
		nl_socket_free(w->sk);
	free(w);
}

bool tn_link_is_up(const struct tn_sysroot *root, const char *name)
{
	char rel[128], buf[32];
	unsigned long flags;
	char *end;

	snprintf(rel, sizeof(rel), "sys/class/net/%s/flags", name);
	if (tn_sysroot_read_line(root, rel, buf, sizeof(buf)) == 0) {
		flags = strtoul(buf, &end, 16);
		if (end != buf)
			return flags & IFF_UP;
	}
	snprintf(rel, sizeof(rel), "sys/class/net/%s/operstate", name);
	return tn_sysroot_read_line(root, rel, buf, sizeof(buf)) == 0 && strcmp(buf, "up") == 0;
}
