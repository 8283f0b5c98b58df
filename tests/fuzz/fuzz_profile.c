/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target: profile parsing (tn_profile_parse), "extends" included.
 *
 * The loader serves "default" (the built-in profile), "parent" (a fixed
 * profile that itself extends "default") and "again" (the input itself under
 * another name, so that the input is its own parent once and a cycle after
 * that). Anything else is "no such profile".
 *
 * Besides crashes, leaks and undefined behaviour, it checks what the parser
 * promises: the output is only written on success, an error comes with a
 * message, and the merged profile it returns parses again to the same digest.
 */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_util.h"
#include "profile.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char parent_json[] =
	"{\n"
	"  \"name\": \"parent\",\n"
	"  \"extends\": \"default\",\n"
	"  \"description\": \"a fixed parent for the fuzzer\",\n"
	"  \"interfaces\": [\n"
	"    {\"match\": {\"name\": \"eth*\", \"driver\": \"ice\"},\n"
	"     \"irq\": {\"cpus\": {\"list\": \"0-3\"}, \"count\": 4, \"exclude\": \"0\"},\n"
	"     \"rings\": {\"rx\": 4096, \"tx\": \"max\"}, \"channels\": {\"combined\": \"cpus\"}}\n"
	"  ],\n"
	"  \"sysctl\": {\n"
	"    \"net.ipv4.tcp_rmem\": [4096, 131072, 6291456],\n"
	"    \"net.core.rmem_max\": 6291456,\n"
	"    \"net.core.netdev_budget\": {\"min\": 600}\n"
	"  },\n"
	"  \"processes\": [\n"
	"    {\"match\": {\"comm\": \"nginx\", \"cmdline\": \"-c .*\"}, \"placement\": {\"cpus\": \"4-7\"},\n"
	"     \"memory\": \"prefer\"}\n"
	"  ],\n"
	"  \"irqbalance\": \"stop\"\n"
	"}\n";

struct input {
	const char *text;
};

static char *load(const char *name, const char *from, char *resolved, size_t resolved_len,
		  void *ctx, struct tn_diag *d)
{
	const struct input *in = ctx;
	const char *text = NULL;

	if (strcmp(name, "default") == 0)
		text = tn_default_profile_json;
	else if (strcmp(name, "parent") == 0)
		text = parent_json;
	else if (strcmp(name, "again") == 0)
		text = in->text;
	if (!text) {
		tn_diag_error(d, -ENOENT, "%s: no such profile", name);
		return NULL;
	}
	return fuzz_serve_profile(name, text, resolved, resolved_len, d);
}

static void check_reparse(const struct tn_profile *p)
{
	struct tn_profile again;
	struct tn_diag d;
	int ret;

	tn_diag_init(&d);
	ret = tn_profile_parse(p->merged, "merged.json", NULL, NULL, &again, &d);
	if (ret < 0) {
		fprintf(stderr, "the merged profile does not parse again: %s\n%s\n", d.error,
			p->merged);
		abort();
	}
	if (strcmp(again.merged, p->merged) != 0 || strcmp(again.digest, p->digest) != 0) {
		fprintf(stderr, "the merged profile changes when parsed again:\n%s\n%s\n",
			p->merged, again.merged);
		abort();
	}
	tn_profile_free(&again);
	tn_diag_free(&d);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct input in;
	struct tn_profile p, untouched;
	struct tn_diag d;
	char *text;
	int ret;

	text = fuzz_text(data, size, SIZE_MAX - 1);
	if (!text)
		return 0;
	in.text = text;

	tn_diag_init(&d);
	memset(&p, 0x5a, sizeof(p));
	memcpy(&untouched, &p, sizeof(p));
	ret = tn_profile_parse(text, "input.json", load, &in, &p, &d);
	if (ret < 0) {
		if (memcmp(&p, &untouched, sizeof(p)) != 0) {
			fprintf(stderr, "the output was written on error %d\n", ret);
			abort();
		}
		if (!d.error[0]) {
			fprintf(stderr, "error %d without a message\n", ret);
			abort();
		}
	} else {
		if (d.error[0]) {
			fprintf(stderr, "success with an error message: %s\n", d.error);
			abort();
		}
		if (!p.merged || (p.n_ifaces && !p.ifaces) ||
		    (p.n_sysctls && !p.sysctls) || (p.n_procs && !p.procs)) {
			fprintf(stderr, "an incomplete profile\n");
			abort();
		}
		check_reparse(&p);
		tn_profile_free(&p);
		tn_profile_free(&p);
	}
	tn_diag_free(&d);
	free(text);
	return 0;
}
