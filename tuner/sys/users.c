/* SPDX-License-Identifier: MIT */
#include "users.h"
#include "safefile.h"

#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static void file_name(const struct tn_sysroot *root, char *buf, size_t len)
{
	snprintf(buf, len, "%s%setc/passwd", root->path,
		 root->path[strlen(root->path) - 1] == '/' ? "" : "/");
}

/* The whole file, bounded, after checking what it is and who owns it. */
static int read_passwd(const struct tn_sysroot *root, const char *name, char **out,
		       struct tn_diag *d)
{
	struct stat st;
	char why[160];
	int ret, fd = tn_sysroot_openat(root, "etc/passwd", O_RDONLY | O_NONBLOCK | O_NOCTTY, 0);

	if (fd < 0)
		return tn_diag_error(d, fd, "%s: %s", name, strerror(-fd));
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return tn_diag_error(d, -EINVAL, "%s: not a regular file", name);
	}
	if (tn_safefile_check_trusted(&st, why, sizeof(why)) < 0) {
		close(fd);
		return tn_diag_error(d, -EPERM, "%s: %s: not trusted", name, why);
	}
	ret = tn_safefile_read(fd, TN_PASSWD_MAX_BYTES, out, NULL);
	close(fd);
	if (ret == -EFBIG)
		return tn_diag_error(d, ret, "%s: larger than %d bytes", name, TN_PASSWD_MAX_BYTES);
	if (ret < 0)
		return tn_diag_error(d, ret, "%s: %s", name, strerror(-ret));
	return 0;
}

/* "name:password:uid:..." -> the uid when the name is 'user'; -1 otherwise. */
static int64_t line_uid(const char *line, size_t len, const char *user)
{
	size_t ulen = strlen(user);
	const char *p, *end = line + len;
	int64_t uid = 0;

	if (len <= ulen || strncmp(line, user, ulen) != 0 || line[ulen] != ':')
		return -1;
	p = memchr(line + ulen + 1, ':', (size_t)(end - line - (ptrdiff_t)ulen - 1));
	if (!p || ++p >= end || *p < '0' || *p > '9')
		return -2;
	for (; p < end && *p >= '0' && *p <= '9'; p++) {
		uid = uid * 10 + (*p - '0');
		if (uid >= 4294967295LL)
			return -2;
	}
	return p < end && *p == ':' ? uid : -2;
}

int tn_passwd_find(const char *text, const char *user, int64_t *uid, int *lineno)
{
	int n = 0;

	for (const char *line = text; *line;) {
		const char *nl = strchr(line, '\n');
		size_t len = nl ? (size_t)(nl - line) : strlen(line);
		int64_t v = line_uid(line, len, user);

		n++;
		if (v == -2 || v >= 0) {
			*lineno = n;
			if (v == -2)
				return -EINVAL;
			*uid = v;
			return 0;
		}
		line += len + (nl ? 1 : 0);
	}
	return -ENOENT;
}

int tn_user_lookup(const struct tn_sysroot *root, const char *user, int64_t *uid, struct tn_diag *d)
{
	char name[sizeof(root->path) + 16], *text = NULL;
	int ret, lineno = 0;

	file_name(root, name, sizeof(name));
	ret = read_passwd(root, name, &text, d);
	if (ret < 0)
		return ret;
	ret = tn_passwd_find(text, user, uid, &lineno);
	free(text);
	if (ret == -EINVAL)
		return tn_diag_error(d, ret,
				     "%s:%d: user \"%s\": the uid field is not a number "
				     "below 4294967295",
				     name, lineno, user);
	if (ret == -ENOENT)
		return tn_diag_error(d, ret, "no user \"%s\" in %s", user, name);
	return ret;
}
