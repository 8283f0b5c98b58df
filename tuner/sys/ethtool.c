/* SPDX-License-Identifier: MIT */
/*
 * Ring sizes and channel counts over the ethtool generic netlink family.
 *
 * Each call builds one request (a header nest naming the device by
 * ETHTOOL_A_HEADER_DEV_NAME, plus u32 attributes for a set), sends it with
 * NLM_F_ACK and reads until the kernel's ack or error for that sequence
 * number. Replies and acks are read through a callback set private to the
 * request, so the socket carries no per-request state between calls.
 *
 * libnl 3.7 does not read netlink extended acks: the socket gets
 * NETLINK_EXT_ACK (and NETLINK_CAP_ACK, so errors do not echo the request)
 * with setsockopt(), and the error and ack callbacks parse the TLVs that follow
 * struct nlmsgerr themselves.
 */
#include "ethtool.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <linux/ethtool_netlink.h>
#include <linux/netlink.h>
#include <netlink/attr.h>
#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>
#include <netlink/msg.h>
#include <netlink/netlink.h>

#ifndef SOL_NETLINK
#define SOL_NETLINK 270
#endif
#ifndef NETLINK_CAP_ACK
#define NETLINK_CAP_ACK 10
#endif
#ifndef NETLINK_EXT_ACK
#define NETLINK_EXT_ACK 11
#endif
#ifndef NLM_F_CAPPED
#define NLM_F_CAPPED 0x100
#endif
#ifndef NLM_F_ACK_TLVS
#define NLM_F_ACK_TLVS 0x200
#endif

/* The kernel-internal ENOTSUPP, which some drivers let reach user space. */
#define TN_KERNEL_ENOTSUPP 524

#define TN_EXTACK_MAX 256

struct tn_ethtool {
	struct nl_sock *sk;
	int family;
};

/* One reply attribute (a u32, or a u8 flag read as 0 or 1) and the int64_t
 * field of the output it fills. */
struct et_field {
	int attr;
	size_t offset;
	bool flag;
};

/* One ethtool command: how to address it and how to read its reply. */
struct et_cmd {
	uint8_t cmd;
	int header_attr;
	uint8_t reply_cmd; /* 0: no reply expected (a set) */
	int maxtype;	   /* highest attribute read from the reply */
	const struct nla_policy *policy;
	const struct et_field *fields;
	size_t n_fields;
	size_t out_size;
};

/* A u32 (or u8 flag: 0 or 1) attribute to put in a set request. */
struct et_put {
	int attr;
	int64_t value; /* TN_UNKNOWN: not put */
	bool flag;
};

/* The reply being read; copied to the caller's output only on success. */
union et_reply {
	struct tn_ring ring;
	struct tn_channels channels;
	struct tn_coalesce coalesce;
};

/* What one request collects while its messages are read. */
struct et_request {
	const struct et_cmd *cmd;
	uint32_t seq;
	union et_reply reply;
	unsigned int n_seen; /* messages read, ours or not */
	bool done;	     /* the ack or the error arrived */
	bool got_reply;
	int err;       /* -errno from the kernel, or 0 */
	int parse_err; /* -errno: a reply we could not read */
	char extack[TN_EXTACK_MAX];
};

/* Only the attributes read are listed; newer ones above maxtype are ignored. */
#define TN_RINGS_MAXTYPE ETHTOOL_A_RINGS_TX
static const struct nla_policy rings_policy[TN_RINGS_MAXTYPE + 1] = {
	[ETHTOOL_A_RINGS_RX_MAX] = { .type = NLA_U32 },
	[ETHTOOL_A_RINGS_RX_MINI_MAX] = { .type = NLA_U32 },
	[ETHTOOL_A_RINGS_RX_JUMBO_MAX] = { .type = NLA_U32 },
	[ETHTOOL_A_RINGS_TX_MAX] = { .type = NLA_U32 },
	[ETHTOOL_A_RINGS_RX] = { .type = NLA_U32 },
	[ETHTOOL_A_RINGS_RX_MINI] = { .type = NLA_U32 },
	[ETHTOOL_A_RINGS_RX_JUMBO] = { .type = NLA_U32 },
	[ETHTOOL_A_RINGS_TX] = { .type = NLA_U32 },
};

static const struct et_field rings_fields[] = {
	{ ETHTOOL_A_RINGS_RX, offsetof(struct tn_ring, rx), false },
	{ ETHTOOL_A_RINGS_RX_MAX, offsetof(struct tn_ring, rx_max), false },
	{ ETHTOOL_A_RINGS_TX, offsetof(struct tn_ring, tx), false },
	{ ETHTOOL_A_RINGS_TX_MAX, offsetof(struct tn_ring, tx_max), false },
};

#define TN_CHANNELS_MAXTYPE ETHTOOL_A_CHANNELS_COMBINED_COUNT
static const struct nla_policy channels_policy[TN_CHANNELS_MAXTYPE + 1] = {
	[ETHTOOL_A_CHANNELS_RX_MAX] = { .type = NLA_U32 },
	[ETHTOOL_A_CHANNELS_TX_MAX] = { .type = NLA_U32 },
	[ETHTOOL_A_CHANNELS_OTHER_MAX] = { .type = NLA_U32 },
	[ETHTOOL_A_CHANNELS_COMBINED_MAX] = { .type = NLA_U32 },
	[ETHTOOL_A_CHANNELS_RX_COUNT] = { .type = NLA_U32 },
	[ETHTOOL_A_CHANNELS_TX_COUNT] = { .type = NLA_U32 },
	[ETHTOOL_A_CHANNELS_OTHER_COUNT] = { .type = NLA_U32 },
	[ETHTOOL_A_CHANNELS_COMBINED_COUNT] = { .type = NLA_U32 },
};

static const struct et_field channels_fields[] = {
	{ ETHTOOL_A_CHANNELS_RX_COUNT, offsetof(struct tn_channels, rx), false },
	{ ETHTOOL_A_CHANNELS_RX_MAX, offsetof(struct tn_channels, rx_max), false },
	{ ETHTOOL_A_CHANNELS_TX_COUNT, offsetof(struct tn_channels, tx), false },
	{ ETHTOOL_A_CHANNELS_TX_MAX, offsetof(struct tn_channels, tx_max), false },
	{ ETHTOOL_A_CHANNELS_OTHER_COUNT, offsetof(struct tn_channels, other), false },
	{ ETHTOOL_A_CHANNELS_OTHER_MAX, offsetof(struct tn_channels, other_max), false },
	{ ETHTOOL_A_CHANNELS_COMBINED_COUNT, offsetof(struct tn_channels, combined), false },
	{ ETHTOOL_A_CHANNELS_COMBINED_MAX, offsetof(struct tn_channels, combined_max), false },
};

/* The parameters tuner plans; the others are ignored (not even checked). */
#define TN_COALESCE_MAXTYPE ETHTOOL_A_COALESCE_USE_ADAPTIVE_RX
static const struct nla_policy coalesce_policy[TN_COALESCE_MAXTYPE + 1] = {
	[ETHTOOL_A_COALESCE_RX_USECS] = { .type = NLA_U32 },
	[ETHTOOL_A_COALESCE_RX_MAX_FRAMES] = { .type = NLA_U32 },
	[ETHTOOL_A_COALESCE_TX_USECS] = { .type = NLA_U32 },
	[ETHTOOL_A_COALESCE_USE_ADAPTIVE_RX] = { .type = NLA_U8 },
};

static const struct et_field coalesce_fields[] = {
	{ ETHTOOL_A_COALESCE_RX_USECS, offsetof(struct tn_coalesce, rx_usecs), false },
	{ ETHTOOL_A_COALESCE_RX_MAX_FRAMES, offsetof(struct tn_coalesce, rx_frames), false },
	{ ETHTOOL_A_COALESCE_TX_USECS, offsetof(struct tn_coalesce, tx_usecs), false },
	{ ETHTOOL_A_COALESCE_USE_ADAPTIVE_RX, offsetof(struct tn_coalesce, adaptive_rx), true },
};

#define TN_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define TN_MAX2(a, b) ((int)(a) > (int)(b) ? (int)(a) : (int)(b))
#define TN_REPLY_MAXTYPE \
	TN_MAX2(TN_COALESCE_MAXTYPE, TN_MAX2(TN_CHANNELS_MAXTYPE, TN_RINGS_MAXTYPE))

static const struct et_cmd cmd_rings_get = {
	.cmd = ETHTOOL_MSG_RINGS_GET,
	.header_attr = ETHTOOL_A_RINGS_HEADER,
	.reply_cmd = ETHTOOL_MSG_RINGS_GET_REPLY,
	.maxtype = TN_RINGS_MAXTYPE,
	.policy = rings_policy,
	.fields = rings_fields,
	.n_fields = TN_ARRAY_SIZE(rings_fields),
	.out_size = sizeof(struct tn_ring),
};

static const struct et_cmd cmd_rings_set = {
	.cmd = ETHTOOL_MSG_RINGS_SET,
	.header_attr = ETHTOOL_A_RINGS_HEADER,
};

static const struct et_cmd cmd_channels_get = {
	.cmd = ETHTOOL_MSG_CHANNELS_GET,
	.header_attr = ETHTOOL_A_CHANNELS_HEADER,
	.reply_cmd = ETHTOOL_MSG_CHANNELS_GET_REPLY,
	.maxtype = TN_CHANNELS_MAXTYPE,
	.policy = channels_policy,
	.fields = channels_fields,
	.n_fields = TN_ARRAY_SIZE(channels_fields),
	.out_size = sizeof(struct tn_channels),
};

static const struct et_cmd cmd_channels_set = {
	.cmd = ETHTOOL_MSG_CHANNELS_SET,
	.header_attr = ETHTOOL_A_CHANNELS_HEADER,
};

static const struct et_cmd cmd_coalesce_get = {
	.cmd = ETHTOOL_MSG_COALESCE_GET,
	.header_attr = ETHTOOL_A_COALESCE_HEADER,
	.reply_cmd = ETHTOOL_MSG_COALESCE_GET_REPLY,
	.maxtype = TN_COALESCE_MAXTYPE,
	.policy = coalesce_policy,
	.fields = coalesce_fields,
	.n_fields = TN_ARRAY_SIZE(coalesce_fields),
	.out_size = sizeof(struct tn_coalesce),
};

static const struct et_cmd cmd_coalesce_set = {
	.cmd = ETHTOOL_MSG_COALESCE_SET,
	.header_attr = ETHTOOL_A_COALESCE_HEADER,
};

/* libnl's NLE_* code (positive or negative) to -errno. */
static int nle_errno(int nle)
{
	switch (nle < 0 ? -nle : nle) {
	case NLE_SUCCESS:
		return 0;
	case NLE_INTR:
	case NLE_DUMP_INTR:
		return -EINTR;
	case NLE_BAD_SOCK:
		return -EBADF;
	case NLE_AGAIN:
		return -EAGAIN;
	case NLE_NOMEM:
		return -ENOMEM;
	case NLE_EXIST:
		return -EEXIST;
	case NLE_INVAL:
		return -EINVAL;
	case NLE_RANGE:
	case NLE_ATTRSIZE:
		return -ERANGE;
	case NLE_MSGSIZE:
		return -EMSGSIZE;
	case NLE_OPNOTSUPP:
	case NLE_SRCRT_NOSUPPORT:
	case NLE_MSGTYPE_NOSUPPORT:
		return -EOPNOTSUPP;
	case NLE_AF_NOSUPPORT:
	case NLE_AF_MISMATCH:
		return -EAFNOSUPPORT;
	case NLE_OBJ_NOTFOUND:
	case NLE_NOATTR:
	case NLE_MISSING_ATTR:
		return -ENOENT;
	case NLE_MSG_OVERFLOW:
		return -ENOBUFS;
	case NLE_SEQ_MISMATCH:
	case NLE_MSG_TRUNC:
	case NLE_MSG_TOOSHORT:
	case NLE_PARSE_ERR:
		return -EBADMSG;
	case NLE_NOADDR:
		return -EADDRNOTAVAIL;
	case NLE_BUSY:
		return -EBUSY;
	case NLE_PROTO_MISMATCH:
		return -EPROTONOSUPPORT;
	case NLE_NOACCESS:
		return -EACCES;
	case NLE_PERM:
	case NLE_IMMUTABLE:
		return -EPERM;
	case NLE_NODEV:
		return -ENODEV;
	default:
		return -EIO;
	}
}

/* A kernel nlmsgerr.error (negative errno) to the -errno we return. */
static int kernel_errno(int error)
{
	if (error > 0)
		error = -error;
	if (error == -TN_KERNEL_ENOTSUPP)
		return -EOPNOTSUPP;
	return error ? error : -EIO;
}

static bool ifname_valid(const char *ifname)
{
	size_t len;

	if (!ifname)
		return false;
	len = strnlen(ifname, TN_IFNAME_MAX);
	return len > 0 && len < TN_IFNAME_MAX;
}

static bool put_valid(const struct et_put *p)
{
	return p->value == TN_UNKNOWN ||
	       (p->value >= 0 && p->value <= (p->flag ? 1 : (int64_t)UINT32_MAX));
}

/*
 * Copy NLMSGERR_ATTR_MSG from an NLMSG_ERROR message (an error or an ack) into
 * req->extack. The TLVs follow struct nlmsgerr and, unless the kernel capped
 * the echo, a copy of the request's payload.
 */
static void read_extack(struct et_request *req, struct nlmsghdr *nlh)
{
	static const struct nla_policy policy[NLMSGERR_ATTR_MSG + 1] = {
		[NLMSGERR_ATTR_MSG] = { .type = NLA_STRING },
	};
	struct nlattr *tb[NLMSGERR_ATTR_MSG + 1];
	struct nlmsgerr *err;
	size_t off, total;

	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS) || nlh->nlmsg_len < NLMSG_LENGTH(sizeof(*err)))
		return;
	err = NLMSG_DATA(nlh);
	total = nlh->nlmsg_len - NLMSG_HDRLEN;
	off = NLMSG_ALIGN(sizeof(*err));
	if (!(nlh->nlmsg_flags & NLM_F_CAPPED)) {
		if (err->msg.nlmsg_len < NLMSG_HDRLEN)
			return;
		off += NLMSG_ALIGN(err->msg.nlmsg_len - NLMSG_HDRLEN);
	}
	if (off >= total)
		return;
	if (nla_parse(tb, NLMSGERR_ATTR_MSG, (struct nlattr *)((char *)err + off),
		      (int)(total - off), policy) < 0)
		return;
	if (tb[NLMSGERR_ATTR_MSG])
		nla_strlcpy(req->extack, tb[NLMSGERR_ATTR_MSG], sizeof(req->extack));
}

/* Skip anything that is not from the kernel or not for this request (a late
 * message left over from an earlier request that failed half-way). */
static int seq_cb(struct nl_msg *msg, void *arg)
{
	struct et_request *req = arg;
	struct sockaddr_nl *src = nlmsg_get_src(msg);

	req->n_seen++;
	if ((src && src->nl_pid != 0) || nlmsg_hdr(msg)->nlmsg_seq != req->seq)
		return NL_SKIP;
	return NL_OK;
}

/*
 * Read a reply of cmd into reply: 1 when it is another command's (skipped),
 * 0 when read, -EBADMSG when malformed. The message's length is trusted to be
 * what was received (libnl checks it, the tests' callers too).
 */
static int parse_reply(const struct et_cmd *cmd, struct nlmsghdr *nlh, union et_reply *reply)
{
	struct nlattr *tb[TN_REPLY_MAXTYPE + 1];
	struct nlattr *a;
	int rem;

	if (!genlmsg_valid_hdr(nlh, 0))
		return -EBADMSG;
	if (genlmsg_hdr(nlh)->cmd != cmd->reply_cmd)
		return 1;
	if (cmd->maxtype > TN_REPLY_MAXTYPE ||
	    genlmsg_parse(nlh, 0, tb, cmd->maxtype, cmd->policy) < 0)
		return -EBADMSG;
	/* libnl ignores bytes after the last whole attribute: a cut message */
	nla_for_each_attr(a, genlmsg_attrdata(genlmsg_hdr(nlh), 0),
			  genlmsg_attrlen(genlmsg_hdr(nlh), 0), rem);
	if (rem > 0)
		return -EBADMSG;
	for (size_t i = 0; i < cmd->n_fields; i++) {
		const struct et_field *f = &cmd->fields[i];
		int64_t *dst = (int64_t *)((char *)reply + f->offset);

		if (!tb[f->attr])
			*dst = TN_UNKNOWN;
		else if (f->flag)
			*dst = nla_get_u8(tb[f->attr]) != 0;
		else
			*dst = (int64_t)nla_get_u32(tb[f->attr]);
	}
	return 0;
}

static int valid_cb(struct nl_msg *msg, void *arg)
{
	struct et_request *req = arg;
	int ret;

	if (!req->cmd->reply_cmd || req->got_reply)
		return NL_SKIP;
	ret = parse_reply(req->cmd, nlmsg_hdr(msg), &req->reply);
	if (ret > 0)
		return NL_SKIP;
	if (ret < 0) {
		req->parse_err = ret;
		return NL_SKIP;
	}
	req->got_reply = true;
	return NL_OK;
}

int tn_ethtool_parse_coalesce(struct nlmsghdr *nlh, size_t len, struct tn_coalesce *out)
{
	union et_reply reply;
	int ret;

	if (len < NLMSG_HDRLEN || nlh->nlmsg_len < NLMSG_HDRLEN || nlh->nlmsg_len > len)
		return -EBADMSG;
	ret = parse_reply(&cmd_coalesce_get, nlh, &reply);
	if (ret > 0)
		return -EBADMSG;
	if (ret == 0)
		*out = reply.coalesce;
	return ret;
}

static int ack_cb(struct nl_msg *msg, void *arg)
{
	struct et_request *req = arg;

	read_extack(req, nlmsg_hdr(msg)); /* a warning attached to a success */
	req->done = true;
	return NL_STOP;
}

static int err_cb(struct sockaddr_nl *nla, struct nlmsgerr *err, void *arg)
{
	struct et_request *req = arg;

	(void)nla;
	/*
	 * libnl passes nlmsg_data() of the NLMSG_ERROR message it is walking,
	 * after checking that message against the bytes received; step back to
	 * its header to reach the extended-ack TLVs after struct nlmsgerr.
	 */
	read_extack(req, (struct nlmsghdr *)((char *)err - NLMSG_HDRLEN));
	req->err = kernel_errno(err->error);
	req->done = true;
	return NL_STOP;
}

static int build_request(struct nl_msg *nm, int family, const struct et_cmd *cmd,
			 const char *ifname, const struct et_put *puts, size_t n_puts)
{
	struct nlattr *nest;
	int err;

	if (!genlmsg_put(nm, NL_AUTO_PORT, NL_AUTO_SEQ, family, 0, 0, cmd->cmd,
			 ETHTOOL_GENL_VERSION))
		return -ENOMEM;
	nest = nla_nest_start(nm, cmd->header_attr | NLA_F_NESTED);
	if (!nest)
		return -ENOMEM;
	err = nla_put_string(nm, ETHTOOL_A_HEADER_DEV_NAME, ifname);
	if (err < 0)
		return nle_errno(err);
	nla_nest_end(nm, nest);
	for (size_t i = 0; i < n_puts; i++) {
		if (puts[i].value == TN_UNKNOWN)
			continue;
		if (puts[i].flag)
			err = nla_put_u8(nm, puts[i].attr, (uint8_t)puts[i].value);
		else
			err = nla_put_u32(nm, puts[i].attr, (uint32_t)puts[i].value);
		if (err < 0)
			return nle_errno(err);
	}
	return 0;
}

static struct nl_cb *request_cb(struct et_request *req)
{
	struct nl_cb *cb = nl_cb_alloc(NL_CB_DEFAULT);

	if (!cb)
		return NULL;
	nl_cb_set(cb, NL_CB_SEQ_CHECK, NL_CB_CUSTOM, seq_cb, req);
	nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, valid_cb, req);
	nl_cb_set(cb, NL_CB_ACK, NL_CB_CUSTOM, ack_cb, req);
	nl_cb_err(cb, NL_CB_CUSTOM, err_cb, req);
	return cb;
}

/*
 * Send one request and read until its ack or error. For a get, out (of
 * cmd->out_size bytes) is written only on success.
 */
static int request(struct tn_ethtool *e, const struct et_cmd *cmd, const char *ifname,
		   const struct et_put *puts, size_t n_puts, void *out, struct tn_diag *d)
{
	struct et_request req = { .cmd = cmd };
	struct nl_msg *nm = NULL;
	struct nl_cb *cb = NULL;
	int err;

	if (!e || !ifname_valid(ifname) || (cmd->reply_cmd && !out))
		return -EINVAL;
	for (size_t i = 0; i < n_puts; i++)
		if (!put_valid(&puts[i]))
			return -EINVAL;

	nm = nlmsg_alloc();
	if (!nm)
		return -ENOMEM;
	err = build_request(nm, e->family, cmd, ifname, puts, n_puts);
	if (err < 0)
		goto out;
	cb = request_cb(&req);
	if (!cb) {
		err = -ENOMEM;
		goto out;
	}
	err = nl_send_auto(e->sk, nm);
	if (err < 0) {
		err = nle_errno(err);
		goto out;
	}
	req.seq = nlmsg_hdr(nm)->nlmsg_seq;
	while (!req.done) {
		unsigned int seen = req.n_seen;

		err = nl_recvmsgs(e->sk, cb);
		if (err < 0 && !req.done) {
			err = nle_errno(err);
			goto out;
		}
		/* libnl returns 0 for an empty read as well: do not spin on it. */
		if (!req.done && req.n_seen == seen) {
			err = -EIO;
			goto out;
		}
	}
	if (req.err)
		err = req.err;
	else if (req.parse_err)
		err = req.parse_err;
	else if (cmd->reply_cmd && !req.got_reply)
		err = -EBADMSG;
	else
		err = 0;
	if (!err && cmd->reply_cmd)
		memcpy(out, &req.reply, cmd->out_size);
	/* The kernel's own words for a failure (a warning on success is dropped). */
	if (err && req.extack[0])
		tn_diag_error(d, err, "%s", req.extack);
out:
	if (cb)
		nl_cb_put(cb);
	nlmsg_free(nm);
	return err;
}

int tn_ethtool_open(struct tn_ethtool **out)
{
	struct tn_ethtool *e;
	int one = 1;
	int err;

	if (!out)
		return -EINVAL;
	e = calloc(1, sizeof(*e));
	if (!e)
		return -ENOMEM;
	e->sk = nl_socket_alloc();
	if (!e->sk) {
		err = -ENOMEM;
		goto fail;
	}
	err = genl_connect(e->sk);
	if (err < 0) {
		err = nle_errno(err);
		goto fail;
	}
	nl_socket_enable_auto_ack(e->sk);
	/* Both are optional: without them errors carry no text. */
	(void)setsockopt(nl_socket_get_fd(e->sk), SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one));
	(void)setsockopt(nl_socket_get_fd(e->sk), SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof(one));
	err = genl_ctrl_resolve(e->sk, ETHTOOL_GENL_NAME);
	if (err < 0) {
		/* The controller answers ENOENT, which libnl turns into this. */
		err = err == -NLE_OBJ_NOTFOUND ? -EOPNOTSUPP : nle_errno(err);
		goto fail;
	}
	e->family = err;
	*out = e;
	return 0;
fail:
	tn_ethtool_close(e);
	return err;
}

void tn_ethtool_close(struct tn_ethtool *e)
{
	if (!e)
		return;
	if (e->sk)
		nl_socket_free(e->sk);
	free(e);
}

int tn_ethtool_get_rings(struct tn_ethtool *e, const char *ifname, struct tn_ring *out,
			 struct tn_diag *d)
{
	return request(e, &cmd_rings_get, ifname, NULL, 0, out, d);
}

int tn_ethtool_get_channels(struct tn_ethtool *e, const char *ifname, struct tn_channels *out,
			    struct tn_diag *d)
{
	return request(e, &cmd_channels_get, ifname, NULL, 0, out, d);
}

int tn_ethtool_set_rings(struct tn_ethtool *e, const char *ifname, int64_t rx, int64_t tx,
			 struct tn_diag *d)
{
	const struct et_put puts[] = {
		{ ETHTOOL_A_RINGS_RX, rx, false },
		{ ETHTOOL_A_RINGS_TX, tx, false },
	};

	return request(e, &cmd_rings_set, ifname, puts, TN_ARRAY_SIZE(puts), NULL, d);
}

int tn_ethtool_set_channels(struct tn_ethtool *e, const char *ifname, int64_t combined, int64_t rx,
			    int64_t tx, struct tn_diag *d)
{
	const struct et_put puts[] = {
		{ ETHTOOL_A_CHANNELS_COMBINED_COUNT, combined, false },
		{ ETHTOOL_A_CHANNELS_RX_COUNT, rx, false },
		{ ETHTOOL_A_CHANNELS_TX_COUNT, tx, false },
	};

	return request(e, &cmd_channels_set, ifname, puts, TN_ARRAY_SIZE(puts), NULL, d);
}

int tn_ethtool_get_coalesce(struct tn_ethtool *e, const char *ifname, struct tn_coalesce *out,
			    struct tn_diag *d)
{
	return request(e, &cmd_coalesce_get, ifname, NULL, 0, out, d);
}

int tn_ethtool_set_coalesce(struct tn_ethtool *e, const char *ifname, const struct tn_coalesce *c,
			    struct tn_diag *d)
{
	const struct et_put puts[] = {
		{ ETHTOOL_A_COALESCE_USE_ADAPTIVE_RX, c->adaptive_rx, true },
		{ ETHTOOL_A_COALESCE_RX_USECS, c->rx_usecs, false },
		{ ETHTOOL_A_COALESCE_RX_MAX_FRAMES, c->rx_frames, false },
		{ ETHTOOL_A_COALESCE_TX_USECS, c->tx_usecs, false },
	};

	return request(e, &cmd_coalesce_set, ifname, puts, TN_ARRAY_SIZE(puts), NULL, d);
}
