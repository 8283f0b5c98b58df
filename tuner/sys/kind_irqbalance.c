/* SPDX-License-Identifier: MIT */
/* The irqbalance kind: whether the daemon runs (systemctl) and which IRQs it
 * leaves alone (its control socket, irqbalance.c). */
#include "kind_sys.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "irqbalance.h"

/* ---- irqbalance ---- */

static int irqbalance_pid(struct tn_live *l)
{
	struct dirent *de;
	DIR *dir;
	int pid = 0;

	if (tn_sysroot_opendir(l->root, "proc", &dir) < 0)
		return 0;
	while (!pid && (de = readdir(dir))) {
		char rel[300], comm[64];

		if (!isdigit((unsigned char)de->d_name[0]))
			continue;
		snprintf(rel, sizeof(rel), "proc/%s/comm", de->d_name);
		if (tn_sysroot_read_line(l->root, rel, comm, sizeof(comm)) == 0 &&
		    strcmp(comm, "irqbalance") == 0)
			pid = atoi(de->d_name);
	}
	closedir(dir);
	return pid;
}

/* IRQ numbers joined by commas, "none" for none: malloc'ed whole. */
static int format_irqs(const int *v, int n, char **out)
{
	size_t k = 0;
	char *s = malloc((size_t)n * 12 + 5);

	if (!s)
		return -ENOMEM;
	strcpy(s, n ? "" : "none");
	for (int i = 0; i < n; i++)
		k += (size_t)sprintf(s + k, "%s%d", i ? "," : "", v[i]);
	*out = s;
	return 0;
}

static int cmp_irq(const void *a, const void *b)
{
	return *(const int *)a - *(const int *)b;
}

static int read_irqbalance(struct tn_live *l, const struct tn_change *c, bool check, char **out,
			   struct tn_diag *d)
{
	int pid = irqbalance_pid(l), *v = NULL, n = 0, ret;
	struct tn_diag last; /* the last try's reason only */

	if (strcmp(c->key, "running") == 0) {
		*out = strdup(pid ? "running" : "stopped");
		return *out ? 0 : -ENOMEM;
	}
	if (!pid)
		return -ESRCH;
	/* At boot tuner runs right after irqbalance starts, which may not have
	 * made its control socket yet: give it up to 3 s while it runs. */
	tn_diag_init(&last);
	for (int tries = 0;; tries++) {
		tn_diag_free(&last);
		ret = tn_irqbalance_get_banned(l->root, pid, &v, &n, &last);
		if (ret != -ENOENT || tries == 30 || irqbalance_pid(l) != pid)
			break;
		usleep(100000);
	}
	if (ret < 0 && last.error[0])
		tn_diag_error(d, ret, "%s", last.error);
	tn_diag_free(&last);
	if (ret < 0)
		return ret;
	if (n > 1)
		qsort(v, (size_t)n, sizeof(int), cmp_irq);
	ret = format_irqs(v, n, out);
	free(v);
	return ret;
}

static int run_systemctl(const char *verb, struct tn_diag *d)
{
	int status;
	pid_t p = fork();

	if (p < 0)
		return -errno;
	if (p == 0) {
		execlp("systemctl", "systemctl", verb, "irqbalance.service", (char *)NULL);
		_exit(127);
	}
	if (waitpid(p, &status, 0) < 0)
		return -errno;
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		tn_diag_error(d, 0, "systemctl %s irqbalance.service failed (status %d)", verb,
			      WIFEXITED(status) ? WEXITSTATUS(status) : -1);
		return -EIO;
	}
	return 0;
}

static int write_irqbalance(struct tn_live *l, const struct tn_change *c, const char *value,
			    struct tn_diag *d)
{
	int pid, *v = NULL, n = 0, ret = 0;
	char *copy, *save = NULL;

	if (strcmp(c->key, "running") == 0) {
		if (!l->root->is_host) {
			tn_diag_error(d, 0, "irqbalance cannot be stopped under --sysroot");
			return -EOPNOTSUPP;
		}
		return run_systemctl(strcmp(value, "stopped") == 0 ? "stop" : "start", d);
	}
	pid = irqbalance_pid(l);
	if (!pid) {
		tn_diag_error(d, 0, "irqbalance is not running");
		return -ESRCH;
	}
	copy = strdup(value);
	if (!copy)
		return -ENOMEM;
	if (strcmp(value, "none") != 0) {
		for (char *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
			int *nv = realloc(v, sizeof(int) * (size_t)(n + 1));

			if (!nv) {
				ret = -ENOMEM;
				break;
			}
			v = nv;
			v[n++] = atoi(t);
		}
	}
	if (ret == 0)
		ret = tn_irqbalance_set_banned(l->root, pid, v, n, d);
	free(v);
	free(copy);
	return ret < 0 ? ret : 0;
}

/* ---- the dispatch ---- */

const struct tn_kind_sys tn_kind_sys_irqbalance = {
	.read = read_irqbalance,
	.write = write_irqbalance,
	.gone = "process",
};
