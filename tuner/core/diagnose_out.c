/* SPDX-License-Identifier: MIT */
/* A diagnosis as JSON, and as a profile holding its recommendations. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diagnose.h"
#include "jsonutil.h"

#define TRY(expr)                 \
	do {                      \
		if ((expr) < 0)   \
			goto oom; \
	} while (0)

void tn_knob_format(const int64_t *v, int n, char *buf, size_t len)
{
	size_t at = 0;

	buf[0] = '\0';
	for (int i = 0; i < n && at < len; i++) {
		const char *sep = i ? " " : "";

		if (v[i] == TN_VAL_MAX)
			at += (size_t)snprintf(buf + at, len - at, "%smax", sep);
		else if (v[i] == TN_UNKNOWN)
			at += (size_t)snprintf(buf + at, len - at, "%sunknown", sep);
		else
			at += (size_t)snprintf(buf + at, len - at, "%s%" PRId64, sep, v[i]);
	}
}

static cJSON *knob_to_json(const struct tn_knob *k)
{
	cJSON *o = cJSON_CreateObject();
	char buf[96];

	if (!o)
		return NULL;
	TRY(tn_json_add_str(o, "kind", k->kind == TN_KNOB_RING ? "ring" : "sysctl"));
	TRY(tn_json_add_str(o, "target", k->target));
	if (k->kind == TN_KNOB_RING)
		TRY(tn_json_add_str(o, "key", "rx"));
	tn_knob_format(k->before, k->n_fields, buf, sizeof(buf));
	TRY(tn_json_add_str(o, "before", buf));
	tn_knob_format(k->after, k->n_fields, buf, sizeof(buf));
	TRY(tn_json_add_str(o, "after", buf));
	TRY(tn_json_add_bool(o, "covered", k->covered));
	TRY(tn_json_add_bool(o, "per_namespace", k->per_netns));
	return o;
oom:
	cJSON_Delete(o);
	return NULL;
}

/* nic_ring: [{"queue": 3, "count": 70, "rate": 7}], the rx queues that
 * dropped ([] when no queue statistic says). */
static cJSON *queues_to_json(const struct tn_finding *f)
{
	cJSON *arr = cJSON_CreateArray(), *o;

	for (int i = 0; arr && i < f->n_queues; i++) {
		o = cJSON_CreateObject();
		if (!o || !cJSON_AddItemToArray(arr, o)) {
			cJSON_Delete(o);
			goto oom;
		}
		TRY(tn_json_add_int(o, "queue", f->queues[i].queue));
		TRY(tn_json_add_u64(o, "count", f->queues[i].count));
		TRY(tn_json_add_item(o, "rate", cJSON_CreateNumber(f->queues[i].rate)));
	}
	return arr;
oom:
	cJSON_Delete(arr);
	return NULL;
}

static cJSON *finding_to_json(const struct tn_finding *f)
{
	cJSON *o = cJSON_CreateObject(), *arr;

	if (!o)
		return NULL;
	TRY(tn_json_add_str(o, "stage", tn_stage_name(f->stage)));
	TRY(tn_json_add_str(o, "where", f->where));
	TRY(tn_json_add_cpuset(o, "cpus", &f->cpus));
	TRY(tn_json_add_u64(o, "count", f->count));
	TRY(tn_json_add_item(o, "rate", cJSON_CreateNumber(f->rate)));
	TRY(tn_json_add_bool(o, "fixable", f->fixable));
	TRY(tn_json_add_str(o, "evidence", f->evidence));
	TRY(tn_json_add_str(o, "advice", f->advice));
	if (f->stage == TN_STAGE_NIC_RING)
		TRY(tn_json_add_item(o, "queues", queues_to_json(f)));
	TRY(tn_json_add_item(o, "knobs", arr = cJSON_CreateArray()));
	for (int k = 0; k < f->n_knobs; k++) {
		cJSON *kj = knob_to_json(&f->knobs[k]);

		if (!kj || !cJSON_AddItemToArray(arr, kj)) {
			cJSON_Delete(kj);
			goto oom;
		}
	}
	return o;
oom:
	cJSON_Delete(o);
	return NULL;
}

cJSON *tn_diagnosis_to_json(const struct tn_diagnosis *dg)
{
	cJSON *o = cJSON_CreateObject(), *arr;

	if (!o)
		return NULL;
	TRY(tn_json_add_int(o, "schema_version", 1));
	TRY(tn_json_add_item(o, "interval", cJSON_CreateNumber(dg->interval)));
	TRY(tn_json_add_str(o, "profile", dg->profile));
	TRY(tn_json_add_str(o, "netns", dg->netns));
	TRY(tn_json_add_bool(o, "loss", dg->n > 0));
	TRY(tn_json_add_item(o, "findings", arr = cJSON_CreateArray()));
	for (int i = 0; i < dg->n; i++) {
		cJSON *f = finding_to_json(&dg->findings[i]);

		if (!f || !cJSON_AddItemToArray(arr, f)) {
			cJSON_Delete(f);
			goto oom;
		}
	}
	return o;
oom:
	cJSON_Delete(o);
	return NULL;
}

/* ---- the profile ---- */

static cJSON *sysctl_value(const struct tn_knob *k)
{
	cJSON *o = cJSON_CreateObject(), *v;

	if (!o)
		return NULL;
	if (k->n_fields == 1) {
		v = cJSON_CreateNumber((double)k->after[0]);
	} else {
		double f[TN_SYSCTL_MAX_FIELDS];

		for (int i = 0; i < k->n_fields; i++)
			f[i] = (double)k->after[i];
		v = cJSON_CreateDoubleArray(f, k->n_fields);
	}
	if (tn_json_add_item(o, "min", v) < 0) {
		cJSON_Delete(o);
		return NULL;
	}
	return o;
}

/* A glob that matches exactly this name. */
static void glob_escape(const char *name, char *buf, size_t len)
{
	size_t at = 0;

	for (const char *p = name; *p && at + 2 < len; p++) {
		if (strchr("*?[]\\", *p))
			buf[at++] = '\\';
		buf[at++] = *p;
	}
	buf[at] = '\0';
}

/* The rule for a NIC whose ring is raised: the parent's rule for it, if any,
 * with its own match and rx ring. */
static cJSON *ring_rule(const struct tn_knob *k, const struct tn_state *s,
			const struct tn_profile *parent, const cJSON *parent_ifaces)
{
	int r = tn_diag_profile_rule(parent, tn_state_nic(s, k->target));
	cJSON *rule = NULL, *match, *rings;
	char glob[2 * TN_IFNAME_MAX + 1];

	if (r >= 0 && parent_ifaces)
		rule = cJSON_Duplicate(cJSON_GetArrayItem(parent_ifaces, r), 1);
	if (!rule)
		rule = cJSON_CreateObject();
	if (!rule)
		return NULL;
	cJSON_DeleteItemFromObjectCaseSensitive(rule, "match");
	cJSON_DeleteItemFromObjectCaseSensitive(rule, "required");
	glob_escape(k->target, glob, sizeof(glob));
	if (tn_json_add_item(rule, "match", match = cJSON_CreateObject()) < 0 ||
	    tn_json_add_str(match, "name", glob) < 0)
		goto oom;
	rings = cJSON_GetObjectItemCaseSensitive(rule, "rings");
	if (!rings && tn_json_add_item(rule, "rings", rings = cJSON_CreateObject()) < 0)
		goto oom;
	cJSON_DeleteItemFromObjectCaseSensitive(rings, "rx");
	if (k->after[0] == TN_VAL_MAX ? tn_json_add_str(rings, "rx", "max") < 0
				      : tn_json_add_int(rings, "rx", k->after[0]) < 0)
		goto oom;
	return rule;
oom:
	cJSON_Delete(rule);
	return NULL;
}

static int add_interfaces(cJSON *out, const struct tn_diagnosis *dg, const struct tn_state *s,
			  const struct tn_profile *parent)
{
	cJSON *merged = parent && parent->merged ? cJSON_Parse(parent->merged) : NULL;
	cJSON *pif = merged ? cJSON_GetObjectItemCaseSensitive(merged, "interfaces") : NULL;
	cJSON *arr = cJSON_CreateArray(), *it;
	bool any = false;

	if (!arr || (parent && parent->merged && !merged))
		goto oom;
	for (int i = 0; i < dg->n; i++)
		for (int k = 0; k < dg->findings[i].n_knobs; k++) {
			const struct tn_knob *kb = &dg->findings[i].knobs[k];
			cJSON *rule;

			if (kb->kind != TN_KNOB_RING || kb->covered)
				continue;
			if (!(rule = ring_rule(kb, s, parent, pif)) ||
			    !cJSON_AddItemToArray(arr, rule)) {
				cJSON_Delete(rule);
				goto oom;
			}
			any = true;
		}
	if (!any) {
		cJSON_Delete(arr);
		cJSON_Delete(merged);
		return 0;
	}
	cJSON_ArrayForEach (it, pif) {
		cJSON *dup = cJSON_Duplicate(it, 1);

		if (!dup || !cJSON_AddItemToArray(arr, dup)) {
			cJSON_Delete(dup);
			goto oom;
		}
	}
	cJSON_Delete(merged);
	return tn_json_add_item(out, "interfaces", arr);
oom:
	cJSON_Delete(arr);
	cJSON_Delete(merged);
	return -ENOMEM;
}

/* Which of the profile's sysctls belong to the --netns namespace: applied on
 * the host, they would change the host's copy, not the namespace's. */
static size_t netns_note(const struct tn_diagnosis *dg, char *buf, size_t len, size_t at)
{
	const char *sep = "";
	size_t start = at;
	int n = 0;

	for (int i = 0; i < dg->n; i++)
		for (int k = 0; k < dg->findings[i].n_knobs; k++) {
			const struct tn_knob *kb = &dg->findings[i].knobs[k];

			if (!kb->per_netns || kb->covered || at >= len ||
			    strstr(buf + start, kb->target))
				continue;
			if (n++ == 0)
				at += (size_t)snprintf(
					buf + at, len - at,
					" Per network namespace (the counters are of "
					"netns %s): ",
					dg->netns);
			if (at < len)
				at += (size_t)snprintf(buf + at, len - at, "%s%s", sep, kb->target);
			sep = ", ";
		}
	if (at < len)
		at += (size_t)snprintf(buf + at, len - at, "%s",
				       n ? "; apply those inside that namespace (ip netns exec), "
					   "the others on the host."
					 : " No recommended sysctl is per namespace.");
	return at; /* >= len: it did not fit */
}

cJSON *tn_diagnosis_profile(const struct tn_diagnosis *dg, const struct tn_state *s,
			    const struct tn_profile *parent, const char *parent_ref)
{
	cJSON *o = cJSON_CreateObject(), *sc;
	char desc[1024]; /* the profile's limit (schema.json): a longer one is not cut, */

	if (!o)
		return NULL;
	for (int pass = 0; pass < 2; pass++) { /* but written without parent_ref */
		size_t at = (size_t)snprintf(desc, sizeof(desc),
					     "Written by 'tuner diagnose' on %s: %d finding%s over "
					     "%.1f s; the changes it recommends, on top of %s.",
					     s->hostname[0] ? s->hostname : "?", dg->n,
					     dg->n == 1 ? "" : "s", dg->interval,
					     pass ? "the profile it extends" : parent_ref);

		if (dg->netns[0] && at < sizeof(desc))
			at = netns_note(dg, desc, sizeof(desc), at);
		if (at < sizeof(desc))
			break;
	}
	TRY(tn_json_add_str(o, "name", "diagnose"));
	TRY(tn_json_add_str(o, "description", desc));
	TRY(tn_json_add_str(o, "extends", parent_ref));
	TRY(tn_json_add_item(o, "sysctl", sc = cJSON_CreateObject()));
	for (int i = 0; i < dg->n; i++)
		for (int k = 0; k < dg->findings[i].n_knobs; k++) {
			const struct tn_knob *kb = &dg->findings[i].knobs[k];

			/* a covered knob: the parent already asks for as much or more */
			if (kb->kind != TN_KNOB_SYSCTL || kb->covered ||
			    cJSON_GetObjectItemCaseSensitive(sc, kb->target))
				continue;
			TRY(tn_json_add_item(sc, kb->target, sysctl_value(kb)));
		}
	TRY(add_interfaces(o, dg, s, parent));
	return o;
oom:
	cJSON_Delete(o);
	return NULL;
}
