/* SPDX-License-Identifier: MIT */
#include "profile.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jsonutil.h"
#include "state.h"

#define MAX_EXTENDS_DEPTH 8

const char *tn_placement_name(enum tn_placement p)
{
	static const char *const names[] = { "opposite", "local", "nodes", "cpus" };

	return names[p];
}

const char *tn_memory_name(enum tn_memory m)
{
	static const char *const names[] = { "keep", "bind", "prefer" };

	return names[m];
}

const char *tn_irqbalance_mode_name(enum tn_irqbalance_mode m)
{
	static const char *const names[] = { "ban", "stop", "ignore" };

	return names[m];
}

void tn_profile_free(struct tn_profile *p)
{
	if (!p)
		return;
	for (int i = 0; i < p->n_procs; i++)
		for (int k = 0; k < p->procs[i].n_sel; k++)
			tn_procsel_free(&p->procs[i].sel[k]);
	free(p->ifaces);
	free(p->sysctls);
	free(p->procs);
	free(p->merged);
	memset(p, 0, sizeof(*p));
}

/* ---- checks on the raw text ---- */

/* Valid UTF-8 (no overlongs, no surrogates); returns the first bad byte or NULL. */
static const char *bad_utf8(const char *text)
{
	const unsigned char *p = (const unsigned char *)text;

	while (*p) {
		unsigned c = *p, need, cp;

		if (c < 0x80) {
			p++;
			continue;
		}
		if (c >= 0xc2 && c <= 0xdf)
			need = 1, cp = c & 0x1f;
		else if (c >= 0xe0 && c <= 0xef)
			need = 2, cp = c & 0x0f;
		else if (c >= 0xf0 && c <= 0xf4)
			need = 3, cp = c & 0x07;
		else
			return (const char *)p;
		for (unsigned i = 1; i <= need; i++) {
			if ((p[i] & 0xc0) != 0x80)
				return (const char *)p;
			cp = (cp << 6) | (p[i] & 0x3f);
		}
		if ((need == 2 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
		    (need == 3 && (cp < 0x10000 || cp > 0x10ffff)))
			return (const char *)p;
		p += need + 1;
	}
	return NULL;
}

/* The first bracket that opens a level deeper than max, or NULL. */
static const char *too_deep(const char *text, int max)
{
	int depth = 0;
	bool in_str = false;

	for (const char *p = text; *p; p++) {
		if (in_str) {
			if (*p == '\\' && p[1])
				p++;
			else if (*p == '"')
				in_str = false;
		} else if (*p == '"') {
			in_str = true;
		} else if (*p == '{' || *p == '[') {
			if (++depth > max)
				return p;
		} else if (*p == '}' || *p == ']') {
			depth--;
		}
	}
	return NULL;
}

static int text_error(struct tn_diag *d, const char *file, const char *text, const char *at,
		      const char *msg)
{
	int line, col;

	tn_json_position(text, at, &line, &col);
	return tn_diag_error(d, -EINVAL, "%s:%d:%d: %s", file, line, col, msg);
}

static int parse_text(const char *text, const char *file, cJSON **out, struct tn_diag *d)
{
	const char *at, *end = NULL;
	cJSON *j;

	if (strlen(text) > TN_PROFILE_MAX_BYTES)
		return tn_diag_error(d, -EFBIG, "%s: larger than %d bytes; not a profile", file,
				     TN_PROFILE_MAX_BYTES);
	if ((at = bad_utf8(text)))
		return text_error(d, file, text, at, "invalid UTF-8");
	if ((at = tn_json_find_nul_escape(text)))
		return text_error(d, file, text, at, "\\u0000 (a NUL character) in a string: "
						     "it would cut the string short");
	if ((at = too_deep(text, TN_PROFILE_MAX_DEPTH))) {
		char msg[64];

		snprintf(msg, sizeof(msg), "nested deeper than %d levels", TN_PROFILE_MAX_DEPTH);
		return text_error(d, file, text, at, msg);
	}
	j = cJSON_ParseWithOpts(text, &end, 1);
	if (!j) {
		if (!end)
			return tn_diag_error(d, -ENOMEM, "%s: out of memory", file);
		return text_error(d, file, text, end, "JSON syntax error");
	}
	*out = j;
	return 0;
}

/* ---- building the profile from a document ---- */

static int str_choice(struct tn_jreader *r, const cJSON *v, const char *const *choices,
		      const char *what)
{
	if (cJSON_IsString(v))
		for (int i = 0; choices[i]; i++)
			if (strcmp(v->valuestring, choices[i]) == 0)
				return i;
	if (cJSON_IsString(v))
		return tn_jr_error(r, "\"%s\" is not %s", v->valuestring, what);
	return tn_jr_error(r, "expected %s", what);
}

/* A list of node ids: [0, 1] */
static int node_list(struct tn_jreader *r, const cJSON *v, struct tn_cpuset *out)
{
	const cJSON *it;
	int i = 0;

	if (!cJSON_IsArray(v) || cJSON_GetArraySize(v) == 0)
		return tn_jr_error(r, "expected a non-empty array of NUMA node numbers");
	tn_cpuset_zero(out);
	cJSON_ArrayForEach(it, v) {
		size_t m = tn_jr_push_index(r, i++);

		if (!cJSON_IsNumber(it) || it->valuedouble < 0 || it->valuedouble > 4095 ||
		    it->valuedouble != (int)it->valuedouble)
			return tn_jr_error(r, "expected a NUMA node number from 0 to 4095");
		tn_cpuset_set(out, (int)it->valuedouble);
		tn_jr_pop(r, m);
	}
	return 0;
}

static int cpu_list(struct tn_jreader *r, const cJSON *v, bool allow_empty, struct tn_cpuset *out)
{
	int ret;

	if (!cJSON_IsString(v))
		return tn_jr_error(r, "expected a CPU list such as \"0-7,16\"");
	ret = tn_cpuset_parse_list(v->valuestring, out);
	if (ret == -ERANGE)
		return tn_jr_error(r, "\"%s\": CPU numbers go up to %d", v->valuestring,
				   TN_CPU_MAX - 1);
	if (ret < 0)
		return tn_jr_error(r, "\"%s\" is not a CPU list such as \"0-7,16\"", v->valuestring);
	if (!allow_empty && tn_cpuset_empty(out))
		return tn_jr_error(r, "the CPU list is empty");
	return 0;
}

static int parse_irq(struct tn_jreader *r, const cJSON *o, struct tn_irq_rule *q)
{
	static const char *const keys[] = { "cpus", "count", "smt", "exclude", NULL };
	static const char *const smt[] = { "avoid", "allow", NULL };
	const cJSON *v;
	int64_t count = 0;
	int ret;
	size_t m;

	if (!cJSON_IsObject(o))
		return tn_jr_error(r, "expected an object");
	if ((ret = tn_jr_known_keys(r, o, keys)) < 0 ||
	    (ret = tn_jr_int(r, o, "count", false, 1, TN_CPU_MAX, &count)) < 0)
		return ret;
	q->set = true;
	q->count = (int)count;
	q->policy = TN_CPUS_LOCAL;
	if ((v = cJSON_GetObjectItemCaseSensitive(o, "cpus"))) {
		m = tn_jr_push_key(r, "cpus");
		if (cJSON_IsString(v) && strcmp(v->valuestring, "local") == 0) {
			q->policy = TN_CPUS_LOCAL;
		} else if (cJSON_IsString(v) && strcmp(v->valuestring, "remote") == 0) {
			q->policy = TN_CPUS_REMOTE;
		} else if (cJSON_IsObject(v)) {
			static const char *const ck[] = { "nodes", "list", NULL };
			const cJSON *nodes = cJSON_GetObjectItemCaseSensitive(v, "nodes");
			const cJSON *list = cJSON_GetObjectItemCaseSensitive(v, "list");

			if ((ret = tn_jr_known_keys(r, v, ck)) < 0)
				return ret;
			if (!nodes == !list)
				return tn_jr_error(r, "give either \"nodes\" or \"list\"");
			if (nodes) {
				size_t m2 = tn_jr_push_key(r, "nodes");

				q->policy = TN_CPUS_NODES;
				if ((ret = node_list(r, nodes, &q->nodes)) < 0)
					return ret;
				tn_jr_pop(r, m2);
			} else {
				size_t m2 = tn_jr_push_key(r, "list");

				q->policy = TN_CPUS_LIST;
				if ((ret = cpu_list(r, list, false, &q->cpus)) < 0)
					return ret;
				tn_jr_pop(r, m2);
			}
		} else {
			return tn_jr_error(r, "expected \"local\", \"remote\", {\"nodes\": [...]} "
					      "or {\"list\": \"CPUS\"}");
		}
		tn_jr_pop(r, m);
	}
	if ((v = cJSON_GetObjectItemCaseSensitive(o, "smt"))) {
		m = tn_jr_push_key(r, "smt");
		if ((ret = str_choice(r, v, smt, "\"avoid\" or \"allow\"")) < 0)
			return ret;
		q->smt_allow = ret == 1;
		tn_jr_pop(r, m);
	}
	if ((v = cJSON_GetObjectItemCaseSensitive(o, "exclude"))) {
		m = tn_jr_push_key(r, "exclude");
		if ((ret = cpu_list(r, v, true, &q->exclude)) < 0)
			return ret;
		q->has_exclude = true;
		tn_jr_pop(r, m);
	}
	return 0;
}

/* A ring size or channel count: a number, "max" (or "cpus" where allowed). */
static int count_value(struct tn_jreader *r, const cJSON *o, const char *key, bool allow_cpus,
		       int64_t *out)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
	size_t m;
	int ret = 0;

	if (!v)
		return 0;
	m = tn_jr_push_key(r, key);
	if (cJSON_IsString(v) && strcmp(v->valuestring, "max") == 0)
		*out = TN_VAL_MAX;
	else if (allow_cpus && cJSON_IsString(v) && strcmp(v->valuestring, "cpus") == 0)
		*out = TN_VAL_CPUS;
	else if (cJSON_IsNumber(v)) {
		int64_t n = 0;

		ret = tn_jr_int(r, o, key, true, 1, 1 << 20, &n);
		if (ret == 0)
			*out = n;
	} else
		ret = tn_jr_error(r, "expected a number or \"max\"%s", allow_cpus ? " or \"cpus\"" : "");
	tn_jr_pop(r, m);
	return ret;
}

static int parse_match(struct tn_jreader *r, const cJSON *v, struct tn_iface_match *mt)
{
	static const char *const keys[] = { "name", "driver", "pci", NULL };
	int ret;

	memset(mt, 0, sizeof(*mt));
	if (cJSON_IsString(v) && strcmp(v->valuestring, "all") == 0) {
		mt->physical = true;
		return 0;
	}
	if (!cJSON_IsObject(v))
		return tn_jr_error(r, "expected \"all\" or an object with name, driver or pci");
	if ((ret = tn_jr_known_keys(r, v, keys)) < 0 ||
	    (ret = tn_jr_str(r, v, "name", false, mt->name, sizeof(mt->name))) < 0 ||
	    (ret = tn_jr_str(r, v, "driver", false, mt->driver, sizeof(mt->driver))) < 0 ||
	    (ret = tn_jr_str(r, v, "pci", false, mt->pci, sizeof(mt->pci))) < 0)
		return ret;
	if (!mt->name[0] && !mt->driver[0] && !mt->pci[0])
		return tn_jr_error(r, "name, driver or pci is needed (or \"all\")");
	mt->physical = true;
	return 0;
}

static int parse_iface(struct tn_jreader *r, const cJSON *o, struct tn_iface_rule *f)
{
	static const char *const keys[] = { "match", "required", "irq", "rings", "channels", NULL };
	const cJSON *v;
	int ret;
	size_t m;

	if (!cJSON_IsObject(o))
		return tn_jr_error(r, "expected an object");
	f->ring_rx = f->ring_tx = f->channels_combined = TN_VAL_UNSET;
	if ((ret = tn_jr_known_keys(r, o, keys)) < 0 ||
	    (ret = tn_jr_bool(r, o, "required", false, &f->required)) < 0)
		return ret;
	v = cJSON_GetObjectItemCaseSensitive(o, "match");
	m = tn_jr_push_key(r, "match");
	if (!v)
		return tn_jr_error(r, "missing");
	if ((ret = parse_match(r, v, &f->match)) < 0)
		return ret;
	tn_jr_pop(r, m);
	if ((v = cJSON_GetObjectItemCaseSensitive(o, "irq"))) {
		m = tn_jr_push_key(r, "irq");
		if ((ret = parse_irq(r, v, &f->irq)) < 0)
			return ret;
		tn_jr_pop(r, m);
	}
	if ((v = cJSON_GetObjectItemCaseSensitive(o, "rings"))) {
		static const char *const rk[] = { "rx", "tx", NULL };

		m = tn_jr_push_key(r, "rings");
		if (!cJSON_IsObject(v))
			return tn_jr_error(r, "expected an object with rx and/or tx");
		if ((ret = tn_jr_known_keys(r, v, rk)) < 0 ||
		    (ret = count_value(r, v, "rx", false, &f->ring_rx)) < 0 ||
		    (ret = count_value(r, v, "tx", false, &f->ring_tx)) < 0)
			return ret;
		tn_jr_pop(r, m);
	}
	if ((v = cJSON_GetObjectItemCaseSensitive(o, "channels"))) {
		static const char *const ck[] = { "combined", NULL };

		m = tn_jr_push_key(r, "channels");
		if (!cJSON_IsObject(v))
			return tn_jr_error(r, "expected an object with combined");
		if ((ret = tn_jr_known_keys(r, v, ck)) < 0 ||
		    (ret = count_value(r, v, "combined", true, &f->channels_combined)) < 0)
			return ret;
		tn_jr_pop(r, m);
	}
	return 0;
}

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
	"kernel.core_pattern", "kernel.modprobe",	"kernel.hotplug",
	"kernel.poweroff_cmd", "kernel.usermodehelper", "fs.binfmt_misc",
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
static int parse_allow(struct tn_jreader *r, const cJSON *doc, const cJSON **out)
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
	cJSON_ArrayForEach(it, arr) {
		size_t m2 = tn_jr_push_index(r, i++);

		if (!cJSON_IsString(it) || !tn_sysctl_name_valid(it->valuestring))
			return tn_jr_error(r, "expected a sysctl name such as \"vm.swappiness\" "
					      "(exact, no pattern)");
		if (is_net_sysctl(it->valuestring))
			return tn_jr_error(r, "\"%s\": net.* sysctls need no allowing",
					   it->valuestring);
		if (!tn_sysctl_settable(it->valuestring))
			return tn_jr_error(r, "\"%s\" names a program the kernel runs as root: "
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
	cJSON_ArrayForEach(it, allow) {
		if (strcmp(it->valuestring, name) == 0) {
			s->outside_net = true;
			return 0;
		}
	}
	return tn_jr_key_error(r, "outside net.*: tuner sets networking sysctls only, unless "
				  "the profile lists this name in \"allow_sysctls\"");
}

/* Numbers: 4096, [4096, 131072, 6291456] or "4096 131072 6291456". */
static int sysctl_numbers(struct tn_jreader *r, const cJSON *v, struct tn_sysctl_rule *s)
{
	const cJSON *it;
	int n = 0;

	if (cJSON_IsNumber(v)) {
		/* range first: converting an out-of-range double is undefined */
		if (!(v->valuedouble >= -(double)INT64_MAX / 2 &&
		      v->valuedouble <= (double)INT64_MAX / 2) ||
		    v->valuedouble != (double)(int64_t)v->valuedouble)
			return tn_jr_error(r, "expected an integer");
		s->fields[0] = (int64_t)v->valuedouble;
		s->n_fields = 1;
		return 0;
	}
	if (cJSON_IsArray(v)) {
		cJSON_ArrayForEach(it, v) {
			size_t m = tn_jr_push_index(r, n);

			if (n >= TN_SYSCTL_MAX_FIELDS)
				return tn_jr_error(r, "at most %d numbers", TN_SYSCTL_MAX_FIELDS);
			if (!cJSON_IsNumber(it) ||
			    !(it->valuedouble >= -(double)INT64_MAX / 2 &&
			      it->valuedouble <= (double)INT64_MAX / 2) ||
			    it->valuedouble != (double)(int64_t)it->valuedouble)
				return tn_jr_error(r, "expected an integer");
			s->fields[n++] = (int64_t)it->valuedouble;
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

static int parse_sysctl(struct tn_jreader *r, const cJSON *item, const cJSON *allow,
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
			return tn_jr_error(r, "expected %s", k->n_fields == 3 ? "three numbers" : "a number");
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
			return tn_jr_error(r, "expected %s", k->n_fields == 3
								 ? "three numbers (min default max)"
								 : "a single number");
		for (int i = 0; i < s->n_fields; i++)
			if (s->fields[i] < k->min || s->fields[i] > INT_MAX)
				return tn_jr_error(r, "%lld is out of range (%lld to %d)",
						   (long long)s->fields[i], (long long)k->min,
						   INT_MAX);
		if (k->n_fields == 3 && !(s->fields[0] <= s->fields[1] && s->fields[1] <= s->fields[2]))
			return tn_jr_error(r, "the three values must be ascending (min <= default <= max)");
	}
	{
		size_t n = 0;

		s->text[0] = '\0';
		for (int i = 0; i < s->n_fields; i++)
			n += (size_t)snprintf(s->text + n, sizeof(s->text) - n, "%s%lld", i ? " " : "",
					      (long long)s->fields[i]);
	}
	return 0;
}

static int parse_placement(struct tn_jreader *r, const cJSON *v, struct tn_proc_rule *p)
{
	static const char *const keys[] = { "nodes", "cpus", NULL };
	int ret;

	if (cJSON_IsString(v) && strcmp(v->valuestring, "opposite") == 0) {
		p->placement = TN_PLACE_OPPOSITE;
		return 0;
	}
	if (cJSON_IsString(v) && strcmp(v->valuestring, "local") == 0) {
		p->placement = TN_PLACE_LOCAL;
		return 0;
	}
	/* duplicate and unknown keys first: they are the mistake, not the count */
	if (cJSON_IsObject(v) && (ret = tn_jr_known_keys(r, v, keys)) < 0)
		return ret;
	if (!cJSON_IsObject(v) || cJSON_GetArraySize(v) != 1)
		return tn_jr_error(r, "expected \"opposite\", \"local\", {\"nodes\": [...]} or "
				      "{\"cpus\": \"CPUS\"}");
	if (cJSON_GetObjectItemCaseSensitive(v, "nodes")) {
		size_t m = tn_jr_push_key(r, "nodes");

		p->placement = TN_PLACE_NODES;
		p->has_nodes = true;
		if ((ret = node_list(r, cJSON_GetObjectItemCaseSensitive(v, "nodes"), &p->nodes)) < 0)
			return ret;
		tn_jr_pop(r, m);
	} else {
		size_t m = tn_jr_push_key(r, "cpus");

		p->placement = TN_PLACE_CPUS;
		if ((ret = cpu_list(r, cJSON_GetObjectItemCaseSensitive(v, "cpus"), false,
				    &p->cpus)) < 0)
			return ret;
		tn_jr_pop(r, m);
	}
	return 0;
}

/* match.user: a user name, or a uid (a number, or a string of digits). */
static int parse_user(struct tn_jreader *r, const cJSON *v, struct tn_proc_rule *p)
{
	const char *t = cJSON_IsString(v) ? v->valuestring : NULL;
	bool digits = t && *t && strspn(t, "0123456789") == strlen(t);
	double uid = -1;

	if (cJSON_IsNumber(v))
		uid = v->valuedouble;
	else if (digits && strlen(t) <= 10)
		uid = strtod(t, NULL);
	if (cJSON_IsNumber(v) || digits) {
		/* (uid_t)-1 is no user: it means "unchanged" to setresuid() */
		if (!(uid >= 0 && uid < 4294967295.0) || uid != (double)(int64_t)uid)
			return tn_jr_error(r, "expected a user name or a uid from 0 to 4294967294");
		p->uid = (int64_t)uid;
		snprintf(p->user, sizeof(p->user), "%lld", (long long)p->uid);
	} else {
		/* the portable user name characters (POSIX), '$' last for Samba */
		size_t n = t ? strspn(t, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
					 "0123456789._-") : 0;

		if (!t || !*t || *t == '-' || strlen(t) > 32 ||
		    (t[n] && !(t[n] == '$' && !t[n + 1])))
			return tn_jr_error(r, "expected a user name (letters, digits, '.', '_', "
					      "'-'; at most 32) or a uid");
		p->uid = TN_UNKNOWN;
		snprintf(p->user, sizeof(p->user), "%s", t);
	}
	p->has_user = true;
	return 0;
}

/* One selector of a process match: its kind and its text. */
static int parse_selector(struct tn_jreader *r, const cJSON *sv, enum tn_procsel_kind kind,
			  struct tn_proc_rule *p)
{
	char text[32];
	struct tn_diag d;
	int ret;

	if (kind == TN_SEL_PID) {
		if (!cJSON_IsNumber(sv) || sv->valuedouble < 1 || sv->valuedouble > INT_MAX ||
		    sv->valuedouble != (int)sv->valuedouble)
			return tn_jr_error(r, "expected a process id");
		snprintf(text, sizeof(text), "%d", (int)sv->valuedouble);
	} else if (!cJSON_IsString(sv)) {
		return tn_jr_error(r, "expected a string");
	}
	tn_diag_init(&d);
	ret = tn_procsel_init(&p->sel[p->n_sel], kind, kind == TN_SEL_PID ? text : sv->valuestring,
			      &d);
	if (ret < 0) {
		ret = tn_jr_error(r, "%s", d.error);
		tn_diag_free(&d);
		return ret;
	}
	p->n_sel++;
	return 0;
}

static int parse_proc_match(struct tn_jreader *r, const cJSON *match, struct tn_proc_rule *p)
{
	static const char *const mkeys[] = { "pid",	     "comm", "cmdline", "cgroup",
					     "systemd_unit", "user", NULL };
	static const enum tn_procsel_kind kinds[] = { TN_SEL_PID, TN_SEL_COMM, TN_SEL_CMDLINE,
						      TN_SEL_CGROUP, TN_SEL_UNIT };
	const cJSON *v;
	int ret;

	if ((ret = tn_jr_known_keys(r, match, mkeys)) < 0)
		return ret;
	for (int i = 0; i < TN_PROC_MAX_SELECTORS; i++) {
		const cJSON *sv = cJSON_GetObjectItemCaseSensitive(match, mkeys[i]);
		size_t m;

		if (!sv)
			continue;
		m = tn_jr_push_key(r, mkeys[i]);
		if ((ret = parse_selector(r, sv, kinds[i], p)) < 0)
			return ret;
		tn_jr_pop(r, m);
	}
	if (p->n_sel == 0)
		return tn_jr_error(r, "give pid, comm, cmdline, cgroup or systemd_unit%s",
				   cJSON_GetObjectItemCaseSensitive(match, "user")
					   ? " (\"user\" only narrows one of them)"
					   : "");
	if ((v = cJSON_GetObjectItemCaseSensitive(match, "user"))) {
		size_t m = tn_jr_push_key(r, "user");

		if ((ret = parse_user(r, v, p)) < 0)
			return ret;
		tn_jr_pop(r, m);
	}
	return 0;
}

static int parse_proc(struct tn_jreader *r, const cJSON *o, struct tn_proc_rule *p)
{
	static const char *const keys[] = { "match", "placement", "nodes", "memory", "required",
					    NULL };
	static const char *const mem[] = { "keep", "bind", "prefer", NULL };
	const cJSON *match, *v;
	int ret;
	size_t m;

	if (!cJSON_IsObject(o))
		return tn_jr_error(r, "expected an object");
	if ((ret = tn_jr_known_keys(r, o, keys)) < 0 ||
	    (ret = tn_jr_bool(r, o, "required", false, &p->required)) < 0 ||
	    (ret = tn_jr_object(r, o, "match", true, &match)) < 0)
		return ret;
	m = tn_jr_push_key(r, "match");
	if ((ret = parse_proc_match(r, match, p)) < 0)
		return ret;
	tn_jr_pop(r, m);

	p->placement = TN_PLACE_OPPOSITE;
	if ((v = cJSON_GetObjectItemCaseSensitive(o, "placement"))) {
		m = tn_jr_push_key(r, "placement");
		if ((ret = parse_placement(r, v, p)) < 0)
			return ret;
		tn_jr_pop(r, m);
	}
	if ((v = cJSON_GetObjectItemCaseSensitive(o, "nodes"))) {
		m = tn_jr_push_key(r, "nodes");
		if (p->placement != TN_PLACE_OPPOSITE)
			return tn_jr_error(r, "\"nodes\" goes with placement \"opposite\"; use "
					      "{\"nodes\": [...]} as the placement instead");
		if ((ret = node_list(r, v, &p->nodes)) < 0)
			return ret;
		p->has_nodes = true;
		tn_jr_pop(r, m);
	}
	if ((v = cJSON_GetObjectItemCaseSensitive(o, "memory"))) {
		m = tn_jr_push_key(r, "memory");
		if ((ret = str_choice(r, v, mem, "\"keep\", \"bind\" or \"prefer\"")) < 0)
			return ret;
		p->memory = (enum tn_memory)ret;
		if (p->memory != TN_MEM_KEEP && p->placement == TN_PLACE_CPUS)
			return tn_jr_error(r, "memory \"%s\" needs a placement by NUMA nodes, not "
					      "{\"cpus\": ...}",
					   tn_memory_name(p->memory));
		tn_jr_pop(r, m);
	}
	return 0;
}

#define ARRAY_FIELD(r, doc, key, out, n, parse)                                          \
	({                                                                                \
		const cJSON *arr_, *it_;                                                  \
		int ret_ = tn_jr_array(r, doc, key, false, &arr_), i_ = 0;                \
		if (ret_ == 0 && arr_) {                                                  \
			size_t m_ = tn_jr_push_key(r, key);                               \
			n = cJSON_GetArraySize(arr_);                                     \
			out = calloc((size_t)(n ? n : 1), sizeof(*out));                  \
			if (!out)                                                         \
				ret_ = tn_diag_error((r)->diag, -ENOMEM, "out of memory"); \
			cJSON_ArrayForEach(it_, arr_) {                                   \
				size_t m2_;                                               \
				if (ret_ < 0)                                             \
					break;                                            \
				m2_ = tn_jr_push_index(r, i_);                            \
				ret_ = parse(r, it_, &out[i_]);                           \
				tn_jr_pop(r, m2_);                                        \
				i_++;                                                     \
			}                                                                 \
			tn_jr_pop(r, m_);                                                 \
		}                                                                         \
		ret_;                                                                     \
	})

static int check_cross(struct tn_jreader *r, const struct tn_profile *p)
{
	const struct tn_sysctl_rule *rmem = NULL, *tcp = NULL;

	for (int i = 0; i < p->n_sysctls; i++) {
		if (strcmp(p->sysctls[i].name, "net.core.rmem_max") == 0)
			rmem = &p->sysctls[i];
		if (strcmp(p->sysctls[i].name, "net.ipv4.tcp_rmem") == 0)
			tcp = &p->sysctls[i];
	}
	if (rmem && tcp && rmem->numeric && tcp->numeric && rmem->fields[0] < tcp->fields[2]) {
		size_t m = tn_jr_push_key(r, "sysctl");
		size_t m2 = tn_jr_push_key(r, "net.core.rmem_max");
		int ret = tn_jr_error(r, "%lld is below the tcp_rmem maximum %lld it is meant to "
					 "allow",
				      (long long)rmem->fields[0], (long long)tcp->fields[2]);

		tn_jr_pop(r, m2);
		tn_jr_pop(r, m);
		return ret;
	}
	/* Explicit CPU lists of IRQs and processes must not overlap. */
	for (int i = 0; i < p->n_procs; i++) {
		if (p->procs[i].placement != TN_PLACE_CPUS)
			continue;
		for (int k = 0; k < p->n_ifaces; k++) {
			const struct tn_irq_rule *q = &p->ifaces[k].irq;

			if (q->set && q->policy == TN_CPUS_LIST &&
			    tn_cpuset_intersects(&q->cpus, &p->procs[i].cpus)) {
				size_t m = tn_jr_push_key(r, "processes");
				size_t m2 = tn_jr_push_index(r, i);
				size_t m3 = tn_jr_push_key(r, "placement");
				int ret = tn_jr_error(r, "processes placed on the IRQ CPUs of "
							 "interfaces[%d]", k);

				tn_jr_pop(r, m3);
				tn_jr_pop(r, m2);
				tn_jr_pop(r, m);
				return ret;
			}
		}
	}
	return 0;
}

static int build(struct tn_jreader *r, const cJSON *doc, struct tn_profile *p)
{
	static const char *const keys[] = { "name",	 "description",	  "extends",
					    "interfaces", "sysctl",	  "allow_sysctls",
					    "processes",  "irqbalance", "$schema",	  NULL };
	static const char *const irqb[] = { "ban", "stop", "ignore", NULL };
	const cJSON *sysctl, *allow, *v;
	int ret;

	if (!cJSON_IsObject(doc))
		return tn_jr_error(r, "a profile is a JSON object");
	/* profiles/schema.json beside the profiles: say what it is */
	v = cJSON_GetObjectItemCaseSensitive(doc, "$schema");
	if (cJSON_IsString(v) && strstr(v->valuestring, "json-schema.org/"))
		return tn_jr_error(r, "a JSON Schema (the description of the profile format), "
				      "not a profile");
	if ((ret = tn_jr_known_keys(r, doc, keys)) < 0 ||
	    (ret = tn_jr_str(r, doc, "name", true, p->name, sizeof(p->name))) < 0 ||
	    (ret = tn_jr_str(r, doc, "description", false, p->description,
			     sizeof(p->description))) < 0)
		return ret;
	if (!p->name[0]) {
		size_t m = tn_jr_push_key(r, "name");

		ret = tn_jr_error(r, "must not be empty");
		tn_jr_pop(r, m);
		return ret;
	}
	if ((v = cJSON_GetObjectItemCaseSensitive(doc, "extends")) && !cJSON_IsString(v)) {
		size_t m = tn_jr_push_key(r, "extends");

		ret = tn_jr_error(r, "expected the name or path of a profile");
		tn_jr_pop(r, m);
		return ret;
	}
	if ((ret = ARRAY_FIELD(r, doc, "interfaces", p->ifaces, p->n_ifaces, parse_iface)) < 0 ||
	    (ret = ARRAY_FIELD(r, doc, "processes", p->procs, p->n_procs, parse_proc)) < 0 ||
	    (ret = parse_allow(r, doc, &allow)) < 0 ||
	    (ret = tn_jr_object(r, doc, "sysctl", false, &sysctl)) < 0)
		return ret;
	if (sysctl) {
		const cJSON *it;
		size_t m = tn_jr_push_key(r, "sysctl");
		int i = 0;

		if ((ret = tn_jr_known_keys(r, sysctl, NULL)) < 0)
			return ret;
		p->n_sysctls = cJSON_GetArraySize(sysctl);
		p->sysctls = calloc((size_t)(p->n_sysctls ? p->n_sysctls : 1), sizeof(*p->sysctls));
		if (!p->sysctls)
			return tn_diag_error(r->diag, -ENOMEM, "out of memory");
		cJSON_ArrayForEach(it, sysctl) {
			size_t m2 = tn_jr_push_key(r, it->string);

			if ((ret = parse_sysctl(r, it, allow, &p->sysctls[i++])) < 0)
				return ret;
			tn_jr_pop(r, m2);
		}
		tn_jr_pop(r, m);
	}
	p->irqbalance = TN_IRQB_BAN;
	if ((v = cJSON_GetObjectItemCaseSensitive(doc, "irqbalance"))) {
		size_t m = tn_jr_push_key(r, "irqbalance");

		if ((ret = str_choice(r, v, irqb, "\"ban\", \"stop\" or \"ignore\"")) < 0)
			return ret;
		p->irqbalance = (enum tn_irqbalance_mode)ret;
		tn_jr_pop(r, m);
	}
	return check_cross(r, p);
}

/* ---- extends: merge documents, the child wins ---- */

/* The members of an object sorted by key, to look keys up while merging:
 * a child of 87,000 sysctls over a parent of as many took 84 s with a
 * linear lookup per key. */
struct member_slot {
	const char *key;
	cJSON *item;
};

static int cmp_slot(const void *a, const void *b)
{
	return strcmp(((const struct member_slot *)a)->key, ((const struct member_slot *)b)->key);
}

static struct member_slot *index_members(cJSON *obj, int *n)
{
	struct member_slot *idx;
	cJSON *it;
	int k = 0;

	*n = cJSON_GetArraySize(obj);
	idx = malloc(sizeof(*idx) * (size_t)(*n ? *n : 1));
	if (!idx)
		return NULL;
	cJSON_ArrayForEach(it, obj)
		idx[k++] = (struct member_slot){ .key = it->string, .item = it };
	qsort(idx, (size_t)*n, sizeof(*idx), cmp_slot);
	return idx;
}

/* Objects merge key by key; any other value (arrays included) replaces. Keys
 * are unique in both (each document was checked on its own). */
static int merge_into(cJSON *base, const cJSON *child)
{
	struct member_slot *idx, *slot;
	const cJSON *it;
	int n, ret = 0;

	idx = index_members(base, &n);
	if (!idx)
		return -ENOMEM;
	cJSON_ArrayForEach(it, child) {
		struct member_slot want = { .key = it->string };
		cJSON *old, *copy;

		if (strcmp(it->string, "extends") == 0)
			continue;
		slot = bsearch(&want, idx, (size_t)n, sizeof(*idx), cmp_slot);
		old = slot ? slot->item : NULL;
		if (old && cJSON_IsObject(old) && cJSON_IsObject(it) &&
		    strcmp(it->string, "match") != 0 && strcmp(it->string, "placement") != 0) {
			if ((ret = merge_into(old, it)) < 0)
				break;
			continue;
		}
		copy = cJSON_Duplicate(it, 1);
		if (!copy) {
			ret = -ENOMEM;
			break;
		}
		if (old) {
			/* the copy keeps the key; the old item, freed here, leaves the index */
			slot->key = copy->string;
			slot->item = copy;
			cJSON_ReplaceItemViaPointer(base, old, copy);
		} else if (!cJSON_AddItemToObject(base, it->string, copy)) {
			cJSON_Delete(copy);
			ret = -ENOMEM;
			break;
		}
	}
	free(idx);
	return ret;
}

struct chain {
	const char *names[MAX_EXTENDS_DEPTH + 1];
	char store[MAX_EXTENDS_DEPTH + 1][512];
	int n;
};

/* Parse one file, check it on its own, and return its document merged over
 * its parents'. */
static int load_merged(const char *text, const char *file, tn_profile_loader load, void *ctx,
		       struct chain *ch, cJSON **out, struct tn_diag *d)
{
	struct tn_profile check = { 0 };
	struct tn_jreader r;
	const cJSON *ext;
	cJSON *doc = NULL, *base = NULL;
	int ret;

	ret = parse_text(text, file, &doc, d);
	if (ret < 0)
		return ret;
	tn_jr_init(&r, d, file);
	tn_jr_set_text(&r, text);
	ret = build(&r, doc, &check);
	tn_profile_free(&check);
	if (ret < 0)
		goto out;
	ext = cJSON_GetObjectItemCaseSensitive(doc, "extends");
	if (!ext) {
		*out = doc;
		return 0;
	}
	if (!load) {
		ret = tn_diag_error(d, -EINVAL, "%s: \"extends\" is not available here", file);
		goto out;
	}
	if (ch->n >= MAX_EXTENDS_DEPTH) {
		ret = tn_diag_error(d, -ELOOP, "%s: \"extends\" nested more than %d deep", file,
				    MAX_EXTENDS_DEPTH);
		goto out;
	}
	{
		char resolved[512] = "";
		char *ptext = load(ext->valuestring, file, resolved, sizeof(resolved), ctx, d);

		if (!ptext) {
			ret = tn_diag_error(d, -ENOENT, "%s: extends \"%s\": cannot load it", file,
					    ext->valuestring);
			goto out;
		}
		for (int i = 0; i < ch->n; i++) {
			if (strcmp(ch->store[i], resolved) == 0) {
				free(ptext);
				ret = tn_diag_error(d, -ELOOP, "%s: extends \"%s\": a cycle", file,
						    ext->valuestring);
				goto out;
			}
		}
		snprintf(ch->store[ch->n], sizeof(ch->store[0]), "%s", resolved);
		ch->names[ch->n] = ch->store[ch->n];
		ch->n++;
		ret = load_merged(ptext, ch->names[ch->n - 1], load, ctx, ch, &base, d);
		free(ptext);
		if (ret < 0)
			goto out;
	}
	ret = merge_into(base, doc);
	if (ret < 0) {
		ret = tn_diag_error(d, ret, "out of memory");
		cJSON_Delete(base);
		goto out;
	}
	cJSON_DeleteItemFromObjectCaseSensitive(base, "extends");
	*out = base;
out:
	cJSON_Delete(doc);
	return ret;
}

static void digest(const char *text, char out[17])
{
	uint64_t h = 1469598103934665603ULL;

	for (const char *p = text; *p; p++) {
		h ^= (unsigned char)*p;
		h *= 1099511628211ULL;
	}
	snprintf(out, 17, "%016llx", (unsigned long long)h);
}

int tn_profile_parse(const char *text, const char *file, tn_profile_loader load, void *ctx,
		     struct tn_profile *out, struct tn_diag *d)
{
	struct tn_profile p = { 0 };
	struct chain ch = { .n = 1 };
	struct tn_jreader r;
	cJSON *doc = NULL;
	int ret;

	snprintf(ch.store[0], sizeof(ch.store[0]), "%s", file);
	ch.names[0] = ch.store[0];
	ret = load_merged(text, file, load, ctx, &ch, &doc, d);
	if (ret < 0)
		return ret;
	tn_jr_init(&r, d, file);
	ret = build(&r, doc, &p);
	if (ret == 0) {
		snprintf(p.source, sizeof(p.source), "%s", file);
		p.merged = cJSON_PrintUnformatted(doc);
		if (!p.merged)
			ret = tn_diag_error(d, -ENOMEM, "out of memory");
		else
			digest(p.merged, p.digest);
	}
	cJSON_Delete(doc);
	if (ret < 0) {
		tn_profile_free(&p);
		return ret;
	}
	*out = p;
	return 0;
}
