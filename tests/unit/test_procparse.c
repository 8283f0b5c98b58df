/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "diag.h"
#include "procparse.h"
#include "state.h"

/* Build a /proc/interrupts text with ncpus columns, as the kernel prints it. */
static char *make_interrupts(int ncpus, const char *const *rows, int nrows)
{
	size_t cap = 1 << 20, n = 0;
	char *buf = malloc(cap);

	n += (size_t)snprintf(buf + n, cap - n, "    ");
	for (int c = 0; c < ncpus; c++)
		n += (size_t)snprintf(buf + n, cap - n, "       CPU%d", c);
	n += (size_t)snprintf(buf + n, cap - n, "\n");
	for (int r = 0; r < nrows; r++) {
		int irq;
		char rest[256];

		if (sscanf(rows[r], "%d %255[^\n]", &irq, rest) == 2) {
			n += (size_t)snprintf(buf + n, cap - n, "%4d:", irq);
			for (int c = 0; c < ncpus; c++)
				n += (size_t)snprintf(buf + n, cap - n, " %10d", c + 1);
			n += (size_t)snprintf(buf + n, cap - n, "  %s\n", rest);
		} else {
			/* a named row (NMI, LOC, ERR...) copied as is */
			n += (size_t)snprintf(buf + n, cap - n, "%s\n", rows[r]);
		}
	}
	return buf;
}

static const char *const rows[] = {
	"0 IO-APIC   2-edge      timer",
	"24 IR-PCI-MSI 524288-edge      eth0-TxRx-0",
	"25 PCI-MSIX-0000:00:03.0   1-edge      virtio2-input.0",
	"26 PCI-MSI-edge      eth0 (queue 0)",
	"27 IR-PCI-MSIX-0000:04:00.0    3-edge      mlx5_comp2@pci:0000:04:00.0",
	"28 IO-APIC   9-fasteoi   acpi",
	"29 IR-PCI-MSI 1-edge      virtio0-config, virtio0-input",
	"NMI:          0          0   Non-maskable interrupts",
	"LOC:      18843      16986   Local timer interrupts",
	"ERR:          0",
	"MIS:          0",
};

static void check_rows(int ncpus)
{
	char *text = make_interrupts(ncpus, rows, sizeof(rows) / sizeof(rows[0]));
	struct tn_interrupts t;
	struct tn_diag d;
	const struct tn_interrupt *q;
	uint64_t sum = (uint64_t)ncpus * (ncpus + 1) / 2;

	tn_diag_init(&d);
	assert_int_equal(tn_interrupts_parse(text, &t, &d), 0);
	tn_diag_free(&d);
	assert_int_equal(t.n_cpus, ncpus);
	assert_int_equal(t.n, 7);
	q = tn_interrupts_find(&t, 0);
	assert_non_null(q);
	assert_string_equal(q->name, "timer");
	assert_int_equal(q->count, sum);
	assert_string_equal(tn_interrupts_find(&t, 24)->name, "eth0-TxRx-0");
	assert_string_equal(tn_interrupts_find(&t, 25)->name, "virtio2-input.0");
	assert_string_equal(tn_interrupts_find(&t, 26)->name, "eth0 (queue 0)");
	assert_string_equal(tn_interrupts_find(&t, 27)->name, "mlx5_comp2@pci:0000:04:00.0");
	assert_string_equal(tn_interrupts_find(&t, 28)->name, "acpi");
	assert_string_equal(tn_interrupts_find(&t, 29)->name, "virtio0-config, virtio0-input");
	assert_null(tn_interrupts_find(&t, 30));
	tn_interrupts_free(&t);
	tn_interrupts_free(&t);
	free(text);
}

static void test_2_cpus(void **state)
{
	check_rows(2);
}

static void test_64_cpus(void **state)
{
	check_rows(64);
}

static void test_192_cpus(void **state)
{
	check_rows(192);
}

/* This machine's own format: the real file, read only. */
static void test_real_file(void **state)
{
	FILE *f = fopen("/proc/interrupts", "r");
	char *text = calloc(1, 1 << 20);
	struct tn_interrupts t;
	struct tn_diag d;

	if (!f) {
		free(text);
		skip();
	}
	assert_non_null(text);
	/* read and checked: a short or failed read is this test's failure */
	size_t n = fread(text, 1, (1 << 20) - 1, f);
	int err = ferror(f);

	fclose(f);
	assert_false(err);
	assert_true(n > 0);
	tn_diag_init(&d);
	assert_int_equal(tn_interrupts_parse(text, &t, &d), 0);
	tn_diag_free(&d);
	assert_true(t.n > 0);
	tn_interrupts_free(&t);
	free(text);
}

static void test_garbage(void **state)
{
	static const struct {
		const char *text, *err;
	} cases[] = {
		{ "", "empty file" },
		{ "hello world\n", "line 1: expected a header of CPU columns" },
		{ "   CPU0 CPU1\n 24: 1\n", "line 2: malformed interrupt row" },
		{ "   CPU0 CPU1\n 24: 1 x eth0\n", "line 2: malformed interrupt row" },
		{ "   CPU0\n 24 1 chip eth0\n", "line 2: malformed interrupt row" },
		{ "   CPU0\n 24: 99999999999999999999999 chip eth0\n", "line 2: malformed interrupt row" },
		{ "   CPU0\n 24: 1 chip a\n 24: 1 chip b\n", "IRQ 24 is listed twice" },
		{ "   CPU0\n 99999999999: 1 chip a\n", "line 2: malformed interrupt row" },
		{ "CPU0 CPUx\n", "line 1: expected a header of CPU columns" },
		/* the kernel's " %10u" read in one look only when a blank follows */
		{ "   CPU0 CPU1\n 24:          5x          1 chip e\n",
		  "line 2: malformed interrupt row" },
		{ "   CPU0 CPU1\n 24:          5", "line 2: malformed interrupt row" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct tn_interrupts t = { .n = 12345 };
		struct tn_diag d;

		tn_diag_init(&d);
		assert_int_equal(tn_interrupts_parse(cases[i].text, &t, &d), -EINVAL);
		assert_string_equal(d.error, cases[i].err);
		tn_diag_free(&d);
		assert_int_equal(t.n, 12345); /* untouched */
	}
}

/* A name is kept whole up to TN_IRQNAME_MAX - 1 bytes (it was cut at 127); a
 * longer one is refused, naming the line. */
static void test_long_name(void **state)
{
	const char *head = "   CPU0\n 24:          1   chip  ";
	size_t hl = strlen(head), n = TN_IRQNAME_MAX - 1;
	char *text = malloc(hl + n + 3);
	struct tn_interrupts t;
	struct tn_diag d;

	assert_non_null(text);
	memcpy(text, head, hl);
	memset(text + hl, 'a', n);
	memcpy(text + hl + n - 11, ", eth0-rx-0", 11);
	memcpy(text + hl + n, "\n", 2);
	tn_diag_init(&d);
	assert_int_equal(tn_interrupts_parse(text, &t, &d), 0);
	assert_int_equal(t.n, 1);
	assert_int_equal(strlen(t.rows[0].name), n);
	assert_string_equal(t.rows[0].name + n - 11, ", eth0-rx-0");
	tn_interrupts_free(&t);
	memcpy(text + hl + n, "b\n", 3);
	assert_int_equal(tn_interrupts_parse(text, &t, &d), -EINVAL);
	assert_string_equal(d.error, "line 2: an IRQ name of more than 65535 bytes");
	tn_diag_free(&d);
	free(text);
}

static void test_status_field(void **state)
{
	const char *status = "Name:\tredis-server\nUmask:\t0022\nCpus_allowed:\tff\n"
			     "Cpus_allowed_list:\t0-7\nMems_allowed_list:\t0\n";
	char buf[64];

	assert_int_equal(tn_status_field(status, "Cpus_allowed_list", buf, sizeof(buf)), 0);
	assert_string_equal(buf, "0-7");
	assert_int_equal(tn_status_field(status, "Cpus_allowed", buf, sizeof(buf)), 0);
	assert_string_equal(buf, "ff");
	assert_int_equal(tn_status_field(status, "Name", buf, sizeof(buf)), 0);
	assert_string_equal(buf, "redis-server");
	assert_int_equal(tn_status_field(status, "Cpus", buf, sizeof(buf)), -ENOENT);
	assert_int_equal(tn_status_field(status, "Name", buf, 4), -ENAMETOOLONG);
}

static void test_sysctl_values(void **state)
{
	static const struct {
		const char *in, *out;
	} cases[] = {
		{ "4096\t131072\t6291456\n", "4096 131072 6291456" },
		{ "300\n", "300" },
		{ "  a \t\t b  \n\n", "a b" },
		{ "", "" },
		{ "\t\n", "" },
	};
	char out[64];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		tn_sysctl_value_normalise(cases[i].in, out, sizeof(out));
		assert_string_equal(out, cases[i].out);
	}
	assert_true(tn_sysctl_name_valid("net.core.netdev_budget"));
	assert_true(tn_sysctl_name_valid("net.ipv4.conf.eth0-1.rp_filter"));
	assert_false(tn_sysctl_name_valid("net/core/rmem_max"));
	assert_false(tn_sysctl_name_valid("net..core"));
	assert_false(tn_sysctl_name_valid(".net.core"));
	assert_false(tn_sysctl_name_valid("net.core."));
	assert_false(tn_sysctl_name_valid("../../etc/passwd"));
	assert_false(tn_sysctl_name_valid(""));
	assert_false(tn_sysctl_name_valid("net.core.*"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_2_cpus),	     cmocka_unit_test(test_64_cpus),
		cmocka_unit_test(test_192_cpus),     cmocka_unit_test(test_real_file),
		cmocka_unit_test(test_garbage),	     cmocka_unit_test(test_long_name),
		cmocka_unit_test(test_status_field), cmocka_unit_test(test_sysctl_values),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
