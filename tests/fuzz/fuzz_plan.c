/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target: the planner (tn_plan_compute) on fuzzed (snapshot,
 * profile) pairs. The snapshot fuzzer stops at loading; this one goes on to
 * plan, where the state's lists (banned IRQs, threads, CPU lists of any
 * length) meet the profile's rules.
 *
 * Input: a state snapshot (JSON), a NUL byte, a profile (JSON); "extends"
 * finds only "default" (the built-in profile). Without a NUL, the whole input
 * is the snapshot and the profile is the built-in default.
 *
 * Besides crashes, leaks and undefined behaviour, it checks what the planner
 * promises: on error a message and the output left alone; on success every
 * change has both values, the same input gives the same plan (the planner is
 * a pure function), the irqbalance ban fits the one command irqbalance takes,
 * and every change goes through a journal line and back whole.
 */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_util.h"
#include "journal.h"
#include "plan.h"
#include "profile.h"
#include "state_json.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char *load(const char *name, const char *from, char *resolved, size_t resolved_len,
		  void *ctx, struct tn_diag *d)
{
	if (strcmp(name, "default") != 0) {
		tn_diag_error(d, -ENOENT, "%s: no such profile", name);
		return NULL;
	}
	return fuzz_serve_profile(name, tn_default_profile_json, resolved, resolved_len, d);
}

/* The plan as JSON, without warnings (loading said some before planning). */
static char *plan_text(const struct tn_plan *p)
{
	return fuzz_json_text(tn_plan_to_json(p, NULL));
}

/* Every change, written as a journal would and read back, is the same. */
static void check_journal(const struct tn_plan *p)
{
	struct tn_journal j = { .n = 0 }, back;
	struct tn_diag d;
	size_t len, cap = 4096;
	char *text = malloc(cap), *line;

	if (!text)
		return;
	snprintf(j.id, sizeof(j.id), "fuzz");
	snprintf(j.boot_id, sizeof(j.boot_id), "boot");
	snprintf(j.sysroot, sizeof(j.sysroot), "/");
	line = tn_journal_header_line(&j);
	if (!line) {
		free(text);
		return;
	}
	len = strlen(line);
	memcpy(text, line, len + 1);
	free(line);
	for (int i = 0; i < p->n; i++) {
		char *nt;
		size_t n;

		line = tn_journal_change_line(i, &p->changes[i]);
		if (!line)
			goto out;
		n = strlen(line);
		if (len + n + 1 > cap) {
			cap = 2 * (len + n + 1);
			nt = realloc(text, cap);
			if (!nt) {
				free(line);
				goto out;
			}
			text = nt;
		}
		memcpy(text + len, line, n + 1);
		len += n;
		free(line);
	}
	tn_diag_init(&d);
	if (tn_journal_parse(text, "fuzz.journal", &back, &d) < 0) {
		/* targets the journal refuses (a NIC named "..") are the loader's call */
		tn_diag_free(&d);
		goto out;
	}
	if (back.n != p->n) {
		fprintf(stderr, "%d changes journaled, %d read back\n", p->n, back.n);
		abort();
	}
	for (int i = 0; i < p->n; i++) {
		if (strcmp(back.e[i].c.before, p->changes[i].before) != 0 ||
		    strcmp(back.e[i].c.after, p->changes[i].after) != 0) {
			fprintf(stderr, "change %d does not come back whole from the journal\n", i);
			abort();
		}
	}
	tn_journal_free(&back);
	tn_diag_free(&d);
out:
	free(text);
}

static void check_plan(const struct tn_state *s, const struct tn_profile *prof,
		       const struct tn_plan *p)
{
	struct tn_plan again;
	struct tn_diag d2;
	char *first, *second;

	for (int i = 0; i < p->n; i++) {
		const struct tn_change *c = &p->changes[i];

		if (!c->before || !c->after) {
			fprintf(stderr, "change %d (%s %s) lacks a value\n", i,
				tn_change_kind_name(c->kind), c->target);
			abort();
		}
		if (c->kind == TN_CHANGE_IRQBALANCE && strcmp(c->key, "banned_irqs") == 0 &&
		    strlen(TN_IRQBALANCE_BAN_PREFIX) + strlen(c->after) > TN_IRQBALANCE_CMD_MAX) {
			fprintf(stderr, "a ban list irqbalance cannot take: %s\n", c->after);
			abort();
		}
	}
	tn_diag_init(&d2);
	if (tn_plan_compute(s, prof, &again, &d2) < 0) {
		fprintf(stderr, "the same input fails the second time: %s\n", d2.error);
		abort();
	}
	first = plan_text(p);
	second = plan_text(&again);
	if (first && second && strcmp(first, second) != 0) {
		fprintf(stderr, "the same input gives another plan:\n%s\n%s\n", first, second);
		abort();
	}
	free(first);
	free(second);
	tn_plan_free(&again);
	tn_diag_free(&d2);
	check_journal(p);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tn_profile prof;
	struct tn_state s;
	struct tn_plan p, untouched;
	struct tn_diag d;
	const char *sep = memchr(data, '\0', size);
	char *snap, *ptext;
	size_t slen = sep ? (size_t)(sep - (const char *)data) : size;
	int ret;

	snap = strndup((const char *)data, slen);
	ptext = sep ? strndup(sep + 1, size - slen - 1) : strdup(tn_default_profile_json);
	if (!snap || !ptext)
		goto out_text;
	tn_diag_init(&d);
	if (tn_state_parse(snap, "state.json", &s, &d) < 0)
		goto out_diag;
	if (tn_profile_parse(ptext, "profile.json", load, NULL, &prof, &d) < 0)
		goto out_state;
	memset(&p, 0x5a, sizeof(p));
	memcpy(&untouched, &p, sizeof(p));
	ret = tn_plan_compute(&s, &prof, &p, &d);
	if (ret < 0) {
		if (!d.error[0] || memcmp(&p, &untouched, sizeof(p)) != 0) {
			fprintf(stderr, "error %d without a message, or output written\n", ret);
			abort();
		}
	} else {
		check_plan(&s, &prof, &p);
		tn_plan_free(&p);
		tn_plan_free(&p);
	}
	tn_profile_free(&prof);
out_state:
	tn_state_free(&s);
out_diag:
	tn_diag_free(&d);
out_text:
	free(snap);
	free(ptext);
	return 0;
}
