/* SPDX-License-Identifier: MIT */
/*
 * Finding and reading profile files. A reference with a '/' is a path; a bare
 * name is looked up only in the profile path ($TUNER_PROFILE_PATH, the
 * checkout's profiles/ for a binary run from its build tree, the installed
 * directory), never in the current directory. Every file read, each of its
 * "extends" chain included, must be a regular file owned by root or the caller
 * and not writable by group or others: tuner runs as root and applies what a
 * profile says.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "safefile.h"
#include "sysroot.h"

#ifndef TN_PROFILE_DIR
#define TN_PROFILE_DIR "/usr/share/tuner/profiles"
#endif

/*
 * Whether this process runs the binary of its build tree: the same file as the
 * one the build wrote (/proc/self/exe is our own executable, not the tuned
 * host's, hence not below --sysroot). An installed copy is another file.
 */
static bool in_build_tree(void)
{
#if defined(TN_BUILD_TREE_EXE) && defined(TN_SOURCE_PROFILE_DIR)
	static int known = -1;
	struct stat self, built;

	if (known < 0)
		known = stat("/proc/self/exe", &self) == 0 &&
			stat(TN_BUILD_TREE_EXE, &built) == 0 && self.st_dev == built.st_dev &&
			self.st_ino == built.st_ino;
	return known == 1;
#else
	return false;
#endif
}

static const char *source_profile_dir(void)
{
#ifdef TN_SOURCE_PROFILE_DIR
	return in_build_tree() ? TN_SOURCE_PROFILE_DIR : NULL;
#else
	return NULL;
#endif
}

/* Open one candidate file: 1 with *fd, 0 when it is not there, -errno when it
 * is there but refused (said in d). In a lookup a directory is not there. */
static int open_candidate(const char *path, bool lookup, int *fd, struct tn_diag *d)
{
	char why[160];
	struct stat st;
	int f = tn_safefile_open(AT_FDCWD, path, O_RDONLY, &st);

	if (f == -ENOENT || (lookup && (f == -EISDIR || f == -ENOTDIR)))
		return 0;
	if (f == -EISDIR)
		return tn_diag_error(d, f, "%s: a directory, not a profile", path);
	if (f == -EINVAL)
		return tn_diag_error(d, f, "%s: %s, not a regular file; refused", path,
				     tn_safefile_type(st.st_mode));
	if (f < 0)
		return tn_diag_error(d, f, "%s: %s", path, strerror(-f));
	if (tn_safefile_check_trusted(&st, why, sizeof(why)) < 0) {
		close(f);
		return tn_diag_error(d, -EPERM,
				     "%s: %s; refused: another user could change what "
				     "tuner applies",
				     path, why);
	}
	*fd = f;
	return 1;
}

/* NAME, then NAME.json, in the directory [dir, dir + dirlen). */
static int find_in(const char *dir, size_t dirlen, const char *name, char *buf, size_t len, int *fd,
		   struct tn_diag *d)
{
	static const char *const suffix[] = { "", ".json" };

	for (int i = 0; i < 2; i++) {
		int n = snprintf(buf, len, "%.*s/%s%s", (int)dirlen, dir, name, suffix[i]);
		int r;

		if (n < 0 || (size_t)n >= len)
			return tn_diag_error(d, -ENAMETOOLONG, "%.*s/%s: path too long",
					     (int)dirlen, dir, name);
		r = open_candidate(buf, true, fd, d);
		if (r != 0)
			return r;
	}
	return 0;
}

/* Each absolute directory of $TUNER_PROFILE_PATH; relative ones are ignored
 * (they would make the current directory part of the path). */
static int find_in_env(const char *name, char *buf, size_t len, int *fd, struct tn_diag *d)
{
	const char *env = getenv("TUNER_PROFILE_PATH");

	for (const char *p = env; p && *p;) {
		const char *colon = strchr(p, ':');
		size_t n = colon ? (size_t)(colon - p) : strlen(p);
		int r = n && p[0] == '/' ? find_in(p, n, name, buf, len, fd, d) : 0;

		if (r != 0)
			return r;
		p = colon ? colon + 1 : p + n;
	}
	return 0;
}

/*
 * Resolve a profile reference: a path (with a '/'; a relative one in an
 * "extends" is relative to the including file), or a name: beside 'from'
 * first (the including file, or NULL), then the profile path. Returns 1 with
 * the path in buf and the open file in *fd, 0 when not found, -errno.
 */
static int resolve(const char *name, const char *from, char *buf, size_t len, int *fd,
		   struct tn_diag *d)
{
	const char *slash = from ? strrchr(from, '/') : NULL;
	const char *src = source_profile_dir();
	int r;

	if (!*name)
		return tn_diag_error(d, -EINVAL, "an empty profile name");
	if (strchr(name, '/')) {
		int n = name[0] != '/' && slash
				? snprintf(buf, len, "%.*s/%s", (int)(slash - from), from, name)
				: snprintf(buf, len, "%s", name);

		if (n < 0 || (size_t)n >= len)
			return tn_diag_error(d, -ENAMETOOLONG, "%s: path too long", name);
		return open_candidate(buf, false, fd, d);
	}
	if (slash && (r = find_in(from, (size_t)(slash - from), name, buf, len, fd, d)) != 0)
		return r;
	if ((r = find_in_env(name, buf, len, fd, d)) != 0)
		return r;
	if (src && (r = find_in(src, strlen(src), name, buf, len, fd, d)) != 0)
		return r;
	return find_in(TN_PROFILE_DIR, strlen(TN_PROFILE_DIR), name, buf, len, fd, d);
}

/* "$TUNER_PROFILE_PATH, /src/profiles (this build tree's) and /usr/share/..." */
static void where(char *buf, size_t len)
{
	const char *src = source_profile_dir();

	snprintf(buf, len, "$TUNER_PROFILE_PATH%s%s%s and %s", src ? ", " : "", src ? src : "",
		 src ? " (this build tree's checkout)" : "", TN_PROFILE_DIR);
}

static char *read_profile(int fd, const char *path, struct tn_diag *d)
{
	char *buf = NULL;

	tn_safefile_read_text(fd, path, TN_PROFILE_MAX_BYTES, "not a profile", &buf, NULL, d);
	close(fd);
	return buf;
}

/*
 * The files one profile is read from, in order (its "extends" chain is one
 * line: each file names one parent): their paths for the caller (files, may
 * be NULL), and which file each is, to tell a cycle whatever the path's
 * spelling ("a.json" extending "./a.json" was read eight times over, then
 * refused as 'nested more than 8 deep').
 */
struct chain_files {
	struct tn_cli_profile_files *files;
	int n;
	struct {
		dev_t dev;
		ino_t ino;
		char path[512];
	} seen[TN_CLI_PROFILE_FILES_MAX];
};

/* Note the open file fd at path; -ELOOP (said in d) when the chain read it
 * already. */
static int note_file(struct chain_files *ch, int fd, const char *path, const char *from,
		     const char *name, struct tn_diag *d)
{
	struct tn_cli_profile_files *files = ch->files;
	struct stat st;

	if (fstat(fd, &st) == 0) {
		for (int i = 0; i < ch->n; i++)
			if (ch->seen[i].dev == st.st_dev && ch->seen[i].ino == st.st_ino)
				return strcmp(path, ch->seen[i].path) == 0
					       ? tn_diag_error(d, -ELOOP,
							       "%s: extends \"%s\": a cycle", from,
							       name)
					       : tn_diag_error(d, -ELOOP,
							       "%s: extends \"%s\": a cycle "
							       "(%s is %s, read before)",
							       from, name, path, ch->seen[i].path);
		if (ch->n < TN_CLI_PROFILE_FILES_MAX) {
			ch->seen[ch->n].dev = st.st_dev;
			ch->seen[ch->n].ino = st.st_ino;
			snprintf(ch->seen[ch->n].path, sizeof(ch->seen[0].path), "%s", path);
			ch->n++;
		}
	}
	if (files && files->n < TN_CLI_PROFILE_FILES_MAX)
		snprintf(files->path[files->n++], sizeof(files->path[0]), "%s", path);
	return 0;
}

/* ctx: the struct chain_files of this profile. */
static char *loader(const char *name, const char *from, char *resolved, size_t resolved_len,
		    void *ctx, struct tn_diag *d)
{
	char dirs[PATH_MAX * 2 + 64];
	int fd, r = resolve(name, from, resolved, resolved_len, &fd, d);

	if (r > 0) {
		if (note_file(ctx, fd, resolved, from, name, d) < 0) {
			close(fd);
			return NULL;
		}
		return read_profile(fd, resolved, d);
	}
	if (r < 0)
		return NULL;
	if (strcmp(name, "default") == 0) {
		snprintf(resolved, resolved_len, "(built-in default)");
		return strdup(tn_default_profile_json);
	}
	if (strchr(name, '/')) {
		tn_diag_error(d, -ENOENT, "%s: extends \"%s\": %s: %s", from, name, resolved,
			      strerror(ENOENT));
		return NULL;
	}
	where(dirs, sizeof(dirs));
	tn_diag_error(d, -ENOENT, "%s: profile \"%s\" not found (looked beside it, in %s)", from,
		      name, dirs);
	return NULL;
}

/* A bare name that was not found: say so, and if the current directory has a
 * file of that name, that it is not read unless named as a path. */
static int not_found(const char *name, struct tn_diag *d)
{
	char dirs[PATH_MAX * 2 + 64], json[PATH_MAX];
	struct stat st;
	const char *here = NULL;

	where(dirs, sizeof(dirs));
	if (fstatat(AT_FDCWD, name, &st, AT_SYMLINK_NOFOLLOW) == 0 && !S_ISDIR(st.st_mode))
		here = name;
	else if (tn_pathf(json, sizeof(json), "%s.json", name) == 0 &&
		 fstatat(AT_FDCWD, json, &st, AT_SYMLINK_NOFOLLOW) == 0 && !S_ISDIR(st.st_mode))
		here = json;
	if (here)
		return tn_diag_error(d, -ENOENT,
				     "profile \"%s\" not found in %s; a name is never read from "
				     "the current directory: give a path to use ./%s",
				     name, dirs, here);
	return tn_diag_error(d, -ENOENT, "profile \"%s\" not found in %s", name, dirs);
}

int tn_cli_load_profile(const char *name, struct tn_profile *out, struct tn_diag *d)
{
	return tn_cli_load_profile_files(name, out, NULL, d);
}

int tn_cli_load_profile_files(const char *name, struct tn_profile *out,
			      struct tn_cli_profile_files *files, struct tn_diag *d)
{
	struct chain_files *ch = calloc(1, sizeof(*ch));
	char path[PATH_MAX];
	char *text = NULL;
	int fd, ret;

	if (files)
		files->n = 0;
	if (!ch)
		return tn_diag_error(d, -ENOMEM, "out of memory");
	ch->files = files;
	if (!name) {
		ret = tn_profile_parse(tn_default_profile_json, "(built-in default)", loader, ch,
				       out, d);
		goto out;
	}
	ret = resolve(name, NULL, path, sizeof(path), &fd, d);
	if (ret == 0 && strcmp(name, "default") == 0)
		ret = tn_profile_parse(tn_default_profile_json, "(built-in default)", loader, ch,
				       out, d);
	else if (ret == 0 && strchr(name, '/'))
		ret = tn_diag_error(d, -ENOENT, "%s: %s", name, strerror(ENOENT));
	else if (ret == 0)
		ret = not_found(name, d);
	if (ret <= 0)
		goto out;
	note_file(ch, fd, path, NULL, NULL, d); /* the first: no cycle yet */
	text = read_profile(fd, path, d);
	ret = text ? tn_profile_parse(text, path, loader, ch, out, d) : -EINVAL;
out:
	free(text);
	free(ch);
	return ret;
}
