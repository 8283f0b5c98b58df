/* SPDX-License-Identifier: MIT */
#include "qstats.h"

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
#define QS_A_RX_ALLOC_FAIL 12
#define QS_A_RX_HW_DROPS 13
#define QS_A_RX_HW_DROP_OVERRUNS 14
#define QS_A_MAX 14

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

struct dump {
	struct tn_qstats *v;
	int n, cap;
	int err;		/* -E2BIG, -ENOMEM, -EBADMSG */
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

int tn_qstats_parse(struct nlmsghdr *nlh, struct tn_qstats *out)
{
	struct nlattr *tb[QS_A_MAX + 1];
	struct tn_qstats q = { 0 };

	if (genlmsg_parse(nlh, 0, tb, QS_A_MAX, NULL) < 0 || !tb[QS_A_IFINDEX] ||
	    nla_len(tb[QS_A_IFINDEX]) != 4)
		return -EBADMSG;
	q.ifindex = (int)nla_get_u32(tb[QS_A_IFINDEX]);
	if (q.ifindex <= 0)
		return -EBADMSG;
	for (int i = 0; i < TN_QSTAT_N; i++)
		if (tb[qs_attr[i]]) {
			if (get_uint(tb[qs_attr[i]], &q.v[i]) < 0)
				return -EBADMSG;
			q.has[i] = true;
		}
	*out = q;
	return 0;
}

static int on_msg(struct nl_msg *msg, void *arg)
{
	struct dump *dp = arg;
	struct tn_qstats q;

	if (dp->err)
		return NL_SKIP;
	if ((dp->err = tn_qstats_parse(nlmsg_hdr(msg), &q)) < 0)
		return NL_SKIP;
	if (dp->n == dp->cap) {
		int cap = dp->cap ? dp->cap * 2 : 16;
		struct tn_qstats *nv;

		if (dp->n >= TN_QSTATS_MAX_DEVS) {
			dp->err = -E2BIG;
			return NL_SKIP;
		}
		nv = realloc(dp->v, (size_t)cap * sizeof(*nv));
		if (!nv) {
			dp->err = -ENOMEM;
			return NL_SKIP;
		}
		dp->v = nv;
		dp->cap = cap;
	}
	dp->v[dp->n++] = q;
	return NL_OK;
}

static int cmp_ifindex(const void *a, const void *b)
{
	const struct tn_qstats *x = a, *y = b;

	return (x->ifindex > y->ifindex) - (x->ifindex < y->ifindex);
}

static int request(struct nl_sock *sk, struct dump *dp, char *err, size_t errlen)
{
	struct timeval tv = { TN_QSTATS_TIMEOUT_S, 0 };
	struct nl_msg *m;
	int fam, ret;

	fam = genl_ctrl_resolve(sk, QS_FAMILY);
	if (fam < 0)
		return 1; /* no netdev family: kernel before 6.2 */
	if (setsockopt(nl_socket_get_fd(sk), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) < 0)
		return -errno;
	m = nlmsg_alloc();
	if (!m)
		return -ENOMEM;
	if (!genlmsg_put(m, NL_AUTO_PORT, NL_AUTO_SEQ, fam, 0, NLM_F_DUMP, QS_CMD_QSTATS_GET,
			 QS_VERSION)) {
		nlmsg_free(m);
		return -ENOMEM;
	}
	ret = nl_send_auto(sk, m);
	nlmsg_free(m);
	if (ret < 0) {
		snprintf(err, errlen, "%s", nl_geterror(ret));
		return -EIO;
	}
	nl_socket_modify_cb(sk, NL_CB_VALID, NL_CB_CUSTOM, on_msg, dp);
	ret = nl_recvmsgs_default(sk);
	if (ret == -NLE_OPNOTSUPP || ret == -NLE_INVAL)
		return 1; /* the family has no qstats command: kernel before 6.9 */
	if (ret < 0) {
		snprintf(err, errlen, "%s", nl_geterror(ret));
		return ret == -NLE_AGAIN ? -ETIMEDOUT : -EIO;
	}
	return 0;
}

int tn_qstats_dump(struct tn_qstats **out, int *n, char *err, size_t errlen)
{
	struct dump dp = { 0 };
	struct nl_sock *sk = nl_socket_alloc();
	int ret;

	snprintf(err, errlen, "%s", "");
	if (!sk)
		return -ENOMEM;
	ret = genl_connect(sk);
	if (ret < 0) {
		snprintf(err, errlen, "%s", nl_geterror(ret));
		ret = -EIO;
	} else {
		ret = request(sk, &dp, err, errlen);
	}
	nl_socket_free(sk);
	if (ret == 0 && dp.err) {
		ret = dp.err;
		snprintf(err, errlen, "%s", ret == -E2BIG ? "more than 65536 devices"
					    : ret == -ENOMEM ? "out of memory"
							     : "a malformed answer");
	}
	if (ret < 0) {
		free(dp.v);
		return ret;
	}
	if (ret > 0)
		dp.n = 0;
	if (dp.n > 1)
		qsort(dp.v, (size_t)dp.n, sizeof(*dp.v), cmp_ifindex);
	*out = dp.v;
	*n = dp.n;
	return 0;
}

const struct tn_qstats *tn_qstats_find(const struct tn_qstats *v, int n, int ifindex)
{
	struct tn_qstats key = { .ifindex = ifindex };

	return n > 0 ? bsearch(&key, v, (size_t)n, sizeof(*v), cmp_ifindex) : NULL;
}
