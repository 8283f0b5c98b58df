/* SPDX-License-Identifier: MIT */
/* The process kinds: the CPUs of each thread (process_affinity) and where a
 * process's memory is (process_memory), with the identity check of the pid. */
#include "kind_sys.h"

#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "procid.h"
#include "procparse.h"
#include "util.h"

/* The start time of a process (tid 0) or of one of its threads; -ESRCH when
 * it is gone, or when its stat cannot be read as one (msg says so). */
static int read_start(struct tn_live *l, int pid, int tid, uint64_t *out, struct tn_diag *d)
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
		tn_diag_error(d, 0, "%s: no start time (field 22) in it", rel);
		return -ESRCH;
	}
	return 0;
}

int tn_live_thread_start(struct tn_live *l, int pid, int tid, uint64_t *start)
{
	return read_start(l, pid, tid, start, NULL);
}

/*
 * Is the process (and thread) c->target names the one recorded: the same
 * start time and, when the record has one, the same comm? Anything else is
 * another process that got the pid: -ESRCH, as for one that exited, with msg
 * saying which it is.
 */
static int check_identity(struct tn_live *l, const struct tn_change *c, struct tn_procid *id,
			  struct tn_diag *d)
{
	char rel[64], comm[TN_NAME_MAX];
	uint64_t now;
	int ret;

	if (tn_procid_parse(c->target, id) < 0)
		return -EINVAL;
	if (!id->has_start || (id->tid > 0 && !id->has_tstart)) {
		tn_diag_error(d, 0,
			      "no start time on record for pid %d (no readable stat when it "
			      "was read, or an older journal): it cannot be told from a "
			      "later process with the same pid",
			      id->pid);
		return -ESRCH;
	}
	ret = read_start(l, id->pid, 0, &now, d);
	if (ret < 0)
		return ret;
	if (now != id->start) {
		tn_diag_error(d, 0,
			      "pid %d is another process now (started at %" PRIu64 ", not %" PRIu64
			      ")",
			      id->pid, now, id->start);
		return -ESRCH;
	}
	if (tn_str(c->label)[0]) {
		snprintf(rel, sizeof(rel), "proc/%d/comm", id->pid);
		ret = tn_sysroot_read_line(l->root, rel, comm, sizeof(comm));
		if (ret == -ENOENT)
			return -ESRCH;
		if (ret < 0 && ret != -ENAMETOOLONG)
			return ret;
		if (ret < 0 || strcmp(comm, c->label) != 0) {
			tn_diag_error(d, 0, "pid %d is \"%s\" now, not \"%s\"", id->pid,
				      ret < 0 ? "(too long)" : comm, c->label);
			return -ESRCH;
		}
	}
	if (id->tid > 0 && id->tid != id->pid) {
		ret = read_start(l, id->pid, id->tid, &now, d);
		if (ret < 0)
			return ret;
		if (now != id->tstart) {
			tn_diag_error(d, 0,
				      "thread %d is another thread now (started at %" PRIu64
				      ", not %" PRIu64 ")",
				      id->tid, now, id->tstart);
			return -ESRCH;
		}
	}
	return 0;
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
		tn_cpuset_foreach (cpu, s)
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
		qsort(v, (size_t)cnt, sizeof(int), tn_util_cmp_int);
	*tids = v;
	*n = cnt;
	return 0;
}

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

static int migrate(struct tn_live *l, int pid, const struct tn_cpuset *to, struct tn_diag *d)
{
	/* node masks of 64 nodes: every kernel configuration takes that many */
	unsigned long from_mask = ~0UL, to_mask = (unsigned long)to->w[0];
	long r;

	if (!l->root->is_host) {
		tn_diag_error(d, 0, "memory cannot be moved under --sysroot");
		return -EOPNOTSUPP;
	}
	if (tn_cpuset_last(to) >= 64 || !to_mask) {
		tn_diag_error(d, 0, "only NUMA nodes 0 to 63 are supported for memory moves");
		return -EINVAL;
	}
	r = syscall(SYS_migrate_pages, pid, 65UL, &from_mask, &to_mask);
	if (r < 0)
		return -errno;
	if (r > 0)
		tn_diag_warn(d, "%ld pages could not be moved", r);
	return 0;
}

int tn_live_check(struct tn_live *l, const struct tn_change *c, struct tn_diag *d)
{
	struct tn_procid id;

	if (!tn_live_ops(c)->check)
		return 0;
	return check_identity(l, c, &id, d);
}

static int process_check(struct tn_live *l, const struct tn_change *c, struct tn_diag *d)
{
	struct tn_procid id;

	return check_identity(l, c, &id, d);
}

/* The pid (and tid) of c, checked to be the process recorded when check. */
static int process_id(struct tn_live *l, const struct tn_change *c, bool check,
		      struct tn_procid *id, struct tn_diag *d)
{
	if (check)
		return check_identity(l, c, id, d);
	return tn_procid_parse(c->target, id);
}

static int cpus_read(struct tn_live *l, const struct tn_change *c, bool check, char **out,
		     struct tn_diag *d)
{
	struct tn_procid id;
	struct tn_cpuset set;
	int ret = process_id(l, c, check, &id, d);

	if (ret < 0)
		return ret;
	ret = read_thread_affinity(l, id.pid, id.tid ? id.tid : id.pid, &set);
	if (ret < 0)
		return ret;
	return tn_live_list_value(&set, out);
}

static int cpus_write(struct tn_live *l, const struct tn_change *c, const char *value,
		      struct tn_diag *d)
{
	struct tn_procid id;
	struct tn_cpuset set;
	int ret;

	if (tn_cpuset_parse_list(value, &set) < 0)
		return -EINVAL;
	/* the pid must still be the process recorded, just before the write */
	if ((ret = check_identity(l, c, &id, d)) < 0)
		return ret;
	return write_thread_affinity(l, id.pid, id.tid ? id.tid : id.pid, &set);
}

static int nodes_read(struct tn_live *l, const struct tn_change *c, bool check, char **out,
		      struct tn_diag *d)
{
	struct tn_procid id;
	struct tn_cpuset set;
	int ret = process_id(l, c, check, &id, d);

	if (ret < 0)
		return ret;
	ret = read_memory_nodes(l, id.pid, &set);
	if (ret < 0)
		return ret;
	return tn_live_list_value(&set, out);
}

static int nodes_write(struct tn_live *l, const struct tn_change *c, const char *value,
		       struct tn_diag *d)
{
	struct tn_procid id;
	struct tn_cpuset set;
	int ret;

	if (tn_cpuset_parse_list(value, &set) < 0)
		return -EINVAL;
	if ((ret = check_identity(l, c, &id, d)) < 0)
		return ret;
	return migrate(l, id.pid, &set, d);
}

const struct tn_kind_sys tn_kind_sys_process_cpus = {
	.read = cpus_read,
	.write = cpus_write,
	.check = process_check,
	.gone = "thread",
};

const struct tn_kind_sys tn_kind_sys_process_memory = {
	.read = nodes_read,
	.write = nodes_write,
	.check = process_check,
	.gone = "process",
	.may_exit = true,
};
