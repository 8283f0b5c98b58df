/* SPDX-License-Identifier: MIT */
/* What several unit tests share: a whole file, a golden snapshot. */
#ifndef TN_UNIT_UTIL_H
#define TN_UNIT_UTIL_H

#include <linux/netlink.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "state_json.h"

/* The file whole, NUL-terminated (malloc'ed), or NULL. */
static inline char *tn_test_read_file(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf;
	long n;

	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = n >= 0 ? calloc(1, (size_t)n + 1) : NULL;
	if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
		free(buf);
		buf = NULL;
	}
	fclose(f);
	return buf;
}

/* tests/golden/NAME.show.json into s; the test fails when it does not load. */
static inline void tn_test_load_golden(const char *name, struct tn_state *s)
{
	char path[512], *text;
	struct tn_diag d;

	snprintf(path, sizeof(path), "%s/tests/golden/%s.show.json", TN_SOURCE_DIR, name);
	text = tn_test_read_file(path);
	assert_non_null(text);
	tn_diag_init(&d);
	if (tn_state_parse(text, path, s, &d) < 0)
		fail_msg("%s", d.error);
	tn_diag_free(&d);
	free(text);
}

/* Line 'line' (0-based) of a recorder file (tests/unit/data/nlrecord.py): one
 * whole netlink message in hex, malloc'ed with room to spare. *len: its
 * length in bytes. */
static inline struct nlmsghdr *tn_test_recorded(const char *file, int line, size_t *len)
{
	char buf[8192];
	FILE *f = fopen(file, "r");
	unsigned char *m;
	size_t n;

	assert_non_null(f);
	for (int i = 0; i <= line; i++)
		assert_non_null(fgets(buf, sizeof(buf), f));
	fclose(f);
	buf[strcspn(buf, "\n")] = '\0';
	n = strlen(buf) / 2;
	m = calloc(1, NLMSG_ALIGN(n) + 4);
	assert_non_null(m);
	for (size_t i = 0; i < n; i++) {
		unsigned v;

		assert_int_equal(sscanf(buf + 2 * i, "%2x", &v), 1);
		m[i] = (unsigned char)v;
	}
	*len = n;
	return (struct nlmsghdr *)m;
}

#endif
