/* SPDX-License-Identifier: MIT */
/*
 * queue->NAPI->IRQ from netdev-genl (issue 15 part B): queue-get and napi-get
 * messages recorded from a real kernel (tests/unit/data, nlrecord.py) and
 * hostile ones; the links applied to a NIC's IRQs (agreement, disagreement
 * with the name table, an IRQ not the NIC's, rx and tx on one vector); the
 * snapshot's queue_source and napi_id.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <netlink/attr.h>
#include <netlink/genl/genl.h>
#include <netlink/msg.h>

#include "napi.h"
#include "state_json.h"
#include "unit_util.h"

#define DATA TN_SOURCE_DIR "/tests/unit/data/"

enum { Q_ID = 1, Q_IFINDEX = 2, Q_TYPE = 3, Q_NAPI = 4, N_IFINDEX = 1, N_ID = 2, N_IRQ = 3 };

/* Line 'line' of a recorder file: one whole netlink message in hex. */
static struct nlmsghdr *recorded(const char *file, int line)
{
	size_t n;
	struct nlmsghdr *m = tn_test_recorded(file, line, &n);

	assert_int_equal(m->nlmsg_len, n);
	return m;
}

/* Linux 6.18, virtio_net eth0 (ifindex 4): rx queue 0 on NAPI 257, tx queue
 * 0 on none; NAPI 257 without an IRQ (this virtio does not link one). */
static void test_recorded(void **st)
{
	struct nlmsghdr *rx = recorded(DATA "queues-virtio_net-6.18.hex", 0);
	struct nlmsghdr *tx = recorded(DATA "queues-virtio_net-6.18.hex", 1);
	struct nlmsghdr *na = recorded(DATA "napis-virtio_net-6.18.hex", 0);
	struct tn_napi_queue q;
	struct tn_napi n;

	(void)st;
	assert_int_equal(tn_napi_parse_queue(rx, &q), 0);
	assert_int_equal(q.ifindex, 4);
	assert_int_equal(q.id, 0);
	assert_false(q.tx);
	assert_int_equal(q.napi_id, 257);
	assert_int_equal(tn_napi_parse_queue(tx, &q), 0);
	assert_true(q.tx);
	assert_int_equal(q.napi_id, 0);
	assert_int_equal(tn_napi_parse_napi(na, &n), 0);
	assert_int_equal(n.ifindex, 4);
	assert_int_equal(n.id, 257);
	assert_int_equal(n.irq, -1);
	free(rx);
	free(tx);
	free(na);
}

static struct nl_msg *msg(uint8_t cmd)
{
	struct nl_msg *m = nlmsg_alloc();

	assert_non_null(m);
	assert_non_null(genlmsg_put(m, 0, 1, 0x20, 0, 0, cmd, 1));
	return m;
}

static void add_queue(struct tn_napi_links *l, int ifindex, int id, int tx, uint32_t napi)
{
	struct nl_msg *m = msg(10);

	nla_put_u32(m, Q_ID, (uint32_t)id);
	nla_put_u32(m, Q_IFINDEX, (uint32_t)ifindex);
	nla_put_u32(m, Q_TYPE, (uint32_t)tx);
	if (napi)
		nla_put_u32(m, Q_NAPI, napi);
	assert_int_equal(tn_napi_add_queue(l, nlmsg_hdr(m)), 0);
	nlmsg_free(m);
}

static void add_napi(struct tn_napi_links *l, int ifindex, uint32_t id, int irq)
{
	struct nl_msg *m = msg(11);

	nla_put_u32(m, N_ID, id);
	nla_put_u32(m, N_IFINDEX, (uint32_t)ifindex);
	if (irq >= 0)
		nla_put_u32(m, N_IRQ, (uint32_t)irq);
	assert_int_equal(tn_napi_add_napi(l, nlmsg_hdr(m)), 0);
	nlmsg_free(m);
}

static void hostile_queue(void (*put)(struct nl_msg *m), int want)
{
	struct tn_napi_queue q = { .id = 77 };
	struct nl_msg *m = msg(10);

	put(m);
	assert_int_equal(tn_napi_parse_queue(nlmsg_hdr(m), &q), want);
	assert_int_equal(q.id, 77);	/* untouched */
	nlmsg_free(m);
}

static void no_ifindex(struct nl_msg *m)
{
	nla_put_u32(m, Q_ID, 1);
	nla_put_u32(m, Q_TYPE, 0);
}

static void short_napi(struct nl_msg *m)
{
	nla_put_u32(m, Q_ID, 1);
	nla_put_u32(m, Q_IFINDEX, 3);
	nla_put_u32(m, Q_TYPE, 0);
	nla_put(m, Q_NAPI, 2, "\1\1");
}

static void other_type(struct nl_msg *m)
{
	nla_put_u32(m, Q_ID, 1);
	nla_put_u32(m, Q_IFINDEX, 3);
	nla_put_u32(m, Q_TYPE, 7);
}

static void id_too_big(struct nl_msg *m)
{
	nla_put_u32(m, Q_ID, 0x80000000u);
	nla_put_u32(m, Q_IFINDEX, 3);
	nla_put_u32(m, Q_TYPE, 0);
}

static void test_hostile(void **st)
{
	struct tn_napi n = { .irq = 5 };
	struct nl_msg *m;

	(void)st;
	hostile_queue(no_ifindex, -EBADMSG);
	hostile_queue(short_napi, -EBADMSG);
	hostile_queue(other_type, 1);
	hostile_queue(id_too_big, -EBADMSG);
	m = msg(11);
	nla_put_u32(m, N_ID, 9);
	nla_put_u32(m, N_IFINDEX, 3);
	nla_put_u32(m, N_IRQ, 0x80000000u);	/* not an IRQ number */
	assert_int_equal(tn_napi_parse_napi(nlmsg_hdr(m), &n), -EBADMSG);
	nlmsg_free(m);
	m = msg(11);
	nla_put_u32(m, N_ID, 0);		/* NAPI ids start at 1 */
	nla_put_u32(m, N_IFINDEX, 3);
	assert_int_equal(tn_napi_parse_napi(nlmsg_hdr(m), &n), -EBADMSG);
	nlmsg_free(m);
	assert_int_equal(n.irq, 5);
}

/* A NIC of ifindex 7: IRQs 40 and 41 named for queues 0 and 1 (txrx), 42 other. */
static void nic7(struct tn_nic *n, int q40, int q41)
{
	static const char *const names[] = { "eth1-TxRx-0", "eth1-TxRx-1", "eth1" };

	memset(n, 0, sizeof(*n));
	snprintf(n->name, sizeof(n->name), "eth1");
	snprintf(n->queue_source, sizeof(n->queue_source), "%s", TN_QUEUE_SOURCE_NAME);
	n->ifindex = 7;
	n->n_irqs = 3;
	n->irqs = calloc(3, sizeof(*n->irqs));
	assert_non_null(n->irqs);
	for (int i = 0; i < 3; i++) {
		n->irqs[i].irq = 40 + i;
		n->irqs[i].name = strdup(names[i]);
		assert_non_null(n->irqs[i].name);
		n->irqs[i].kind = i < 2 ? TN_IRQ_TXRX : TN_IRQ_OTHER;
		n->irqs[i].queue = i == 0 ? q40 : i == 1 ? q41 : -1;
	}
}

static void links(struct tn_napi_links *l, int extra_irq)
{
	memset(l, 0, sizeof(*l));
	add_queue(l, 7, 1, 1, 101);
	add_queue(l, 7, 0, 0, 100);
	add_queue(l, 7, 1, 0, 101);
	add_queue(l, 7, 0, 1, 100);
	add_queue(l, 8, 0, 0, 300);		/* other NICs', before and after */
	add_queue(l, 3, 5, 0, 50);
	add_napi(l, 3, 50, 42);
	add_napi(l, 7, 101, 41);
	add_napi(l, 7, 100, 40);
	add_napi(l, 8, 300, 42);		/* not eth1's, though the same number */
	if (extra_irq) {
		add_queue(l, 7, 2, 0, 102);
		add_napi(l, 7, 102, extra_irq);
	}
	tn_napi_links_sort(l);
}

static void test_apply(void **st)
{
	struct tn_napi_links l;
	struct tn_nic n;
	struct tn_diag d;

	(void)st;
	/* the name table agrees: no word; the links recorded */
	links(&l, 0);
	nic7(&n, 0, 1);
	tn_diag_init(&d);
	assert_int_equal(tn_napi_apply(&l, &n, &d), 4);
	assert_int_equal(d.n_warnings, 0);
	assert_string_equal(n.queue_source, "netdev-genl");
	assert_int_equal(n.irqs[0].napi_id, 100);
	assert_int_equal(n.irqs[0].kind, TN_IRQ_TXRX);
	assert_int_equal(n.irqs[1].napi_id, 101);
	assert_int_equal(n.irqs[1].queue, 1);
	assert_int_equal(n.irqs[2].kind, TN_IRQ_OTHER);	/* other NIC's IRQ 42 */
	assert_int_equal(n.irqs[2].napi_id, 0);
	tn_nic_free(&n);
	tn_diag_free(&d);
	tn_napi_links_free(&l);

	/* the name table has the queues swapped: said once per IRQ, links kept;
	 * a link to an IRQ that is not the NIC's: said, not used */
	links(&l, 99);
	nic7(&n, 1, 0);
	tn_diag_init(&d);
	assert_int_equal(tn_napi_apply(&l, &n, &d), 4);
	assert_int_equal(d.n_warnings, 3);
	assert_string_equal(d.warnings[0], "eth1: netdev-genl links rx queue 0 to IRQ 40 (NAPI "
					   "100); the IRQ name table says txrx queue 1 "
					   "(eth1-TxRx-0): netdev-genl kept");
	assert_string_equal(d.warnings[1], "eth1: netdev-genl links rx queue 1 to IRQ 41 (NAPI "
					   "101); the IRQ name table says txrx queue 0 "
					   "(eth1-TxRx-1): netdev-genl kept");
	assert_string_equal(d.warnings[2], "eth1: netdev-genl links rx queue 2 to IRQ 99 (NAPI "
					   "102), which is not among the NIC's IRQs; not used");
	assert_int_equal(n.irqs[0].queue, 0);
	assert_int_equal(n.irqs[0].kind, TN_IRQ_TXRX);
	assert_int_equal(n.irqs[1].queue, 1);
	tn_nic_free(&n);
	tn_diag_free(&d);
	tn_napi_links_free(&l);

	/* nothing linked (the recorded virtio): the name table stays, unsaid */
	memset(&l, 0, sizeof(l));
	add_queue(&l, 7, 0, 0, 100);
	add_napi(&l, 7, 100, -1);
	tn_napi_links_sort(&l);
	nic7(&n, 0, 1);
	tn_diag_init(&d);
	assert_int_equal(tn_napi_apply(&l, &n, &d), 0);
	assert_string_equal(n.queue_source, "irq_name");
	assert_int_equal(d.n_warnings, 0);
	tn_nic_free(&n);
	tn_diag_free(&d);
	tn_napi_links_free(&l);
}

static const char snap[] =
	"{\"schema_version\": 1, \"topology\": {\"cpus\": \"0-3\", \"online\": \"0-3\","
	" \"nodes\": [{\"id\": 0, \"cpus\": \"0-3\"}]}, \"nics\": [{\"name\": \"eth0\"%s, "
	"\"irqs\": [{\"irq\": 40, \"kind\": \"rx\", \"queue\": 0%s}]}]}";

static int load(const char *nic, const char *irq, struct tn_state *s, struct tn_diag *d)
{
	char text[1024];

	snprintf(text, sizeof(text), snap, nic, irq);
	tn_state_init(s);
	tn_diag_init(d);
	return tn_state_parse(text, "s.json", s, d);
}

static void test_snapshot(void **st)
{
	struct tn_state s;
	struct tn_diag d;
	char *text;
	cJSON *j;

	(void)st;
	assert_int_equal(load("", "", &s, &d), 0);	/* older: the name table */
	assert_string_equal(s.nics[0].queue_source, "irq_name");
	assert_int_equal(s.nics[0].irqs[0].napi_id, 0);
	j = tn_state_to_json(&s);
	text = cJSON_PrintUnformatted(j);
	assert_null(strstr(text, "queue_source"));
	assert_null(strstr(text, "napi_id"));
	free(text);
	cJSON_Delete(j);
	tn_state_free(&s);
	tn_diag_free(&d);

	assert_int_equal(load(", \"queue_source\": \"netdev-genl\"", ", \"napi_id\": 4294967295",
			      &s, &d), 0);
	assert_string_equal(s.nics[0].queue_source, "netdev-genl");
	assert_true(s.nics[0].irqs[0].napi_id == UINT32_MAX);
	j = tn_state_to_json(&s);
	text = cJSON_PrintUnformatted(j);
	assert_non_null(strstr(text, "\"queue_source\":\"netdev-genl\""));
	assert_non_null(strstr(text, "\"napi_id\":4294967295"));
	free(text);
	cJSON_Delete(j);
	tn_state_free(&s);
	tn_diag_free(&d);

	assert_int_equal(load(", \"queue_source\": \"guess\"", "", &s, &d), -EINVAL);
	assert_string_equal(d.error, "s.json: nics[0].queue_source: expected \"netdev-genl\" or "
				     "\"irq_name\"");
	tn_state_free(&s);
	tn_diag_free(&d);
	assert_int_equal(load("", ", \"napi_id\": 0", &s, &d), -EINVAL);
	assert_non_null(strstr(d.error, "nics[0].irqs[0].napi_id"));
	tn_state_free(&s);
	tn_diag_free(&d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_recorded),
		cmocka_unit_test(test_hostile),
		cmocka_unit_test(test_apply),
		cmocka_unit_test(test_snapshot),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
