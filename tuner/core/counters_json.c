/* SPDX-License-Identifier: MIT */
/* A counter sample to and from JSON. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "counters.h"
#include "jsonutil.h"
#include "state_json.h"

/* Counters above 2^53 do not fit a JSON number exactly: written as strings. */
#define TN_JSON_EXACT ((uint64_t)1 << 53)

const char *const tn_qctr_names[TN_QCTR_N] = {
	[TN_QCTR_RX_HW_DROPS] = "rx-hw-drops",
	[TN_QCTR_RX_ALLOC_FAIL] = "rx-alloc-fail",
};

void tn_sample_init(struct tn_sample *s)
{
	memset(s, 0, sizeof(*s));
	s->schema_version = TN_COUNTERS_SCHEMA;
	tn_state_init(&s->state);
}

void tn_sample_free(struct tn_sample *s)
{
	if (!s)
		return;
	free(s->softnet);
	tn_counter_list_free(&s->net);
	for (int i = 0; i < s->n_nics; i++) {
		tn_counter_list_free(&s->nics[i].stats);
		free(s->nics[i].queues);
	}
	free(s->nics);
	tn_state_free(&s->state);
	tn_sample_init(s);
}

/* A counter: a JSON integer up to 2^53 (exact digits, tn_json_add_u64), which
 * cJSON reads back whole; a string of digits above. */
static int add_u64(cJSON *o, const char *key, uint64_t v)
{
	char buf[24];

	if (v <= TN_JSON_EXACT)
		return tn_json_add_u64(o, key, v);
	snprintf(buf, sizeof(buf), "%llu", (unsigned long long)v);
	return tn_json_add_str(o, key, buf);
}

#define TRY(expr)                 \
	do {                      \
		if ((expr) < 0)   \
			goto oom; \
	} while (0)

/* {"Group": {"Name": value}} of a sorted list. */
static cJSON *groups_to_json(const struct tn_counter_list *l)
{
	cJSON *o = cJSON_CreateObject(), *g = NULL;
	const char *last = NULL;

	if (!o)
		return NULL;
	for (int i = 0; i < l->n; i++) {
		if (!last || strcmp(last, l->v[i].group) != 0) {
			TRY(tn_json_add_item(o, l->v[i].group, g = cJSON_CreateObject()));
			last = l->v[i].group;
		}
		TRY(add_u64(g, l->v[i].name, l->v[i].value));
	}
	return o;
oom:
	cJSON_Delete(o);
	return NULL;
}

static cJSON *softnet_to_json(const struct tn_sample *s)
{
	cJSON *arr = cJSON_CreateArray(), *o;

	if (!arr)
		return NULL;
	for (int i = 0; i < s->n_softnet; i++) {
		const struct tn_softnet_cpu *c = &s->softnet[i];

		o = cJSON_CreateObject();
		if (!o || !cJSON_AddItemToArray(arr, o)) {
			cJSON_Delete(o);
			goto oom;
		}
		TRY(tn_json_add_int(o, "cpu", c->cpu));
		TRY(add_u64(o, "processed", c->processed));
		TRY(add_u64(o, "dropped", c->dropped));
		TRY(add_u64(o, "time_squeeze", c->time_squeeze));
		TRY(add_u64(o, "received_rps", c->received_rps));
		if (c->has_flow_limit)
			TRY(add_u64(o, "flow_limit_count", c->flow_limit_count));
		else
			TRY(tn_json_add_null(o, "flow_limit_count"));
	}
	return arr;
oom:
	cJSON_Delete(arr);
	return NULL;
}

/* [{"queue": 3, "rx-hw-drops": 5, "rx-alloc-fail": 0}]: the counters the
 * driver reports. */
static cJSON *queues_to_json(const struct tn_nic_counters *n)
{
	cJSON *arr = cJSON_CreateArray(), *o;

	if (!arr)
		return NULL;
	for (int i = 0; i < n->n_queues; i++) {
		const struct tn_queue_counters *q = &n->queues[i];

		o = cJSON_CreateObject();
		if (!o || !cJSON_AddItemToArray(arr, o)) {
			cJSON_Delete(o);
			goto oom;
		}
		TRY(tn_json_add_int(o, "queue", q->queue));
		for (int k = 0; k < TN_QCTR_N; k++)
			if (q->has[k])
				TRY(add_u64(o, tn_qctr_names[k], q->v[k]));
	}
	return arr;
oom:
	cJSON_Delete(arr);
	return NULL;
}

static cJSON *nics_to_json(const struct tn_sample *s)
{
	cJSON *arr = cJSON_CreateArray(), *o;

	if (!arr)
		return NULL;
	for (int i = 0; i < s->n_nics; i++) {
		o = cJSON_CreateObject();
		if (!o || !cJSON_AddItemToArray(arr, o)) {
			cJSON_Delete(o);
			goto oom;
		}
		TRY(tn_json_add_str(o, "name", s->nics[i].name));
		TRY(tn_json_add_str(o, "driver", s->nics[i].driver));
		TRY(tn_json_add_item(o, "stats", groups_to_json(&s->nics[i].stats)));
		if (s->nics[i].n_queues)
			TRY(tn_json_add_item(o, "queues", queues_to_json(&s->nics[i])));
	}
	return arr;
oom:
	cJSON_Delete(arr);
	return NULL;
}

static cJSON *netns_sysctls_to_json(const struct tn_sample *s)
{
	cJSON *arr = cJSON_CreateArray();

	for (int i = 0; arr && i < s->n_netns_sysctls; i++) {
		cJSON *it = cJSON_CreateString(s->netns_sysctls[i]);

		if (!it || !cJSON_AddItemToArray(arr, it)) {
			cJSON_Delete(it);
			cJSON_Delete(arr);
			return NULL;
		}
	}
	return arr;
}

/* Optional (samples of tuner before --netns NAME have none): sysctl names. */
static int netns_sysctls_from_json(struct tn_jreader *r, const cJSON *j, struct tn_sample *s)
{
	const cJSON *arr, *it;
	size_t m;
	int ret, i = 0;

	if ((ret = tn_jr_array(r, j, "netns_sysctls", false, &arr)) < 0 || !arr)
		return ret;
	m = tn_jr_push_key(r, "netns_sysctls");
	cJSON_ArrayForEach (it, arr) {
		size_t mi = tn_jr_push_index(r, i);

		if (i == TN_NETNS_SYSCTLS_MAX)
			return tn_jr_error(r, "more than %d names", TN_NETNS_SYSCTLS_MAX);
		if (!cJSON_IsString(it) || !tn_sysctl_name_valid(it->valuestring) ||
		    strlen(it->valuestring) >= TN_SYSCTL_NAME_MAX)
			return tn_jr_error(r, "expected a sysctl name");
		for (int k = 0; k < i; k++)
			if (strcmp(s->netns_sysctls[k], it->valuestring) == 0)
				return tn_jr_error(r, "\"%s\" is listed twice", it->valuestring);
		snprintf(s->netns_sysctls[i], sizeof(s->netns_sysctls[i]), "%s", it->valuestring);
		tn_jr_pop(r, mi);
		s->n_netns_sysctls = ++i;
	}
	tn_jr_pop(r, m);
	return 0;
}

cJSON *tn_sample_to_json(const struct tn_sample *s)
{
	cJSON *o = cJSON_CreateObject();

	if (!o)
		return NULL;
	TRY(tn_json_add_int(o, "schema_version", s->schema_version));
	TRY(tn_json_add_str(o, "kind", "counters"));
	TRY(tn_json_add_str(o, "hostname", s->hostname));
	TRY(tn_json_add_str(o, "boot_id", s->boot_id));
	TRY(tn_json_add_str(o, "netns", s->netns));
	TRY(tn_json_add_item(o, "netns_sysctls", netns_sysctls_to_json(s)));
	TRY(add_u64(o, "time_us", s->time_us));
	TRY(tn_json_add_int(o, "wall_time", s->wall_time));
	TRY(tn_json_add_int(o, "softnet_columns", s->softnet_columns));
	TRY(tn_json_add_item(o, "softnet", softnet_to_json(s)));
	TRY(tn_json_add_item(o, "netstat", groups_to_json(&s->net)));
	TRY(tn_json_add_item(o, "nics", nics_to_json(s)));
	TRY(tn_json_add_int(o, "rps_queues", s->rps_queues));
	TRY(tn_json_add_int(o, "bridge_ports", s->bridge_ports));
	TRY(tn_json_add_int(o, "virtual_ifaces", s->virtual_ifaces));
	if (s->has_state)
		TRY(tn_json_add_item(o, "state", tn_state_to_json(&s->state)));
	return o;
oom:
	cJSON_Delete(o);
	return NULL;
}

/* ---- reading ---- */

static int read_u64(struct tn_jreader *r, const cJSON *v, uint64_t *out)
{
	if (cJSON_IsNumber(v)) {
		double d = v->valuedouble;

		if (!(d >= 0 && d <= (double)TN_JSON_EXACT) || d != (double)(uint64_t)d)
			return tn_jr_error(r, "expected a counter (an integer from 0 to 2^53, or a "
					      "string of digits above)");
		*out = (uint64_t)d;
		return 0;
	}
	if (cJSON_IsString(v)) {
		const char *p = v->valuestring;
		uint64_t x = 0;

		if (!*p || strlen(p) > 20)
			return tn_jr_error(r, "expected a counter");
		for (; *p; p++) {
			unsigned dg = (unsigned)(*p - '0');

			if (*p < '0' || *p > '9' || x > (UINT64_MAX - dg) / 10)
				return tn_jr_error(r, "expected a counter (decimal digits, at most "
						      "2^64-1)");
			x = x * 10 + dg;
		}
		*out = x;
		return 0;
	}
	return tn_jr_error(r, "expected a counter");
}

static int key_u64(struct tn_jreader *r, const cJSON *o, const char *key, bool null_ok,
		   uint64_t *out, bool *present)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
	size_t m;
	int ret;

	if (present)
		*present = false;
	if (!v || (null_ok && cJSON_IsNull(v))) {
		if (!v || !null_ok)
			return tn_jr_error(r, "missing \"%s\"", key);
		return 0;
	}
	m = tn_jr_push_key(r, key);
	ret = read_u64(r, v, out);
	tn_jr_pop(r, m);
	if (ret == 0 && present)
		*present = true;
	return ret;
}

/* Netstat names become metric names: [A-Za-z0-9_] only. A NIC's statistic
 * names (label values) may hold any printable character. */
static bool name_ok(const char *s, bool strict)
{
	if (!*s)
		return false;
	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;

		if (strict ? !(isalnum(ch) || ch == '_') : (ch < 0x20 || ch == 0x7f))
			return false;
	}
	return true;
}

static int groups_from_json(struct tn_jreader *r, const cJSON *o, struct tn_counter_list *l,
			    bool strict)
{
	const cJSON *g, *c;
	const struct tn_counter *dup = NULL;
	int ret;

	if (!cJSON_IsObject(o))
		return tn_jr_error(r, "expected an object of groups");
	cJSON_ArrayForEach (g, o) {
		size_t m = tn_jr_push_key(r, g->string);

		if (!cJSON_IsObject(g))
			return tn_jr_error(r, "expected an object of counters");
		if (!name_ok(g->string, true))
			return tn_jr_error(r, "a group name is letters, digits and '_'");
		cJSON_ArrayForEach (c, g) {
			size_t m2 = tn_jr_push_key(r, c->string);
			uint64_t v;

			if (!name_ok(c->string, strict))
				return tn_jr_error(r, "%s",
						   strict ? "a counter name is letters, "
							    "digits and '_'"
							  : "a control character in a name");
			if ((ret = read_u64(r, c, &v)) < 0)
				return ret;
			ret = tn_counter_list_add(l, g->string, c->string, v);
			if (ret == -ENOMEM)
				return tn_diag_error(r->diag, ret, "out of memory");
			if (ret < 0)
				return tn_jr_error(r, "%s",
						   ret == -E2BIG ? "too many counters"
								 : "name too long");
			tn_jr_pop(r, m2);
		}
		tn_jr_pop(r, m);
	}
	if (tn_counter_list_sort(l, &dup) < 0)
		return tn_jr_error(r, "%s.%s is there twice", dup->group, dup->name);
	return 0;
}

static int softnet_from_json(struct tn_jreader *r, const cJSON *arr, struct tn_sample *s)
{
	static const char *const keys[] = {
		"cpu",		"processed",	    "dropped", "time_squeeze",
		"received_rps", "flow_limit_count", NULL
	};
	const cJSON *it;
	int n = cJSON_GetArraySize(arr), i = 0, ret;

	if (n > TN_SOFTNET_MAX_ROWS)
		return tn_jr_error(r, "more than %d CPUs", TN_SOFTNET_MAX_ROWS);
	s->softnet = calloc((size_t)n + 1, sizeof(*s->softnet));
	if (!s->softnet)
		return tn_diag_error(r->diag, -ENOMEM, "out of memory");
	cJSON_ArrayForEach (it, arr) {
		struct tn_softnet_cpu *c = &s->softnet[i];
		size_t m = tn_jr_push_index(r, i);
		int64_t cpu;

		if (!cJSON_IsObject(it))
			return tn_jr_error(r, "expected an object");
		if ((ret = tn_jr_known_keys(r, it, keys)) < 0 ||
		    (ret = tn_jr_int(r, it, "cpu", true, 0, TN_CPU_MAX - 1, &cpu)) < 0 ||
		    (ret = key_u64(r, it, "processed", false, &c->processed, NULL)) < 0 ||
		    (ret = key_u64(r, it, "dropped", false, &c->dropped, NULL)) < 0 ||
		    (ret = key_u64(r, it, "time_squeeze", false, &c->time_squeeze, NULL)) < 0 ||
		    (ret = key_u64(r, it, "received_rps", false, &c->received_rps, NULL)) < 0 ||
		    (ret = key_u64(r, it, "flow_limit_count", true, &c->flow_limit_count,
				   &c->has_flow_limit)) < 0)
			return ret;
		c->cpu = (int)cpu;
		if (i > 0 && c->cpu <= s->softnet[i - 1].cpu)
			return tn_jr_error(r, "CPUs must be listed once, in ascending order");
		tn_jr_pop(r, m);
		s->n_softnet = ++i;
	}
	return 0;
}

static int queue_from_json(struct tn_jreader *r, const cJSON *it, struct tn_queue_counters *q)
{
	static const char *const keys[] = { "queue", "rx-hw-drops", "rx-alloc-fail", NULL };
	int64_t id;
	int ret;

	if (!cJSON_IsObject(it))
		return tn_jr_error(r, "expected an object");
	if ((ret = tn_jr_known_keys(r, it, keys)) < 0 ||
	    (ret = tn_jr_int(r, it, "queue", true, 0, TN_COUNTERS_MAX_QUEUES - 1, &id)) < 0)
		return ret;
	q->queue = (int)id;
	for (int k = 0; k < TN_QCTR_N; k++)
		if (cJSON_GetObjectItemCaseSensitive(it, tn_qctr_names[k]) &&
		    (ret = key_u64(r, it, tn_qctr_names[k], false, &q->v[k], &q->has[k])) < 0)
			return ret;
	return 0;
}

/* Optional (samples of tuner before per-queue qstats have none). */
static int queues_from_json(struct tn_jreader *r, const cJSON *o, struct tn_nic_counters *c)
{
	const cJSON *arr, *it;
	size_t m;
	int n, i = 0, ret;

	if ((ret = tn_jr_array(r, o, "queues", false, &arr)) < 0 || !arr)
		return ret;
	m = tn_jr_push_key(r, "queues");
	n = cJSON_GetArraySize(arr);
	if (n > TN_COUNTERS_MAX_QUEUES)
		return tn_jr_error(r, "more than %d queues", TN_COUNTERS_MAX_QUEUES);
	if (!(c->queues = calloc((size_t)n + 1, sizeof(*c->queues))))
		return tn_diag_error(r->diag, -ENOMEM, "out of memory");
	cJSON_ArrayForEach (it, arr) {
		size_t mi = tn_jr_push_index(r, i);

		if ((ret = queue_from_json(r, it, &c->queues[i])) < 0)
			return ret;
		if (i > 0 && c->queues[i].queue <= c->queues[i - 1].queue)
			return tn_jr_error(r, "queues must be listed once, in ascending order");
		tn_jr_pop(r, mi);
		c->n_queues = ++i;
	}
	tn_jr_pop(r, m);
	return 0;
}

static int nics_from_json(struct tn_jreader *r, const cJSON *arr, struct tn_sample *s)
{
	static const char *const keys[] = { "name", "driver", "stats", "queues", NULL };
	const cJSON *it, *st;
	int n = cJSON_GetArraySize(arr), i = 0, ret;

	if (n > TN_COUNTERS_MAX_NICS)
		return tn_jr_error(r, "more than %d NICs", TN_COUNTERS_MAX_NICS);
	s->nics = calloc((size_t)n + 1, sizeof(*s->nics));
	if (!s->nics)
		return tn_diag_error(r->diag, -ENOMEM, "out of memory");
	cJSON_ArrayForEach (it, arr) {
		struct tn_nic_counters *c = &s->nics[i];
		size_t m = tn_jr_push_index(r, i);

		s->n_nics = ++i;
		if (!cJSON_IsObject(it))
			return tn_jr_error(r, "expected an object");
		if ((ret = tn_jr_known_keys(r, it, keys)) < 0 ||
		    (ret = tn_jr_str(r, it, "name", true, c->name, sizeof(c->name))) < 0 ||
		    (ret = tn_jr_str(r, it, "driver", true, c->driver, sizeof(c->driver))) < 0 ||
		    (ret = tn_jr_object(r, it, "stats", true, &st)) < 0)
			return ret;
		if (!c->name[0] || !name_ok(c->name, false) ||
		    !name_ok(c->driver[0] ? c->driver : "-", false))
			return tn_jr_error(r, "empty interface name, or a control character");
		if (i > 1 && strcmp(c->name, s->nics[i - 2].name) <= 0)
			return tn_jr_error(r, "NICs must be listed once, sorted by name");
		size_t m2 = tn_jr_push_key(r, "stats");

		if ((ret = groups_from_json(r, st, &c->stats, false)) < 0)
			return ret;
		tn_jr_pop(r, m2);
		if ((ret = queues_from_json(r, it, c)) < 0)
			return ret;
		tn_jr_pop(r, m);
	}
	return 0;
}

static int sample_fields(struct tn_jreader *r, const cJSON *j, struct tn_sample *s)
{
	static const char *const keys[] = {
		"schema_version", "kind",    "hostname",   "boot_id",	      "netns",
		"netns_sysctls",  "time_us", "wall_time",  "softnet_columns", "softnet",
		"netstat",	  "nics",    "rps_queues", "bridge_ports",    "virtual_ifaces",
		"state",	  NULL
	};
	char kind[16] = "";
	int64_t v = 0, cols = 0, rq = 0, bp = 0, vi = 0;
	int ret;

	if ((ret = tn_jr_known_keys(r, j, keys)) < 0 ||
	    (ret = tn_jr_int(r, j, "schema_version", true, 0, INT32_MAX, &v)) < 0)
		return ret;
	if (v != TN_COUNTERS_SCHEMA)
		return tn_jr_error(r, "schema_version %lld: this tuner reads version %d",
				   (long long)v, TN_COUNTERS_SCHEMA);
	if ((ret = tn_jr_str(r, j, "kind", true, kind, sizeof(kind))) < 0)
		return ret;
	if (strcmp(kind, "counters") != 0)
		return tn_jr_error(r,
				   "kind \"%s\": not a counter sample (made by 'tuner show "
				   "--counters --json')",
				   kind);
	if ((ret = tn_jr_str(r, j, "hostname", true, s->hostname, sizeof(s->hostname))) < 0 ||
	    (ret = tn_jr_str(r, j, "boot_id", true, s->boot_id, sizeof(s->boot_id))) < 0 ||
	    (ret = tn_jr_str(r, j, "netns", true, s->netns, sizeof(s->netns))) < 0 ||
	    (ret = key_u64(r, j, "time_us", false, &s->time_us, NULL)) < 0 ||
	    (ret = tn_jr_int(r, j, "wall_time", true, INT32_MIN, INT64_MAX / 2, &s->wall_time)) <
		    0 ||
	    (ret = tn_jr_int(r, j, "softnet_columns", true, 0, TN_SOFTNET_MAX_COLUMNS, &cols)) <
		    0 ||
	    (ret = tn_jr_int(r, j, "rps_queues", true, 0, INT32_MAX, &rq)) < 0 ||
	    (ret = tn_jr_int(r, j, "bridge_ports", true, 0, INT32_MAX, &bp)) < 0 ||
	    (ret = tn_jr_int(r, j, "virtual_ifaces", true, 0, INT32_MAX, &vi)) < 0)
		return ret;
	if ((ret = netns_sysctls_from_json(r, j, s)) < 0)
		return ret;
	s->softnet_columns = (int)cols;
	s->rps_queues = (int)rq;
	s->bridge_ports = (int)bp;
	s->virtual_ifaces = (int)vi;
	return 0;
}

int tn_sample_from_json(const cJSON *j, const char *file, const char *text, struct tn_sample *out,
			struct tn_diag *d)
{
	struct tn_jreader r;
	struct tn_sample s;
	const cJSON *arr, *o;
	size_t m;
	int ret;

	tn_jr_init(&r, d, file);
	if (text)
		tn_jr_set_text(&r, text);
	tn_sample_init(&s);
	if (!cJSON_IsObject(j)) {
		ret = tn_jr_error(&r, "expected an object");
		goto fail;
	}
	if ((ret = sample_fields(&r, j, &s)) < 0)
		goto fail;
	if ((ret = tn_jr_array(&r, j, "softnet", true, &arr)) < 0)
		goto fail;
	m = tn_jr_push_key(&r, "softnet");
	if ((ret = softnet_from_json(&r, arr, &s)) < 0)
		goto fail;
	tn_jr_pop(&r, m);
	if ((ret = tn_jr_object(&r, j, "netstat", true, &o)) < 0)
		goto fail;
	m = tn_jr_push_key(&r, "netstat");
	if ((ret = groups_from_json(&r, o, &s.net, true)) < 0)
		goto fail;
	tn_jr_pop(&r, m);
	if ((ret = tn_jr_array(&r, j, "nics", true, &arr)) < 0)
		goto fail;
	m = tn_jr_push_key(&r, "nics");
	if ((ret = nics_from_json(&r, arr, &s)) < 0)
		goto fail;
	tn_jr_pop(&r, m);
	o = cJSON_GetObjectItemCaseSensitive(j, "state");
	if (o) {
		if ((ret = tn_state_from_json(o, file, &s.state, d)) < 0)
			goto fail;
		s.has_state = true;
	}
	*out = s;
	return 0;
fail:
	tn_sample_free(&s);
	return ret;
}

int tn_sample_parse(const char *text, const char *file, struct tn_sample *out, struct tn_diag *d)
{
	const char *end = NULL;
	cJSON *j = cJSON_ParseWithOpts(text, &end, 1);
	int ret;

	if (!j) {
		int line, col;

		if (!end)
			return tn_diag_error(d, -ENOMEM, "%s: out of memory", file);
		tn_json_position(text, end, &line, &col);
		return tn_diag_error(d, -EINVAL, "%s:%d:%d: JSON syntax error", file, line, col);
	}
	ret = tn_sample_from_json(j, file, text, out, d);
	cJSON_Delete(j);
	return ret;
}
