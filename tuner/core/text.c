/* SPDX-License-Identifier: MIT */
#include "text.h"

#include <stdio.h>
#include <string.h>

int tn_text_char_len(const char *str)
{
	const unsigned char *s = (const unsigned char *)str;
	unsigned cp, min;
	int n;

	if (s[0] < 0x20 || s[0] == 0x7f)
		return 0;
	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		n = 2, cp = s[0] & 0x1f, min = 0x80;
	} else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		n = 3, cp = s[0] & 0x0f, min = 0x800;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		n = 4, cp = s[0] & 0x07, min = 0x10000;
	} else {
		return 0; /* a continuation byte, 0xc0, 0xc1 (overlong) or 0xf5-0xff */
	}
	for (int i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0; /* the end of the string included */
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff) || cp <= 0x9f)
		return 0; /* overlong, out of range, a surrogate, a C1 control */
	return n;
}

bool tn_text_is_plain(const char *s)
{
	while (*s) {
		int k = tn_text_char_len(s);

		if (!k)
			return false;
		s += k;
	}
	return true;
}

size_t tn_text_escaped_len(const char *s)
{
	size_t n = 0;

	while (*s) {
		int k = tn_text_char_len(s);

		n += k ? (size_t)k : TN_TEXT_ESCAPE_LEN;
		s += k ? k : 1;
	}
	return n;
}

char *tn_text_escape(const char *s, char *out)
{
	char *o = out;

	while (*s) {
		int k = tn_text_char_len(s);

		if (k) {
			memcpy(o, s, (size_t)k);
			o += k;
			s += k;
		} else {
			snprintf(o, TN_TEXT_ESCAPE_LEN + 1, "\\x%02x", (unsigned char)*s++);
			o += TN_TEXT_ESCAPE_LEN;
		}
	}
	*o = '\0';
	return out;
}
