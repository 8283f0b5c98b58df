/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target: sysfs CPU masks (core/hexmask.c), as discovery reads
 * rps_cpus, xps_cpus and flow_limit_cpu_bitmap and a journal's values are
 * checked.
 *
 * Checks what the parser promises: on success a width that is a multiple of
 * 4 and holds every CPU, a format in that width that parses back to the same
 * set and width and is the input lower-cased; on failure the output left
 * alone; tn_hexmask_valid agreeing with the parser.
 */
#include <ctype.h>
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_util.h"
#include "hexmask.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char buf[TN_HEXMASK_MAX + 1];
	struct tn_cpuset s, back, guard;
	char *text = fuzz_text(data, size, TN_HEXMASK_MAX + 64);
	int nbits = -7, nb2, ret;

	if (!text)
		return 0;
	tn_cpuset_zero(&guard);
	tn_cpuset_set(&guard, 77);
	s = guard;
	ret = tn_hexmask_parse(text, &s, &nbits);
	if (tn_hexmask_valid(text) != (ret == 0))
		abort();
	if (ret < 0) {
		if ((ret != -EINVAL && ret != -ERANGE) || nbits != -7 || !tn_cpuset_equal(&s, &guard))
			abort();
		free(text);
		return 0;
	}
	if (nbits <= 0 || nbits % 4 || nbits > TN_CPU_MAX || tn_cpuset_last(&s) >= nbits)
		abort();
	if (tn_hexmask_format(&s, nbits, buf, sizeof(buf)) != 0)
		abort();
	for (size_t i = 0; text[i]; i++)
		if ((char)tolower((unsigned char)text[i]) != buf[i])
			abort();
	if (strlen(buf) != strlen(text))
		abort();
	if (tn_hexmask_parse(buf, &back, &nb2) != 0 || nb2 != nbits || !tn_cpuset_equal(&s, &back))
		abort();
	if (!tn_hexmask_equal(text, buf))
		abort();
	free(text);
	return 0;
}
