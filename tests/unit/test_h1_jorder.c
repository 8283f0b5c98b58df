/* SPDX-License-Identifier: MIT */
/*
 * The order of journals when the wall clock (their names) stepped back within
 * a boot: tn_journal_order (history) and tn_journal_pick_last (rollback
 * --last), and the header's boottime_us through tn_journal_parse_head.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "journal.h"

#define NO TN_JOURNAL_NO_BOOTTIME

/* v[i] from ids, boots and boottimes; ids sorted by name by the caller. */
static void fill(struct tn_jorder *v, int n, const char *const *ids, const char *const *boots,
		 const int64_t *bt)
{
	for (int i = 0; i < n; i++) {
		v[i].id = ids[i];
		snprintf(v[i].boot_id, sizeof(v[i].boot_id), "%s", boots[i]);
		v[i].boottime_us = bt[i];
		v[i].unreadable = false;
	}
}

static void expect_order(const struct tn_jorder *v, int n, const char *const *want)
{
	for (int i = 0; i < n; i++)
		if (strcmp(v[i].id, want[i]) != 0)
			fail_msg("position %d: %s, want %s", i, v[i].id, want[i]);
}

/* No step: name order and boottime order agree, nothing moves. */
static void test_no_step(void **state)
{
	static const char *const ids[] = { "a", "b", "c", "d" };
	static const char *const boots[] = { "B1", "B1", "B2", "B2" };
	static const int64_t bt[] = { 10, 20, 5, 7 };
	struct tn_jorder v[4];

	(void)state;
	fill(v, 4, ids, boots, bt);
	assert_int_equal(tn_journal_order(v, 4), 0);
	expect_order(v, 4, ids);
	assert_int_equal(tn_journal_pick_last(v, 4, "B2"), 3);
	assert_int_equal(tn_journal_pick_last(v, 4, "B1"), 1);
}

/*
 * A step back in boot B2: "c" was made after "d" and "e" but named before
 * them. Another boot's journals and an older journal (no boottime) keep their
 * places; B2's three are put in boottime order in the places B2 holds.
 */
static void test_step_back(void **state)
{
	static const char *const ids[] = { "a", "c", "d", "old", "e", "x" };
	static const char *const boots[] = { "B1", "B2", "B2", "B2", "B2", "B1" };
	static const int64_t bt[] = { 10, 300, 100, NO, 200, 20 };
	static const char *const want[] = { "a", "d", "e", "old", "c", "x" };
	struct tn_jorder v[6];

	(void)state;
	fill(v, 6, ids, boots, bt);
	/* --last: B2's highest boottime, "c", though "x" (B1) and "e" are named later */
	assert_int_equal(tn_journal_pick_last(v, 6, "B2"), 1);
	assert_int_equal(tn_journal_order(v, 6), 0);
	expect_order(v, 6, want);
}

/* Journals that record no boottime (older tuner, unreadable header): by name. */
static void test_untimed(void **state)
{
	static const char *const ids[] = { "a", "b", "c" };
	static const char *const boots[] = { "B1", "B1", "" };
	static const int64_t bt[] = { NO, NO, NO };
	struct tn_jorder v[3];

	(void)state;
	fill(v, 3, ids, boots, bt);
	assert_int_equal(tn_journal_order(v, 3), 0);
	expect_order(v, 3, ids);
	/* this boot's newest by name, not "c" of an unknown boot */
	assert_int_equal(tn_journal_pick_last(v, 3, "B1"), 1);
	/* a boot of which there is no journal, or none known: the newest by name */
	assert_int_equal(tn_journal_pick_last(v, 3, "B9"), 2);
	assert_int_equal(tn_journal_pick_last(v, 3, ""), 2);
	assert_int_equal(tn_journal_pick_last(v, 0, "B1"), -1);
}

/* A journal whose header could not be read: no place by boottime, and the one
 * named after the pick is found (rollback --last refuses it rather than guess). */
static void test_unreadable(void **state)
{
	static const char *const ids[] = { "a", "b", "c", "d" };
	static const char *const boots[] = { "B1", "B1", "B1", "" };
	static const int64_t bt[] = { 300, NO, 100, NO };
	static const char *const want[] = { "c", "b", "a", "d" };
	struct tn_jorder v[4];

	(void)state;
	fill(v, 4, ids, boots, bt);
	v[1].unreadable = true;
	assert_int_equal(tn_journal_pick_last(v, 4, "B1"), 0);
	assert_int_equal(tn_journal_unreadable_after(v, 4, 0), 1);
	assert_int_equal(tn_journal_unreadable_after(v, 4, 1), -1);
	v[1].unreadable = false;
	v[3].unreadable = true;
	assert_int_equal(tn_journal_unreadable_after(v, 4, 0), 3);
	assert_int_equal(tn_journal_unreadable_after(v, 4, 3), -1);
	/* an unreadable journal keeps its place, even with a boot and boottime set */
	v[1].unreadable = true;
	v[1].boottime_us = 1;
	assert_int_equal(tn_journal_order(v, 4), 0);
	expect_order(v, 4, want);
}

/* A recorded boottime beats none within the boot; a tie goes to the later name. */
static void test_pick_ties(void **state)
{
	static const char *const ids[] = { "a", "b", "c", "d" };
	static const char *const boots[] = { "B1", "B1", "B1", "B1" };
	static const int64_t bt[] = { 50, 50, NO, 0 };
	static const char *const want[] = { "d", "a", "c", "b" };
	struct tn_jorder v[4];

	(void)state;
	fill(v, 4, ids, boots, bt);
	assert_int_equal(tn_journal_pick_last(v, 4, "B1"), 1);
	assert_int_equal(tn_journal_order(v, 4), 0);
	/* "d" (boottime 0) goes first among the timed places 0, 1, 3 */
	expect_order(v, 4, want);
}

static int head(const char *line, struct tn_journal *j, struct tn_diag *d)
{
	tn_diag_init(d);
	return tn_journal_parse_head(line, "h.journal", j, d);
}

#define HDR "{\"schema_version\":1,\"kind\":\"journal\",\"id\":\"x\",\"boot_id\":\"b\"," \
	    "\"sysroot\":\"/\""

/* boottime_us: written by tn_journal_header_line, read back; bounded. */
static void test_header_boottime(void **state)
{
	static const struct {
		const char *field, *error;
	} bad[] = {
		{ ",\"boottime_us\":-1", "h.journal:1: boottime_us: -1 is out of range" },
		{ ",\"boottime_us\":9007199254740992", "h.journal:1: boottime_us: 9007199254740992 "
						       "is out of range" },
		{ ",\"boottime_us\":1.5", "h.journal:1: boottime_us: expected an integer" },
		{ ",\"boottime_us\":\"7\"", "h.journal:1: boottime_us: expected an integer, found "
					    "a string" },
	};
	struct tn_journal j = { 0 }, back;
	struct tn_diag d;
	char *line, text[256];

	(void)state;
	snprintf(j.id, sizeof(j.id), "x");
	snprintf(j.sysroot, sizeof(j.sysroot), "/");
	j.boottime_us = TN_JOURNAL_BOOTTIME_MAX;
	line = tn_journal_header_line(&j);
	assert_non_null(line);
	assert_non_null(strstr(line, "\"boottime_us\":9007199254740991}"));
	assert_int_equal(head(line, &back, &d), 0);
	assert_true(back.boottime_us == TN_JOURNAL_BOOTTIME_MAX);
	tn_diag_free(&d);
	free(line);
	/* not recorded: not written, and read as not recorded */
	j.boottime_us = NO;
	line = tn_journal_header_line(&j);
	assert_non_null(line);
	assert_null(strstr(line, "boottime_us"));
	assert_int_equal(head(line, &back, &d), 0);
	assert_true(back.boottime_us == NO);
	tn_diag_free(&d);
	free(line);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(text, sizeof(text), HDR "%s}\n", bad[i].field);
		assert_int_equal(head(text, &back, &d), -EINVAL);
		if (strncmp(d.error, bad[i].error, strlen(bad[i].error)) != 0)
			fail_msg("%s: \"%s\", want \"%s...\"", bad[i].field, d.error, bad[i].error);
		tn_diag_free(&d);
		/* the whole journal is refused alike */
		assert_int_equal(tn_journal_parse(text, "h.journal", &back, &d), -EINVAL);
		tn_diag_free(&d);
	}
	/* only the first line is read: what follows it is not looked at */
	assert_int_equal(head(HDR "}\n{garbage", &back, &d), 0);
	tn_diag_free(&d);
	/* a header that is not whole is refused */
	assert_int_equal(head(HDR "}", &back, &d), -EINVAL);
	tn_diag_free(&d);
	assert_int_equal(head("", &back, &d), -EINVAL);
	tn_diag_free(&d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_no_step),
		cmocka_unit_test(test_step_back),
		cmocka_unit_test(test_untimed),
		cmocka_unit_test(test_pick_ties),
		cmocka_unit_test(test_unreadable),
		cmocka_unit_test(test_header_boottime),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
