/* SPDX-License-Identifier: MIT */
/* The irq_affinity kind: /proc/irq/N/smp_affinity_list. */
#include "kind_sys.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

static int irq_rel(const struct tn_change *c, const char *file, char *rel, size_t len)
{
	return tn_pathf(rel, len, "proc/irq/%d/%s", atoi(c->target), file) < 0 ? -EINVAL : 0;
}

static int irq_read(struct tn_live *l, const struct tn_change *c, bool check, char **out,
		    struct tn_diag *d)
{
	char rel[256], buf[TN_CPULIST_MAX];
	int ret = irq_rel(c, "smp_affinity_list", rel, sizeof(rel));

	if (ret < 0)
		return ret;
	ret = tn_sysroot_read_line(l->root, rel, buf, sizeof(buf));
	if (ret < 0)
		return ret;
	return tn_live_canon_list(buf, out);
}

static int irq_write(struct tn_live *l, const struct tn_change *c, const char *value,
		     struct tn_diag *d)
{
	char rel[256];
	int ret = irq_rel(c, "smp_affinity_list", rel, sizeof(rel));

	if (ret < 0)
		return ret;
	return tn_live_write_line(l, rel, value, false);
}

/* The kernel refuses the affinity of an IRQ it manages with EIO or EPERM. */
static const char *irq_skip_reason(int ret)
{
	return ret == -EIO || ret == -EPERM ? "kernel-managed IRQ" : NULL;
}

/* Only a real kernel moves the effective affinity (on the next interrupt). */
static void irq_settled(struct tn_live *l, const struct tn_change *c, const char *what,
			struct tn_diag *d)
{
	char rel[80], eff[TN_CPULIST_MAX];
	struct tn_cpuset e, want;

	if (!l->root->is_host || irq_rel(c, "effective_affinity_list", rel, sizeof(rel)) < 0)
		return;
	if (tn_sysroot_read_line(l->root, rel, eff, sizeof(eff)) == 0 &&
	    tn_cpuset_parse_list(eff, &e) == 0 && !tn_cpuset_empty(&e) &&
	    tn_cpuset_parse_list(c->after, &want) == 0 && !tn_cpuset_subset(&e, &want))
		tn_diag_warn(d,
			     "%s: effective affinity still %s, not within %s (it moves on the "
			     "next interrupt)",
			     what, eff, c->after);
}

const struct tn_kind_sys tn_kind_sys_irq = {
	.read = irq_read,
	.write = irq_write,
	.skip_reason = irq_skip_reason,
	.settled = irq_settled,
	.gone = "process",
};
