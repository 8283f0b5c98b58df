/* SPDX-License-Identifier: MIT */
/* Profiles: the "sysctl" object and "allow_sysctls". */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jsonutil.h"
#include "profile.h"
#include "profile_int.h"
#include "state.h"

struct known_sysctl {
	const char *name;
	int n_fields;
	int64_t min;
};

static const struct known_sysctl known_sysctls[] = {
	{ "net.core.netdev_max_backlog", 1, 1 },
	{ "net.core.netdev_budget", 1, 1 },
	{ "net.core.netdev_budget_usecs", 1, 1 },
	{ "net.core.rmem_max", 1, 4096 },
	{ "net.core.rmem_default", 1, 4096 },
	{ "net.core.wmem_max", 1, 4096 },
	{ "net.core.wmem_default", 1, 4096 },
	{ "net.ipv4.tcp_rmem", 3, 1 },
	{ "net.ipv4.tcp_wmem", 3, 1 },
};

static const struct known_sysctl *known_sysctl(const char *name)
{
	for (size_t i = 0; i < sizeof(known_sysctls) / sizeof(known_sysctls[0]); i++)
		if (strcmp(known_sysctls[i].name, name) == 0)
			return &known_sysctls[i];
	return NULL;
}

/*
 * Sysctls that name a program the kernel runs as root (a core dump handler, a
 * module loader, a hotplug or power-off helper) or register an interpreter
 * (binfmt_misc): a network tuner never sets them, whatever the profile says.
 * Each entry is a name or a subtree.
 */
static const char *const never_set[] = {
	"kernel.core_pattern",
	"kernel.modprobe",
	"kernel.hotplug",
	"kernel.poweroff_cmd",
	"kernel.usermodehelper",
	"fs.binfmt_misc",
	NULL,
};

bool tn_sysctl_settable(const char *name)
{
	for (int i = 0; never_set[i]; i++) {
		size_t n = strlen(never_set[i]);

		if (strncmp(name, never_set[i], n) == 0 && (name[n] == '\0' || name[n] == '.'))
			return false;
	}
	return true;
}

static bool is_net_sysctl(const char *name)
{
	return strncmp(name, "net.", 4) == 0;
}

/* "allow_sysctls": names outside net.* the profile may set, each exact. */
int tn_profile_parse_allow(struct tn_jreader *r, const cJSON *doc, const cJSON **out)
{
	const cJSON *arr, *it;
	size_t m;
	int ret, i = 0;

	*out = NULL;
	if ((ret = tn_jr_array(r, doc, "allow_sysctls", false, &arr)) < 0 || !arr)
		return ret;
	m = tn_jr_push_key(r, "allow_sysctls");
	if (cJSON_GetArraySize(arr) > TN_PROFILE_MAX_ALLOWED_SYSCTLS)
		return tn_jr_error(r, "more than %d names", TN_PROFILE_MAX_ALLOWED_SYSCTLS);
	cJSON_ArrayForEach (it, arr) {
		size_t m2 = tn_jr_push_index(r, i++);

		/* a name without a dot is a directory of settings (vm, kernel) */
		if (!cJSON_IsString(it) || !tn_sysctl_name_valid(it->valuestring) ||
		    !strchr(it->valuestring, '.'))
			return tn_jr_error(r, "expected a sysctl name such as \"vm.swappiness\" "
					      "(exact, no pattern)");
		if (is_net_sysctl(it->valuestring))
			return tn_jr_error(r, "\"%s\": net.* sysctls need no allowing",
					   it->valuestring);
		if (!tn_sysctl_settable(it->valuestring))
			return tn_jr_error(r,
					   "\"%s\" names a program the kernel runs as root: "
					   "tuner never sets it",
					   it->valuestring);
		tn_jr_pop(r, m2);
	}
	tn_jr_pop(r, m);
	*out = arr;
	return 0;
}

/* A sysctl outside net.* needs its name in "allow_sysctls" (allow may be NULL). */
static int check_namespace(struct tn_jreader *r, const char *name, const cJSON *allow,
			   struct tn_sysctl_rule *s)
{
	const cJSON *it;

	if (is_net_sysctl(name))
		return 0;
	if (!tn_sysctl_settable(name))
		return tn_jr_key_error(r, "names a program the kernel runs as root: tuner never "
					  "sets it");
	cJSON_ArrayForEach (it, allow) {
		if (strcmp(it->valuestring, name) == 0) {
			s->outside_net = true;
			return 0;
		}
	}
	return tn_jr_key_error(r, "outside net.*: tuner sets networking sysctls only, unless "
				  "the profile lists this name in \"allow_sysctls\"");
}

/*
 * A JSON number read as an integer. cJSON keeps numbers as doubles, exact up
 * to 2^53 only: 9007199254740993 was read as ...992 and that value set, with
 * 'profile validate' saying nothing. Beyond, the value is refused with the
 * way to give it exactly (a string, read digit by digit). 0, or the error.
 */
static int exact_integer(struct tn_jreader *r, const cJSON *v, int64_t *out)
{
	const double lim = 9007199254740991.0; /* 2^53 - 1 */

	if (!cJSON_IsNumber(v) || !isfinite(v->valuedouble) ||
	    v->valuedouble != floor(v->valuedouble))
		return tn_jr_error(r, "expected an integer");
	/* the double is already rounded: the value written is not named */
	if (v->valuedouble < -lim || v->valuedouble > lim)
		return tn_jr_error(r, "an integer beyond 2^53-1 (9007199254740991), where a JSON "
				      "number is not exact: write the value as a string of digits");
	*out = (int64_t)v->valuedouble;
	return 0;
}

/* Numbers: 4096, [4096, 131072, 6291456] or "4096 131072 6291456". */
static int sysctl_numbers(struct tn_jreader *r, const cJSON *v, struct tn_sysctl_rule *s)
{
	const cJSON *it;
	int n = 0;

	if (cJSON_IsNumber(v)) {
		if (exact_integer(r, v, &s->fields[0]) < 0)
			return -EINVAL;
		s->n_fields = 1;
		return 0;
	}
	if (cJSON_IsArray(v)) {
		cJSON_ArrayForEach (it, v) {
			size_t m = tn_jr_push_index(r, n);

			if (n >= TN_SYSCTL_MAX_FIELDS)
				return tn_jr_error(r, "at most %d numbers", TN_SYSCTL_MAX_FIELDS);
			if (exact_integer(r, it, &s->fields[n]) < 0)
				return -EINVAL;
			n++;
			tn_jr_pop(r, m);
		}
		if (n == 0)
			return tn_jr_error(r, "empty array");
		s->n_fields = n;
		return 0;
	}
	if (cJSON_IsString(v)) {
		const char *p = v->valuestring;
		char *end;

		while (*p) {
			long long x;

			while (*p == ' ' || *p == '\t')
				p++;
			if (!*p)
				break;
			if (n >= TN_SYSCTL_MAX_FIELDS)
				return 1; /* not numeric */
			errno = 0;
			x = strtoll(p, &end, 10);
			if (end == p || errno || (*end && *end != ' ' && *end != '\t'))
				return 1;
			s->fields[n++] = x;
			p = end;
		}
		if (n == 0)
			return 1;
		s->n_fields = n;
		return 0;
	}
	return tn_jr_error(r, "expected a number, a string, or an array of numbers");
}

int tn_profile_parse_sysctl(struct tn_jreader *r, const cJSON *item, const cJSON *allow,
			    struct tn_sysctl_rule *s)
{
	const struct known_sysctl *k;
	const cJSON *v = item;
	int ret;

	if (!tn_sysctl_name_valid(item->string))
		return tn_jr_error(r, "not a sysctl name (dotted, like net.core.netdev_budget; "
				      "no '/' or '..')");
	if ((ret = check_namespace(r, item->string, allow, s)) < 0)
		return ret;
	snprintf(s->name, sizeof(s->name), "%s", item->string);
	k = known_sysctl(s->name);
	if (cJSON_IsObject(item)) {
		static const char *const mk[] = { "min", NULL };
		size_t m;

		if ((ret = tn_jr_known_keys(r, item, mk)) < 0)
			return ret;
		v = cJSON_GetObjectItemCaseSensitive(item, "min");
		if (!v)
			return tn_jr_error(r, "expected {\"min\": VALUE}");
		s->only_raise = true;
		m = tn_jr_push_key(r, "min");
		ret = sysctl_numbers(r, v, s);
		if (ret == 1)
			ret = tn_jr_error(r, "\"min\" needs numbers");
		if (ret < 0)
			return ret;
		tn_jr_pop(r, m);
	} else {
		ret = sysctl_numbers(r, v, s);
		if (ret < 0)
			return ret;
		if (ret == 1 && k)
			return tn_jr_error(r, "expected %s",
					   k->n_fields == 3 ? "three numbers" : "a number");
		if (ret == 1) {
			/* a free-form value for a sysctl tuner does not know */
			if (strlen(v->valuestring) >= sizeof(s->text))
				return tn_jr_error(r, "value too long");
			tn_sysctl_value_normalise(v->valuestring, s->text, sizeof(s->text));
			return 0;
		}
	}
	s->numeric = true;
	if (k) {
		if (s->n_fields != k->n_fields)
			return tn_jr_error(r, "expected %s",
					   k->n_fields == 3 ? "three numbers (min default max)"
							    : "a single number");
		for (int i = 0; i < s->n_fields; i++)
			if (s->fields[i] < k->min || s->fields[i] > INT_MAX)
				return tn_jr_error(r, "%lld is out of range (%lld to %d)",
						   (long long)s->fields[i], (long long)k->min,
						   INT_MAX);
		if (k->n_fields == 3 &&
		    !(s->fields[0] <= s->fields[1] && s->fields[1] <= s->fields[2]))
			return tn_jr_error(
				r, "the three values must be ascending (min <= default <= max)");
	}
	{
		size_t n = 0;

		s->text[0] = '\0';
		for (int i = 0; i < s->n_fields; i++)
			n += (size_t)snprintf(s->text + n, sizeof(s->text) - n, "%s%lld",
					      i ? " " : "", (long long)s->fields[i]);
	}
	return 0;
}
