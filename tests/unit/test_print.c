/* SPDX-License-Identifier: MIT */
/*
 * The CLI printer (cli/print.h): the same calls give text or JSON; the command
 * prologue (tn_cli_parse); the shared helpers (core/util.h) and the enum names
 * of one table (core/enumname.h).
 */
#include <errno.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "cli.h"
#include "print.h"
#include "profile.h"
#include "procmatch.h"
#include "state.h"
#include "util.h"

struct sink {
	struct tn_cli cli;
	char *out, *err;
	size_t out_len, err_len;
};

static void sink_open(struct sink *s, bool json)
{
	memset(s, 0, sizeof(*s));
	s->cli.prog = "tuner";
	s->cli.json = json;
	s->cli.out = open_memstream(&s->out, &s->out_len);
	s->cli.err = open_memstream(&s->err, &s->err_len);
	assert_non_null(s->cli.out);
	assert_non_null(s->cli.err);
}

static void sink_close(struct sink *s)
{
	fclose(s->cli.out);
	fclose(s->cli.err);
}

static void sink_free(struct sink *s)
{
	free(s->out);
	free(s->err);
}

/* A history-like table: two rows, one member JSON only, one text only. */
static int print_table(struct tn_cli *cli)
{
	static const char *const ids[] = { "a1", "b2\x1b[2J" };
	struct tn_printer pr;
	struct tn_cpuset cpus;

	tn_cpuset_zero(&cpus);
	tn_cpuset_set(&cpus, 0);
	tn_cpuset_set(&cpus, 1);
	tn_print_init(&pr, cli, cli->json);
	tn_print_open_array(&pr, NULL);
	tn_print_text(&pr, "%-8s %5s %s\n", "ID", "N", "CPUS");
	for (int i = 0; i < 2; i++) {
		tn_print_open_object(&pr, NULL);
		tn_print_string(&pr, "id", "%-8s ", ids[i]);
		tn_print_int(&pr, "n", "%5s ", i ? -7 : 42);
		tn_print_cpuset(&pr, "cpus", "%s", i ? &cpus : &(struct tn_cpuset){ 0 });
		tn_print_bool(&pr, "ok", NULL, i == 0);
		tn_print_null(&pr, NULL, " (%s)", "text only");
		tn_print_null(&pr, "gone", NULL, NULL);
		tn_print_text(&pr, "\n");
		tn_print_close_object(&pr);
	}
	tn_print_close_array(&pr);
	return tn_print_finish(&pr);
}

static void test_same_calls_text(void **state)
{
	struct sink s;

	(void)state;
	sink_open(&s, false);
	assert_int_equal(print_table(&s.cli), 0);
	sink_close(&s);
	assert_string_equal(s.out, "ID           N CPUS\n"
				   "a1          42 none (text only)\n"
				   "b2\\x1b[2J    -7 0-1 (text only)\n");
	assert_string_equal(s.err, "");
	sink_free(&s);
}

static void test_same_calls_json(void **state)
{
	struct sink s;

	(void)state;
	sink_open(&s, true);
	assert_int_equal(print_table(&s.cli), 0);
	sink_close(&s);
	assert_string_equal(s.out, "[{\n"
				   "\t\t\"id\":\t\"a1\",\n"
				   "\t\t\"n\":\t42,\n"
				   "\t\t\"cpus\":\t\"\",\n"
				   "\t\t\"ok\":\ttrue,\n"
				   "\t\t\"gone\":\tnull\n"
				   "\t}, {\n"
				   "\t\t\"id\":\t\"b2\\u001b[2J\",\n"
				   "\t\t\"n\":\t-7,\n"
				   "\t\t\"cpus\":\t\"0-1\",\n"
				   "\t\t\"ok\":\tfalse,\n"
				   "\t\t\"gone\":\tnull\n"
				   "\t}]\n");
	sink_free(&s);
}

/* A value's fmt has one %s and nothing else: any other conversion is refused
 * before it reads an argument of the wrong type. */
static void test_bad_fmt(void **state)
{
	static const char *const bad[] = { "%d", "%s %s", "no conversion", "%*s", "%ls", "%.*s" };
	static const char *const good[] = { "%s", "%-20s  ", "100%% %s", "[%.3s]", "%+ #08.2s" };

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct tn_printer pr;
		struct sink s;

		sink_open(&s, false);
		tn_print_init(&pr, &s.cli, false);
		tn_print_string(&pr, "k", bad[i], "x");
		tn_print_text(&pr, "after");
		assert_int_equal(tn_print_finish(&pr), -EINVAL);
		sink_close(&s);
		assert_string_equal(s.out, ""); /* nothing after the error either */
		sink_free(&s);
	}
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		struct tn_printer pr;
		struct sink s;

		sink_open(&s, false);
		tn_print_init(&pr, &s.cli, false);
		tn_print_string(&pr, "k", good[i], "value");
		assert_int_equal(tn_print_finish(&pr), 0);
		sink_close(&s);
		assert_true(s.out_len > 0);
		sink_free(&s);
	}
}

/* Containers open and close in pairs, nest at most TN_PRINT_DEPTH, and make
 * one document. */
static void test_containers(void **state)
{
	struct tn_printer pr;
	struct sink s;

	(void)state;
	sink_open(&s, true);
	tn_print_init(&pr, &s.cli, true);
	tn_print_open_object(&pr, NULL);
	tn_print_close_array(&pr); /* not the kind open */
	assert_int_equal(tn_print_finish(&pr), -EINVAL);

	tn_print_init(&pr, &s.cli, true);
	tn_print_open_object(&pr, NULL); /* never closed */
	assert_int_equal(tn_print_finish(&pr), -EINVAL);

	tn_print_init(&pr, &s.cli, true);
	for (int i = 0; i <= TN_PRINT_DEPTH; i++)
		tn_print_open_array(&pr, NULL);
	assert_int_equal(tn_print_finish(&pr), -EINVAL);

	tn_print_init(&pr, &s.cli, true);
	tn_print_open_object(&pr, NULL);
	tn_print_close_object(&pr);
	tn_print_open_object(&pr, NULL); /* a second document */
	assert_int_equal(tn_print_finish(&pr), -EINVAL);

	tn_print_init(&pr, &s.cli, true);
	tn_print_json(&pr, NULL, cJSON_CreateObject());
	tn_print_json(&pr, NULL, cJSON_CreateArray());
	assert_int_equal(tn_print_finish(&pr), -EINVAL);

	tn_print_init(&pr, &s.cli, true);
	tn_print_json(&pr, NULL, NULL); /* what a failed builder returns */
	assert_int_equal(tn_print_finish(&pr), -ENOMEM);
	sink_close(&s);
	assert_string_equal(s.out, "");
	sink_free(&s);

	/* a prebuilt item inside, a document of its own outside */
	sink_open(&s, true);
	tn_print_init(&pr, &s.cli, true);
	tn_print_open_object(&pr, NULL);
	tn_print_json(&pr, "inner", cJSON_CreateNumber(3));
	tn_print_string(&pr, NULL, "%s", "text only");
	tn_print_close_object(&pr);
	assert_int_equal(tn_print_finish(&pr), 0);
	sink_close(&s);
	assert_string_equal(s.out, "{\n\t\"inner\":\t3\n}\n");
	sink_free(&s);

	/* text mode: containers and JSON items print nothing (and leak nothing) */
	sink_open(&s, false);
	tn_print_init(&pr, &s.cli, false);
	tn_print_open_object(&pr, "x");
	tn_print_json(&pr, "y", cJSON_CreateString("z"));
	tn_print_close_object(&pr);
	assert_int_equal(tn_print_finish(&pr), 0);
	sink_close(&s);
	assert_string_equal(s.out, "");
	sink_free(&s);
}

static int run_parse(struct sink *s, int argc, char **argv, int max, int *code)
{
	static const char usage[] = "Usage: tuner cmd\n";
	const struct tn_cli_spec spec = { .usage = usage, .max_operands = max };

	return tn_cli_parse(&s->cli, argc, argv, &spec, code);
}

static void test_parse(void **state)
{
	char *ok[] = { "cmd", "--quiet", "one", NULL };
	char *extra[] = { "cmd", "one", "two", NULL };
	char *help[] = { "cmd", "--help", NULL };
	char *bad[] = { "cmd", "--nope", NULL };
	struct sink s;
	int code = -99;

	(void)state;
	sink_open(&s, false);
	assert_int_equal(run_parse(&s, 3, ok, 1, &code), 2);
	assert_true(s.cli.quiet);
	assert_int_equal(run_parse(&s, 3, ok, -1, &code), 2);
	sink_close(&s);
	assert_string_equal(s.err, "");
	sink_free(&s);

	sink_open(&s, false);
	assert_int_equal(run_parse(&s, 3, extra, 1, &code), -1);
	assert_int_equal(code, TN_EXIT_USAGE);
	sink_close(&s);
	assert_string_equal(s.err, "tuner: cmd: unexpected argument 'two'\nTry 'tuner --help'.\n");
	sink_free(&s);

	sink_open(&s, false);
	assert_int_equal(run_parse(&s, 2, help, 0, &code), -1);
	assert_int_equal(code, TN_EXIT_OK);
	sink_close(&s);
	assert_string_equal(s.out, "Usage: tuner cmd\n");
	sink_free(&s);

	sink_open(&s, false);
	assert_int_equal(run_parse(&s, 2, bad, 0, &code), -1);
	assert_int_equal(code, TN_EXIT_USAGE);
	sink_close(&s);
	assert_non_null(strstr(s.err, "unknown option '--nope'"));
	sink_free(&s);
}

static void test_util(void **state)
{
	int v[] = { 1, INT_MIN, INT_MAX, -1, 0, INT_MIN + 1 };
	char buf[TN_CPULIST_MAX];
	struct tn_cpuset cs;

	(void)state;
	/* a - b overflows here (INT_MAX - INT_MIN): the copies of plan.c,
	 * state.c and live.c sort these wrong */
	qsort(v, 6, sizeof(int), tn_util_cmp_int);
	for (int i = 1; i < 6; i++)
		assert_true(v[i - 1] < v[i]);
	assert_int_equal(tn_util_cmp_int(&v[0], &v[0]), 0);

	tn_cpuset_zero(&cs);
	assert_string_equal(tn_util_fmt_cpuset(&cs, buf, sizeof(buf)), "none");
	tn_cpuset_set(&cs, 3);
	tn_cpuset_set(&cs, 4);
	tn_cpuset_set(&cs, 8);
	assert_string_equal(tn_util_fmt_cpuset(&cs, buf, sizeof(buf)), "3-4,8");
	assert_string_equal(tn_util_fmt_count(TN_UNKNOWN, "?", buf, sizeof(buf)), "?");
	assert_string_equal(tn_util_fmt_count(TN_UNKNOWN, "unknown", buf, sizeof(buf)),
			    "unknown");
	assert_string_equal(tn_util_fmt_count(INT64_MAX, "?", buf, sizeof(buf)),
			    "9223372036854775807");
	assert_string_equal(tn_util_fmt_count(0, "?", buf, sizeof(buf)), "0");
}

/* Names from the one table of each enum; a value outside it is "unknown"
 * (the hand-written tables read past their end). */
static void test_enum_names(void **state)
{
	(void)state;
	assert_string_equal(tn_placement_name(TN_PLACE_OPPOSITE), "opposite");
	assert_string_equal(tn_placement_name(TN_PLACE_CPUS), "cpus");
	assert_string_equal(tn_placement_name((enum tn_placement)4), "unknown");
	assert_string_equal(tn_memory_name(TN_MEM_PREFER), "prefer");
	assert_string_equal(tn_memory_name((enum tn_memory)-1), "unknown");
	assert_string_equal(tn_irqbalance_mode_name(TN_IRQB_IGNORE), "ignore");
	assert_string_equal(tn_irqbalance_mode_name((enum tn_irqbalance_mode)3), "unknown");
	assert_string_equal(tn_procsel_kind_name(TN_SEL_UNIT), "systemd_unit");
	assert_string_equal(tn_procsel_kind_name((enum tn_procsel_kind)TN_PROCSEL_KIND_COUNT),
			    "unknown");
	assert_int_equal(TN_PROCSEL_KIND_COUNT, 5);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_same_calls_text),
		cmocka_unit_test(test_same_calls_json),
		cmocka_unit_test(test_bad_fmt),
		cmocka_unit_test(test_containers),
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_util),
		cmocka_unit_test(test_enum_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
