/* SPDX-License-Identifier: MIT */
#include "netns.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <linux/nsfs.h>

#include "safefile.h"

bool tn_netns_spec_is_pid(const char *spec)
{
	if (!spec[0])
		return false;
	for (const char *p = spec; *p; p++)
		if (*p < '0' || *p > '9')
			return false;
	return true;
}

/* An 'ip netns' name: one path component of printable bytes. */
static const char *bad_name(const char *name)
{
	size_t len = strlen(name);

	if (len == 0)
		return "an empty name";
	if (len >= TN_NETNS_NAME_MAX)
		return "longer than 63 bytes";
	if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0 || strchr(name, '/'))
		return "not a name ('/', '.' and '..' are not allowed)";
	for (const char *p = name; *p; p++)
		if ((unsigned char)*p < 0x21 || *p == 0x7f)
			return "a control byte or a space in it";
	return NULL;
}

static int open_named(const char *name, struct tn_diag *d)
{
	char why[160];
	const char *bad = bad_name(name);
	struct stat st;
	int dfd, fd;

	if (bad)
		return tn_diag_error(d, -EINVAL, "--netns: '%s': %s", name, bad);
	dfd = open(TN_NETNS_DIR, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
	if (dfd < 0)
		return tn_diag_error(d, -errno,
				     "%s: %s (no namespace was added with 'ip netns add')",
				     TN_NETNS_DIR, strerror(errno));
	if (fstat(dfd, &st) < 0 || tn_safefile_check_trusted(&st, why, sizeof(why)) < 0) {
		close(dfd);
		return tn_diag_error(d, -EPERM,
				     "%s: %s; refused: another user could put a "
				     "namespace of their choosing there",
				     TN_NETNS_DIR, why);
	}
	fd = tn_safefile_open(dfd, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW, &st);
	close(dfd);
	if (fd == -ENOENT)
		return tn_diag_error(d, fd,
				     "%s/%s: no such network namespace ('ip netns list' "
				     "names them)",
				     TN_NETNS_DIR, name);
	if (fd < 0)
		return tn_diag_error(d, fd, "%s/%s: %s", TN_NETNS_DIR, name,
				     fd == -ELOOP		      ? "a symlink, not followed"
				     : fd == -EINVAL || fd == -EISDIR ? tn_safefile_type(st.st_mode)
								      : strerror(-fd));
	if (tn_safefile_check_trusted(&st, why, sizeof(why)) < 0) {
		close(fd);
		return tn_diag_error(d, -EPERM, "%s/%s: %s; refused", TN_NETNS_DIR, name, why);
	}
	return fd;
}

static int open_pid(const char *spec, long *pid, struct tn_diag *d)
{
	char path[64];
	char *end;
	int fd;

	errno = 0;
	*pid = strtol(spec, &end, 10);
	if (*end || errno || *pid < 1 || *pid > INT_MAX)
		return tn_diag_error(d, -EINVAL, "--netns: '%.20s': not a process id", spec);
	snprintf(path, sizeof(path), "/proc/%ld/ns/net", *pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return tn_diag_error(d, -errno, "%s: %s", path,
				     errno == ENOENT ? "no such process" : strerror(errno));
	return fd;
}

static bool same_file(int a, int b)
{
	struct stat sa, sb;

	return fstat(a, &sa) == 0 && fstat(b, &sb) == 0 && sa.st_dev == sb.st_dev &&
	       sa.st_ino == sb.st_ino;
}

int tn_netns_open(const char *spec, struct tn_netns *out, struct tn_diag *d)
{
	bool pid = tn_netns_spec_is_pid(spec);
	long pidv = 0;
	int fd = pid ? open_pid(spec, &pidv, d) : open_named(spec, d);
	int type, own;

	if (fd < 0)
		return fd;
	type = ioctl(fd, NS_GET_NSTYPE);
	if (type != CLONE_NEWNET) {
		const char *why = type < 0 ? "not a namespace file"
					   : "a namespace of another kind, not a network one";

		close(fd);
		if (pid)
			return tn_diag_error(d, -EINVAL, "/proc/%ld/ns/net: %s", pidv, why);
		return tn_diag_error(d, -EINVAL, "%s/%s: %s", TN_NETNS_DIR, spec, why);
	}
	own = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
	if (own < 0) {
		int e = errno;

		close(fd);
		return tn_diag_error(d, -e, "/proc/thread-self/ns/net: %s", strerror(e));
	}
	out->is_own = same_file(fd, own);
	close(own);
	out->fd = fd;
	if (pid)
		snprintf(out->label, sizeof(out->label), "pid:%ld", pidv);
	else
		snprintf(out->label, sizeof(out->label), "%s", spec); /* < 64 bytes */
	return 0;
}

void tn_netns_close(struct tn_netns *ns)
{
	if (ns->fd >= 0)
		close(ns->fd);
	ns->fd = -1;
}

int tn_netns_enter(const struct tn_netns *ns, int *saved, struct tn_diag *d)
{
	int own = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);

	if (own < 0)
		return tn_diag_error(d, -errno, "/proc/thread-self/ns/net: %s", strerror(errno));
	if (setns(ns->fd, CLONE_NEWNET) < 0) {
		int e = errno;

		close(own);
		return tn_diag_error(d, -e, "--netns %s: entering it: %s%s", ns->label, strerror(e),
				     e == EPERM ? " (it takes CAP_SYS_ADMIN: run as root)" : "");
	}
	*saved = own;
	return 0;
}

int tn_netns_leave(int saved, struct tn_diag *d)
{
	int ret = 0;

	if (setns(saved, CLONE_NEWNET) < 0)
		ret = tn_diag_error(d, -errno, "returning to tuner's own network namespace: %s",
				    strerror(errno));
	close(saved);
	return ret;
}
