/* SPDX-License-Identifier: MIT */
/* The sysctl kind: /proc/sys files by dotted name. */
#include "kind_sys.h"

#include <errno.h>

#include "discover.h"

static int sysctl_read(struct tn_live *l, const struct tn_change *c, bool check, char **out,
		       struct tn_diag *d)
{
	struct tn_sysctl sc;
	int ret = tn_sysctl_read(l->root, c->target, &sc);

	if (ret < 0)
		return ret;
	if (!sc.present)
		return -ENOENT;
	*out = sc.value; /* ours now */
	return 0;
}

/* Whether value is a vector of integers ("4096 131072 6291456"), which the
 * kernel prints with tabs between its fields and reads with any blank. */
static bool int_vector(const char *value)
{
	for (const char *p = value; *p; p++)
		if (!(*p >= '0' && *p <= '9') && *p != '-' && *p != ' ')
			return false;
	return true;
}

static int sysctl_write(struct tn_live *l, const struct tn_change *c, const char *value,
			struct tn_diag *d)
{
	char rel[256];
	int ret = tn_sysctl_path(c->target, rel, sizeof(rel));

	if (ret < 0)
		return ret;
	/* the kernel prints an integer vector's fields separated by tabs: write
	 * them so; a string as it is (tcp_allowed_congestion_control "reno cubic"
	 * splits on spaces only: with a tab the kernel refuses it, ENOENT) */
	return tn_live_write_line(l, rel, value, int_vector(value));
}

const struct tn_kind_sys tn_kind_sys_sysctl = {
	.read = sysctl_read,
	.write = sysctl_write,
	.gone = "process",
};
