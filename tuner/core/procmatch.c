/* SPDX-License-Identifier: MIT */
#include "procmatch.h"

#include <errno.h>
#include <fnmatch.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const kind_names[] = {
	[TN_SEL_PID] = "pid",
	[TN_SEL_COMM] = "comm",
	[TN_SEL_CMDLINE] = "cmdline",
	[TN_SEL_CGROUP] = "cgroup",
	[TN_SEL_UNIT] = "systemd_unit",
};

const char *tn_procsel_kind_name(enum tn_procsel_kind k)
{
	return kind_names[k];
}

int tn_procsel_init(struct tn_procsel *s, enum tn_procsel_kind kind, const char *text,
		    struct tn_diag *d)
{
	struct tn_procsel n = { .kind = kind };

	if (strlen(text) >= sizeof(n.text))
		return tn_diag_error(d, -EINVAL, "process selector too long: %.40s...", text);
	if (!*text)
		return tn_diag_error(d, -EINVAL, "empty %s selector", kind_names[kind]);
	snprintf(n.text, sizeof(n.text), "%s", text);
	if (kind == TN_SEL_PID) {
		char *end;
		long v;

		errno = 0;
		v = strtol(text, &end, 10);
		if (errno || *end || v <= 0 || v > INT_MAX)
			return tn_diag_error(d, -EINVAL, "pid \"%s\" is not a process id", text);
		n.pid = (int)v;
	} else if (kind == TN_SEL_CMDLINE) {
		int r = regcomp(&n.re, text, REG_EXTENDED | REG_NOSUB);

		if (r) {
			char msg[128];

			regerror(r, &n.re, msg, sizeof(msg));
			return tn_diag_error(d, -EINVAL, "cmdline regex \"%s\": %s", text, msg);
		}
		n.compiled = true;
	} else if (kind == TN_SEL_CGROUP && text[0] != '/') {
		return tn_diag_error(d, -EINVAL, "cgroup \"%s\" must be an absolute path", text);
	}
	*s = n;
	return 0;
}

int tn_procsel_parse(const char *spec, struct tn_procsel *out, struct tn_diag *d)
{
	static const struct {
		const char *prefix;
		enum tn_procsel_kind kind;
	} forms[] = {
		{ "pid:", TN_SEL_PID },		{ "comm:", TN_SEL_COMM },
		{ "cmdline:", TN_SEL_CMDLINE }, { "cgroup:", TN_SEL_CGROUP },
		{ "unit:", TN_SEL_UNIT },
	};

	for (size_t i = 0; i < sizeof(forms) / sizeof(forms[0]); i++) {
		size_t n = strlen(forms[i].prefix);

		if (strncmp(spec, forms[i].prefix, n) == 0)
			return tn_procsel_init(out, forms[i].kind, spec + n, d);
	}
	return tn_diag_error(d, -EINVAL,
			     "process selector \"%s\": expected pid:N, comm:NAME, cmdline:REGEX, "
			     "cgroup:PATH or unit:NAME",
			     spec);
}

void tn_procsel_free(struct tn_procsel *s)
{
	if (s && s->compiled) {
		regfree(&s->re);
		s->compiled = false;
	}
}

bool tn_procsel_needs_cmdline(const struct tn_procsel *s)
{
	return s->kind == TN_SEL_CMDLINE;
}

bool tn_procsel_needs_cgroup(const struct tn_procsel *s)
{
	return s->kind == TN_SEL_CGROUP || s->kind == TN_SEL_UNIT;
}

bool tn_procsel_match(const struct tn_procsel *s, int pid, const char *comm, const char *cmdline,
		      const char *cgroup)
{
	switch (s->kind) {
	case TN_SEL_PID:
		return pid == s->pid;
	case TN_SEL_COMM:
		return comm && fnmatch(s->text, comm, 0) == 0;
	case TN_SEL_CMDLINE:
		return cmdline && regexec(&s->re, cmdline, 0, NULL, 0) == 0;
	case TN_SEL_CGROUP: {
		size_t n = strlen(s->text);

		while (n > 1 && s->text[n - 1] == '/')
			n--;
		return cgroup && strncmp(cgroup, s->text, n) == 0 &&
		       (cgroup[n] == '\0' || cgroup[n] == '/' || n == 1);
	}
	case TN_SEL_UNIT: {
		size_t n = strlen(s->text);

		for (const char *p = cgroup; p && (p = strstr(p, s->text)); p++)
			if (p > cgroup && p[-1] == '/' && (p[n] == '\0' || p[n] == '/'))
				return true;
		return false;
	}
	}
	return false;
}
