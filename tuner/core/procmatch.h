/* SPDX-License-Identifier: MIT */
/* Selecting target processes: by pid, command name, command line, cgroup or unit. */
#ifndef TN_PROCMATCH_H
#define TN_PROCMATCH_H

#include <regex.h>
#include <stdbool.h>

#include "diag.h"
#include "enumname.h"
#include "state.h"

/*
 * comm: an exact name or fnmatch(3) glob; cmdline: a POSIX extended regex,
 * unanchored, no back-references; cgroup: the cgroup path or one below it;
 * systemd_unit: a component of the cgroup path. The names are the profile's
 * keys of a process match.
 */
/* clang-format off */
#define TN_PROCSEL_KIND_LIST(X)                                                           \
	X(TN_SEL_PID, "pid")                                                              \
	X(TN_SEL_COMM, "comm")                                                            \
	X(TN_SEL_CMDLINE, "cmdline")                                                      \
	X(TN_SEL_CGROUP, "cgroup")                                                        \
	X(TN_SEL_UNIT, "systemd_unit")
/* clang-format on */
enum tn_procsel_kind { TN_PROCSEL_KIND_LIST(TN_ENUM_MEMBER) };
#define TN_PROCSEL_KIND_COUNT TN_ENUM_COUNT(TN_PROCSEL_KIND_LIST)

struct tn_procsel {
	enum tn_procsel_kind kind;
	int pid;
	char text[256];
	bool compiled;
	regex_t re;
};

/*
 * Parse "pid:N", "comm:GLOB", "cmdline:REGEX", "cgroup:PATH" or "unit:NAME"
 * (the command-line form). Returns 0 or -EINVAL with a message in d.
 */
int tn_procsel_parse(const char *spec, struct tn_procsel *out, struct tn_diag *d);
/* Build one from a kind and its text (the profile form). */
int tn_procsel_init(struct tn_procsel *s, enum tn_procsel_kind kind, const char *text,
		    struct tn_diag *d);
void tn_procsel_free(struct tn_procsel *s);
const char *tn_procsel_kind_name(enum tn_procsel_kind k);

/* A cmdline regex sees this many bytes of a command line at most ('$' does
 * not match where a longer one is cut). */
#define TN_CMDLINE_MATCH_MAX 4096

/* What a selector needs of a process; cmdline and cgroup may be NULL when the
 * selector does not need them (tn_procsel_needs tells). */
bool tn_procsel_match(const struct tn_procsel *s, int pid, const char *comm, const char *cmdline,
		      const char *cgroup);
bool tn_procsel_needs_cmdline(const struct tn_procsel *s);
bool tn_procsel_needs_cgroup(const struct tn_procsel *s);

#endif
