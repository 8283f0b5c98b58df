/* SPDX-License-Identifier: MIT */
/*
 * Diagnostics: library layers never print. They record one error message (the
 * first, most specific one wins) and any number of warnings; the CLI prints
 * them once.
 */
#ifndef TN_DIAG_H
#define TN_DIAG_H

#include <stdarg.h>
#include <stdbool.h>

#define TN_DIAG_MSG_MAX 1024

struct tn_diag {
	char error[TN_DIAG_MSG_MAX]; /* "" when no error was recorded */
	int n_warnings;
	char **warnings;
	int warnings_dropped; /* warnings lost to out-of-memory */
	int n_reported;	      /* warnings already shown (by the cli) */
	bool error_reported;
	void *seen; /* the warnings by text (a tsearch tree): each once */
};

void tn_diag_init(struct tn_diag *d);
void tn_diag_free(struct tn_diag *d); /* accepts NULL */
/* Records msg unless an error is already recorded. Returns 'ret' so that a
 * caller can write: return tn_diag_error(d, -EINVAL, "..."). d may be NULL.
 * A message longer than TN_DIAG_MSG_MAX ends with "..." to say it was cut. */
int tn_diag_error(struct tn_diag *d, int ret, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void tn_diag_warn(struct tn_diag *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void tn_diag_vwarn(struct tn_diag *d, const char *fmt, va_list ap)
	__attribute__((format(printf, 2, 0)));
int tn_diag_has_error(const struct tn_diag *d);

#endif
