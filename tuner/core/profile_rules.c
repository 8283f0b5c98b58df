/* SPDX-License-Identifier: MIT */
/* Profiles: building the rules (interfaces, processes, irqbalance) from a document. */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jsonutil.h"
#include "profile.h"
#include "profile_int.h"
#include "state.h"

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
	cJSON_ArrayForEach (it, v) {
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
		return tn_jr_error(r, "\"%s\" is not a CPU list such as \"0-7,16\"",
				   v->valuestring);
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
	if (cJSON_IsNumber(v)) {
		int64_t n = 0;

		/* tn_jr_int names the key itself (pushed here too, it was said twice) */
		ret = tn_jr_int(r, o, key, true, 1, 1 << 20, &n);
		if (ret == 0)
			*out = n;
		return ret;
	}
	m = tn_jr_push_key(r, key);
	if (cJSON_IsString(v) && strcmp(v->valuestring, "max") == 0)
		*out = TN_VAL_MAX;
	else if (allow_cpus && cJSON_IsString(v) && strcmp(v->valuestring, "cpus") == 0)
		*out = TN_VAL_CPUS;
	else
		ret = tn_jr_error(r, "expected a number or \"max\"%s",
				  allow_cpus ? " or \"cpus\"" : "");
	tn_jr_pop(r, m);
	return ret;
}

/* Hex digits at *p, at least min and at most max; *p moves past them. */
static bool hex_run(const char **p, int min, int max)
{
	int n = 0;

	while (n < max && isxdigit((unsigned char)(*p)[n]))
		n++;
	*p += n;
	return n >= min && !isxdigit((unsigned char)**p);
}

/*
 * A PCI address as sysfs names it, DOMAIN:BUS:DEVICE.FUNCTION ("0000:04:00.0",
 * a VMD domain of 5 digits), or as lspci shows one of domain 0 ("04:00.0"),
 * which becomes "0000:04:00.0": it matched nothing before. Lower case, as
 * sysfs writes it. 0, or -EINVAL.
 */
static int pci_address(char *a, size_t len)
{
	const char *p = a, *bus;
	char out[32];

	if (!hex_run(&p, 2, 8))
		return -EINVAL;
	bus = a;
	if (*p == ':' && (p - a) >= 4) { /* a domain came first */
		bus = ++p;
		if (!hex_run(&p, 2, 2))
			return -EINVAL;
	} else if (p - a != 2) {
		return -EINVAL;
	}
	if (*p++ != ':' || !hex_run(&p, 2, 2) || *p++ != '.' || *p < '0' || *p > '7' || p[1])
		return -EINVAL;
	if (snprintf(out, sizeof(out), "%s%s", bus == a ? "0000:" : "", a) >= (int)len)
		return -EINVAL;
	for (char *c = out; *c; c++)
		*c = (char)tolower((unsigned char)*c);
	memcpy(a, out, strlen(out) + 1);
	return 0;
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
	if (mt->pci[0] && pci_address(mt->pci, sizeof(mt->pci)) < 0) {
		size_t mark = tn_jr_push_key(r, "pci");

		ret = tn_jr_error(r,
				  "\"%s\" is not a PCI address: DOMAIN:BUS:DEVICE.FUNCTION as "
				  "sysfs names it (0000:04:00.0), or BUS:DEVICE.FUNCTION "
				  "(04:00.0, domain 0)",
				  cJSON_GetObjectItemCaseSensitive(v, "pci")->valuestring);
		tn_jr_pop(r, mark);
		return ret;
	}
	mt->physical = true;
	return 0;
}

static int parse_iface(struct tn_jreader *r, const cJSON *o, struct tn_iface_rule *f)
{
	static const char *const keys[] = { "match",	"required", "irq", "rings", "channels",
					    "coalesce", "rps",	    "xps", NULL };
	const cJSON *v;
	int ret;
	size_t m;

	if (!cJSON_IsObject(o))
		return tn_jr_error(r, "expected an object");
	f->ring_rx = f->ring_tx = f->channels_combined = TN_VAL_UNSET;
	f->coalesce =
		(struct tn_coalesce_rule){ TN_VAL_UNSET, TN_VAL_UNSET, TN_VAL_UNSET, TN_VAL_UNSET };
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
	if ((v = cJSON_GetObjectItemCaseSensitive(o, "coalesce")) &&
	    (ret = tn_profile_parse_coalesce(r, v, &f->coalesce)) < 0)
		return ret;
	return tn_profile_parse_rps(r, o, f);
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
		if ((ret = node_list(r, cJSON_GetObjectItemCaseSensitive(v, "nodes"), &p->nodes)) <
		    0)
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
					 "0123456789._-")
			     : 0;

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
	/* each selector kind by its name, then "user" */
	static const char *const mkeys[] = { TN_PROCSEL_KIND_LIST(TN_ENUM_STRING) "user", NULL };
	const cJSON *v;
	int ret;

	if ((ret = tn_jr_known_keys(r, match, mkeys)) < 0)
		return ret;
	for (int i = 0; i < TN_PROCSEL_KIND_COUNT; i++) {
		const cJSON *sv = cJSON_GetObjectItemCaseSensitive(match, mkeys[i]);
		size_t m;

		if (!sv)
			continue;
		m = tn_jr_push_key(r, mkeys[i]);
		if ((ret = parse_selector(r, sv, (enum tn_procsel_kind)i, p)) < 0)
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
	static const char *const keys[] = { "match",  "placement", "nodes",
					    "memory", "required",  NULL };
	static const char *const mem[] = TN_ENUM_NAMES(TN_MEMORY_LIST);
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
			return tn_jr_error(r,
					   "memory \"%s\" needs a placement by NUMA nodes, not "
					   "{\"cpus\": ...}",
					   tn_memory_name(p->memory));
		tn_jr_pop(r, m);
	}
	return 0;
}

#define ARRAY_FIELD(r, doc, key, out, n, parse)                                            \
	({                                                                                 \
		const cJSON *arr_, *it_;                                                   \
		int ret_ = tn_jr_array(r, doc, key, false, &arr_), i_ = 0;                 \
		if (ret_ == 0 && arr_) {                                                   \
			size_t m_ = tn_jr_push_key(r, key);                                \
			n = cJSON_GetArraySize(arr_);                                      \
			out = calloc((size_t)(n ? n : 1), sizeof(*out));                   \
			if (!out)                                                          \
				ret_ = tn_diag_error((r)->diag, -ENOMEM, "out of memory"); \
			cJSON_ArrayForEach (it_, arr_) {                                   \
				size_t m2_;                                                \
				if (ret_ < 0)                                              \
					break;                                             \
				m2_ = tn_jr_push_index(r, i_);                             \
				ret_ = parse(r, it_, &out[i_]);                            \
				tn_jr_pop(r, m2_);                                         \
				i_++;                                                      \
			}                                                                  \
			tn_jr_pop(r, m_);                                                  \
		}                                                                          \
		ret_;                                                                      \
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
		int ret = tn_jr_error(r,
				      "%lld is below the tcp_rmem maximum %lld it is meant to "
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
				int ret = tn_jr_error(r,
						      "processes placed on the IRQ CPUs of "
						      "interfaces[%d]",
						      k);

				tn_jr_pop(r, m3);
				tn_jr_pop(r, m2);
				tn_jr_pop(r, m);
				return ret;
			}
		}
	}
	return 0;
}

int tn_profile_build(struct tn_jreader *r, const cJSON *doc, struct tn_profile *p)
{
	static const char *const keys[] = { "name",    "description",	"extends",   "interfaces",
					    "sysctl",  "allow_sysctls", "processes", "irqbalance",
					    "$schema", "flow_limit",	NULL };
	static const char *const irqb[] = TN_ENUM_NAMES(TN_IRQBALANCE_MODE_LIST);
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
	    (ret = tn_profile_parse_allow(r, doc, &allow)) < 0 ||
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
		cJSON_ArrayForEach (it, sysctl) {
			size_t m2 = tn_jr_push_key(r, it->string);

			if ((ret = tn_profile_parse_sysctl(r, it, allow, &p->sysctls[i++])) < 0)
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
	if ((ret = tn_profile_parse_flow_limit(r, doc, p)) < 0)
		return ret;
	return check_cross(r, p);
}
