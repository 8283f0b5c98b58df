/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target: state snapshot loading (tn_state_parse), the reader of
 * `tuner show --json` and `--state FILE`.
 *
 * Checks what the loader promises: on failure a message and the output left
 * alone; on success a snapshot that writes back to JSON, loads again, and
 * writes the same JSON the second time (the round trip a bug report relies
 * on).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_util.h"
#include "state_json.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The snapshot as compact JSON text; NULL only on out-of-memory. */
static void check_round_trip(const struct tn_state *s)
{
	struct tn_state again;
	struct tn_diag d;
	char *first, *second;

	first = fuzz_json_text(tn_state_to_json(s));
	if (!first)
		return;
	tn_diag_init(&d);
	if (tn_state_parse(first, "written.json", &again, &d) < 0) {
		fprintf(stderr, "a written snapshot does not load: %s\n%s\n", d.error, first);
		abort();
	}
	second = fuzz_json_text(tn_state_to_json(&again));
	if (second && strcmp(first, second) != 0) {
		fprintf(stderr, "a snapshot changes on a round trip:\n%s\n%s\n", first, second);
		abort();
	}
	free(second);
	free(first);
	tn_state_free(&again);
	tn_diag_free(&d);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tn_state s, untouched;
	struct tn_diag d;
	char *text;
	int ret;

	text = fuzz_text(data, size, SIZE_MAX - 1);
	if (!text)
		return 0;

	tn_diag_init(&d);
	memset(&s, 0x5a, sizeof(s));
	memcpy(&untouched, &s, sizeof(s));
	ret = tn_state_parse(text, "input.json", &s, &d);
	if (ret < 0) {
		if (!d.error[0] || memcmp(&s, &untouched, sizeof(s)) != 0) {
			fprintf(stderr, "error %d without a message, or output written\n", ret);
			abort();
		}
	} else {
		check_round_trip(&s);
		tn_state_free(&s);
		tn_state_free(&s);
	}
	tn_diag_free(&d);
	free(text);
	return 0;
}
