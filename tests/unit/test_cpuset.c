/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "cpuset.h"

static char *fmt(const struct tn_cpuset *s)
{
	static char buf[TN_CPULIST_MAX];

	tn_cpuset_format_list(s, buf, sizeof(buf));
	return buf;
}

static void test_list_roundtrip(void **state)
{
	static const struct {
		const char *in, *out;
		int count;
	} cases[] = {
		{ "", "", 0 },
		{ "0", "0", 1 },
		{ "0-3", "0-3", 4 },
		{ "0-3,8,10-11", "0-3,8,10-11", 7 },
		{ "3,2,1,0", "0-3", 4 },
		{ " 0-1\n", "0-1", 2 },
		{ "0-15:2", "0,2,4,6,8,10,12,14", 8 },
		{ "63-64", "63-64", 2 },
		{ "0-191", "0-191", 192 },
		{ "8191", "8191", 1 },
		{ "0-5,12-17", "0-5,12-17", 12 },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct tn_cpuset s;

		assert_int_equal(tn_cpuset_parse_list(cases[i].in, &s), 0);
		assert_string_equal(fmt(&s), cases[i].out);
		assert_int_equal(tn_cpuset_count(&s), cases[i].count);
	}
}

static void test_list_errors(void **state)
{
	static const struct {
		const char *in;
		int err;
	} cases[] = {
		{ "a", -EINVAL },	{ "1-", -EINVAL },    { "3-1", -EINVAL },
		{ "1,,2", -EINVAL },	{ "1 2", -EINVAL },   { "-1", -EINVAL },
		{ "8192", -ERANGE },	{ "0-99999", -ERANGE }, { "0-3:0", -EINVAL },
		{ "1,", -EINVAL },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct tn_cpuset s;

		tn_cpuset_zero(&s);
		tn_cpuset_set(&s, 5);
		assert_int_equal(tn_cpuset_parse_list(cases[i].in, &s), cases[i].err);
		/* the output is left alone on failure */
		assert_string_equal(fmt(&s), "5");
	}
}

static void test_masks(void **state)
{
	static const struct {
		const char *mask, *list;
	} cases[] = {
		{ "1", "0" },
		{ "f", "0-3" },
		{ "00000003\n", "0-1" },
		{ "ffffffff", "0-31" },
		{ "00000001,00000000", "32" },
		/* three 32-bit groups: 96 CPUs, most significant first */
		{ "80000000,00000000,00000001", "0,95" },
		{ "ff,ffffffff,ffffffff", "0-71" },
		{ "0000ffff,ffff0000", "16-47" },
	};
	char buf[256];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct tn_cpuset s;

		assert_int_equal(tn_cpuset_parse_mask(cases[i].mask, &s), 0);
		assert_string_equal(fmt(&s), cases[i].list);
	}
	{
		struct tn_cpuset s;

		tn_cpuset_parse_list("0,95", &s);
		tn_cpuset_format_mask(&s, 96, buf, sizeof(buf));
		assert_string_equal(buf, "80000000,00000000,00000001");
		tn_cpuset_parse_list("1", &s);
		tn_cpuset_format_mask(&s, 24, buf, sizeof(buf));
		assert_string_equal(buf, "00000002");
		tn_cpuset_zero(&s);
		tn_cpuset_format_mask(&s, 0, buf, sizeof(buf));
		assert_string_equal(buf, "00000000");
	}
	{
		struct tn_cpuset s;

		assert_int_equal(tn_cpuset_parse_mask("", &s), -EINVAL);
		assert_int_equal(tn_cpuset_parse_mask("xyz", &s), -EINVAL);
		assert_int_equal(tn_cpuset_parse_mask("1,,2", &s), -EINVAL);
		assert_int_equal(tn_cpuset_parse_mask("123456789,0", &s), -EINVAL);
	}
}

static void test_ops(void **state)
{
	struct tn_cpuset a, b;
	char small[4];
	size_t need;

	tn_cpuset_parse_list("0-99", &a);
	tn_cpuset_parse_list("50-149", &b);
	assert_true(tn_cpuset_intersects(&a, &b));
	assert_false(tn_cpuset_subset(&a, &b));
	tn_cpuset_and(&a, &b);
	assert_string_equal(fmt(&a), "50-99");
	assert_true(tn_cpuset_subset(&a, &b));
	tn_cpuset_andnot(&b, &a);
	assert_string_equal(fmt(&b), "100-149");
	assert_int_equal(tn_cpuset_next(&b, 0), 100);
	assert_int_equal(tn_cpuset_next(&b, 128), 128);
	assert_int_equal(tn_cpuset_next(&b, 150), -1);
	assert_int_equal(tn_cpuset_last(&b), 149);
	assert_int_equal(tn_cpuset_set(&b, TN_CPU_MAX), -ERANGE);
	/* truncation reports the length needed */
	need = tn_cpuset_format_list(&b, small, sizeof(small));
	assert_int_equal(need, strlen("100-149"));
	assert_true(strlen(small) < sizeof(small));
}

/* Hardening (area d): TN_CPULIST_MAX holds any list of CPUs below TN_CPU_MAX.
 * It was 3 * 8192, and "0-1,3-4,6-7,..." takes 26,568 characters. Periodic
 * patterns of runs and gaps of 1 to 3 CPUs cover the long cases; the bound
 * itself is argued in cpuset.h. */
static void test_list_bound(void **state)
{
	size_t longest = 0;

	for (int run = 1; run <= 3; run++) {
		for (int gap = 1; gap <= 3; gap++) {
			for (int off = 0; off < run + gap; off++) {
				struct tn_cpuset s;
				size_t n;
				char *whole;

				tn_cpuset_zero(&s);
				for (int c = 0; c < TN_CPU_MAX; c++)
					if ((c + off) % (run + gap) < run)
						tn_cpuset_set(&s, c);
				n = tn_cpuset_format_list(&s, NULL, 0);
				assert_true(n < TN_CPULIST_MAX);
				whole = tn_cpuset_list_alloc(&s);
				assert_non_null(whole);
				assert_int_equal(strlen(whole), n);
				assert_string_equal(whole, fmt(&s));
				free(whole);
				if (n > longest)
					longest = n;
			}
		}
	}
	assert_int_equal(longest, 26568);
}

/* next and the list formats near word edges and the last CPU (word-at-a-time code) */
static void test_word_edges(void **state)
{
	static const char *const lists[] = { "8191", "0-8191", "63-64,127-128,8191", "0,64,128-191",
					     "1-62", "4000", "0-4094:2", NULL };
	struct tn_cpuset s, back;
	char small[8];

	for (int i = 0; lists[i]; i++) {
		assert_int_equal(tn_cpuset_parse_list(lists[i], &s), 0);
		assert_int_equal(tn_cpuset_parse_list(fmt(&s), &back), 0);
		assert_true(tn_cpuset_equal(&s, &back));
		if (!strchr(lists[i], ':'))
			assert_string_equal(fmt(&s), lists[i]);
	}
	assert_int_equal(tn_cpuset_parse_list("5,4000", &s), 0);
	assert_int_equal(tn_cpuset_next(&s, 0), 5);
	assert_int_equal(tn_cpuset_next(&s, 6), 4000);
	assert_int_equal(tn_cpuset_next(&s, 4001), -1);
	assert_int_equal(tn_cpuset_next(&s, TN_CPU_MAX), -1);
	assert_int_equal(tn_cpuset_parse_list("8191", &s), 0);
	assert_int_equal(tn_cpuset_next(&s, 0), 8191);
	assert_int_equal(tn_cpuset_next(&s, 8000), 8191);
	for (int from = 8100; from < 8191; from++)
		assert_int_equal(tn_cpuset_next(&s, from), 8191);
	/* only whole items: "0-3,10" in 6 bytes is "0-3" */
	assert_int_equal(tn_cpuset_parse_list("0-3,10", &s), 0);
	assert_int_equal(tn_cpuset_format_list(&s, small, 6), 6);
	assert_string_equal(small, "0-3");
}

/* sized sets: as many words as the highest CPU needs, equal to the full set they came from */
static void test_sized(void **state)
{
	struct tn_cpus c = { 0 };
	struct tn_cpuset s, back;

	assert_true(tn_cpus_empty(&c));
	tn_cpuset_zero(&s);
	assert_true(tn_cpus_equal(&c, &s));
	assert_int_equal(tn_cpus_parse_list("0-191", &c), 0);
	assert_int_equal(c.nw, 3);
	assert_int_equal(tn_cpuset_parse_list("0-191", &s), 0);
	assert_true(tn_cpus_equal(&c, &s));
	tn_cpus_get(&c, &back);
	assert_true(tn_cpuset_equal(&s, &back));
	assert_int_equal(tn_cpuset_set(&s, 8191), 0);
	assert_false(tn_cpus_equal(&c, &s)); /* a CPU beyond its words */
	assert_int_equal(tn_cpus_parse_list("8191", &c), 0); /* the old words freed (ASan) */
	assert_int_equal(c.nw, 128);
	assert_int_equal(tn_cpus_parse_list("", &c), 0);
	assert_int_equal(c.nw, 0);
	assert_null(c.w);
	assert_int_equal(tn_cpus_parse_list("2,x", &c), -EINVAL);
	assert_int_equal(tn_cpus_parse_list("3", &c), 0);
	tn_cpuset_zero(&back);
	tn_cpus_or_into(&back, &c);
	assert_int_equal(tn_cpuset_next(&back, 0), 3);
	tn_cpus_free(&c);
	tn_cpus_free(&c);
	tn_cpus_free(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_list_roundtrip),
		cmocka_unit_test(test_list_bound),
		cmocka_unit_test(test_list_errors),
		cmocka_unit_test(test_masks),
		cmocka_unit_test(test_ops),
		cmocka_unit_test(test_word_edges),
		cmocka_unit_test(test_sized),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
