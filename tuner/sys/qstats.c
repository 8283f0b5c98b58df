/* SPDX-License-Identifier: MIT */
#include "qstats.h"
#include "diag.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>

#include <netlink/errno.h>
#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>
#include <netlink/msg.h>
#include <netlink/netlink.h>
#include <netlink/socket.h>

/* include/uapi/linux/netdev.h (6.9+); Debian 12's headers predate it. The
 * values are the kernel's ABI. */
#define QS_FAMILY "netdev"
#define QS_VERSION 1
#define QS_CMD_QSTATS_GET 12
#define QS_A_IFINDEX 1
#define QS_A_QUEUE_TYPE 2
#define QS_A_QUEUE_ID 3
#define QS_A_SCOPE 4
#define QS_A_RX_ALLOC_FAIL 12
#define QS_A_RX_HW_DROPS 13
#define QS_A_RX_HW_DROP_OVERRUNS 14
#define QS_A_MAX 14
#define QS_QUEUE_TYPE_RX 0
#define QS_SCOPE_QUEUE 1

const char *const tn_qstat_names[TN_QSTAT_N] = {
	[TN_QSTAT_RX_ALLOC_FAIL] = "rx-alloc-fail",
	[TN_QSTAT_RX_HW_DROPS] = "rx-hw-drops",
	[TN_QSTAT_RX_HW_DROP_OVERRUNS] = "rx-hw-drop-overruns",
};

static const int qs_attr[TN_QSTAT_N] = {
	[TN_QSTAT_RX_ALLOC_FAIL] = QS_A_RX_ALLOC_FAIL,
	[TN_QSTAT_RX_HW_DROPS] = QS_A_RX_HW_DROPS,
	[TN_QSTAT_RX_HW_DROP_OVERRUNS] = QS_A_RX_HW_DROP_OVERRUNS,
};

/* A netlink "uint": 4 or 8 bytes. */
static int get_uint(const struct nlattr *a, uint64_t *out)
{
	if (nla_len(a) == 4)
		*out = nla_get_u32((struct nlattr *)a);
	else if (nla_len(a) == 8)
		*out = nla_get_u64((struct nlattr *)a);
	else
		return -EBADMSG;
	return 0;
}

static int get_u32(struct nlattr *a, uint32_t *out)
{
	if (nla_len(a) != 4)
		return -EBADMSG;
	*out = nla_get_u32(a);
	return 0;
}

/* The queue of a message: -1 for the device's totals, 1 for a queue not rx. */
static int parse_queue(struct nlattr **tb, struct tn_qstats *q)
{
	uint32_t type, id;

	q->queue = -1;
	if (!tb[QS_A_QUEUE_TYPE] && !tb[QS_A_QUEUE_ID])
		return 0;
	if (!tb[QS_A_QUEUE_TYPE] || !tb[QS_A_QUEUE_ID] || get_u32(tb[QS_A_QUEUE_TYPE], &type) < 0 ||
	    get_u32(tb[QS_A_QUEUE_ID], &id) < 0)
		return -EBADMSG;
	if (type != QS_QUEUE_TYPE_RX)
		return 1;
	if (id >= TN_QSTATS_MAX_QUEUES)
		return -E2BIG;
	q->queue = (int)id;
	return 0;
}

int tn_qstats_parse(struct nlmsghdr *nlh, struct tn_qstats *out)
{
	struct nlattr *tb[QS_A_MAX + 1];
	struct tn_qstats q = { 0 };
	uint32_t ifindex;
	int ret;

	if (genlmsg_parse(nlh, 0, tb, QS_A_MAX, NULL) < 0 || !tb[QS_A_IFINDEX] ||
	    get_u32(tb[QS_A_IFINDEX], &ifindex) < 0 || ifindex == 0 || ifindex > INT32_MAX)
		return -EBADMSG;
	q.ifindex = (int)ifindex;
	if ((ret = parse_queue(tb, &q)) != 0)
		return ret;
	for (int i = 0; i < TN_QSTAT_N; i++)
		if (tb[qs_attr[i]]) {
			if (get_uint(tb[qs_attr[i]], &q.v[i]) < 0)
				return -EBADMSG;
			q.has[i] = true;
		}
	*out = q;
	return 0;
}

int tn_qstats_list_add(struct tn_qstats_list *l, struct nlmsghdr *nlh)
{
	struct tn_qstats q;
	int ret;

	if (++l->msgs > TN_QSTATS_MAX_MSGS)
		return -E2BIG;
	if ((ret = tn_qstats_parse(nlh, &q)) != 0)
		return ret > 0 ? 0 : ret;
	if (l->ifindex ? q.ifindex != l->ifindex || q.queue < 0 : q.queue >= 0)
		return -EBADMSG;
	if (l->n == l->cap) {
		int cap = l->cap ? l->cap * 2 : 16;
		struct tn_qstats *nv;

		if (l->n >= (l->ifindex ? TN_QSTATS_MAX_QUEUES : TN_QSTATS_MAX_DEVS))
			return -E2BIG;
		nv = realloc(l->v, (size_t)cap * sizeof(*nv));
		if (!nv)
			return -ENOMEM;
		l->v = nv;
		l->cap = cap;
	}
	l->v[l->n++] = q;
	return 0;
}

static int cmp_entry(const void *a, const void *b)
{
	const struct tn_qstats *x = a, *y = b;

	if (x->ifindex != y->ifindex)
		return (x->ifindex > y->ifindex) - (x->ifindex < y->ifindex);
	return (x->queue > y->queue) - (x->queue < y->queue);
}

int tn_qstats_list_finish(struct tn_qstats_list *l)
{
	if (l->n > 1)
		qsort(l->v, (size_t)l->n, sizeof(*l->v), cmp_entry);
	for (int i = 1; i < l->n; i++)
		if (cmp_entry(&l->v[i - 1], &l->v[i]) == 0)
			return -EBADMSG;
	return 0;
}

void tn_qstats_list_free(struct tn_qstats_list *l)
{
	if (!l)
		return;
	free(l->v);
	memset(l, 0, sizeof(*l));
}

/* ---- the socket ---- */

struct tn_qstats_sock {
	struct nl_sock *sk;
	int family;
};

struct dump {
	struct tn_qstats_list l;
	int err; /* the first -E2BIG, -ENOMEM, -EBADMSG */
};

static int on_msg(struct nl_msg *msg, void *arg)
{
	struct dump *dp = arg;

	if (dp->err)
		return NL_SKIP;
	dp->err = tn_qstats_list_add(&dp->l, nlmsg_hdr(msg));
	return NL_SKIP;
}

void tn_qstats_close(struct tn_qstats_sock *qs)
{
	if (!qs)
		return;
	nl_socket_free(qs->sk);
	free(qs);
}

int tn_qstats_open(struct tn_qstats_sock **out, struct tn_diag *d)
{
	struct timeval tv = { TN_QSTATS_TIMEOUT_S, 0 };
	struct tn_qstats_sock *qs = calloc(1, sizeof(*qs));
	int ret;

	if (!qs || !(qs->sk = nl_socket_alloc())) {
		free(qs);
		return -ENOMEM;
	}
	ret = genl_connect(qs->sk);
	if (ret < 0) {
		tn_diag_error(d, 0, "%s", nl_geterror(ret));
		tn_qstats_close(qs);
		return -EIO;
	}
	if (setsockopt(nl_socket_get_fd(qs->sk), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) < 0) {
		ret = -errno;
		tn_qstats_close(qs);
		return ret;
	}
	qs->family = genl_ctrl_resolve(qs->sk, QS_FAMILY);
	if (qs->family < 0) {
		tn_qstats_close(qs);
		*out = NULL;
		return 1; /* no netdev family: kernel before 6.2 */
	}
	*out = qs;
	return 0;
}

/* A dump request of cmd, for one device (ifindex > 0: its ifindex_attr, and
 * with queue_scope the per-queue scope) or for all. */
static int send_dump(struct tn_qstats_sock *qs, uint8_t cmd, int ifindex_attr, int ifindex,
		     bool queue_scope, struct tn_diag *d)
{
	struct nl_msg *m = nlmsg_alloc();
	int ret;

	if (!m)
		return -ENOMEM;
	if (!genlmsg_put(m, NL_AUTO_PORT, NL_AUTO_SEQ, qs->family, 0, NLM_F_DUMP, cmd,
			 QS_VERSION) ||
	    (ifindex > 0 && (nla_put_u32(m, ifindex_attr, (uint32_t)ifindex) < 0 ||
			     (queue_scope && nla_put_u32(m, QS_A_SCOPE, QS_SCOPE_QUEUE) < 0)))) {
		nlmsg_free(m);
		return -ENOMEM;
	}
	ret = nl_send_auto(qs->sk, m);
	nlmsg_free(m);
	if (ret < 0) {
		tn_diag_error(d, 0, "%s", nl_geterror(ret));
		return -EIO;
	}
	return 0;
}

static const char *dump_error(int ret)
{
	return ret == -E2BIG	? "beyond the bounds (65536 devices, 4096 queues per device)"
	       : ret == -ENOMEM ? "out of memory"
				: "a malformed answer";
}

int tn_qstats_get(struct tn_qstats_sock *qs, int ifindex, struct tn_qstats **out, int *n,
		  struct tn_diag *d)
{
	struct dump dp = { .l = { .ifindex = ifindex } };
	int ret;

	if ((ret = send_dump(qs, QS_CMD_QSTATS_GET, QS_A_IFINDEX, ifindex, true, d)) < 0)
		return ret;
	nl_socket_modify_cb(qs->sk, NL_CB_VALID, NL_CB_CUSTOM, on_msg, &dp);
	ret = nl_recvmsgs_default(qs->sk);
	if (ret == -NLE_OPNOTSUPP || (!ifindex && ret == -NLE_INVAL) ||
	    (ifindex && ret == -NLE_NODEV)) {
		ret = 0; /* no qstats command (kernel before 6.9), or the device is gone */
		dp.l.n = 0;
	} else if (ret < 0) {
		tn_diag_error(d, 0, "%s", nl_geterror(ret));
		ret = ret == -NLE_AGAIN ? -ETIMEDOUT : -EIO;
	} else if (dp.err || (dp.err = tn_qstats_list_finish(&dp.l)) < 0) {
		ret = dp.err;
		tn_diag_error(d, 0, "%s", dump_error(ret));
	}
	if (ret < 0) {
		tn_qstats_list_free(&dp.l);
		return ret;
	}
	*out = dp.l.v;
	*n = dp.l.n;
	return 0;
}

struct any_dump {
	int (*cb)(struct nlmsghdr *nlh, void *arg);
	void *arg;
	int err;
};

static int on_any(struct nl_msg *msg, void *arg)
{
	struct any_dump *ad = arg;

	if (!ad->err)
		ad->err = ad->cb(nlmsg_hdr(msg), ad->arg);
	return NL_SKIP;
}

int tn_qstats_dump(struct tn_qstats_sock *qs, uint8_t cmd, int ifindex_attr, int ifindex,
		   int (*cb)(struct nlmsghdr *nlh, void *arg), void *arg, struct tn_diag *d)
{
	struct any_dump ad = { cb, arg, 0 };
	int ret;

	if ((ret = send_dump(qs, cmd, ifindex_attr, ifindex, false, d)) < 0)
		return ret;
	nl_socket_modify_cb(qs->sk, NL_CB_VALID, NL_CB_CUSTOM, on_any, &ad);
	ret = nl_recvmsgs_default(qs->sk);
	if (ret == -NLE_OPNOTSUPP || ret == -NLE_INVAL)
		return 1; /* no such command on this kernel */
	if (ret < 0) {
		tn_diag_error(d, 0, "%s", nl_geterror(ret));
		return ret == -NLE_AGAIN ? -ETIMEDOUT : -EIO;
	}
	return ad.err < 0 ? ad.err : 0; /* cb's error: the caller says what it was */
}

const struct tn_qstats *tn_qstats_find(const struct tn_qstats *v, int n, int ifindex)
{
	struct tn_qstats key = { .ifindex = ifindex, .queue = -1 };

	return n > 0 ? bsearch(&key, v, (size_t)n, sizeof(*v), cmp_entry) : NULL;
}
