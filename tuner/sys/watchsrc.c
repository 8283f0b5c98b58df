/* SPDX-License-Identifier: MIT */
/* tuner watch: its event sources, one poll(2) (watchsrc.h). */
#include "watchsrc.h"

#include <arpa/inet.h>
#include <errno.h>
#include <poll.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <linux/cn_proc.h>
#include <linux/connector.h>
#include <linux/ethtool_netlink.h>
#include <linux/filter.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>
#include <netlink/netlink.h>
#include <netlink/socket.h>

enum { SRC_RTNL, SRC_ETHTOOL, SRC_CN, SRC_N };

struct tn_watchsrc {
	const struct tn_sysroot *root;
	struct nl_sock *rtnl; /* libnl-route's socket, link group */
	struct nl_sock *genl; /* ethtool monitor group; NULL without */
	uint16_t ethtool_family;
	int cn_fd; /* proc connector; -1 without */
	bool procs;
	int64_t next_rescan; /* without the proc connector; -1: none, -2: not yet */
	char *buf;	     /* TN_WATCHSRC_MSG_MAX */
};

static int open_rtnl(struct tn_watchsrc *w, struct tn_diag *d)
{
	int ret;

	w->rtnl = nl_socket_alloc();
	if (!w->rtnl)
		return tn_diag_error(d, -ENOMEM, "out of memory");
	ret = nl_connect(w->rtnl, NETLINK_ROUTE);
	if (ret == 0)
		ret = nl_socket_add_membership(w->rtnl, RTNLGRP_LINK);
	if (ret == 0)
		ret = nl_socket_set_nonblocking(w->rtnl);
	if (ret == 0)
		ret = nl_socket_set_buffer_size(w->rtnl, 1 << 20, 0);
	if (ret < 0)
		return tn_diag_error(d, -EIO, "rtnetlink: cannot listen to link events: %s",
				     nl_geterror(ret));
	return 0;
}

/* The ethtool family's monitor group; its absence (kernel < 5.6) is a warning. */
static void open_ethtool(struct tn_watchsrc *w, struct tn_diag *d)
{
	int fam, grp, ret;

	w->genl = nl_socket_alloc();
	if (!w->genl || genl_connect(w->genl) < 0)
		goto fail;
	fam = genl_ctrl_resolve(w->genl, ETHTOOL_GENL_NAME);
	grp = genl_ctrl_resolve_grp(w->genl, ETHTOOL_GENL_NAME, ETHTOOL_MCGRP_MONITOR_NAME);
	if (fam < 0 || grp < 0)
		goto fail;
	ret = nl_socket_add_membership(w->genl, grp);
	if (ret == 0)
		ret = nl_socket_set_nonblocking(w->genl);
	if (ret < 0)
		goto fail;
	w->ethtool_family = (uint16_t)fam;
	return;
fail:
	tn_diag_warn(d, "ethtool netlink monitor not available: channel and ring changes by "
			"other tools are seen only with the link events they cause");
	if (w->genl)
		nl_socket_free(w->genl);
	w->genl = NULL;
}

/*
 * Only exec and comm events wake the watch: a classic BPF filter on the
 * proc connector's socket drops the rest (fork, exit, uid, ...: three or
 * more per process started, one per thread) in the kernel. The word loaded
 * is proc_event.what, after the netlink header and the cn_msg; BPF loads it
 * in network order, hence htonl. Without the filter every event is parsed.
 */
static void filter_cn(int fd)
{
	const uint32_t what =
		NLMSG_HDRLEN + sizeof(struct cn_msg) + offsetof(struct proc_event, what);
	struct sock_filter code[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, what),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, htonl(PROC_EVENT_EXEC), 2, 0),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, htonl(PROC_EVENT_COMM), 1, 0),
		BPF_STMT(BPF_RET | BPF_K, 0),
		BPF_STMT(BPF_RET | BPF_K, 0xffffffff),
	};
	struct sock_fprog prog = { sizeof(code) / sizeof(*code), code };

	setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, &prog, sizeof(prog));
}

/* The proc connector; without it, a rescan (a warning says so). */
static void open_cn(struct tn_watchsrc *w, struct tn_diag *d)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK, .nl_groups = CN_IDX_PROC };
	struct {
		struct nlmsghdr h;
		struct cn_msg cn;
		enum proc_cn_mcast_op op;
	} __attribute__((packed)) req;
	int fd, err;

	fd = socket(AF_NETLINK, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, NETLINK_CONNECTOR);
	if (fd < 0)
		goto fail;
	sa.nl_pid = 0;
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		goto fail;
	filter_cn(fd);
	memset(&req, 0, sizeof(req));
	req.h.nlmsg_len = sizeof(req);
	req.h.nlmsg_type = NLMSG_DONE;
	req.cn.id.idx = CN_IDX_PROC;
	req.cn.id.val = CN_VAL_PROC;
	req.cn.len = sizeof(req.op);
	req.op = PROC_CN_MCAST_LISTEN;
	if (send(fd, &req, sizeof(req), 0) != (ssize_t)sizeof(req))
		goto fail;
	w->cn_fd = fd;
	return;
fail:
	err = errno;
	if (fd >= 0)
		close(fd);
	tn_diag_warn(d, "proc connector not available (%s): processes are looked for every %d s",
		     strerror(err), TN_WATCHSRC_RESCAN_MS / 1000);
	w->next_rescan = -2;
}

int tn_watchsrc_open(const struct tn_sysroot *root, const struct tn_watchsrc_opts *o,
		     struct tn_watchsrc **out, struct tn_diag *d)
{
	struct tn_watchsrc *w = calloc(1, sizeof(*w));

	if (!w || !(w->buf = malloc(TN_WATCHSRC_MSG_MAX))) {
		free(w);
		return tn_diag_error(d, -ENOMEM, "out of memory");
	}
	w->root = root;
	w->cn_fd = -1;
	w->next_rescan = -1;
	w->procs = o->procs;
	if (open_rtnl(w, d) < 0) {
		tn_watchsrc_close(w);
		return -EIO;
	}
	open_ethtool(w, d);
	if (o->procs)
		open_cn(w, d);
	*out = w;
	return 0;
}

void tn_watchsrc_close(struct tn_watchsrc *w)
{
	if (!w)
		return;
	if (w->rtnl)
		nl_socket_free(w->rtnl);
	if (w->genl)
		nl_socket_free(w->genl);
	if (w->cn_fd >= 0)
		close(w->cn_fd);
	free(w->buf);
	free(w);
}

bool tn_watchsrc_proc_connector(const struct tn_watchsrc *w)
{
	return w->cn_fd >= 0;
}

bool tn_watchsrc_ethtool(const struct tn_watchsrc *w)
{
	return w->genl != NULL;
}

/*
 * Whether a link event can concern a profile: its NIC has a device in the
 * sysroot (discovery skips virtual links: veth, bridges, taps), or its name
 * is unknown. Events of other links are dropped here, before they wake a
 * repair.
 */
static bool nic_event_kept(struct tn_watchsrc *w, const struct tn_wevent *e)
{
	char rel[64];

	if (e->kind != TN_WEV_LINK && e->kind != TN_WEV_ETHTOOL)
		return true;
	if (!e->ifname[0])
		return true;
	snprintf(rel, sizeof(rel), "sys/class/net/%s/device", e->ifname);
	return tn_sysroot_exists(w->root, rel);
}

/* A process event's comm, when the parser had none: /proc/PID/comm. */
static void fill_comm(struct tn_watchsrc *w, struct tn_wevent *e)
{
	char rel[64], buf[64];

	if (e->comm[0] || (e->kind != TN_WEV_EXEC && e->kind != TN_WEV_COMM))
		return;
	snprintf(rel, sizeof(rel), "proc/%d/comm", e->pid);
	if (tn_sysroot_read_line(w->root, rel, buf, sizeof(buf)) == 0)
		snprintf(e->comm, sizeof(e->comm), "%s", buf);
}

static void lost(struct tn_wevent *ev, int max, int *n)
{
	if (*n < max) {
		memset(&ev[*n], 0, sizeof(ev[*n]));
		ev[(*n)++].kind = TN_WEV_LOST;
	}
}

/* Read up to TN_WATCHSRC_BURST datagrams of one socket; parse them. */
static int drain(struct tn_watchsrc *w, int src, int fd, struct tn_wevent *ev, int max, int *n)
{
	for (int i = 0; i < TN_WATCHSRC_BURST && *n < max; i++) {
		ssize_t len = recv(fd, w->buf, TN_WATCHSRC_MSG_MAX, MSG_DONTWAIT | MSG_TRUNC);
		int got;

		if (len < 0 && (errno == EAGAIN || errno == EINTR))
			return 0;
		if (len < 0 && errno == ENOBUFS) { /* the socket overflowed */
			lost(ev, max, n);
			continue;
		}
		if (len < 0)
			return -errno;
		if (len > TN_WATCHSRC_MSG_MAX) { /* cut: its events are lost */
			lost(ev, max, n);
			continue;
		}
		if (src == SRC_RTNL)
			got = tn_watch_parse_rtnl(w->buf, (size_t)len, ev + *n, max - *n);
		else if (src == SRC_ETHTOOL)
			got = tn_watch_parse_ethtool(w->buf, (size_t)len, w->ethtool_family,
						     ev + *n, max - *n);
		else
			got = tn_watch_parse_cn(w->buf, (size_t)len, ev + *n, max - *n);
		for (int k = 0, base = *n; k < got; k++) {
			fill_comm(w, &ev[base + k]);
			if (nic_event_kept(w, &ev[base + k]))
				ev[(*n)++] = ev[base + k];
		}
	}
	return 0;
}

int tn_watchsrc_wait(struct tn_watchsrc *w, int extra_fd, int timeout_ms, int64_t now_ms,
		     struct tn_wevent *ev, int max, int *n)
{
	struct pollfd p[SRC_N + 1];
	int src[SRC_N + 1], np = 0, ret, extra = 0;

	*n = 0;
	if (w->procs && w->cn_fd < 0 && w->next_rescan != -1) {
		int64_t left;

		if (w->next_rescan == -2) /* the first wait: a period from now */
			w->next_rescan = now_ms + TN_WATCHSRC_RESCAN_MS;
		left = w->next_rescan - now_ms;

		if (left <= 0) {
			ev[(*n)++] = (struct tn_wevent){ .kind = TN_WEV_RESCAN };
			w->next_rescan = now_ms + TN_WATCHSRC_RESCAN_MS;
			return 0;
		}
		if (timeout_ms < 0 || left < timeout_ms)
			timeout_ms = (int)left;
	}
	p[np] = (struct pollfd){ nl_socket_get_fd(w->rtnl), POLLIN, 0 };
	src[np++] = SRC_RTNL;
	if (w->genl) {
		p[np] = (struct pollfd){ nl_socket_get_fd(w->genl), POLLIN, 0 };
		src[np++] = SRC_ETHTOOL;
	}
	if (w->cn_fd >= 0) {
		p[np] = (struct pollfd){ w->cn_fd, POLLIN, 0 };
		src[np++] = SRC_CN;
	}
	if (extra_fd >= 0) {
		p[np] = (struct pollfd){ extra_fd, POLLIN, 0 };
		src[np++] = -1;
	}
	if (poll(p, (nfds_t)np, timeout_ms) < 0)
		return errno == EINTR ? 0 : -errno;
	for (int i = 0; i < np; i++) {
		if (!p[i].revents)
			continue;
		if (src[i] < 0) {
			extra = 1;
			continue;
		}
		ret = drain(w, src[i], p[i].fd, ev, max, n);
		if (ret < 0)
			return ret;
	}
	return extra;
}
