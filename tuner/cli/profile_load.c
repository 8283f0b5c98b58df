/* SPDX-License-Identifier: MIT */
/* Finding and reading profile files: by path, or by name in the profile path. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"

#ifndef TN_PROFILE_DIR
#define TN_PROFILE_DIR "/usr/share/tuner/profiles"
#endif

static char *read_file(const char *path, struct tn_diag *d)
{
	struct stat st;
	FILE *f = fopen(path, "re");
	char *buf;
	size_t n;

	if (!f) {
		tn_diag_error(d, -errno, "%s: %s", path, strerror(errno));
		return NULL;
	}
	if (fstat(fileno(f), &st) < 0 || S_ISDIR(st.st_mode)) {
		fclose(f);
		tn_diag_error(d, -EISDIR, "%s: a directory, not a profile", path);
		return NULL;
	}
	/* Read one byte more than allowed, so that pipes are bounded too. */
	buf = malloc(TN_PROFILE_MAX_BYTES + 2);
	if (!buf) {
		fclose(f);
		tn_diag_error(d, -ENOMEM, "out of memory");
		return NULL;
	}
	n = fread(buf, 1, TN_PROFILE_MAX_BYTES + 1, f);
	if (n > TN_PROFILE_MAX_BYTES) {
		free(buf);
		fclose(f);
		tn_diag_error(d, -EFBIG, "%s: larger than %d bytes; not a profile", path,
			      TN_PROFILE_MAX_BYTES);
		return NULL;
	}
	if (ferror(f)) {
		free(buf);
		fclose(f);
		tn_diag_error(d, -EIO, "%s: read error", path);
		return NULL;
	}
	fclose(f);
	buf[n] = '\0';
	if (strlen(buf) != n) {
		free(buf);
		tn_diag_error(d, -EINVAL, "%s: contains a NUL byte; not a profile", path);
		return NULL;
	}
	return buf;
}

static bool is_file(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && !S_ISDIR(st.st_mode);
}

/* Find NAME (or NAME.json) in dir; returns true with the path in buf. */
static bool find_in(const char *dir, size_t dirlen, const char *name, char *buf, size_t len)
{
	if ((size_t)snprintf(buf, len, "%.*s/%s", (int)dirlen, dir, name) < len && is_file(buf))
		return true;
	if ((size_t)snprintf(buf, len, "%.*s/%s.json", (int)dirlen, dir, name) < len &&
	    is_file(buf))
		return true;
	return false;
}

/* Resolve a profile reference: a path, or a name in $TUNER_PROFILE_PATH and
 * the installed profile directory. 'from' (a file name or NULL) adds its
 * directory first. Returns true with the path in buf. */
static bool resolve(const char *name, const char *from, char *buf, size_t len)
{
	const char *env = getenv("TUNER_PROFILE_PATH");

	if (strchr(name, '/'))
		return snprintf(buf, len, "%s", name) < (int)len && is_file(buf);
	if (from && strchr(from, '/')) {
		const char *slash = strrchr(from, '/');

		if (find_in(from, (size_t)(slash - from), name, buf, len))
			return true;
	}
	if (!from && is_file(name))
		return snprintf(buf, len, "%s", name) < (int)len;
	for (const char *p = env; p && *p;) {
		const char *colon = strchr(p, ':');
		size_t n = colon ? (size_t)(colon - p) : strlen(p);

		if (n && find_in(p, n, name, buf, len))
			return true;
		p = colon ? colon + 1 : p + n;
	}
	return find_in(TN_PROFILE_DIR, strlen(TN_PROFILE_DIR), name, buf, len);
}

static char *loader(const char *name, const char *from, char *resolved, size_t resolved_len,
		    void *ctx, struct tn_diag *d)
{
	if (resolve(name, from, resolved, resolved_len))
		return read_file(resolved, d);
	if (strcmp(name, "default") == 0) {
		snprintf(resolved, resolved_len, "(built-in default)");
		return strdup(tn_default_profile_json);
	}
	tn_diag_error(d, -ENOENT, "%s: profile \"%s\" not found (looked beside it, in "
				  "$TUNER_PROFILE_PATH and in %s)",
		      from, name, TN_PROFILE_DIR);
	return NULL;
}

int tn_cli_load_profile(const char *name, struct tn_profile *out, struct tn_diag *d)
{
	char path[PATH_MAX];
	char *text;
	int ret;

	if (!name || (strcmp(name, "default") == 0 && !resolve(name, NULL, path, sizeof(path))))
		return tn_profile_parse(tn_default_profile_json, "(built-in default)", loader, NULL,
					out, d);
	if (!resolve(name, NULL, path, sizeof(path))) {
		if (strchr(name, '/') || strstr(name, ".json"))
			return tn_diag_error(d, -ENOENT, "%s: %s", name, strerror(ENOENT));
		return tn_diag_error(d, -ENOENT,
				     "profile \"%s\" not found (not a file; not in "
				     "$TUNER_PROFILE_PATH or %s)",
				     name, TN_PROFILE_DIR);
	}
	text = read_file(path, d);
	if (!text)
		return -EINVAL;
	ret = tn_profile_parse(text, path, loader, NULL, out, d);
	free(text);
	return ret;
}
