/* SPDX-License-Identifier: MIT */
/* tn_text_escape(): what human-readable output shows of a hostile string. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "text.h"

static void test_escape_table(void **state)
{
	static const struct {
		const char *in, *out;
	} cases[] = {
		{ "", "" },
		{ "redis-server", "redis-server" },
		{ "eth0-TxRx-0", "eth0-TxRx-0" },
		{ "a\\x1b", "a\\x1b" },				/* a backslash is text */
		{ "\x1b]0;pwned\a\x1b[2Jredis", "\\x1b]0;pwned\\x07\\x1b[2Jredis" },
		{ "a\nb\tc\rd", "a\\x0ab\\x09c\\x0dd" },	/* newline, tab, CR */
		{ "\x01\x1f\x7f", "\\x01\\x1f\\x7f" },		/* C0 bounds, DEL */
		{ " ~", " ~" },					/* printable bounds */
		{ "caf\xc3\xa9", "caf\xc3\xa9" },		/* U+00E9: shown */
		{ "\xc2\xa0", "\xc2\xa0" },			/* U+00A0, after C1 */
		{ "\xc2\x80", "\\xc2\\x80" },			/* U+0080: C1 */
		{ "\xc2\x9b" "31m", "\\xc2\\x9b31m" },		/* U+009B: CSI */
		{ "\x9b" "31m", "\\x9b31m" },			/* 8-bit CSI, not UTF-8 */
		{ "\xff\xfe", "\\xff\\xfe" },
		{ "\xc0\xaf", "\\xc0\\xaf" },			/* overlong '/' */
		{ "\xe0\x80\xaf", "\\xe0\\x80\\xaf" },		/* overlong, 3 bytes */
		{ "\xed\xa0\x80", "\\xed\\xa0\\x80" },		/* a surrogate */
		{ "\xe2\x82\xac", "\xe2\x82\xac" },		/* U+20AC */
		{ "\xf0\x9f\x98\x80", "\xf0\x9f\x98\x80" },	/* U+1F600 */
		{ "\xf4\x90\x80\x80", "\\xf4\\x90\\x80\\x80" },	/* above U+10FFFF */
		{ "\xf5\x80\x80\x80", "\\xf5\\x80\\x80\\x80" },
		{ "\xe2\x82", "\\xe2\\x82" },			/* cut by the end */
		{ "\xe2\x82x", "\\xe2\\x82x" },			/* cut by a character */
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		size_t n = tn_text_escaped_len(cases[i].in);
		char *out = malloc(n + 1);

		assert_non_null(out);
		tn_text_escape(cases[i].in, out);
		if (strcmp(out, cases[i].out) != 0)
			fail_msg("case %zu: got \"%s\", want \"%s\"", i, out, cases[i].out);
		assert_int_equal(n, strlen(cases[i].out));
		assert_int_equal(tn_text_is_plain(cases[i].in), strcmp(cases[i].in, cases[i].out) == 0);
		free(out);
	}
}

/* Every byte string of one or two bytes: the escaped text never holds a byte
 * a terminal acts on, and is as long as tn_text_escaped_len() says. */
static void test_escape_exhaustive(void **state)
{
	for (int a = 1; a < 256; a++) {
		for (int b = 0; b < 256; b++) {
			char in[3] = { (char)a, (char)b, '\0' }, out[3 * TN_TEXT_ESCAPE_LEN + 1];
			size_t n = tn_text_escaped_len(in);

			assert_true(n < sizeof(out));
			tn_text_escape(in, out);
			assert_int_equal(strlen(out), n);
			for (const unsigned char *p = (const unsigned char *)out; *p; p++) {
				assert_false(*p < 0x20 || *p == 0x7f);
				if (*p == 0xc2)
					assert_false(p[1] >= 0x80 && p[1] <= 0x9f); /* C1 */
			}
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_escape_table),
		cmocka_unit_test(test_escape_exhaustive),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
