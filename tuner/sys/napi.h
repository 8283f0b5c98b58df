/* SPDX-License-Identifier: MIT */
/*
 * Which NAPI instance, and so which IRQ, serves each queue, as the driver
 * links them (netdev-genl queue-get and napi-get dumps, Linux 6.8+; a driver
 * that calls netif_queue_set_napi() and netif_napi_set_irq()). Live host
 * only. Where a driver links its queues, the NIC's IRQ kinds and queues come
 * from the links (queue_source "netdev-genl"), and each place where the IRQ
 * name table said otherwise is a warning; elsewhere the name table stays.
 */
#ifndef TN_NAPI_H
#define TN_NAPI_H

#include <stdbool.h>
#include <stdint.h>

#include "diag.h"
#include "state.h"

#define TN_NAPI_MAX_MSGS (1 << 20) /* queues or NAPIs in one dump; beyond: refused */

struct tn_napi_queue {
	int ifindex;
	int id;
	bool tx;	  /* else rx */
	uint32_t napi_id; /* 0: not linked */
};

struct tn_napi {
	int ifindex;
	uint32_t id;
	int irq; /* -1: not reported */
};

/*
 * One message of a queue-get or napi-get dump (exposed for tests and the
 * fuzzer): 0; 1 for a queue of a type neither rx nor tx (not ours); -EBADMSG
 * for a message without ifindex and id, or with an attribute of the wrong
 * size or range. out untouched unless 0.
 */
struct nlmsghdr;
int tn_napi_parse_queue(struct nlmsghdr *nlh, struct tn_napi_queue *out);
int tn_napi_parse_napi(struct nlmsghdr *nlh, struct tn_napi *out);

/* What the two dumps found, sorted by (ifindex, id). */
struct tn_napi_links {
	int n_queues, cap_queues, n_napis, cap_napis;
	struct tn_napi_queue *queues;
	struct tn_napi *napis;
};

/* Add one message (0, -EBADMSG, -E2BIG past TN_NAPI_MAX_MSGS, -ENOMEM); sort. */
int tn_napi_add_queue(struct tn_napi_links *l, struct nlmsghdr *nlh);
int tn_napi_add_napi(struct tn_napi_links *l, struct nlmsghdr *nlh);
void tn_napi_links_sort(struct tn_napi_links *l);
void tn_napi_links_free(struct tn_napi_links *l);

/*
 * Apply the links (sorted) to one NIC of the snapshot: the kind, queue and napi_id of
 * each IRQ a queue is linked to; queue_source "netdev-genl" when at least
 * one is. A disagreement with the name table, or a linked IRQ that is not
 * among the NIC's, is a warning. Returns how many IRQs were linked.
 */
int tn_napi_apply(const struct tn_napi_links *l, struct tn_nic *n, struct tn_diag *d);

/* Both dumps, every NIC of s; a kernel without them changes nothing. 0 or
 * -errno (a warning said in d: discovery goes on with the name table);
 * -ENOMEM as d's error. */
int tn_napi_discover(struct tn_state *s, struct tn_diag *d);

#endif
