/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target: a journal (JSON Lines) through tn_journal_parse, which
 * rollback runs before writing anything. A journal it accepts holds only
 * values of their kind (tn_journal_check_change passes on every record); one
 * it refuses comes with a message; so does tn_journal_parse_head (the header
 * alone), and a boottime_us either holds is in range.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_util.h"
#include "journal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tn_journal j;
	struct tn_diag d;
	char *text, why[600];

	text = fuzz_text(data, size, 4 << 20);
	if (!text)
		return 0;
	tn_diag_init(&d);
	if (tn_journal_parse(text, "fuzz.journal", &j, &d) == 0) {
		for (int i = 0; i < j.n; i++)
			if (tn_journal_check_change(&j.e[i].c, why, sizeof(why)) < 0)
				abort();
		if (j.boottime_us < TN_JOURNAL_NO_BOOTTIME ||
		    j.boottime_us > TN_JOURNAL_BOOTTIME_MAX)
			abort();
		tn_journal_free(&j);
	} else if (!d.error[0]) {
		abort();
	}
	tn_diag_free(&d);
	/* the header alone, as rollback --last and history read it to order journals */
	tn_diag_init(&d);
	if (tn_journal_parse_head(text, "fuzz.journal", &j, &d) == 0) {
		if (j.boottime_us < TN_JOURNAL_NO_BOOTTIME ||
		    j.boottime_us > TN_JOURNAL_BOOTTIME_MAX || j.n != 0)
			abort();
		tn_journal_free(&j);
	} else if (!d.error[0]) {
		abort();
	}
	tn_diag_free(&d);
	free(text);
	return 0;
}
