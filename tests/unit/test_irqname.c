/* SPDX-License-Identifier: MIT */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "irqname.h"

struct irq_case {
	const char *ifname, *pci, *busdev, *name;
	bool ours;
	enum tn_irq_kind kind;
	int queue;
};

#define OURS(i, p, b, n, k, q) { i, p, b, n, true, k, q }
#define NOT(i, p, b, n) { i, p, b, n, false, TN_IRQ_OTHER, -1 }

static const struct irq_case cases[] = {
	/* ixgbe, igb */
	OURS("eth0", "0000:04:00.0", "0000:04:00.0", "eth0-TxRx-0", TN_IRQ_TXRX, 0),
	OURS("eth0", "0000:04:00.0", "0000:04:00.0", "eth0-TxRx-15", TN_IRQ_TXRX, 15),
	OURS("eth0", "0000:04:00.0", "0000:04:00.0", "eth0-rx-3", TN_IRQ_RX, 3),
	OURS("eth0", "0000:04:00.0", "0000:04:00.0", "eth0-tx-3", TN_IRQ_TX, 3),
	OURS("eth0", "0000:04:00.0", "0000:04:00.0", "eth0", TN_IRQ_OTHER, -1),
	/* anchoring: eth1 never takes eth10's IRQs, nor eth1's prefix ones */
	NOT("eth1", "0000:04:00.1", "0000:04:00.1", "eth10-TxRx-0"),
	NOT("eth1", "0000:04:00.1", "0000:04:00.1", "eth10"),
	NOT("eth1", "0000:04:00.1", "0000:04:00.1", "xeth1-TxRx-0"),
	NOT("eth1", "0000:04:00.1", "0000:04:00.1", "eth1-TxRx-"),
	NOT("eth1", "0000:04:00.1", "0000:04:00.1", "eth1-TxRx-0x"),
	OURS("eth10", "0000:0b:00.1", "0000:0b:00.1", "eth10-TxRx-1", TN_IRQ_TXRX, 1),
	/* i40e, ice */
	OURS("eth0", "0000:81:00.0", "0000:81:00.0", "i40e-eth0-TxRx-7", TN_IRQ_TXRX, 7),
	OURS("eth0", "0000:81:00.0", "0000:81:00.0", "i40e-0000:81:00.0:misc", TN_IRQ_OTHER, -1),
	NOT("eth0", "0000:81:00.0", "0000:81:00.0", "i40e-0000:81:00.1:misc"),
	NOT("eth0", "0000:81:00.0", "0000:81:00.0", "i40e-eth1-TxRx-7"),
	OURS("ens1f0", "0000:3b:00.0", "0000:3b:00.0", "ice-ens1f0-TxRx-2", TN_IRQ_TXRX, 2),
	/* mlx5: named by PCI address only */
	OURS("ib0", "0000:04:00.0", "0000:04:00.0", "mlx5_comp3@pci:0000:04:00.0", TN_IRQ_TXRX, 3),
	OURS("ib0", "0000:04:00.0", "0000:04:00.0", "mlx5_async0@pci:0000:04:00.0", TN_IRQ_OTHER,
	     -1),
	NOT("ib0", "0000:04:00.0", "0000:04:00.0", "mlx5_comp3@pci:0000:04:00.1"),
	/* virtio-net: by the virtio device name */
	OURS("eth0", "0000:00:03.0", "virtio2", "virtio2-input.0", TN_IRQ_RX, 0),
	OURS("eth0", "0000:00:03.0", "virtio2", "virtio2-output.3", TN_IRQ_TX, 3),
	OURS("eth0", "0000:00:03.0", "virtio2", "virtio2-config", TN_IRQ_OTHER, -1),
	OURS("eth0", "0000:00:03.0", "virtio2", "virtio2-virtqueues", TN_IRQ_TXRX, 0),
	NOT("eth0", "0000:00:03.0", "virtio2", "virtio20-input.0"),
	NOT("eth0", "0000:00:03.0", "virtio2", "virtio1-req.0"),
	NOT("eth0", "0000:04:00.0", "0000:04:00.0", "virtio2-input.0"),
	/* e1000e */
	OURS("eth7", "0000:89:00.0", "0000:89:00.0", "eth7-rx-0", TN_IRQ_RX, 0),
	OURS("eth7", "0000:89:00.0", "0000:89:00.0", "eth7-tx-0", TN_IRQ_TX, 0),
	OURS("enp0s31f6abc", "0000:00:1f.6", "0000:00:1f.6", "enp0s31f6abc", TN_IRQ_OTHER, -1),
	/* bnxt, tg3, ena, sfc, gve, nfp, qede, cxgb4 */
	OURS("eth2", "", "", "eth2-txrx-1", TN_IRQ_TXRX, 1),
	OURS("eth0", "0000:00:05.0", "0000:00:05.0", "eth0-Tx-Rx-4", TN_IRQ_TXRX, 4),
	OURS("eth0", "0000:00:05.0", "0000:00:05.0", "ena-mgmnt@pci:0000:00:05.0", TN_IRQ_OTHER,
	     -1),
	OURS("eth3", "", "", "eth3-5", TN_IRQ_TXRX, 5),
	OURS("eth3", "", "", "eth3-xdp-1", TN_IRQ_OTHER, -1),
	OURS("ens4", "0000:00:04.0", "0000:00:04.0", "gve-ntfy-blk2@pci:0000:00:04.0",
	     TN_IRQ_TXRX, 2),
	OURS("eth0", "", "", "eth0-ntfy-block.1", TN_IRQ_TXRX, 1),
	OURS("eth0", "", "", "eth0-rxtx-6", TN_IRQ_TXRX, 6),
	OURS("eth0", "", "", "eth0-fp-2", TN_IRQ_TXRX, 2),
	OURS("eth0", "", "", "eth0-Rx3", TN_IRQ_RX, 3),
	OURS("eth0", "", "", "eth0 (queue 0)", TN_IRQ_RX, 0),
	NOT("eth0", "", "", "eth0 (queue x)"),
	/* shared lines: any of the actions */
	OURS("eth0", "", "", "ahci, eth0-TxRx-1", TN_IRQ_TXRX, 1),
	NOT("eth0", "", "", "ahci, eth01"),
	NOT("eth0", "", "", ""),
};

static void test_table(void **state)
{
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct irq_case *c = &cases[i];
		struct tn_irqname_ctx ctx = { c->ifname, c->pci, c->busdev };
		enum tn_irq_kind kind = (enum tn_irq_kind)99;
		int queue = 99;
		bool ours = tn_irqname_classify(c->name, &ctx, &kind, &queue);

		if (ours != c->ours)
			fail_msg("case %zu: \"%s\" for %s: %s, expected %s", i, c->name, c->ifname,
				 ours ? "ours" : "not ours", c->ours ? "ours" : "not ours");
		if (!ours)
			continue;
		if (kind != c->kind || queue != c->queue)
			fail_msg("case %zu: \"%s\": kind %s queue %d, expected %s %d", i, c->name,
				 tn_irq_kind_name(kind), queue, tn_irq_kind_name(c->kind), c->queue);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
