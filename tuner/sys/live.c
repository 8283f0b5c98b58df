/* SPDX-License-Identifier: MIT */
#include "live.h"

#include <ctype.h>
#include <stdarg.h>
#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "discover.h"
#include "ethtool.h"
#include "irqbalance.h"
#include "procid.h"
#include "procparse.h"

struct tn_live {
	const struct tn_sysroot *root;
	struct tn_ethtool *et;	/* opened on first use */
};

int tn_live_open(const struct tn_sysroot *root, struct tn_live **out)
{
	struct tn_live *l = calloc(1, sizeof(*l));

	if (!l)
		return -ENOMEM;
	l->root = root;
	*out = l;
	return 0;
}

void tn_live_close(struct tn_live *l)
{
	if (!l)
		return;
	tn_ethtool_close(l->et);
	free(l);
}

static void set_msg(char *msg, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void set_msg(char *msg, size_t len, const char *fmt, ...)
{
	va_list ap;

	if (!msg || !len)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, len, fmt, ap);
	va_end(ap);
}

/* A CPU set as a value: the canonical list, malloc'ed. */
static int list_value(const struct tn_cpuset *s, char **out)
{
	char *v = tn_cpuset_list_alloc(s);

	if (!v)
		return -ENOMEM;
	*out = v;
	return 0;
}

static int canon_list(const char *in, char **out)
{
	struct tn_cpuset s;
	int ret = tn_cpuset_parse_list(in, &s);

	if (ret < 0)
		return ret;
	return list_value(&s, out);
}

static int ethtool(struct tn_live *l, char *msg, size_t msglen)
{
	int ret;

	if (!l->root->is_host) {
		set_msg(msg, msglen, "ring and channel sizes are not reachable under --sysroot");
		return -EOPNOTSUPP;
	}
	if (l->et)
		return 0;
	ret = tn_ethtool_open(&l->et);
	if (ret < 0)
		set_msg(msg, msglen, "ethtool netlink: %s", strerror(-ret));
	return ret;
}

/* ---- processes ---- */

/* The start time of a process (tid 0) or of one of its threads; -ESRCH when
 * it is gone, or when its stat cannot be read as one (msg says so). */
static int read_start(struct tn_live *l, int pid, int tid, uint64_t *out, char *msg,
		      size_t msglen)
{
	char rel[96], *text = NULL;
	int ret;

	if (tid > 0)
		ret = tn_pathf(rel, sizeof(rel), "proc/%d/task/%d/stat", pid, tid);
	else
		ret = tn_pathf(rel, sizeof(rel), "proc/%d/stat", pid);
	if (ret < 0)
		return ret;
	ret = tn_sysroot_read(l->root, rel, &text, NULL);
	if (ret < 0)
		return ret == -ENOENT ? -ESRCH : ret;
	ret = tn_stat_start_time(text, out);
	free(text);
	if (ret < 0) {
		set_msg(msg, msglen, "%s: no start time (field 22) in it", rel);
		return -ESRCH;
	}
	return 0;
}

int tn_live_thread_start(struct tn_live *l, int pid, int tid, uint64_t *start)
{
	return read_start(l, pid, tid, start, NULL, 0);
}

/*
 * Is the process (and thread) c->target names the one recorded: the same
 * start time and, when the record has one, the same comm? Anything else is
 * another process that got the pid: -ESRCH, as for one that exited, with msg
 * saying which it is.
 */
static int check_identity(struct tn_live *l, const struct tn_change *c, struct tn_procid *id,
			  char *msg, size_t msglen)
{
	char rel[64], comm[TN_NAME_MAX];
	uint64_t now;
	int ret;

	if (tn_procid_parse(c->target, id) < 0)
		return -EINVAL;
	if (!id->has_start || (id->tid > 0 && !id->has_tstart)) {
		set_msg(msg, msglen, "no start time on record for pid %d (no readable stat when it "
				     "was read, or an older journal): it cannot be told from a "
				     "later process with the same pid",
			id->pid);
		return -ESRCH;
	}
	ret = read_start(l, id->pid, 0, &now, msg, msglen);
	if (ret < 0)
		return ret;
	if (now != id->start) {
		set_msg(msg, msglen, "pid %d is another process now (started at %" PRIu64
				     ", not %" PRIu64 ")",
			id->pid, now, id->start);
		return -ESRCH;
	}
	if (c->label[0]) {
		snprintf(rel, sizeof(rel), "proc/%d/comm", id->pid);
		ret = tn_sysroot_read_line(l->root, rel, comm, sizeof(comm));
		if (ret == -ENOENT)
			return -ESRCH;
		if (ret < 0 && ret != -ENAMETOOLONG)
			return ret;
		if (ret < 0 || strcmp(comm, c->label) != 0) {
			set_msg(msg, msglen, "pid %d is \"%s\" now, not \"%s\"", id->pid,
				ret < 0 ? "(too long)" : comm, c->label);
			return -ESRCH;
		}
	}
	if (id->tid > 0 && id->tid != id->pid) {
		ret = read_start(l, id->pid, id->tid, &now, msg, msglen);
		if (ret < 0)
			return ret;
		if (now != id->tstart) {
			set_msg(msg, msglen, "thread %d is another thread now (started at %" PRIu64
					     ", not %" PRIu64 ")",
				id->tid, now, id->tstart);
			return -ESRCH;
		}
	}
	return 0;
}

int tn_live_check(struct tn_live *l, const struct tn_change *c, char *msg, size_t msglen)
{
	struct tn_procid id;

	set_msg(msg, msglen, "%s", "");
	if (c->kind != TN_CHANGE_PROCESS_AFFINITY && c->kind != TN_CHANGE_PROCESS_MEMORY)
		return 0;
	return check_identity(l, c, &id, msg, msglen);
}

static int status_rel(int pid, int tid, char *rel, size_t len)
{
	return tn_pathf(rel, len, "proc/%d/task/%d/status", pid, tid);
}

static int read_thread_affinity(struct tn_live *l, int pid, int tid, struct tn_cpuset *out)
{
	char rel[96], *text = NULL, val[TN_CPULIST_MAX];
	int ret;

	if (l->root->is_host) {
		cpu_set_t *set = CPU_ALLOC(TN_CPU_MAX);
		size_t size = CPU_ALLOC_SIZE(TN_CPU_MAX);

		if (!set)
			return -ENOMEM;
		/* the thread must belong to pid: its task entry must exist */
		status_rel(pid, tid, rel, sizeof(rel));
		if (!tn_sysroot_exists(l->root, rel)) {
			CPU_FREE(set);
			return -ESRCH;
		}
		if (sched_getaffinity(tid, size, set) < 0) {
			ret = -errno;
			CPU_FREE(set);
			return ret;
		}
		tn_cpuset_zero(out);
		for (int c = 0; c < TN_CPU_MAX; c++)
			if (CPU_ISSET_S(c, size, set))
				tn_cpuset_set(out, c);
		CPU_FREE(set);
		return 0;
	}
	status_rel(pid, tid, rel, sizeof(rel));
	ret = tn_sysroot_read(l->root, rel, &text, NULL);
	if (ret < 0)
		return ret == -ENOENT ? -ESRCH : ret;
	ret = tn_status_field(text, "Cpus_allowed_list", val, sizeof(val));
	free(text);
	if (ret < 0)
		return -EINVAL;
	return tn_cpuset_parse_list(val, out);
}

/* Rewrite a hex mask keeping the layout of the old one (its group count and
 * the width of its first group), as the kernel prints it for this machine. */
static void mask_like(const char *old, const struct tn_cpuset *s, char *out, size_t len)
{
	int groups = 1, first = 0;
	size_t n = 0;

	for (const char *p = old; *p && *p != '\n'; p++) {
		if (*p == ',')
			groups++;
		else if (groups == 1)
			first++;
	}
	/* a mask has at most one group per 32 CPUs, whatever a tree says */
	if (groups > TN_CPUSET_WORDS * 2)
		groups = TN_CPUSET_WORDS * 2;
	if (first < 1 || first > 8)
		first = 8;
	/* no kernel prints more groups than TN_CPU_MAX CPUs take; the set has no more */
	if (groups > TN_CPUSET_WORDS * 2)
		groups = TN_CPUSET_WORDS * 2;
	for (int g = groups - 1; g >= 0; g--) {
		uint32_t v = (uint32_t)(s->w[g / 2] >> ((g % 2) * 32));

		if (g == groups - 1)
			n += (size_t)snprintf(out + n, len - n, "%0*x", first, v);
		else
			n += (size_t)snprintf(out + n, len - n, ",%08x", v);
		if (n >= len)
			break;
	}
}

/*
 * In a tree, a thread's affinity is its status file's Cpus_allowed lines.
 * The new text is built in a stream that grows as needed: a status file may
 * be empty, or hold any number of such lines.
 */
static int rewrite_status(struct tn_live *l, const char *rel, const struct tn_cpuset *s)
{
	char *text = NULL, *out = NULL, list[TN_CPULIST_MAX], mask[TN_CPULIST_MAX];
	size_t outlen = 0;
	FILE *f;
	int ret = tn_sysroot_read(l->root, rel, &text, NULL);

	if (ret < 0)
		return ret == -ENOENT ? -ESRCH : ret;
	tn_cpuset_format_list(s, list, sizeof(list));
	f = open_memstream(&out, &outlen);
	if (!f) {
		free(text);
		return -ENOMEM;
	}
	for (char *line = text; *line;) {
		char *nl = strchr(line, '\n');
		size_t ll = nl ? (size_t)(nl - line) : strlen(line);

		if (strncmp(line, "Cpus_allowed:", 13) == 0) {
			const char *v = line + 13;

			while (*v == '\t' || *v == ' ')
				v++;
			mask_like(v, s, mask, sizeof(mask));
			fprintf(f, "Cpus_allowed:\t%s\n", mask);
		} else if (strncmp(line, "Cpus_allowed_list:", 18) == 0) {
			fprintf(f, "Cpus_allowed_list:\t%s\n", list);
		} else {
			fwrite(line, 1, ll + (nl ? 1 : 0), f);
		}
		line = nl ? nl + 1 : line + ll;
	}
	free(text);
	ret = ferror(f) ? -ENOMEM : 0;
	if (fclose(f) != 0 && ret == 0)
		ret = -ENOMEM;
	if (ret == 0)
		ret = tn_sysroot_write(l->root, rel, out);
	free(out);
	return ret;
}

static int write_thread_affinity(struct tn_live *l, int pid, int tid, const struct tn_cpuset *s)
{
	char rel[96];
	int ret, cpu;

	if (l->root->is_host) {
		cpu_set_t *set = CPU_ALLOC(TN_CPU_MAX);
		size_t size = CPU_ALLOC_SIZE(TN_CPU_MAX);

		if (!set)
			return -ENOMEM;
		CPU_ZERO_S(size, set);
		tn_cpuset_foreach(cpu, s)
			CPU_SET_S(cpu, size, set);
		ret = sched_setaffinity(tid, size, set) < 0 ? -errno : 0;
		CPU_FREE(set);
		return ret;
	}
	status_rel(pid, tid, rel, sizeof(rel));
	ret = rewrite_status(l, rel, s);
	if (ret == 0 && pid == tid) {
		/* /proc/PID/status shows the main thread */
		tn_pathf(rel, sizeof(rel), "proc/%d/status", pid);
		if (tn_sysroot_exists(l->root, rel))
			ret = rewrite_status(l, rel, s);
	}
	return ret;
}

static int cmp_int(const void *a, const void *b)
{
	return *(const int *)a - *(const int *)b;
}

int tn_live_threads(struct tn_live *l, int pid, int **tids, int *n)
{
	char rel[64];
	struct dirent *de;
	DIR *dir;
	int *v = NULL, cnt = 0, cap = 0, ret;

	snprintf(rel, sizeof(rel), "proc/%d/task", pid);
	ret = tn_sysroot_opendir(l->root, rel, &dir);
	if (ret < 0)
		return ret == -ENOENT ? -ESRCH : ret;
	while ((de = readdir(dir))) {
		char *end;
		long tid = strtol(de->d_name, &end, 10);

		if (*end || end == de->d_name || tid <= 0)
			continue;
		if (cnt == cap) {
			int *nv = realloc(v, sizeof(int) * (size_t)(cap ? cap * 2 : 16));

			if (!nv) {
				free(v);
				closedir(dir);
				return -ENOMEM;
			}
			v = nv;
			cap = cap ? cap * 2 : 16;
		}
		v[cnt++] = (int)tid;
	}
	closedir(dir);
	if (v)
		qsort(v, (size_t)cnt, sizeof(int), cmp_int);
	*tids = v;
	*n = cnt;
	return 0;
}

/* ---- memory ---- */

static int read_memory_nodes(struct tn_live *l, int pid, struct tn_cpuset *out)
{
	char rel[64], *text = NULL;
	int ret;

	snprintf(rel, sizeof(rel), "proc/%d/numa_maps", pid);
	ret = tn_sysroot_read(l->root, rel, &text, NULL);
	if (ret < 0)
		return ret == -ENOENT ? -ESRCH : ret;
	tn_cpuset_zero(out);
	for (const char *q = text; (q = strstr(q, " N")); q += 2) {
		char *end;
		long node = strtol(q + 2, &end, 10);

		if (end != q + 2 && *end == '=' && node >= 0 && node < TN_CPU_MAX)
			tn_cpuset_set(out, (int)node);
	}
	free(text);
	return 0;
}

static int migrate(struct tn_live *l, int pid, const struct tn_cpuset *to, char *msg, size_t msglen)
{
	/* node masks of 64 nodes: every kernel configuration takes that many */
	unsigned long from_mask = ~0UL, to_mask = (unsigned long)to->w[0];
	long r;

	if (!l->root->is_host) {
		set_msg(msg, msglen, "memory cannot be moved under --sysroot");
		return -EOPNOTSUPP;
	}
	if (tn_cpuset_last(to) >= 64 || !to_mask) {
		set_msg(msg, msglen, "only NUMA nodes 0 to 63 are supported for memory moves");
		return -EINVAL;
	}
	r = syscall(SYS_migrate_pages, pid, 65UL, &from_mask, &to_mask);
	if (r < 0)
		return -errno;
	if (r > 0)
		set_msg(msg, msglen, "%ld pages could not be moved", r);
	return 0;
}

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

static int read_irqbalance(struct tn_live *l, const struct tn_change *c, char **out, char *msg,
			   size_t msglen)
{
	int pid = irqbalance_pid(l), *v = NULL, n = 0, ret;

	if (strcmp(c->key, "running") == 0) {
		*out = strdup(pid ? "running" : "stopped");
		return *out ? 0 : -ENOMEM;
	}
	if (!pid)
		return -ESRCH;
	/* At boot tuner runs right after irqbalance starts, which may not have
	 * made its control socket yet: give it up to 3 s while it runs. */
	for (int tries = 0;; tries++) {
		ret = tn_irqbalance_get_banned(l->root, pid, &v, &n, msg, msglen);
		if (ret != -ENOENT || tries == 30 || irqbalance_pid(l) != pid)
			break;
		usleep(100000);
	}
	if (ret < 0)
		return ret;
	if (n > 1)
		qsort(v, (size_t)n, sizeof(int), cmp_int);
	ret = format_irqs(v, n, out);
	free(v);
	return ret;
}

static int run_systemctl(const char *verb, char *msg, size_t msglen)
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
		set_msg(msg, msglen, "systemctl %s irqbalance.service failed (status %d)", verb,
			WIFEXITED(status) ? WEXITSTATUS(status) : -1);
		return -EIO;
	}
	return 0;
}

static int write_irqbalance(struct tn_live *l, const struct tn_change *c, const char *value,
			    char *msg, size_t msglen)
{
	int pid, *v = NULL, n = 0, ret = 0;
	char *copy, *save = NULL;

	if (strcmp(c->key, "running") == 0) {
		if (!l->root->is_host) {
			set_msg(msg, msglen, "irqbalance cannot be stopped under --sysroot");
			return -EOPNOTSUPP;
		}
		return run_systemctl(strcmp(value, "stopped") == 0 ? "stop" : "start", msg, msglen);
	}
	pid = irqbalance_pid(l);
	if (!pid) {
		set_msg(msg, msglen, "irqbalance is not running");
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
		ret = tn_irqbalance_set_banned(l->root, pid, v, n, msg, msglen);
	free(v);
	free(copy);
	return ret < 0 ? ret : 0;
}

/* ---- the dispatch ---- */

static int live_read(struct tn_live *l, const struct tn_change *c, bool check, char **out,
		     char *msg, size_t msglen);

int tn_live_read(struct tn_live *l, const struct tn_change *c, char **out, char *msg,
		 size_t msglen)
{
	return live_read(l, c, true, out, msg, msglen);
}

int tn_live_readback(struct tn_live *l, const struct tn_change *c, char **out, char *msg,
		     size_t msglen)
{
	return live_read(l, c, false, out, msg, msglen);
}

static int live_read(struct tn_live *l, const struct tn_change *c, bool check, char **out,
		     char *msg, size_t msglen)
{
	char rel[256], buf[TN_CPULIST_MAX];
	struct tn_procid id;
	struct tn_cpuset set;
	int ret;

	set_msg(msg, msglen, "%s", "");
	switch (c->kind) {
	case TN_CHANGE_SYSCTL: {
		struct tn_sysctl sc;

		ret = tn_sysctl_read(l->root, c->target, &sc);
		if (ret < 0)
			return ret;
		if (!sc.present)
			return -ENOENT;
		*out = sc.value; /* ours now */
		return 0;
	}
	case TN_CHANGE_IRQ_AFFINITY:
		if (tn_pathf(rel, sizeof(rel), "proc/irq/%d/smp_affinity_list", atoi(c->target)) < 0)
			return -EINVAL;
		ret = tn_sysroot_read_line(l->root, rel, buf, sizeof(buf));
		if (ret < 0)
			return ret;
		return canon_list(buf, out);
	case TN_CHANGE_RING:
	case TN_CHANGE_CHANNELS: {
		struct tn_ring r;
		struct tn_channels ch;
		int64_t v;

		if ((ret = ethtool(l, msg, msglen)) < 0)
			return ret;
		if (c->kind == TN_CHANGE_RING) {
			ret = tn_ethtool_get_rings(l->et, c->target, &r, msg, msglen);
			v = strcmp(c->key, "rx") == 0 ? r.rx : r.tx;
		} else {
			ret = tn_ethtool_get_channels(l->et, c->target, &ch, msg, msglen);
			v = ch.combined;
		}
		if (ret < 0)
			return ret;
		return asprintf(out, "%lld", (long long)v) < 0 ? -ENOMEM : 0;
	}
	case TN_CHANGE_PROCESS_AFFINITY:
		if (check)
			ret = check_identity(l, c, &id, msg, msglen);
		else
			ret = tn_procid_parse(c->target, &id);
		if (ret < 0)
			return ret;
		ret = read_thread_affinity(l, id.pid, id.tid ? id.tid : id.pid, &set);
		if (ret < 0)
			return ret;
		return list_value(&set, out);
	case TN_CHANGE_PROCESS_MEMORY:
		if (check)
			ret = check_identity(l, c, &id, msg, msglen);
		else
			ret = tn_procid_parse(c->target, &id);
		if (ret < 0)
			return ret;
		ret = read_memory_nodes(l, id.pid, &set);
		if (ret < 0)
			return ret;
		return list_value(&set, out);
	case TN_CHANGE_IRQBALANCE:
		return read_irqbalance(l, c, out, msg, msglen);
	default:
		return -EINVAL;
	}
}

/* Write value and a newline, the whole value; sysctl fields separated by tabs. */
static int write_line(struct tn_live *l, const char *rel, const char *value, bool tabs)
{
	size_t n = strlen(value);
	char *buf = malloc(n + 2);
	int ret;

	if (!buf)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++)
		buf[i] = tabs && value[i] == ' ' ? '\t' : value[i];
	buf[n] = '\n';
	buf[n + 1] = '\0';
	ret = tn_sysroot_write(l->root, rel, buf);
	free(buf);
	return ret;
}

int tn_live_write(struct tn_live *l, const struct tn_change *c, const char *value, char *msg,
		  size_t msglen)
{
	char rel[256];
	struct tn_procid id;
	struct tn_cpuset set;
	int ret;

	set_msg(msg, msglen, "%s", "");
	switch (c->kind) {
	case TN_CHANGE_SYSCTL:
		if ((ret = tn_sysctl_path(c->target, rel, sizeof(rel))) < 0)
			return ret;
		/* the kernel prints fields separated by tabs: write them so */
		return write_line(l, rel, value, true);
	case TN_CHANGE_IRQ_AFFINITY:
		if (tn_pathf(rel, sizeof(rel), "proc/irq/%d/smp_affinity_list", atoi(c->target)) < 0)
			return -EINVAL;
		return write_line(l, rel, value, false);
	case TN_CHANGE_RING:
	case TN_CHANGE_CHANNELS: {
		int64_t v = strtoll(value, NULL, 10);

		if ((ret = ethtool(l, msg, msglen)) < 0)
			return ret;
		if (c->kind == TN_CHANGE_CHANNELS)
			return tn_ethtool_set_channels(l->et, c->target, v, TN_UNKNOWN, TN_UNKNOWN,
						       msg, msglen);
		if (strcmp(c->key, "rx") == 0)
			return tn_ethtool_set_rings(l->et, c->target, v, TN_UNKNOWN, msg, msglen);
		return tn_ethtool_set_rings(l->et, c->target, TN_UNKNOWN, v, msg, msglen);
	}
	case TN_CHANGE_PROCESS_AFFINITY:
		if (tn_cpuset_parse_list(value, &set) < 0)
			return -EINVAL;
		/* the pid must still be the process recorded, just before the write */
		if ((ret = check_identity(l, c, &id, msg, msglen)) < 0)
			return ret;
		return write_thread_affinity(l, id.pid, id.tid ? id.tid : id.pid, &set);
	case TN_CHANGE_PROCESS_MEMORY:
		if (tn_cpuset_parse_list(value, &set) < 0)
			return -EINVAL;
		if ((ret = check_identity(l, c, &id, msg, msglen)) < 0)
			return ret;
		return migrate(l, id.pid, &set, msg, msglen);
	case TN_CHANGE_IRQBALANCE:
		return write_irqbalance(l, c, value, msg, msglen);
	default:
		return -EINVAL;
	}
}
