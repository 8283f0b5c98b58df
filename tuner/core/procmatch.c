/* SPDX-License-Identifier: MIT */
#include "procmatch.h"

#include <ctype.h>
#include <errno.h>
#include <fnmatch.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

TN_ENUM_NAME_FN(tn_procsel_kind_name, enum tn_procsel_kind, TN_PROCSEL_KIND_LIST)

/* Above this, a cmdline regex is refused before regcomp() sees it. */
#define TN_REGEX_COST_MAX 256
#define TN_REGEX_DEPTH_MAX 16

/* The closing ']' of the bracket expression opening at p, or its final NUL. */
static const char *bracket_end(const char *p)
{
	p++;
	if (*p == '^')
		p++;
	if (*p == ']')
		p++;
	while (*p && *p != ']') {
		if (*p == '[' && (p[1] == ':' || p[1] == '.' || p[1] == '=')) {
			char c = p[1];

			for (p += 2; *p && !(*p == c && p[1] == ']'); p++)
				;
			if (*p)
				p++;
		}
		if (*p)
			p++;
	}
	return p;
}

/*
 * A back-reference (\1 to \9 outside brackets), which glibc's regexec()
 * matches by backtracking: "^(.*)(.*)(.*)\3\2\1x$" takes seconds on a few
 * hundred characters, and "(a*)*\1b" gigabytes. Any user sets their own
 * command line, so cmdline regexes do without. Returns it, or NULL.
 */
static const char *backref(const char *p)
{
	for (; *p; p++) {
		if (*p == '[') {
			p = bracket_end(p);
			if (!*p)
				return NULL;
		} else if (*p == '\\' && p[1]) {
			if (p[1] >= '1' && p[1] <= '9')
				return p;
			p++;
		}
	}
	return NULL;
}

/*
 * The repetition count of the interval opening at *pp: {m}, {m,}, {m,n} and
 * glibc's {,n} (zero to n); *pp is left on its last character. 0 when '{'
 * opens no interval (a literal '{', or an error for regcomp).
 */
static long interval_mult(const char **pp)
{
	const char *q = *pp + 1;
	char *end = (char *)q;
	long m = 0, n, mult;

	if (isdigit((unsigned char)*q))
		m = strtol(q, &end, 10);
	else if (*q != ',')
		return 0;
	n = m;
	if (*end == ',') {
		if (end[1] == '}')
			n = m + 1;
		else if (isdigit((unsigned char)end[1]))
			n = strtol(end + 1, &end, 10);
		else
			end++;
	}
	while (*end && *end != '}')
		end++;
	*pp = *end ? end : end - 1;
	mult = n > m ? n : m;
	return mult < 1 ? 1 : mult;
}

/*
 * An upper estimate of the automaton glibc's regcomp() builds, which grows
 * with repetition: "x{1,32767}" or "a++++++++++++++++++++" take gigabytes.
 * Each atom counts 1, a group the sum of its parts, and a repetition
 * multiplies what it repeats: {m,n} by n ({m,} by m + 1), *, + and ? by 2.
 * Returns the cost, or TN_REGEX_COST_MAX + 1 as soon as it is exceeded.
 * Syntax errors are left to regcomp().
 */
static long regex_cost(const char *p)
{
	long sum[TN_REGEX_DEPTH_MAX + 1] = { 0 }, last[TN_REGEX_DEPTH_MAX + 1] = { 0 };
	const long over = TN_REGEX_COST_MAX + 1;
	int depth = 0;

	for (; *p; p++) {
		long atom = 1, mult = 0;

		switch (*p) {
		case '\\':
			if (p[1])
				p++;
			break;
		case '[': /* one atom, up to the closing bracket */
			p = bracket_end(p);
			if (!*p)
				return sum[0];
			break;
		case '(':
			if (depth == TN_REGEX_DEPTH_MAX)
				return over;
			depth++;
			sum[depth] = last[depth] = 0;
			continue;
		case ')':
			if (depth > 0)
				atom = sum[depth--] + 1;
			break;
		case '|':
			last[depth] = 0;
			continue;
		case '*':
		case '+':
		case '?':
			mult = 2;
			break;
		case '{':
			mult = interval_mult(&p);
			if (mult > TN_REGEX_COST_MAX)
				return over;
			break;
		}
		if (mult) {
			sum[depth] += last[depth] * (mult - 1);
			last[depth] *= mult;
		} else {
			sum[depth] += atom;
			last[depth] = atom;
		}
		if (sum[depth] > TN_REGEX_COST_MAX || last[depth] > TN_REGEX_COST_MAX)
			return over;
	}
	while (depth > 0) {
		sum[depth - 1] += sum[depth];
		depth--;
	}
	return sum[0] > TN_REGEX_COST_MAX ? over : sum[0];
}

int tn_procsel_init(struct tn_procsel *s, enum tn_procsel_kind kind, const char *text,
		    struct tn_diag *d)
{
	struct tn_procsel n = { .kind = kind };

	if (strlen(text) >= sizeof(n.text))
		return tn_diag_error(d, -EINVAL, "process selector too long: %.40s...", text);
	if (!*text)
		return tn_diag_error(d, -EINVAL, "empty %s selector", tn_procsel_kind_name(kind));
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
		const char *br = backref(text);
		int r;

		if (br)
			return tn_diag_error(
				d, -EINVAL,
				"cmdline regex \"%s\": back-reference \\%c: not allowed "
				"(matching one can take minutes on a crafted command "
				"line)",
				text, br[1]);
		if (regex_cost(text) > TN_REGEX_COST_MAX)
			return tn_diag_error(d, -EINVAL,
					     "cmdline regex \"%s\": too costly to compile (its "
					     "repetitions multiply past %d states)",
					     text, TN_REGEX_COST_MAX);
		r = regcomp(&n.re, text, REG_EXTENDED | REG_NOSUB);

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
	case TN_SEL_CMDLINE: {
		/* the first TN_CMDLINE_MATCH_MAX bytes; "$" never matches at the cut */
		size_t n = cmdline ? strnlen(cmdline, TN_CMDLINE_MATCH_MAX + 1) : 0;
		regmatch_t range = { .rm_so = 0, .rm_eo = (regoff_t)n };

		if (n > TN_CMDLINE_MATCH_MAX)
			range.rm_eo = TN_CMDLINE_MATCH_MAX;
		return cmdline &&
		       regexec(&s->re, cmdline, 1, &range,
			       REG_STARTEND | (n > TN_CMDLINE_MATCH_MAX ? REG_NOTEOL : 0)) == 0;
	}
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
