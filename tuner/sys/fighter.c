/* SPDX-License-Identifier: MIT */
/* tuner watch: what on this host may undo tuner's work (fighter.h). */
#include "fighter.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "process.h"
#include "safefile.h"

/* A .link file's text, when it is a trusted regular file of bounded size. */
static char *read_linkfile(int dirfd, const char *name)
{
	struct stat st;
	char why[128], *text = NULL;
	size_t len;
	int fd = tn_safefile_open(dirfd, name, O_RDONLY | O_NOFOLLOW, &st);

	if (fd < 0)
		return NULL;
	if (tn_safefile_check_trusted(&st, why, sizeof(why)) < 0 ||
	    tn_safefile_read(fd, TN_LINKFILE_MAX_BYTES, &text, &len) < 0 || memchr(text, 0, len)) {
		free(text);
		text = NULL;
	}
	close(fd);
	return text;
}

/* The first file of dir (sorted) that fights; true when found. */
static bool scan_dir(const struct tn_sysroot *root, const char *dir, const char *ifname,
		     const char *driver, struct tn_fighter_facts *f)
{
	struct dirent **names = NULL;
	bool found = false;
	int n, dirfd = tn_sysroot_openat(root, dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0);

	if (dirfd < 0)
		return false;
	n = scandirat(dirfd, ".", &names, NULL, alphasort);
	for (int i = 0; i < n; i++) {
		size_t len = strlen(names[i]->d_name);
		char *text;

		if (!found && i < TN_LINKFILE_MAX_FILES && len > 5 &&
		    strcmp(names[i]->d_name + len - 5, ".link") == 0 &&
		    (text = read_linkfile(dirfd, names[i]->d_name))) {
			found = tn_linkfile_fights(text, ifname, driver, f->link_file_keys,
						   sizeof(f->link_file_keys));
			if (found)
				snprintf(f->link_file_path, sizeof(f->link_file_path), "/%s/%s",
					 dir, names[i]->d_name);
			free(text);
		}
		free(names[i]);
	}
	free(names);
	close(dirfd);
	return found;
}

static bool tuned_running(const struct tn_sysroot *root)
{
	struct tn_procsel sel;
	struct tn_state s;
	struct tn_diag d;
	bool running = false;

	memset(&s, 0, sizeof(s));
	tn_diag_init(&d);
	if (tn_procsel_init(&sel, TN_SEL_COMM, "tuned", &d) == 0) {
		running = tn_process_scan(root, &sel, 1, &s, &d) == 0 && s.n_processes > 0;
		tn_procsel_free(&sel);
	}
	tn_state_free(&s);
	tn_diag_free(&d);
	return running;
}

void tn_fighter_facts_read(const struct tn_sysroot *root, const struct tn_state *s,
			   const char *ifname, const char *driver, struct tn_fighter_facts *f)
{
	static const char *const dirs[] = TN_LINKFILE_DIRS;

	memset(f, 0, sizeof(*f));
	f->irqbalance = s->irqbalance.running;
	f->irqbalance_pid = s->irqbalance.pid;
	f->tuned = tuned_running(root);
	for (size_t i = 0; ifname[0] && i < sizeof(dirs) / sizeof(*dirs) && !f->link_file; i++)
		f->link_file = scan_dir(root, dirs[i], ifname, driver ? driver : "", f);
}
