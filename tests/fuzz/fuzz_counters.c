/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target: the counter parsers of diagnose (softnet_stat, netstat and
 * snmp, snmp6) and a counter sample's JSON, over the same bytes.
 *
 * Checks what the parsers promise: on failure a message and the output left
 * alone; on success softnet rows with CPUs in range (sorted, once each when
 * the CPU column is there) and counters whose names fit.
 */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "counters.h"
#include "fuzz_util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void softnet(const char *text)
{
	struct tn_softnet_cpu *rows = NULL;
	int n = -1, cols = -1, ret;
	struct tn_diag d;

	tn_diag_init(&d);
	ret = tn_softnet_parse(text, &rows, &n, &cols, &d);
	/* an error says why; a success says nothing */
	if ((ret == -EINVAL && !d.error[0]) || (ret == 0 && d.error[0]))
		abort();
	tn_diag_free(&d);
	if (ret != 0) {
		if ((ret != -EINVAL && ret != -ENOMEM) || rows || n != -1)
			abort();
		return;
	}
	if (n <= 0 || cols < 10 || cols > TN_SOFTNET_MAX_COLUMNS)
		abort();
	for (int i = 0; i < n; i++) {
		if (cols >= 13 && (rows[i].cpu < 0 || rows[i].cpu >= TN_CPU_MAX ||
				   (i && rows[i].cpu <= rows[i - 1].cpu)))
			abort();
		if (cols < 13 && rows[i].cpu != -1)
			abort();
	}
	free(rows);
}

static void netstat(const char *text, bool v6)
{
	struct tn_counter_list l = { 0 };
	struct tn_diag d;
	int ret;

	tn_diag_init(&d);
	tn_counter_list_add(&l, "Keep", "Me", 7);
	ret = v6 ? tn_snmp6_parse(text, &l, &d) : tn_netstat_parse(text, &l, &d);
	if (ret != 0 && (l.n != 1 || (ret == -EINVAL && !d.error[0])))
		abort();
	tn_diag_free(&d);
	for (int i = 0; i < l.n; i++)
		if (!memchr(l.v[i].group, '\0', sizeof(l.v[i].group)) ||
		    !memchr(l.v[i].name, '\0', sizeof(l.v[i].name)) || !l.v[i].name[0])
			abort();
	tn_counter_list_sort(&l, NULL);
	tn_counter_list_free(&l);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tn_sample s;
	struct tn_diag d;
	char *text = fuzz_text(data, size, SIZE_MAX - 1);

	if (!text)
		return 0;
	softnet(text);
	netstat(text, false);
	netstat(text, true);
	tn_diag_init(&d);
	if (tn_sample_parse(text, "fuzz.json", &s, &d) == 0) {
		cJSON *j = tn_sample_to_json(&s);

		cJSON_Delete(j);
		tn_sample_free(&s);
	} else if (!d.error[0]) {
		abort();
	}
	tn_diag_free(&d);
	free(text);
	return 0;
}
