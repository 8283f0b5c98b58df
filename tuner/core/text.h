/* SPDX-License-Identifier: MIT */
/*
 * Text for a terminal. What tuner prints for people comes from the host
 * (process and thread names, NIC and IRQ names, sysctl values) and from files
 * (profiles, snapshots, journals), and any of it may hold bytes a terminal
 * acts on: ESC sequences retitle the window, clear the screen or redefine
 * keys; a newline forges a line of output. Human-readable output shows every
 * such byte as \xNN (the CLI's printf does it to every string it prints; JSON
 * has escapes of its own).
 */
#ifndef TN_TEXT_H
#define TN_TEXT_H

#include <stdbool.h>
#include <stddef.h>

/* The length of an escaped byte, "\xNN". */
#define TN_TEXT_ESCAPE_LEN 4

/*
 * The length of the character at s (s[0] != '\0') when it is shown as is: 1
 * for printable ASCII, 2 to 4 for a valid UTF-8 sequence; 0 when the byte at
 * s is to be escaped: C0 controls (0x01-0x1f, tab and newline included), DEL,
 * C1 controls (U+0080-U+009F), and every byte that does not start a valid
 * UTF-8 sequence (stray continuation bytes, overlong forms, surrogates, above
 * U+10FFFF, a sequence cut by the end of the string).
 */
int tn_text_char_len(const char *s);
/* Whether s is shown as is (nothing in it to escape). */
bool tn_text_is_plain(const char *s);
/* strlen() of s escaped. */
size_t tn_text_escaped_len(const char *s);
/* s escaped into out, which holds tn_text_escaped_len(s) + 1 bytes; returns
 * out. */
char *tn_text_escape(const char *s, char *out);

#endif
