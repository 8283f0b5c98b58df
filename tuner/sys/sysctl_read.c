/* SPDX-License-Identifier: MIT */
/* Sysctls: their /proc/sys paths, one read, and the managed and profile's set
 * that discovery records in the snapshot. */
#include "discover.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int tn_sysctl_path(const char *name, char *buf, size_t len)
{
	int n;

	if (!tn_sysctl_name_valid(name))
		return -EINVAL;
	n = snprintf(buf, len, "proc/sys/%s", name);
	if (n < 0 || (size_t)n >= len)
		return -ENAMETOOLONG;
	for (char *p = buf + 9; *p; p++)
		if (*p == '.')
			*p = '/';
	return 0;
}

int tn_sysctl_read(const struct tn_sysroot *root, const char *name, struct tn_sysctl *out)
{
	struct tn_sysctl sc = { 0 };
	char rel[256], *text = NULL;
	int ret;

	ret = tn_sysctl_path(name, rel, sizeof(rel));
	if (ret < 0)
		return ret;
	snprintf(sc.name, sizeof(sc.name), "%s", name);
	ret = tn_sysroot_read_max(root, rel, TN_SYSCTL_VALUE_MAX - 1, &text, NULL);
	if (ret == -ENOENT) {
		*out = sc;
		return 0;
	}
	if (ret < 0)
		return ret;
	sc.value = tn_sysctl_value_fold(text);
	free(text);
	if (!sc.value)
		return -ENOMEM;
	sc.present = true;
	*out = sc;
	return 0;
}

static int cmp_name(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static int read_one_sysctl(const struct tn_sysroot *root, const char *name, struct tn_sysctl *out,
			   struct tn_diag *d)
{
	char rel[256];
	int ret;

	if (!tn_sysctl_name_valid(name))
		return tn_diag_error(d, -EINVAL, "sysctl \"%s\": not a valid name", name);
	ret = tn_sysctl_read(root, name, out);
	if (ret == -EISDIR) {
		tn_sysctl_path(name, rel, sizeof(rel));
		return tn_diag_error(d, ret,
				     "sysctl %s: %s is a directory of settings, not a "
				     "setting",
				     name, rel);
	}
	if (ret == -EFBIG) {
		tn_sysctl_path(name, rel, sizeof(rel));
		return tn_diag_error(d, ret, "%s: a value of more than %d bytes; refused", rel,
				     TN_SYSCTL_VALUE_MAX - 1);
	}
	if (ret < 0) {
		tn_sysctl_path(name, rel, sizeof(rel));
		return tn_diag_error(d, ret, "%s: %s", rel, strerror(-ret));
	}
	return 0;
}

/* The managed sysctls and the profile's, each once, in name order. */
int tn_discover_sysctls(const struct tn_sysroot *root, const struct tn_discover_opts *o,
			struct tn_state *s, struct tn_diag *d)
{
	const char **names;
	int n = 0, total, ret = 0;

	while (tn_managed_sysctls[n])
		n++;
	total = n + o->n_extra_sysctls;
	s->sysctls = calloc((size_t)total, sizeof(*s->sysctls));
	names = calloc((size_t)total, sizeof(*names));
	if (!s->sysctls || !names) {
		free(names);
		return tn_diag_error(d, -ENOMEM, "out of memory");
	}
	for (int i = 0; i < total; i++)
		names[i] = i < n ? tn_managed_sysctls[i] : o->extra_sysctls[i - n];
	qsort(names, (size_t)total, sizeof(*names), cmp_name);
	for (int i = 0; i < total && ret == 0; i++) {
		if (i > 0 && strcmp(names[i - 1], names[i]) == 0)
			continue;
		ret = read_one_sysctl(root, names[i], &s->sysctls[s->n_sysctls], d);
		if (ret == 0)
			s->n_sysctls++;
	}
	free(names);
	return ret;
}
