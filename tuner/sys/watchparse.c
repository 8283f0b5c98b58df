/* SPDX-License-Identifier: MIT */
/*
 * tuner watch: the netlink datagrams of its event sources, parsed (watchsrc.h).
 * Every length comes from the datagram and is checked against what is left
 * of it; headers are copied out (a fuzzer's buffer is not aligned).
 */
#include "watchsrc.h"

#include <net/if.h>
#include <stddef.h>
#include <string.h>

#include <linux/cn_proc.h>
#include <linux/connector.h>
#include <linux/ethtool_netlink.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>

typedef void (*msg_fn)(const char *payload, size_t len, uint16_t type, void *ctx);

/* Each message of a datagram: its payload (after the netlink header). */
static void each_msg(const void *buf, size_t len, msg_fn fn, void *ctx)
{
	const char *p = buf;

	while (len >= sizeof(struct nlmsghdr)) {
		struct nlmsghdr h;
		size_t step;

		memcpy(&h, p, sizeof(h));
		if (h.nlmsg_len < NLMSG_HDRLEN || h.nlmsg_len > len)
			return;
		fn(p + NLMSG_HDRLEN, h.nlmsg_len - NLMSG_HDRLEN, h.nlmsg_type, ctx);
		step = NLMSG_ALIGN(h.nlmsg_len);
		if (step >= len)
			return;
		p += step;
		len -= step;
	}
}

/* The payload of the first attribute of this type among p[0..len), or NULL. */
static const char *attr_find(const char *p, size_t len, uint16_t type, size_t *alen)
{
	while (len >= NLA_HDRLEN) {
		struct nlattr a;
		size_t step;

		memcpy(&a, p, sizeof(a));
		if (a.nla_len < NLA_HDRLEN || a.nla_len > len)
			return NULL;
		if ((a.nla_type & NLA_TYPE_MASK) == type) {
			*alen = a.nla_len - NLA_HDRLEN;
			return p + NLA_HDRLEN;
		}
		step = NLA_ALIGN(a.nla_len);
		if (step >= len)
			return NULL;
		p += step;
		len -= step;
	}
	return NULL;
}

/* An interface name attribute: NUL-terminated within it, 1..15 bytes, no
 * '/', not "." or ".." (what the kernel's dev_valid_name() allows). */
static bool ifname_attr(const char *v, size_t alen, char *out)
{
	const char *nul = v ? memchr(v, '\0', alen < IFNAMSIZ ? alen : IFNAMSIZ) : NULL;

	if (!nul || nul == v || memchr(v, '/', (size_t)(nul - v)) || strcmp(v, ".") == 0 ||
	    strcmp(v, "..") == 0)
		return false;
	memcpy(out, v, (size_t)(nul - v) + 1);
	return true;
}

struct out {
	struct tn_wevent *ev;
	int max, n;
	uint16_t family;
};

static struct tn_wevent *next(struct out *o)
{
	struct tn_wevent *e;

	if (o->n >= o->max)
		return NULL;
	e = &o->ev[o->n];
	memset(e, 0, sizeof(*e));
	return e;
}

static void rtnl_msg(const char *p, size_t len, uint16_t type, void *ctx)
{
	struct out *o = ctx;
	struct ifinfomsg ifi;
	struct tn_wevent *e;
	const char *v;
	size_t alen = 0;

	if ((type != RTM_NEWLINK && type != RTM_DELLINK) || len < sizeof(ifi) || !(e = next(o)))
		return;
	memcpy(&ifi, p, sizeof(ifi));
	if (ifi.ifi_index <= 0)
		return;
	e->kind = type == RTM_DELLINK ? TN_WEV_LINK_GONE : TN_WEV_LINK;
	e->ifindex = ifi.ifi_index;
	e->up = ifi.ifi_flags & IFF_UP;
	v = attr_find(p + NLMSG_ALIGN(sizeof(ifi)),
		      len > NLMSG_ALIGN(sizeof(ifi)) ? len - NLMSG_ALIGN(sizeof(ifi)) : 0,
		      IFLA_IFNAME, &alen);
	ifname_attr(v, alen, e->ifname);
	o->n++;
}

int tn_watch_parse_rtnl(const void *buf, size_t len, struct tn_wevent *ev, int max)
{
	struct out o = { ev, max, 0, 0 };

	each_msg(buf, len, rtnl_msg, &o);
	return o.n;
}

static void ethtool_msg(const char *p, size_t len, uint16_t type, void *ctx)
{
	struct out *o = ctx;
	struct genlmsghdr g;
	const char *hdr, *v;
	size_t hlen = 0, alen = 0;
	struct tn_wevent *e;
	uint32_t idx;

	if (type != o->family || len < GENL_HDRLEN)
		return;
	memcpy(&g, p, sizeof(g));
	if (g.cmd != ETHTOOL_MSG_CHANNELS_NTF && g.cmd != ETHTOOL_MSG_RINGS_NTF)
		return;
	/* ETHTOOL_A_CHANNELS_HEADER and ETHTOOL_A_RINGS_HEADER are both 1 */
	hdr = attr_find(p + GENL_HDRLEN, len - GENL_HDRLEN, ETHTOOL_A_CHANNELS_HEADER, &hlen);
	if (!hdr || !(e = next(o)))
		return;
	e->kind = TN_WEV_ETHTOOL;
	v = attr_find(hdr, hlen, ETHTOOL_A_HEADER_DEV_INDEX, &alen);
	if (v && alen == sizeof(idx)) {
		memcpy(&idx, v, sizeof(idx));
		e->ifindex = idx <= 0x7fffffff ? (int)idx : 0;
	}
	v = attr_find(hdr, hlen, ETHTOOL_A_HEADER_DEV_NAME, &alen);
	ifname_attr(v, alen, e->ifname);
	if (e->ifindex > 0 || e->ifname[0])
		o->n++;
}

int tn_watch_parse_ethtool(const void *buf, size_t len, uint16_t family, struct tn_wevent *ev,
			   int max)
{
	struct out o = { ev, max, 0, family };

	each_msg(buf, len, ethtool_msg, &o);
	return o.n;
}

static void cn_msg_one(const char *p, size_t len, uint16_t type, void *ctx)
{
	struct out *o = ctx;
	struct cn_msg cn;
	struct proc_event pe;
	struct tn_wevent *e;
	size_t need = offsetof(struct proc_event, event_data);

	(void)type;
	if (len < sizeof(cn))
		return;
	memcpy(&cn, p, sizeof(cn));
	if (cn.id.idx != CN_IDX_PROC || cn.id.val != CN_VAL_PROC || cn.len > len - sizeof(cn) ||
	    cn.len < need)
		return;
	memset(&pe, 0, sizeof(pe));
	memcpy(&pe, p + sizeof(cn), cn.len < sizeof(pe) ? cn.len : sizeof(pe));
	if (pe.what == PROC_EVENT_EXEC) {
		if (cn.len < need + sizeof(pe.event_data.exec) ||
		    pe.event_data.exec.process_pid != pe.event_data.exec.process_tgid ||
		    pe.event_data.exec.process_tgid <= 0 || !(e = next(o)))
			return;
		e->kind = TN_WEV_EXEC;
		e->pid = pe.event_data.exec.process_tgid;
	} else if (pe.what == PROC_EVENT_COMM) {
		if (cn.len < need + sizeof(pe.event_data.comm) ||
		    pe.event_data.comm.process_pid != pe.event_data.comm.process_tgid ||
		    pe.event_data.comm.process_tgid <= 0 || !(e = next(o)))
			return;
		e->kind = TN_WEV_COMM;
		e->pid = pe.event_data.comm.process_tgid;
		/* the kernel's 16 bytes need not end with a NUL */
		memcpy(e->comm, pe.event_data.comm.comm,
		       sizeof(e->comm) - 1 < sizeof(pe.event_data.comm.comm)
			       ? sizeof(e->comm) - 1
			       : sizeof(pe.event_data.comm.comm));
	} else {
		return;
	}
	o->n++;
}

int tn_watch_parse_cn(const void *buf, size_t len, struct tn_wevent *ev, int max)
{
	struct out o = { ev, max, 0, 0 };

	each_msg(buf, len, cn_msg_one, &o);
	return o.n;
}
