/* SPDX-License-Identifier: MIT */
/* Profiles: "rps" and "xps" of an interface rule, and the top-level "flow_limit"
 * (issue 15). */
#include <errno.h>
#include <string.h>

#include "jsonutil.h"
#include "profile.h"
#include "profile_int.h"

/* A CPU list string, not empty; *out untouched on error. */
static int cpus_value(struct tn_jreader *r, const cJSON *v, const char *words,
		      struct tn_cpuset *out)
{
	int ret;

	if (!cJSON_IsString(v))
		return tn_jr_error(r, "expected %s or a CPU list such as \"2-7\"", words);
	ret = tn_cpuset_parse_list(v->valuestring, out);
	if (ret == -ERANGE)
		return tn_jr_error(r, "\"%s\": CPU numbers go up to %d", v->valuestring,
				   TN_CPU_MAX - 1);
	if (ret < 0)
		return tn_jr_error(r, "\"%s\" is not %s or a CPU list such as \"2-7\"",
				   v->valuestring, words);
	if (tn_cpuset_empty(out))
		return tn_jr_error(r, "the CPU list is empty (use \"none\" to turn it off)");
	return 0;
}

static int parse_rps(struct tn_jreader *r, const cJSON *o, struct tn_rps_rule *q)
{
	static const char *const keys[] = { "cpus", "flow_entries", NULL };
	const cJSON *v;
	int ret;

	if (!cJSON_IsObject(o))
		return tn_jr_error(r, "expected an object with cpus and/or flow_entries");
	if ((ret = tn_jr_known_keys(r, o, keys)) < 0 ||
	    (ret = tn_jr_int(r, o, "flow_entries", false, 0, TN_RPS_FLOW_ENTRIES_MAX,
			     &q->flow_entries)) < 0)
		return ret;
	q->policy = TN_RPS_LOCAL;
	if ((v = cJSON_GetObjectItemCaseSensitive(o, "cpus"))) {
		size_t m = tn_jr_push_key(r, "cpus");

		if (cJSON_IsString(v) && strcmp(v->valuestring, "local") == 0)
			q->policy = TN_RPS_LOCAL;
		else if (cJSON_IsString(v) && strcmp(v->valuestring, "none") == 0)
			q->policy = TN_RPS_NONE;
		else if ((ret = cpus_value(r, v, "\"local\", \"none\"", &q->cpus)) < 0)
			return ret;
		else
			q->policy = TN_RPS_LIST;
		tn_jr_pop(r, m);
	}
	if (q->policy == TN_RPS_NONE && q->flow_entries > 0) {
		size_t m = tn_jr_push_key(r, "flow_entries");

		ret = tn_jr_error(r, "flow entries steer RPS: they need cpus other than \"none\"");
		tn_jr_pop(r, m);
		return ret;
	}
	return 0;
}

static int parse_xps(struct tn_jreader *r, const cJSON *o, enum tn_xps_policy *x)
{
	static const char *const keys[] = { "cpus", NULL };
	const cJSON *v;
	size_t m;
	int ret;

	if (!cJSON_IsObject(o))
		return tn_jr_error(r, "expected an object with cpus");
	if ((ret = tn_jr_known_keys(r, o, keys)) < 0)
		return ret;
	v = cJSON_GetObjectItemCaseSensitive(o, "cpus");
	m = tn_jr_push_key(r, "cpus");
	if (!v)
		return tn_jr_error(r, "missing");
	if (cJSON_IsString(v) && strcmp(v->valuestring, "irq") == 0)
		*x = TN_XPS_IRQ;
	else if (cJSON_IsString(v) && strcmp(v->valuestring, "none") == 0)
		*x = TN_XPS_NONE;
	else
		return tn_jr_error(r, "expected \"irq\" or \"none\"");
	tn_jr_pop(r, m);
	return 0;
}

int tn_profile_parse_rps(struct tn_jreader *r, const cJSON *iface, struct tn_iface_rule *f)
{
	const cJSON *v;
	size_t m;
	int ret;

	f->rps.policy = TN_RPS_UNSET;
	f->rps.flow_entries = TN_VAL_UNSET;
	f->xps = TN_XPS_UNSET;
	if ((v = cJSON_GetObjectItemCaseSensitive(iface, "rps"))) {
		m = tn_jr_push_key(r, "rps");
		if ((ret = parse_rps(r, v, &f->rps)) < 0)
			return ret;
		tn_jr_pop(r, m);
	}
	if ((v = cJSON_GetObjectItemCaseSensitive(iface, "xps"))) {
		m = tn_jr_push_key(r, "xps");
		if ((ret = parse_xps(r, v, &f->xps)) < 0)
			return ret;
		tn_jr_pop(r, m);
	}
	return 0;
}

/* flow_limit_table_len: the kernel takes a power of two (it rounds up), at
 * most 2^20 here (a table of 4 MiB per CPU). */
#define FLOW_LIMIT_TABLE_MAX (1 << 20)

/* A sysctl the profile sets both by name and through rps or flow_limit. */
static int set_twice(struct tn_jreader *r, const struct tn_profile *p, const char *name, bool also,
		     const char *where)
{
	size_t m, m2;

	if (!also)
		return 0;
	for (int i = 0; i < p->n_sysctls; i++) {
		if (strcmp(p->sysctls[i].name, name) != 0)
			continue;
		m = tn_jr_push_key(r, "sysctl");
		m2 = tn_jr_push_key(r, name);
		tn_jr_error(r, "also set by %s: give it in one place", where);
		tn_jr_pop(r, m2);
		tn_jr_pop(r, m);
		return -EINVAL;
	}
	return 0;
}

static int check_twice(struct tn_jreader *r, const struct tn_profile *p, const cJSON *fl)
{
	bool flows = false;
	int ret;

	for (int i = 0; i < p->n_ifaces; i++)
		flows |= p->ifaces[i].rps.flow_entries != TN_VAL_UNSET;
	if ((ret = set_twice(r, p, "net.core.rps_sock_flow_entries", flows,
			     "an interface rule's rps.flow_entries")) < 0 ||
	    (ret = set_twice(r, p, "net.core.flow_limit_cpu_bitmap", fl != NULL,
			     "\"flow_limit\"")) < 0 ||
	    (ret = set_twice(r, p, "net.core.flow_limit_table_len",
			     fl && cJSON_GetObjectItemCaseSensitive(fl, "table_len"),
			     "\"flow_limit\"")) < 0)
		return ret;
	return 0;
}

int tn_profile_parse_flow_limit(struct tn_jreader *r, const cJSON *doc, struct tn_profile *p)
{
	static const char *const keys[] = { "cpus", "table_len", NULL };
	struct tn_flow_limit_rule *fl = &p->flow_limit;
	const cJSON *o, *v;
	size_t m, m2;
	int ret;

	fl->table_len = TN_VAL_UNSET;
	if ((ret = tn_jr_object(r, doc, "flow_limit", false, &o)) < 0 ||
	    (ret = check_twice(r, p, o)) < 0 || !o)
		return ret;
	m = tn_jr_push_key(r, "flow_limit");
	if ((ret = tn_jr_known_keys(r, o, keys)) < 0 ||
	    (ret = tn_jr_int(r, o, "table_len", false, 1, FLOW_LIMIT_TABLE_MAX, &fl->table_len)) <
		    0)
		return ret;
	if (fl->table_len != TN_VAL_UNSET && (fl->table_len & (fl->table_len - 1))) {
		m2 = tn_jr_push_key(r, "table_len");
		return tn_jr_error(r, "%lld is not a power of two (the kernel would round it)",
				   (long long)fl->table_len);
	}
	v = cJSON_GetObjectItemCaseSensitive(o, "cpus");
	m2 = tn_jr_push_key(r, "cpus");
	if (!v)
		return tn_jr_error(r, "missing");
	if (cJSON_IsString(v) && strcmp(v->valuestring, "irq") == 0)
		fl->irq_cpus = true;
	else if ((ret = cpus_value(r, v, "\"irq\"", &fl->cpus)) < 0)
		return ret;
	tn_jr_pop(r, m2);
	tn_jr_pop(r, m);
	fl->set = true;
	return 0;
}

bool tn_profile_uses_queues(const struct tn_profile *p)
{
	for (int i = 0; i < p->n_ifaces; i++)
		if (p->ifaces[i].rps.policy != TN_RPS_UNSET ||
		    p->ifaces[i].rps.flow_entries != TN_VAL_UNSET ||
		    p->ifaces[i].xps != TN_XPS_UNSET)
			return true;
	return false;
}
