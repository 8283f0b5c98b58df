/* SPDX-License-Identifier: MIT */
#include "plan.h"

#include <errno.h>
#include <fnmatch.h>
#include <search.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jsonutil.h"
#include "plan_int.h"
#include "stacked.h"
#include "util.h"

void tn_change_free(struct tn_change *c)
{
	if (!c)
		return;
	free(c->before);
	free(c->after);
	free(c->reason);
	free(c->label);
	free(c->note);
	c->before = c->after = c->reason = c->label = c->note = NULL;
}

/* *out = a copy of s (NULL stays NULL); false when out of memory */
static bool dup_opt(char **out, const char *s)
{
	*out = s ? strdup(s) : NULL;
	return !s || *out;
}

int tn_change_copy(struct tn_change *dst, const struct tn_change *src)
{
	struct tn_change c = *src;

	bool ok = dup_opt(&c.before, src->before);

	ok = dup_opt(&c.after, src->after) && ok;
	ok = dup_opt(&c.reason, src->reason) && ok;
	ok = dup_opt(&c.label, src->label) && ok;
	ok = dup_opt(&c.note, src->note) && ok;
	if (!ok) {
		tn_change_free(&c);
		return -ENOMEM;
	}
	*dst = c;
	return 0;
}

int tn_change_printf(char **value, const char *fmt, ...)
{
	char *v = NULL;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&v, fmt, ap);
	va_end(ap);
	if (n < 0)
		return -ENOMEM;
	free(*value);
	*value = v;
	return 0;
}

void tn_plan_free(struct tn_plan *p)
{
	if (!p)
		return;
	for (int i = 0; i < p->n; i++)
		tn_change_free(&p->changes[i]);
	free(p->changes);
	free(p->managed);
	free(p->placed);
	memset(p, 0, sizeof(*p));
}

struct tn_change *tn_plan_add_change(struct planner *pl, enum tn_change_kind kind)
{
	struct tn_change *c;

	if (pl->plan.n == pl->cap) {
		int ncap = pl->cap ? pl->cap * 2 : 64;
		struct tn_change *nc = realloc(pl->plan.changes, sizeof(*nc) * (size_t)ncap);

		if (!nc)
			return NULL;
		pl->plan.changes = nc;
		pl->cap = ncap;
	}
	c = &pl->plan.changes[pl->plan.n++];
	memset(c, 0, sizeof(*c));
	c->kind = kind;
	return c;
}

bool tn_plan_nic_matches(const struct tn_iface_match *m, const struct tn_nic *n)
{
	if (m->name[0] && fnmatch(m->name, n->name, 0) != 0)
		return false;
	if (m->driver[0] && strcmp(m->driver, n->driver) != 0)
		return false;
	if (m->pci[0] && strcasecmp(m->pci, n->pci) != 0)
		return false;
	return true;
}

static void describe_match(const struct tn_iface_match *m, char *buf, size_t len)
{
	size_t n = 0;

	buf[0] = '\0';
	if (!m->name[0] && !m->driver[0] && !m->pci[0]) {
		snprintf(buf, len, "all");
		return;
	}
	if (m->name[0])
		n += (size_t)snprintf(buf + n, len - n, "name %s", m->name);
	if (m->driver[0] && n < len)
		n += (size_t)snprintf(buf + n, len - n, "%sdriver %s", n ? ", " : "", m->driver);
	if (m->pci[0] && n < len)
		snprintf(buf + n, len - n, "%spci %s", n ? ", " : "", m->pci);
}

/* The first rule whose match fits a NIC applies to it. */
static int first_rule(const struct tn_profile *p, const struct tn_nic *n)
{
	for (int r = 0; r < p->n_ifaces; r++)
		if (tn_plan_nic_matches(&p->ifaces[r].match, n))
			return r;
	return -1;
}

/* A rule by name alone that names a stacked device (a bond, bridge, VLAN):
 * what it is and what to match instead, into buf. */
static bool stacked_match(const struct tn_state *s, const struct tn_iface_match *m, char *buf,
			  size_t len)
{
	return m->name[0] && !m->driver[0] && !m->pci[0] &&
	       tn_stacked_describe(s, m->name, buf, len);
}

static int match_rules(struct planner *pl)
{
	const struct tn_state *s = pl->s;
	const struct tn_profile *p = pl->p;

	for (int i = 0; i < s->n_nics; i++)
		pl->rule_of[i] = first_rule(p, &s->nics[i]);
	for (int r = 0; r < p->n_ifaces; r++) {
		bool any = false;
		const struct tn_iface_match *m = &p->ifaces[r].match;
		char what[200], why[400], stacked[300];
		int taken = -1;

		for (int i = 0; i < s->n_nics; i++) {
			any |= pl->rule_of[i] == r;
			if (taken < 0 && tn_plan_nic_matches(&p->ifaces[r].match, &s->nics[i]))
				taken = i;
		}
		if (any)
			continue;
		describe_match(&p->ifaces[r].match, what, sizeof(what));
		/* a NIC it matches follows an earlier rule: say which, not "no NIC" */
		if (taken >= 0)
			snprintf(why, sizeof(why),
				 "every NIC it matches follows an earlier rule "
				 "(%s: interfaces[%d])",
				 s->nics[taken].name, pl->rule_of[taken]);
		else if (stacked_match(s, m, stacked, sizeof(stacked)))
			/* a bond, bridge or VLAN: say so, and the NICs below it */
			snprintf(why, sizeof(why), "matches no NIC of this host: %s", stacked);
		else
			snprintf(why, sizeof(why), "matches no NIC of this host");
		if (p->ifaces[r].required)
			return tn_diag_error(pl->d, -EINVAL,
					     "interfaces[%d] (%s) is required but %s", r, what,
					     why);
		tn_diag_warn(pl->d, "interfaces[%d] (%s)%s%s", r, what, taken >= 0 ? ": " : " ",
			     why);
	}
	return 0;
}

bool tn_plan_links_ready(const struct tn_state *s, const struct tn_profile *p, const bool *up,
			 char *why, size_t len)
{
	bool any_required = false, any_up = false;
	char what[200];

	why[0] = '\0';
	if (p->n_ifaces == 0)
		return true;
	for (int r = 0; r < p->n_ifaces; r++) {
		const char *down = NULL;
		bool ok = false;

		if (!p->ifaces[r].required)
			continue;
		any_required = true;
		for (int i = 0; i < s->n_nics && !ok; i++) {
			if (first_rule(p, &s->nics[i]) != r)
				continue;
			ok = up[i];
			down = s->nics[i].name;
		}
		if (ok)
			continue;
		describe_match(&p->ifaces[r].match, what, sizeof(what));
		if (down)
			snprintf(why, len, "interfaces[%d] (%s): %s is down", r, what, down);
		else
			snprintf(why, len, "interfaces[%d] (%s): no such NIC yet", r, what);
		return false;
	}
	if (any_required)
		return true;
	for (int i = 0; i < s->n_nics && !any_up; i++)
		any_up = up[i] && first_rule(p, &s->nics[i]) >= 0;
	if (!any_up)
		snprintf(why, len, "no NIC the profile's interface rules match is up yet");
	return any_up;
}

void tn_plan_node_cpus(const struct tn_topology *t, const struct tn_cpuset *nodes,
		       struct tn_cpuset *out)
{
	tn_cpuset_zero(out);
	for (int i = 0; i < t->n_nodes; i++)
		if (tn_cpuset_test(nodes, t->nodes[i].id))
			tn_cpuset_or(out, &t->nodes[i].cpus);
}

void tn_plan_fmt_set(const struct tn_cpuset *s, char *buf, size_t len)
{
	tn_cpuset_format_list(s, buf, len);
	if (!buf[0])
		snprintf(buf, len, "none");
}

/* A CPU or node list as a change's value, whole ("none" when empty). */
int tn_plan_value_set(struct planner *pl, char **value, const struct tn_cpuset *s)
{
	char *list = tn_cpuset_list_alloc(s);

	if (!list)
		return tn_diag_error(pl->d, -ENOMEM, "out of memory");
	if (!list[0]) {
		free(list);
		list = strdup("none");
		if (!list)
			return tn_diag_error(pl->d, -ENOMEM, "out of memory");
	}
	free(*value);
	*value = list;
	return 0;
}

static int plan_channels(struct planner *pl)
{
	for (int i = 0; i < pl->s->n_nics; i++) {
		const struct tn_nic *n = &pl->s->nics[i];
		const struct tn_iface_rule *rule;
		int64_t want, max;
		struct tn_change *c;

		if (pl->rule_of[i] < 0)
			continue;
		rule = &pl->p->ifaces[pl->rule_of[i]];
		if (rule->channels_combined == TN_VAL_UNSET)
			continue;
		if (!n->has_channels || n->channels.combined == TN_UNKNOWN) {
			tn_diag_warn(pl->d, "%s: channel counts unknown (%s); channels not planned",
				     n->name,
				     n->has_channels ? "no combined channels" : "not read");
			continue;
		}
		max = n->channels.combined_max;
		if (rule->channels_combined == TN_VAL_MAX)
			want = max;
		else if (rule->channels_combined == TN_VAL_CPUS)
			want = pl->ncpus_of[i] > 0 ? pl->ncpus_of[i] : n->channels.combined;
		else
			want = rule->channels_combined;
		if (want == TN_UNKNOWN)
			continue;
		if (max != TN_UNKNOWN && want > max) {
			tn_diag_warn(pl->d,
				     "%s: %lld combined channels asked, the device allows %lld",
				     n->name, (long long)want, (long long)max);
			want = max;
		}
		if (want == n->channels.combined)
			continue;
		c = NEW_CHANGE(pl, TN_CHANGE_CHANNELS);
		snprintf(c->target, sizeof(c->target), "%s", n->name);
		snprintf(c->key, sizeof(c->key), "combined");
		SET_VALUE(pl, c->before, "%lld", (long long)n->channels.combined);
		SET_VALUE(pl, c->after, "%lld", (long long)want);
		if (max != TN_UNKNOWN)
			SET_VALUE(pl, c->note, "(max %lld)", (long long)max);
		SET_VALUE(pl, c->reason,
			  "profile channels.combined; the queue IRQs change with it: apply "
			  "re-reads them before placing IRQs");
		tn_diag_warn(pl->d,
			     "%s: the channel change replaces its queue IRQs; the IRQ "
			     "placement shown is for the current ones",
			     n->name);
	}
	return 0;
}

static int plan_ring_one(struct planner *pl, const struct tn_nic *n, const char *key, int64_t rule,
			 int64_t cur, int64_t max)
{
	struct tn_change *c;
	int64_t want;

	if (rule == TN_VAL_UNSET)
		return 0;
	if (!n->has_ring || cur == TN_UNKNOWN) {
		tn_diag_warn(pl->d, "%s: %s ring size unknown (%s); not planned", n->name, key,
			     n->has_ring ? "the driver does not report it" : "rings were not read");
		return 0;
	}
	want = rule == TN_VAL_MAX ? max : rule;
	if (want == TN_UNKNOWN)
		return 0;
	if (max != TN_UNKNOWN && want > max) {
		tn_diag_warn(pl->d, "%s: %s ring %lld asked, the device maximum is %lld", n->name,
			     key, (long long)want, (long long)max);
		want = max;
	}
	if (want == cur)
		return 0;
	c = NEW_CHANGE(pl, TN_CHANGE_RING);
	snprintf(c->target, sizeof(c->target), "%s", n->name);
	snprintf(c->key, sizeof(c->key), "%s", key);
	SET_VALUE(pl, c->before, "%lld", (long long)cur);
	SET_VALUE(pl, c->after, "%lld", (long long)want);
	if (max != TN_UNKNOWN)
		SET_VALUE(pl, c->note, "(max %lld)", (long long)max);
	SET_VALUE(pl, c->reason, "profile rings.%s %s", key, rule == TN_VAL_MAX ? "max" : "value");
	return 0;
}

static int plan_rings(struct planner *pl)
{
	int ret;

	for (int i = 0; i < pl->s->n_nics; i++) {
		const struct tn_nic *n = &pl->s->nics[i];
		const struct tn_iface_rule *rule;

		if (pl->rule_of[i] < 0)
			continue;
		rule = &pl->p->ifaces[pl->rule_of[i]];
		if ((ret = plan_ring_one(pl, n, "rx", rule->ring_rx, n->ring.rx, n->ring.rx_max)) <
			    0 ||
		    (ret = plan_ring_one(pl, n, "tx", rule->ring_tx, n->ring.tx, n->ring.tx_max)) <
			    0)
			return ret;
	}
	return 0;
}

static int parse_fields(const char *text, int64_t *f, int max)
{
	int n = 0;
	char *end;

	while (*text) {
		while (*text == ' ')
			text++;
		if (!*text)
			break;
		if (n == max)
			return -1;
		f[n++] = strtoll(text, &end, 10);
		if (end == text)
			return -1;
		text = end;
	}
	return n;
}

static int cmp_sysctl_rule(const void *a, const void *b)
{
	return strcmp((*(const struct tn_sysctl_rule *const *)a)->name,
		      (*(const struct tn_sysctl_rule *const *)b)->name);
}

static int plan_sysctls(struct planner *pl)
{
	const struct tn_profile *p = pl->p;
	const struct tn_sysctl_rule **sorted;
	int ret = 0;

	if (p->n_sysctls == 0)
		return 0;
	sorted = calloc((size_t)p->n_sysctls, sizeof(*sorted));
	if (!sorted)
		return tn_diag_error(pl->d, -ENOMEM, "out of memory");
	for (int i = 0; i < p->n_sysctls; i++)
		sorted[i] = &p->sysctls[i];
	qsort(sorted, (size_t)p->n_sysctls, sizeof(*sorted), cmp_sysctl_rule);
	for (int i = 0; i < p->n_sysctls && ret == 0; i++) {
		const struct tn_sysctl_rule *r = sorted[i];
		const struct tn_sysctl *cur = tn_state_sysctl(pl->s, r->name);
		/* at most TN_SYSCTL_MAX_FIELDS numbers of 20 characters */
		char raised[TN_SYSCTL_MAX_FIELDS * 21 + 1];
		const char *after = r->text;
		struct tn_change *c;

		if (!cur || !cur->present) {
			ret = tn_diag_error(
				pl->d, -EINVAL, "sysctl %s: this host has no such setting (%s)",
				r->name,
				cur ? "not present on this kernel" : "not in the snapshot");
			break;
		}
		if (r->only_raise) {
			int64_t f[TN_SYSCTL_MAX_FIELDS];
			int nf = parse_fields(cur->value, f, TN_SYSCTL_MAX_FIELDS);
			size_t len = 0;

			if (nf != r->n_fields) {
				ret = tn_diag_error(
					pl->d, -EINVAL,
					"sysctl %s: the host value \"%s\" does not have "
					"%d field(s) to compare with \"min\"",
					r->name, cur->value, r->n_fields);
				break;
			}
			raised[0] = '\0';
			for (int k = 0; k < nf; k++)
				len += (size_t)snprintf(
					raised + len, sizeof(raised) - len, "%s%lld", k ? " " : "",
					(long long)(f[k] > r->fields[k] ? f[k] : r->fields[k]));
			after = raised;
		}
		if (strcmp(after, cur->value) == 0)
			continue;
		c = tn_plan_add_change(pl, TN_CHANGE_SYSCTL);
		if (!c) {
			ret = tn_diag_error(pl->d, -ENOMEM, "out of memory");
			break;
		}
		snprintf(c->target, sizeof(c->target), "%s", r->name);
		snprintf(c->key, sizeof(c->key), "value");
		if (tn_change_printf(&c->before, "%s", cur->value) < 0 ||
		    tn_change_printf(&c->after, "%s", after) < 0) {
			ret = tn_diag_error(pl->d, -ENOMEM, "out of memory");
			break;
		}
		if (tn_change_printf(&c->reason, "%s",
				     r->only_raise ? "profile: raise to at least the minimum, "
						     "never lower"
						   : "profile value") < 0 ||
		    (r->outside_net && tn_change_printf(&c->note, "%s", TN_NOTE_OUTSIDE_NET) < 0)) {
			ret = tn_diag_error(pl->d, -ENOMEM, "out of memory");
			break;
		}
	}
	free(sorted);
	return ret;
}

static void planner_free(struct planner *pl)
{
	if (pl->irq_cpu)
		for (int i = 0; i < pl->s->n_nics; i++)
			free(pl->irq_cpu[i]);
	free(pl->irq_cpu);
	free(pl->rule_of);
	free(pl->ncpus_of);
	tn_plan_irq_free(pl);
	tn_plan_free(&pl->plan);
}

int tn_plan_compute(const struct tn_state *s, const struct tn_profile *p, struct tn_plan *out,
		    struct tn_diag *d)
{
	struct planner pl = { .s = s, .p = p, .d = d };
	int ret, nn = s->n_nics ? s->n_nics : 1;

	pl.rule_of = calloc((size_t)nn, sizeof(int));
	pl.ncpus_of = calloc((size_t)nn, sizeof(int));
	pl.irq_cpu = calloc((size_t)nn, sizeof(int *));
	if (!pl.rule_of || !pl.ncpus_of || !pl.irq_cpu) {
		ret = tn_diag_error(d, -ENOMEM, "out of memory");
		goto out;
	}
	if ((ret = tn_plan_irq_init(&pl)) < 0)
		goto out;
	for (int i = 0; i < s->n_nics; i++) {
		pl.irq_cpu[i] =
			calloc((size_t)(s->nics[i].n_irqs ? s->nics[i].n_irqs : 1), sizeof(int));
		if (!pl.irq_cpu[i]) {
			ret = tn_diag_error(d, -ENOMEM, "out of memory");
			goto out;
		}
		for (int k = 0; k < s->nics[i].n_irqs; k++)
			pl.irq_cpu[i][k] = -1;
	}
	snprintf(pl.plan.profile, sizeof(pl.plan.profile), "%s", p->name);
	snprintf(pl.plan.digest, sizeof(pl.plan.digest), "%s", p->digest);

	if ((ret = match_rules(&pl)) < 0)
		goto out;
	for (int i = 0; i < s->n_nics; i++)
		if (pl.rule_of[i] >= 0 && (ret = tn_plan_place_irqs(&pl, i)) < 0)
			goto out;
	if ((ret = plan_channels(&pl)) < 0 || (ret = plan_rings(&pl)) < 0 ||
	    (ret = tn_plan_coalesce(&pl)) < 0 || (ret = plan_sysctls(&pl)) < 0 ||
	    (ret = tn_plan_rps_sysctls(&pl)) < 0 || (ret = tn_plan_irq_changes(&pl)) < 0 ||
	    (ret = tn_plan_rps_queues(&pl)) < 0 || (ret = tn_plan_processes(&pl)) < 0 ||
	    (ret = tn_plan_irqbalance(&pl)) < 0)
		goto out;
	if (pl.plan.n && pl.plan.n < pl.cap) {
		/* the records' room fitted to them: doubling left up to half unused */
		struct tn_change *fit = realloc(pl.plan.changes, sizeof(*fit) * (size_t)pl.plan.n);

		if (fit)
			pl.plan.changes = fit;
	}
	*out = pl.plan;
	memset(&pl.plan, 0, sizeof(pl.plan));
	ret = 0;
out:
	planner_free(&pl);
	return ret;
}

cJSON *tn_change_to_json(const struct tn_change *c)
{
	cJSON *o = cJSON_CreateObject();

	if (!o)
		return NULL;
	if (tn_json_add_str(o, "kind", tn_change_kind_name(c->kind)) < 0 ||
	    tn_json_add_str(o, "target", c->target) < 0 || tn_json_add_str(o, "key", c->key) < 0 ||
	    tn_json_add_str(o, "before", c->before ? c->before : "") < 0 ||
	    tn_json_add_str(o, "after", c->after ? c->after : "") < 0 ||
	    (c->label && c->label[0] && tn_json_add_str(o, "label", c->label) < 0) ||
	    (c->note && c->note[0] && tn_json_add_str(o, "note", c->note) < 0) ||
	    tn_json_add_str(o, "reason", tn_str(c->reason)) < 0) {
		cJSON_Delete(o);
		return NULL;
	}
	return o;
}

cJSON *tn_plan_to_json(const struct tn_plan *p, const struct tn_diag *warnings)
{
	cJSON *o = cJSON_CreateObject(), *arr;

	if (!o)
		return NULL;
	if (tn_json_add_int(o, "schema_version", TN_SCHEMA_VERSION) < 0 ||
	    tn_json_add_str(o, "kind", "plan") < 0 ||
	    tn_json_add_str(o, "profile", p->profile) < 0 ||
	    tn_json_add_str(o, "digest", p->digest) < 0 ||
	    tn_json_add_item(o, "changes", arr = cJSON_CreateArray()) < 0)
		goto oom;
	for (int i = 0; i < p->n; i++)
		if (tn_json_add_item(arr, NULL, tn_change_to_json(&p->changes[i])) < 0)
			goto oom;
	if (tn_json_add_item(o, "kernel_managed_irqs", arr = cJSON_CreateArray()) < 0)
		goto oom;
	for (int i = 0; i < p->n_managed; i++)
		if (tn_json_add_int(arr, NULL, p->managed[i]) < 0)
			goto oom;
	if (tn_json_add_item(o, "warnings", arr = cJSON_CreateArray()) < 0)
		goto oom;
	for (int i = 0; warnings && i < warnings->n_warnings; i++)
		if (tn_json_add_str(arr, NULL, warnings->warnings[i]) < 0)
			goto oom;
	return o;
oom:
	cJSON_Delete(o);
	return NULL;
}
