/* SPDX-License-Identifier: MIT */
#include "diag.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void tn_diag_init(struct tn_diag *d)
{
	memset(d, 0, sizeof(*d));
}

void tn_diag_free(struct tn_diag *d)
{
	if (!d)
		return;
	for (int i = 0; i < d->n_warnings; i++)
		free(d->warnings[i]);
	free(d->warnings);
	tn_diag_init(d);
}

int tn_diag_error(struct tn_diag *d, int ret, const char *fmt, ...)
{
	va_list ap;

	if (!d || d->error[0])
		return ret;
	va_start(ap, fmt);
	vsnprintf(d->error, sizeof(d->error), fmt, ap);
	va_end(ap);
	return ret;
}

void tn_diag_vwarn(struct tn_diag *d, const char *fmt, va_list ap)
{
	char **nw;
	char *msg = NULL;

	if (!d)
		return;
	if (vasprintf(&msg, fmt, ap) < 0) {
		d->warnings_dropped++;
		return;
	}
	/* once each: planning again (after ring changes) says the same things */
	for (int i = 0; i < d->n_warnings; i++) {
		if (strcmp(d->warnings[i], msg) == 0) {
			free(msg);
			return;
		}
	}
	nw = realloc(d->warnings, sizeof(*nw) * (size_t)(d->n_warnings + 1));
	if (!nw) {
		free(msg);
		d->warnings_dropped++;
		return;
	}
	d->warnings = nw;
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
