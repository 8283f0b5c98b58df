/* SPDX-License-Identifier: MIT */
#include "irqname.h"

#include <ctype.h>
#include <string.h>

/*
 * Placeholders: %i the interface name, %p the PCI address, %v the virtio device
 * ("virtio2"), %n a queue or vector number. Everything else is literal.
 */
struct pattern {
	const char *pat;
	enum tn_irq_kind kind;
	bool has_queue; /* %n is a queue index (else a vector number) */
};

static const struct pattern patterns[] = {
	/* ixgbe, igb, igc, bnxt_en, e1000e, tg3, sfc */
	{ "%i-TxRx-%n", TN_IRQ_TXRX, true },
	{ "%i-rx-%n", TN_IRQ_RX, true },
	{ "%i-tx-%n", TN_IRQ_TX, true },
	{ "%i-txrx-%n", TN_IRQ_TXRX, true },
	/* i40e, ice */
	{ "i40e-%i-TxRx-%n", TN_IRQ_TXRX, true },
	{ "i40e-%i-rx-%n", TN_IRQ_RX, true },
	{ "i40e-%i-tx-%n", TN_IRQ_TX, true },
	{ "i40e-%p:misc", TN_IRQ_OTHER, false },
	{ "ice-%i-TxRx-%n", TN_IRQ_TXRX, true },
	{ "ice-%i-rx-%n", TN_IRQ_RX, true },
	{ "ice-%i-tx-%n", TN_IRQ_TX, true },
	/* mlx5: named by PCI address only */
	{ "mlx5_comp%n@pci:%p", TN_IRQ_TXRX, true },
	{ "mlx5_async%n@pci:%p", TN_IRQ_OTHER, false },
	{ "mlx5_ctrl%n@pci:%p", TN_IRQ_OTHER, false },
	/* virtio-net */
	{ "%v-input.%n", TN_IRQ_RX, true },
	{ "%v-output.%n", TN_IRQ_TX, true },
	{ "%v-virtqueues", TN_IRQ_TXRX, false },
	{ "%v-config", TN_IRQ_OTHER, false },
	{ "%v-control", TN_IRQ_OTHER, false },
	/* ena */
	{ "%i-Tx-Rx-%n", TN_IRQ_TXRX, true },
	{ "ena-mgmnt@pci:%p", TN_IRQ_OTHER, false },
	/* sfc */
	{ "%i-%n", TN_IRQ_TXRX, true },
	{ "%i-xdp-%n", TN_IRQ_OTHER, false },
	/* gve */
	{ "gve-ntfy-blk%n@pci:%p", TN_IRQ_TXRX, true },
	{ "%i-ntfy-block.%n", TN_IRQ_TXRX, true },
	{ "gve-mgmnt@pci:%p", TN_IRQ_OTHER, false },
	/* nfp, qede, cxgb4 */
	{ "%i-rxtx-%n", TN_IRQ_TXRX, true },
	{ "%i-fp-%n", TN_IRQ_TXRX, true },
	{ "%i-Rx%n", TN_IRQ_RX, true },
	{ "%i (queue %n)", TN_IRQ_RX, true },
	/* the bare interface name: link/admin vectors (or every vector of e1000e
	 * and tg3 when the name is too long to suffix) */
	{ "%i", TN_IRQ_OTHER, false },
};

static bool match_word(const char **s, const char *end, const char *word)
{
	size_t n = strlen(word);

	if (n == 0 || (size_t)(end - *s) < n || memcmp(*s, word, n) != 0)
		return false;
	*s += n;
	return true;
}

/* Match one action name [s, end) against pat. */
static bool match(const char *pat, const char *s, const char *end, const struct tn_irqname_ctx *ctx,
		  int *num)
{
	for (const char *p = pat; *p; p++) {
		if (*p != '%') {
			if (s == end || *s != *p)
				return false;
			s++;
			continue;
		}
		switch (*++p) {
		case 'i':
			if (!ctx->ifname || !match_word(&s, end, ctx->ifname))
				return false;
			break;
		case 'p':
			if (!ctx->pci || !match_word(&s, end, ctx->pci))
				return false;
			break;
		case 'v':
			if (!ctx->busdev || strncmp(ctx->busdev, "virtio", 6) != 0 ||
			    !match_word(&s, end, ctx->busdev))
				return false;
			break;
		case 'n': {
			long v = 0;

			if (s == end || !isdigit((unsigned char)*s))
				return false;
			while (s < end && isdigit((unsigned char)*s)) {
				v = v * 10 + (*s - '0');
				if (v > 1000000)
					return false;
				s++;
			}
			*num = (int)v;
			break;
		}
		default:
			return false;
		}
	}
	return s == end;
}

bool tn_irqname_classify(const char *name, const struct tn_irqname_ctx *ctx, enum tn_irq_kind *kind,
			 int *queue)
{
	const char *start = name;

	/* Shared IRQs list several actions: "a, b". */
	for (;;) {
		const char *end = strstr(start, ", ");

		if (!end)
			end = start + strlen(start);
		for (size_t i = 0; i < sizeof(patterns) / sizeof(patterns[0]); i++) {
			int num = -1;

			if (match(patterns[i].pat, start, end, ctx, &num)) {
				*kind = patterns[i].kind;
				*queue = patterns[i].has_queue ? num : -1;
				if (patterns[i].kind == TN_IRQ_TXRX && !patterns[i].has_queue)
					*queue = 0;
				return true;
			}
		}
		if (!*end)
			return false;
		start = end + 2;
	}
}
