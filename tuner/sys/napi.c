/* SPDX-License-Identifier: MIT */
#include "napi.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <netlink/attr.h>
#include <netlink/genl/genl.h>
#include <netlink/msg.h>

#include "qstats.h"

/* include/uapi/linux/netdev.h (6.8+); Debian 12's headers predate it. The
 * values are the kernel's ABI. */
#define NA_CMD_QUEUE_GET 10
#define NA_CMD_NAPI_GET 11
#define NA_QUEUE_ID 1
#define NA_QUEUE_IFINDEX 2
#define NA_QUEUE_TYPE 3
#define NA_QUEUE_NAPI_ID 4
#define NA_QUEUE_MAX 4
#define NA_QUEUE_TYPE_RX 0
#define NA_QUEUE_TYPE_TX 1
#define NA_NAPI_IFINDEX 1
#define NA_NAPI_ID 2
#define NA_NAPI_IRQ 3
#define NA_NAPI_MAX 3

static int u32_of(struct nlattr *a, uint32_t *out)
{
	if (!a || nla_len(a) != 4)
		return -EBADMSG;
	*out = nla_get_u32(a);
	return 0;
}

/* ifindex and id: present, 4 bytes, within int */
static int ids(struct nlattr *ifa, struct nlattr *ida, int *ifindex, uint32_t *id)
{
	uint32_t v;

	if (u32_of(ifa, &v) < 0 || v == 0 || v > INT32_MAX || u32_of(ida, id) < 0)
		return -EBADMSG;
	*ifindex = (int)v;
	return 0;
}

int tn_napi_parse_queue(struct nlmsghdr *nlh, struct tn_napi_queue *out)
{
	struct nlattr *tb[NA_QUEUE_MAX + 1];
	struct tn_napi_queue q = { 0 };
	uint32_t id, type;

	if (genlmsg_parse(nlh, 0, tb, NA_QUEUE_MAX, NULL) < 0 ||
	    ids(tb[NA_QUEUE_IFINDEX], tb[NA_QUEUE_ID], &q.ifindex, &id) < 0 || id > INT32_MAX ||
	    u32_of(tb[NA_QUEUE_TYPE], &type) < 0 ||
	    (tb[NA_QUEUE_NAPI_ID] && u32_of(tb[NA_QUEUE_NAPI_ID], &q.napi_id) < 0))
		return -EBADMSG;
	if (type != NA_QUEUE_TYPE_RX && type != NA_QUEUE_TYPE_TX)
		return 1;
	q.id = (int)id;
	q.tx = type == NA_QUEUE_TYPE_TX;
	*out = q;
	return 0;
}

int tn_napi_parse_napi(struct nlmsghdr *nlh, struct tn_napi *out)
{
	struct nlattr *tb[NA_NAPI_MAX + 1];
	struct tn_napi n = { .irq = -1 };
	uint32_t irq;

	if (genlmsg_parse(nlh, 0, tb, NA_NAPI_MAX, NULL) < 0 ||
	    ids(tb[NA_NAPI_IFINDEX], tb[NA_NAPI_ID], &n.ifindex, &n.id) < 0 || n.id == 0)
		return -EBADMSG;
	if (tb[NA_NAPI_IRQ]) {
		if (u32_of(tb[NA_NAPI_IRQ], &irq) < 0 || irq > INT32_MAX)
			return -EBADMSG;
		n.irq = (int)irq;
	}
	*out = n;
	return 0;
}

/* Room for one more element of size sz in *v (n used of *cap). */
static int grow(void **v, int n, int *cap, size_t sz)
{
	void *nv;
	int c;

	if (n < *cap)
		return 0;
	if (n >= TN_NAPI_MAX_MSGS)
		return -E2BIG;
	c = *cap ? *cap * 2 : 64;
	nv = realloc(*v, (size_t)c * sz);
	if (!nv)
		return -ENOMEM;
	*v = nv;
	*cap = c;
	return 0;
}

int tn_napi_add_queue(struct tn_napi_links *l, struct nlmsghdr *nlh)
{
	struct tn_napi_queue q;
	int ret = tn_napi_parse_queue(nlh, &q);

	if (ret != 0)
		return ret > 0 ? 0 : ret;
	if ((ret = grow((void **)&l->queues, l->n_queues, &l->cap_queues, sizeof(q))) < 0)
		return ret;
	l->queues[l->n_queues++] = q;
	return 0;
}

int tn_napi_add_napi(struct tn_napi_links *l, struct nlmsghdr *nlh)
{
	struct tn_napi n;
	int ret = tn_napi_parse_napi(nlh, &n);

	if (ret < 0)
		return ret;
	if ((ret = grow((void **)&l->napis, l->n_napis, &l->cap_napis, sizeof(n))) < 0)
		return ret;
	l->napis[l->n_napis++] = n;
	return 0;
}

static int cmp_queue(const void *a, const void *b)
{
	const struct tn_napi_queue *x = a, *y = b;

	if (x->ifindex != y->ifindex)
		return (x->ifindex > y->ifindex) - (x->ifindex < y->ifindex);
	if (x->tx != y->tx)
		return x->tx - y->tx;
	return (x->id > y->id) - (x->id < y->id);
}

static int cmp_napi(const void *a, const void *b)
{
	const struct tn_napi *x = a, *y = b;

	if (x->ifindex != y->ifindex)
		return (x->ifindex > y->ifindex) - (x->ifindex < y->ifindex);
	return (x->id > y->id) - (x->id < y->id);
}

void tn_napi_links_sort(struct tn_napi_links *l)
{
	if (l->n_queues > 1)
		qsort(l->queues, (size_t)l->n_queues, sizeof(*l->queues), cmp_queue);
	if (l->n_napis > 1)
		qsort(l->napis, (size_t)l->n_napis, sizeof(*l->napis), cmp_napi);
}

void tn_napi_links_free(struct tn_napi_links *l)
{
	if (!l)
		return;
	free(l->queues);
	free(l->napis);
	memset(l, 0, sizeof(*l));
}

/* The IRQ of a NAPI of the device; -1 when unknown. */
static int napi_irq(const struct tn_napi_links *l, int ifindex, uint32_t id)
{
	struct tn_napi key = { .ifindex = ifindex, .id = id }, *n;

	if (!id || !l->n_napis)
		return -1;
	n = bsearch(&key, l->napis, (size_t)l->n_napis, sizeof(key), cmp_napi);
	return n ? n->irq : -1;
}

static struct tn_irq *nic_irq(struct tn_nic *n, int irq)
{
	for (int i = 0; i < n->n_irqs; i++)
		if (n->irqs[i].irq == irq)
			return &n->irqs[i];
	return NULL;
}

/* The name table's view of an IRQ, for a warning: "rx queue 1", "other". */
static void name_view(enum tn_irq_kind kind, int queue, char *buf, size_t len)
{
	if (queue >= 0)
		snprintf(buf, len, "%s queue %d", tn_irq_kind_name(kind), queue);
	else
		snprintf(buf, len, "%s", tn_irq_kind_name(kind));
}

/* One linked queue: its IRQ takes the link; *named holds the name table's
 * (kind, queue) of each IRQ before any link was applied. */
static int link_queue(const struct tn_napi_queue *q, int irq, struct tn_nic *n,
		      const enum tn_irq_kind *kinds, const int *queues, struct tn_diag *d)
{
	struct tn_irq *r = nic_irq(n, irq);
	enum tn_irq_kind want = q->tx ? TN_IRQ_TX : TN_IRQ_RX;
	char was[48];
	size_t k;

	if (!r) {
		tn_diag_warn(d,
			     "%s: netdev-genl links %s queue %d to IRQ %d (NAPI %u), which is not "
			     "among the NIC's IRQs; not used",
			     n->name, q->tx ? "tx" : "rx", q->id, irq, q->napi_id);
		return 0;
	}
	k = (size_t)(r - n->irqs);
	/* rx and tx queue of one index on one IRQ: a txrx vector */
	if (r->napi_id && r->queue == q->id && r->kind != want)
		want = TN_IRQ_TXRX;
	/* said once per IRQ: at its first link */
	if (!r->napi_id && !(queues[k] == q->id && (kinds[k] == want || kinds[k] == TN_IRQ_TXRX))) {
		name_view(kinds[k], queues[k], was, sizeof(was));
		tn_diag_warn(d,
			     "%s: netdev-genl links %s queue %d to IRQ %d (NAPI %u); the IRQ "
			     "name table says %s (%s): netdev-genl kept",
			     n->name, q->tx ? "tx" : "rx", q->id, irq, q->napi_id, was, r->name);
	}
	r->kind = want;
	r->queue = q->id;
	r->napi_id = q->napi_id;
	return 1;
}

/* The first queue of the device in the sorted list (l->n_queues if none):
 * each NIC costs its own queues, not every device's. */
static int first_queue(const struct tn_napi_links *l, int ifindex)
{
	int lo = 0, hi = l->n_queues;

	while (lo < hi) {
		int mid = lo + (hi - lo) / 2;

		if (l->queues[mid].ifindex < ifindex)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

int tn_napi_apply(const struct tn_napi_links *l, struct tn_nic *n, struct tn_diag *d)
{
	enum tn_irq_kind *kinds;
	int *queues, linked = 0;

	if (!l->n_queues || n->ifindex <= 0 || !n->n_irqs)
		return 0;
	kinds = calloc((size_t)n->n_irqs, sizeof(*kinds));
	queues = calloc((size_t)n->n_irqs, sizeof(*queues));
	if (!kinds || !queues) {
		free(kinds);
		free(queues);
		return tn_diag_error(d, -ENOMEM, "out of memory");
	}
	for (int i = 0; i < n->n_irqs; i++) {
		kinds[i] = n->irqs[i].kind;
		queues[i] = n->irqs[i].queue;
	}
	/* rx queues first, then tx (the sort order) */
	for (int i = first_queue(l, n->ifindex); i < l->n_queues; i++) {
		const struct tn_napi_queue *q = &l->queues[i];
		int irq;

		if (q->ifindex != n->ifindex)
			break;
		if (!q->napi_id)
			continue;
		irq = napi_irq(l, n->ifindex, q->napi_id);
		if (irq >= 0)
			linked += link_queue(q, irq, n, kinds, queues, d);
	}
	if (linked)
		snprintf(n->queue_source, sizeof(n->queue_source), "%s", TN_QUEUE_SOURCE_GENL);
	free(kinds);
	free(queues);
	return linked;
}

static int on_queue(struct nlmsghdr *nlh, void *arg)
{
	return tn_napi_add_queue(arg, nlh);
}

static int on_napi(struct nlmsghdr *nlh, void *arg)
{
	return tn_napi_add_napi(arg, nlh);
}

static const char *why(int ret, const char *err)
{
	if (err[0])
		return err;
	return ret == -E2BIG	? "more than 1048576 entries"
	       : ret == -ENOMEM ? "out of memory"
				: "a malformed answer";
}

int tn_napi_discover(struct tn_state *s, struct tn_diag *d)
{
	struct tn_napi_links l = { 0 };
	struct tn_qstats_sock *qs = NULL;
	struct tn_diag nd; /* netlink's words, in the warning */
	int ret;

	tn_diag_init(&nd);
	ret = tn_qstats_open(&qs, &nd);
	if (ret != 0) {
		if (ret < 0)
			tn_diag_warn(d, "netdev-genl: %s; IRQ queues from their names",
				     nd.error[0] ? nd.error : strerror(-ret));
		tn_diag_free(&nd);
		return ret < 0 ? ret : 0;
	}
	ret = tn_qstats_dump(qs, NA_CMD_QUEUE_GET, NA_QUEUE_IFINDEX, 0, on_queue, &l, &nd);
	if (ret == 0)
		ret = tn_qstats_dump(qs, NA_CMD_NAPI_GET, NA_NAPI_IFINDEX, 0, on_napi, &l, &nd);
	if (ret < 0) {
		tn_diag_warn(d, "netdev-genl queue and NAPI dumps: %s; IRQ queues from their names",
			     why(ret, nd.error));
	} else if (ret == 0) {
		tn_napi_links_sort(&l);
		for (int i = 0; i < s->n_nics && ret >= 0; i++)
			ret = tn_napi_apply(&l, &s->nics[i], d);
	}
	tn_napi_links_free(&l);
	tn_diag_free(&nd);
	tn_qstats_close(qs);
	return ret < 0 ? ret : 0;
}
