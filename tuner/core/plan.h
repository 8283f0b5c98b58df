/* SPDX-License-Identifier: MIT */
/*
 * The planner: plan = f(snapshot, profile), pure and deterministic. A plan is
 * an ordered list of change records, the one vocabulary that plan, apply, the
 * journal and verify share: {kind, target, key, before, after, reason}.
 */
#ifndef TN_PLAN_H
#define TN_PLAN_H

#include <cjson/cJSON.h>

#include "diag.h"
#include "kind.h"
#include "profile.h"
#include "state.h"

/* irqbalance 1.9 reads a command with one 500-byte recvmsg(): the ban list
 * ("settings ban irqs 24 25 ...") must fit in it. */
#define TN_IRQBALANCE_CMD_MAX 500
#define TN_IRQBALANCE_BAN_PREFIX "settings ban irqs "

/* The note of a sysctl change outside net.*, which the profile had to allow. */
#define TN_NOTE_OUTSIDE_NET "[outside net.*: allowed by the profile's allow_sysctls]"

struct tn_change {
	enum tn_change_kind kind;
	char target[64]; /* "eth0", "38", "net.core.netdev_budget", "1234", "irqbalance" */
	char key[64];	 /* "rx", "combined", "smp_affinity_list", "value", "cpus", ... */
	/* The values, whole: malloc'ed strings owned by the change (a CPU list of
	 * thousands of CPUs, a long sysctl), freed by tn_change_free(). */
	char *before;
	char *after;
	/* Why, and what the human diff shows beside the target: malloc'ed strings
	 * owned by the change like the values, NULL when there is none (read them
	 * through tn_str()), set with tn_change_printf(). */
	char *reason;
	char *label; /* IRQ name, process comm */
	char *note;  /* "(max 4096)" */
};

/* The longest of each a journal may hold (what tuner writes fits). */
#define TN_CHANGE_LABEL_MAX (TN_IRQNAME_MAX - 1)
#define TN_CHANGE_NOTE_MAX 127
#define TN_CHANGE_REASON_MAX 255

/* A change's optional text: "" for NULL. */
static inline const char *tn_str(const char *s)
{
	return s ? s : "";
}

struct tn_plan {
	char profile[128];
	char digest[17];
	int n;
	struct tn_change *changes;
	/* IRQs the profile would place but the kernel manages; listed, not changed. */
	int n_managed;
	int *managed;
	/* IRQs the profile places, changed or already where it wants them. */
	int n_placed;
	int *placed;
};

void tn_plan_free(struct tn_plan *p);
/* Free the strings of a change (accepts NULL); the rest is plain data. */
void tn_change_free(struct tn_change *c);
/* A deep copy; 0 or -ENOMEM (dst untouched then). */
int tn_change_copy(struct tn_change *dst, const struct tn_change *src);
/* Replace *value (c->before, c->after, c->reason...) by a formatted string; 0 or -ENOMEM
 * (the old value kept then). */
int tn_change_printf(char **value, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* True when an interface rule's match (name glob, driver, PCI address) takes NIC n. */
bool tn_plan_nic_matches(const struct tn_iface_match *m, const struct tn_nic *n);

/*
 * Compute the plan. Warnings (clamped rings, wrapped queues, rules matching
 * nothing...) go to d; an error (a required rule matching nothing, a sysctl
 * the host does not have, processes on IRQ CPUs...) returns -EINVAL and
 * nothing is planned.
 */
int tn_plan_compute(const struct tn_state *s, const struct tn_profile *p, struct tn_plan *out,
		    struct tn_diag *d);

/*
 * Whether the links a profile needs are there, for apply --boot: each
 * "required" interface rule must be the rule of (the first rule matching) at
 * least one NIC that is up; with no required rule, at least one NIC some rule
 * matches must be up. A profile with no interface rules needs nothing.
 * up[i] says whether s->nics[i] is up. Returns true when ready; otherwise
 * 'why' says what is missing ("interfaces[0] (name eth1): eth1 is down").
 */
bool tn_plan_links_ready(const struct tn_state *s, const struct tn_profile *p, const bool *up,
			 char *why, size_t len);

/*
 * IRQs held across stage 1 (core/plan_held.c): drivers reset the affinity of
 * a NIC's IRQs when its rings or channels change. tn_plan_held gives a "held"
 * record (kind irq_affinity, key TN_HELD_KEY, before = after = its CPUs,
 * label = its name) of each IRQ of each NIC whose rings or channels plan p
 * changes, from snapshot s taken before: apply journals them before stage 1,
 * and rollback puts each back after the rings and channels are restored.
 * Free them with tn_held_free. tn_plan_restore_held adds to plan p (of the
 * snapshot s re-discovered after stage 1) a change putting back each held IRQ
 * the driver moved and p does not place, and for each one the driver put where
 * the profile wants it (p has no change of it) a change from and to its value:
 * the journal records what apply left there.
 */
#define TN_HELD_KEY "held"
bool tn_change_is_held(const struct tn_change *c);
int tn_plan_held(const struct tn_state *s, const struct tn_plan *p, struct tn_change **out, int *n,
		 struct tn_diag *d);
void tn_held_free(struct tn_change *held, int n);
/* The NIC a held record was made for (its reason names it) into nic: 1, or 0
 * when the reason is not one tn_plan_held writes (nic ""). */
int tn_held_nic(const struct tn_change *held, char *nic, size_t len);
int tn_plan_restore_held(const struct tn_state *s, const struct tn_change *held, int n,
			 struct tn_plan *p, struct tn_diag *d);

/* {"schema_version", "kind": "plan", "profile", "digest", "changes": [...]} */
cJSON *tn_plan_to_json(const struct tn_plan *p, const struct tn_diag *warnings);
cJSON *tn_change_to_json(const struct tn_change *c);

#endif
