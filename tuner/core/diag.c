/* SPDX-License-Identifier: MIT */
#include "diag.h"

#include <search.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void tn_diag_init(struct tn_diag *d)
{
	memset(d, 0, sizeof(*d));
}

static void keep_key(void *key)
{
	(void)key; /* the warnings array owns the texts */
}

void tn_diag_free(struct tn_diag *d)
{
	if (!d)
		return;
	tdestroy(d->seen, keep_key);
	for (int i = 0; i < d->n_warnings; i++)
		free(d->warnings[i]);
	free(d->warnings);
	tn_diag_init(d);
}

int tn_diag_error(struct tn_diag *d, int ret, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (!d || d->error[0])
		return ret;
	va_start(ap, fmt);
	n = vsnprintf(d->error, sizeof(d->error), fmt, ap);
	va_end(ap);
	if (n >= (int)sizeof(d->error))
		memcpy(d->error + sizeof(d->error) - 4, "...", 4);
	return ret;
}

static int cmp_text(const void *a, const void *b)
{
	return strcmp(a, b);
}

void tn_diag_vwarn(struct tn_diag *d, const char *fmt, va_list ap)
{
	char **nw, **found;
	char *msg = NULL;
	int n;

	if (!d)
		return;
	if (vasprintf(&msg, fmt, ap) < 0) {
		d->warnings_dropped++;
		return;
	}
	/* once each: planning again (after ring changes) says the same things.
	 * A balanced tree: 60,000 NICs' warnings stay O(n log n). */
	n = d->n_warnings;
	if ((n & (n - 1)) == 0) { /* 0, 1, 2, 4...: the array doubles */
		nw = realloc(d->warnings, sizeof(*nw) * (size_t)(n ? 2 * n : 1));
		if (!nw) {
			free(msg);
			d->warnings_dropped++;
			return;
		}
		d->warnings = nw;
	}
	found = tsearch(msg, &d->seen, cmp_text);
	if (!found || *found != msg) {
		if (!found)
			d->warnings_dropped++;
		free(msg);
		return;
	}
	d->warnings[d->n_warnings++] = msg;
}

void tn_diag_warn(struct tn_diag *d, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	tn_diag_vwarn(d, fmt, ap);
	va_end(ap);
}

int tn_diag_has_error(const struct tn_diag *d)
{
	return d && d->error[0];
}
