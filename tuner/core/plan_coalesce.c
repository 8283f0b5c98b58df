/* SPDX-License-Identifier: MIT */
/*
 * Interrupt coalescing (issue 15 part B): one "coalesce" change per parameter
 * an interface rule sets and the NIC does not have yet. A parameter the driver
 * does not support (the kernel did not report it) is refused at plan time,
 * naming the NIC and the parameter; a NIC whose coalescing was not read
 * (under --sysroot, a kernel without ethtool netlink) is said and not planned.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "plan_int.h"

/* In the order they are applied: adaptive_rx first, since a driver may ignore
 * (or recompute) the usecs while adaptive moderation is on. */
static const struct {
	const char *key;
	size_t rule, cur; /* offsets in the rule and in struct tn_coalesce */
} params[] = {
	{ "adaptive_rx", offsetof(struct tn_coalesce_rule, adaptive_rx),
	  offsetof(struct tn_coalesce, adaptive_rx) },
	{ "rx_usecs", offsetof(struct tn_coalesce_rule, rx_usecs),
	  offsetof(struct tn_coalesce, rx_usecs) },
	{ "rx_frames", offsetof(struct tn_coalesce_rule, rx_frames),
	  offsetof(struct tn_coalesce, rx_frames) },
	{ "tx_usecs", offsetof(struct tn_coalesce_rule, tx_usecs),
	  offsetof(struct tn_coalesce, tx_usecs) },
};

#define N_PARAMS (sizeof(params) / sizeof(params[0]))

static int64_t field(const void *base, size_t off)
{
	return *(const int64_t *)((const char *)base + off);
}

/* A value as the change records it: "on"/"off" for the flag. */
static int set_value(struct planner *pl, char **value, const char *key, int64_t v)
{
	if (strcmp(key, "adaptive_rx") == 0)
		SET_VALUE(pl, *value, "%s", v ? "on" : "off");
	else
		SET_VALUE(pl, *value, "%lld", (long long)v);
	return 0;
}

static bool any_set(const struct tn_coalesce_rule *r)
{
	for (size_t k = 0; k < N_PARAMS; k++)
		if (field(r, params[k].rule) != TN_VAL_UNSET)
			return true;
	return false;
}

static int plan_nic(struct planner *pl, int i)
{
	const struct tn_nic *n = &pl->s->nics[i];
	const struct tn_coalesce_rule *r = &pl->p->ifaces[pl->rule_of[i]].coalesce;
	int ret;

	if (!any_set(r))
		return 0;
	if (!n->has_coalesce) {
		tn_diag_warn(pl->d,
			     "%s: interrupt coalescing not read (netlink not asked or "
			     "failed); coalesce not planned",
			     n->name);
		return 0;
	}
	for (size_t k = 0; k < N_PARAMS; k++) {
		int64_t want = field(r, params[k].rule), cur = field(&n->coalesce, params[k].cur);
		struct tn_change *c;

		if (want == TN_VAL_UNSET)
			continue;
		if (cur == TN_UNKNOWN)
			return tn_diag_error(pl->d, -EINVAL,
					     "%s: coalesce.%s: the driver%s%s does not support it "
					     "(interfaces[%d])",
					     n->name, params[k].key, n->driver[0] ? " " : "",
					     n->driver, pl->rule_of[i]);
		if (want == cur)
			continue;
		c = NEW_CHANGE(pl, TN_CHANGE_COALESCE);
		snprintf(c->target, sizeof(c->target), "%s", n->name);
		snprintf(c->key, sizeof(c->key), "%s", params[k].key);
		if ((ret = set_value(pl, &c->before, params[k].key, cur)) < 0 ||
		    (ret = set_value(pl, &c->after, params[k].key, want)) < 0)
			return ret;
		SET_VALUE(pl, c->reason, "profile coalesce.%s", params[k].key);
	}
	return 0;
}

int tn_plan_coalesce(struct planner *pl)
{
	int ret;

	for (int i = 0; i < pl->s->n_nics; i++)
		if (pl->rule_of[i] >= 0 && (ret = plan_nic(pl, i)) < 0)
			return ret;
	return 0;
}
