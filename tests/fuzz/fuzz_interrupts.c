/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target: /proc/interrupts parsing (tn_interrupts_parse), and
 * tn_status_field() over the same bytes as a /proc/PID/status file.
 *
 * Checks what the parser promises: on success rows sorted by IRQ without
 * duplicates and found by tn_interrupts_find(); on failure a message and the
 * output left alone.
 */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_util.h"
#include "diag.h"
#include "procparse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_table(const struct tn_interrupts *t)
{
	if (t->n_cpus <= 0 || t->n < 0 || (t->n > 0 && !t->rows)) {
		fprintf(stderr, "bad table: %d CPUs, %d rows\n", t->n_cpus, t->n);
		abort();
	}
	for (int i = 0; i < t->n; i++) {
		const struct tn_interrupt *row = &t->rows[i];

		if (row->irq < 0 || (i > 0 && row->irq <= t->rows[i - 1].irq)) {
			fprintf(stderr, "rows not sorted or duplicated at %d: IRQ %d\n", i, row->irq);
			abort();
		}
		if (!row->name || strlen(row->name) >= TN_IRQNAME_MAX) {
			fprintf(stderr, "IRQ %d: no name, or longer than TN_IRQNAME_MAX\n", row->irq);
			abort();
		}
		if (tn_interrupts_find(t, row->irq) != row) {
			fprintf(stderr, "IRQ %d not found\n", row->irq);
			abort();
		}
	}
	if (t->n > 0 && tn_interrupts_find(t, t->rows[t->n - 1].irq + 1))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const keys[] = { "Cpus_allowed_list", "Mems_allowed_list", "Name",
					    "Tgid", "" };
	struct tn_interrupts t, untouched;
	struct tn_diag d;
	char buf[64];
	char *text;
	int ret;

	text = fuzz_text(data, size, SIZE_MAX - 1);
	if (!text)
		return 0;

	memset(&t, 0x5a, sizeof(t));
	memcpy(&untouched, &t, sizeof(t));
	tn_diag_init(&d);
	ret = tn_interrupts_parse(text, &t, &d);
	if ((ret == 0) != (d.error[0] == '\0')) {
		fprintf(stderr, "an error without a message, or a message without an error\n");
		abort();
	}
	if (ret == 0) {
		check_table(&t);
		tn_interrupts_free(&t);
		tn_interrupts_free(&t);
	} else if (ret == -EINVAL) {
		if (memcmp(&t, &untouched, sizeof(t)) != 0) {
			fprintf(stderr, "error without a message, or output written\n");
			abort();
		}
	} else if (ret != -ENOMEM) {
		fprintf(stderr, "unexpected return %d\n", ret);
		abort();
	}

	tn_diag_free(&d);
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		ret = tn_status_field(text, keys[i], buf, sizeof(buf));
		if (ret == 0 && strlen(buf) >= sizeof(buf))
			abort();
	}
	free(text);
	return 0;
}
