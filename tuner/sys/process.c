/* SPDX-License-Identifier: MIT */
#include "process.h"
#include "irqbalance.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "procparse.h"

static int parse_pid(const char *name)
{
	long v = 0;

	if (!*name)
		return -1;
	for (const char *p = name; *p; p++) {
		if (!isdigit((unsigned char)*p))
			return -1;
		v = v * 10 + (*p - '0');
		if (v > INT_MAX)
			return -1;
	}
	return v > 0 ? (int)v : -1;
}

/* A NUL-separated file (cmdline, environ) with NULs turned to 'sep'. */
static int read_nul_list(const struct tn_sysroot *root, const char *rel, char sep, char **out)
{
	size_t len = 0;
	char *buf = NULL;
	int ret = tn_sysroot_read(root, rel, &buf, &len);

	if (ret < 0)
		return ret;
	while (len > 0 && buf[len - 1] == '\0')
		len--;
	buf[len] = '\0';
	for (size_t i = 0; i < len; i++)
		if (buf[i] == '\0')
			buf[i] = sep;
	*out = buf;
	return 0;
}

static int read_cgroup(const struct tn_sysroot *root, int pid, char **out)
{
	char rel[64], *text = NULL, *res;
	int ret;

	snprintf(rel, sizeof(rel), "proc/%d/cgroup", pid);
	ret = tn_sysroot_read(root, rel, &text, NULL);
	if (ret < 0)
		return ret;
	/* The unified hierarchy's line is "0::/path". */
	res = NULL;
	for (char *line = text; line && *line;) {
		char *nl = strchr(line, '\n');

		if (nl)
			*nl = '\0';
		if (strncmp(line, "0::", 3) == 0) {
			res = strdup(line + 3);
			break;
		}
		line = nl ? nl + 1 : NULL;
	}
	if (!res)
		res = strdup("");
	free(text);
	if (!res)
		return -ENOMEM;
	*out = res;
	return 0;
}

static int read_affinity(const struct tn_sysroot *root, const char *rel, struct tn_cpuset *out)
{
	char *text = NULL, val[TN_CPULIST_MAX];
	int ret = tn_sysroot_read(root, rel, &text, NULL);

	if (ret < 0)
		return ret;
	ret = tn_status_field(text, "Cpus_allowed_list", val, sizeof(val));
	free(text);
	if (ret < 0)
		return -EINVAL;
	return tn_cpuset_parse_list(val, out);
}

static int read_threads(const struct tn_sysroot *root, struct tn_process *p)
{
	char rel[96];
	struct dirent *de;
	DIR *dir;
	int ret, cap = 0;

	snprintf(rel, sizeof(rel), "proc/%d/task", p->pid);
	ret = tn_sysroot_opendir(root, rel, &dir);
	if (ret < 0)
		return ret == -ENOENT ? -ESRCH : ret;
	while ((de = readdir(dir))) {
		int tid = parse_pid(de->d_name);
		struct tn_thread t = { .tid = tid };

		if (tid < 0)
			continue;
		if (p->n_threads == TN_THREADS_MAX) {
			closedir(dir);
			return -E2BIG; /* a snapshot holds no more (state.h) */
		}
		snprintf(rel, sizeof(rel), "proc/%d/task/%d/status", p->pid, tid);
		if (read_affinity(root, rel, &t.affinity) < 0)
			continue; /* exited meanwhile */
		snprintf(rel, sizeof(rel), "proc/%d/task/%d/comm", p->pid, tid);
		if (tn_sysroot_read_line(root, rel, t.comm, sizeof(t.comm)) < 0)
			t.comm[0] = '\0';
		if (p->n_threads == cap) {
			int ncap = cap ? cap * 2 : 8;
			struct tn_thread *nt = realloc(p->threads, sizeof(*nt) * (size_t)ncap);

			if (!nt) {
				closedir(dir);
				return -ENOMEM;
			}
			p->threads = nt;
			cap = ncap;
		}
		p->threads[p->n_threads++] = t;
	}
	closedir(dir);
	return p->n_threads > 0 ? 0 : -ESRCH;
}

/* The NUMA nodes holding a process's pages: the N<node>= fields of numa_maps. */
static void read_memory_nodes(const struct tn_sysroot *root, struct tn_process *p)
{
	char rel[64], *text = NULL;

	snprintf(rel, sizeof(rel), "proc/%d/numa_maps", p->pid);
	if (tn_sysroot_read(root, rel, &text, NULL) < 0)
		return;
	tn_cpuset_zero(&p->memory_nodes);
	for (const char *q = text; (q = strstr(q, " N")); q += 2) {
		char *end;
		long node = strtol(q + 2, &end, 10);

		if (end != q + 2 && *end == '=' && node >= 0 && node < TN_CPU_MAX)
			tn_cpuset_set(&p->memory_nodes, (int)node);
	}
	p->has_memory_nodes = true;
	free(text);
}

/* The real uid: the first field of "Uid:" in status; TN_UNKNOWN if unreadable. */
static int64_t read_uid(const struct tn_sysroot *root, int pid)
{
	char rel[64], val[128], *text = NULL, *end;
	unsigned long long uid;
	int ret;

	snprintf(rel, sizeof(rel), "proc/%d/status", pid);
	if (tn_sysroot_read(root, rel, &text, NULL) < 0)
		return TN_UNKNOWN;
	ret = tn_status_field(text, "Uid", val, sizeof(val));
	free(text);
	if (ret < 0 || !isdigit((unsigned char)val[0]))
		return TN_UNKNOWN;
	errno = 0;
	uid = strtoull(val, &end, 10);
	if (errno || (*end && *end != '\t' && *end != ' ') || uid >= 4294967295ULL)
		return TN_UNKNOWN;
	return (int64_t)uid;
}

/* Field 22 of /proc/PID/stat. A process whose stat is gone has exited; one
 * whose stat cannot be parsed (a tree without it) has no start time. */
static int read_start_time(const struct tn_sysroot *root, struct tn_process *p)
{
	char rel[64], *text = NULL;
	int ret;

	snprintf(rel, sizeof(rel), "proc/%d/stat", p->pid);
	ret = tn_sysroot_read(root, rel, &text, NULL);
	if (ret == -ENOENT && root->is_host)
		return -ESRCH;
	if (ret == -ENOMEM)
		return ret;
	if (ret == 0 && tn_stat_start_time(text, &p->start_time) == 0)
		p->has_start_time = true;
	free(text);
	return 0;
}

int tn_process_read(const struct tn_sysroot *root, int pid, struct tn_process *out)
{
	struct tn_process p = { .pid = pid, .uid = read_uid(root, pid) };
	char rel[64];
	int ret;

	/* the identity first: what is read after it belongs to that process
	 * or, should the pid be reused meanwhile, is refused at apply */
	ret = read_start_time(root, &p);
	if (ret < 0)
		return ret;
	snprintf(rel, sizeof(rel), "proc/%d/comm", pid);
	ret = tn_sysroot_read_line(root, rel, p.comm, sizeof(p.comm));
	if (ret < 0)
		return ret == -ENOENT ? -ESRCH : ret;
	snprintf(rel, sizeof(rel), "proc/%d/cmdline", pid);
	if (read_nul_list(root, rel, ' ', &p.cmdline) < 0)
		p.cmdline = strdup("");
	if (read_cgroup(root, pid, &p.cgroup) < 0)
		p.cgroup = strdup("");
	if (!p.cmdline || !p.cgroup) {
		tn_process_free(&p);
		return -ENOMEM;
	}
	read_memory_nodes(root, &p);
	ret = read_threads(root, &p);
	if (ret < 0) {
		tn_process_free(&p);
		return ret;
	}
	*out = p;
	return 0;
}

static int add_banned_irq(struct tn_irqbalance *b, int irq)
{
	int *n;

	for (int i = 0; i < b->n_banned_irqs; i++)
		if (b->banned_irqs[i] == irq)
			return 0;
	n = realloc(b->banned_irqs, sizeof(int) * (size_t)(b->n_banned_irqs + 1));

	if (!n)
		return -ENOMEM;
	b->banned_irqs = n;
	b->banned_irqs[b->n_banned_irqs++] = irq;
	return 0;
}

/* Settings irqbalance reads from its environment or /etc/default/irqbalance. */
static void irqbalance_setting(struct tn_irqbalance *b, const char *kv)
{
	struct tn_cpuset set;
	const char *v;

	if (strncmp(kv, "IRQBALANCE_BANNED_CPULIST=", 26) == 0) {
		v = kv + 26;
		if (tn_cpuset_parse_list(v, &set) == 0)
			tn_cpuset_or(&b->banned_cpus, &set);
	} else if (strncmp(kv, "IRQBALANCE_BANNED_CPUS=", 23) == 0) {
		v = kv + 23;
		if (tn_cpuset_parse_mask(v, &set) == 0)
			tn_cpuset_or(&b->banned_cpus, &set);
	}
}

static int irqbalance_args(struct tn_irqbalance *b, char *cmdline)
{
	char *save = NULL;
	bool next_is_irq = false;

	for (char *tok = strtok_r(cmdline, " ", &save); tok; tok = strtok_r(NULL, " ", &save)) {
		const char *v = NULL;

		if (next_is_irq)
			v = tok;
		else if (strncmp(tok, "--banirq=", 9) == 0)
			v = tok + 9;
		else if (strncmp(tok, "-i", 2) == 0 && tok[2])
			v = tok + 2;
		next_is_irq = strcmp(tok, "--banirq") == 0 || strcmp(tok, "-i") == 0;
		if (v) {
			int irq = parse_pid(v);

			if (irq < 0 && strcmp(v, "0") == 0)
				irq = 0;
			if (irq >= 0 && add_banned_irq(b, irq) < 0)
				return -ENOMEM;
		}
	}
	return 0;
}

static int scan_irqbalance(const struct tn_sysroot *root, int pid, struct tn_irqbalance *b)
{
	char rel[64], *text = NULL;
	int ret;

	b->running = true;
	b->pid = pid;
	snprintf(rel, sizeof(rel), "proc/%d/cmdline", pid);
	if (read_nul_list(root, rel, ' ', &text) == 0) {
		ret = irqbalance_args(b, text);
		free(text);
		if (ret < 0)
			return ret;
	}
	snprintf(rel, sizeof(rel), "proc/%d/environ", pid);
	if (read_nul_list(root, rel, '\n', &text) == 0) {
		for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n"))
			irqbalance_setting(b, line);
		free(text);
	}
	/* Debian's defaults file, read by the unit as an EnvironmentFile. */
	if (tn_sysroot_read(root, "etc/default/irqbalance", &text, NULL) == 0) {
		for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n")) {
			while (*line == ' ' || *line == '\t')
				line++;
			if (*line == '#')
				continue;
			/* drop quotes: IRQBALANCE_BANNED_CPULIST="0-1" */
			char *w = line;

			for (char *r = line; *r; r++)
				if (*r != '"' && *r != '\'')
					*w++ = *r;
			*w = '\0';
			irqbalance_setting(b, line);
			if (strncmp(line, "IRQBALANCE_ARGS=", 16) == 0)
				irqbalance_args(b, line + 16);
		}
		free(text);
	}
	/*
	 * The daemon's own answer is the truth when it gives one: it includes the
	 * --banirq arguments and every IRQ banned since through its socket (which
	 * is how tuner bans). No socket: the list above is all we know.
	 */
	int *live = NULL, n = 0;

	if (tn_irqbalance_get_banned(root, pid, &live, &n, NULL) == 0) {
		free(b->banned_irqs);
		b->banned_irqs = live;
		b->n_banned_irqs = n;
	}
	return 0;
}

static int add_process(struct tn_state *s, const struct tn_process *p, int *cap)
{
	if (s->n_processes == *cap) {
		int ncap = *cap ? *cap * 2 : 4;
		struct tn_process *np = realloc(s->processes, sizeof(*np) * (size_t)ncap);

		if (!np)
			return -ENOMEM;
		s->processes = np;
		*cap = ncap;
	}
	s->processes[s->n_processes++] = *p;
	return 0;
}

int tn_process_scan(const struct tn_sysroot *root, const struct tn_procsel *sels, int n_sels,
		    struct tn_state *s, struct tn_diag *d)
{
	bool need_cmdline = false, need_cgroup = false;
	struct dirent *de;
	DIR *dir;
	int ret, cap = 0;

	for (int i = 0; i < n_sels; i++) {
		need_cmdline |= tn_procsel_needs_cmdline(&sels[i]);
		need_cgroup |= tn_procsel_needs_cgroup(&sels[i]);
	}
	ret = tn_sysroot_opendir(root, "proc", &dir);
	if (ret < 0)
		return tn_diag_error(d, ret, "%s/proc: %s", root->is_host ? "" : root->path,
				     strerror(-ret));
	while ((de = readdir(dir))) {
		char comm[TN_NAME_MAX], rel[64], *cmdline = NULL, *cgroup = NULL;
		int pid = parse_pid(de->d_name);
		bool match = false;

		if (pid < 0)
			continue;
		snprintf(rel, sizeof(rel), "proc/%d/comm", pid);
		if (tn_sysroot_read_line(root, rel, comm, sizeof(comm)) < 0)
			continue;
		if (strcmp(comm, "irqbalance") == 0 && !s->irqbalance.running) {
			ret = scan_irqbalance(root, pid, &s->irqbalance);
			if (ret < 0)
				goto out;
		}
		if (n_sels == 0)
			continue;
		if (need_cmdline) {
			snprintf(rel, sizeof(rel), "proc/%d/cmdline", pid);
			if (read_nul_list(root, rel, ' ', &cmdline) < 0)
				continue;
		}
		if (need_cgroup && read_cgroup(root, pid, &cgroup) < 0) {
			free(cmdline);
			continue;
		}
		for (int i = 0; i < n_sels && !match; i++)
			match = tn_procsel_match(&sels[i], pid, comm, cmdline, cgroup);
		free(cmdline);
		free(cgroup);
		if (match) {
			struct tn_process p;

			ret = tn_process_read(root, pid, &p);
			if (ret == -ESRCH || ret == -ENOENT)
				continue; /* exited meanwhile */
			if (ret == -E2BIG) {
				tn_diag_warn(d, "process %d: more than %d threads; left alone", pid,
					     TN_THREADS_MAX);
				continue;
			}
			if (ret < 0) {
				tn_diag_warn(d, "process %d: %s", pid, strerror(-ret));
				continue;
			}
			ret = add_process(s, &p, &cap);
			if (ret < 0) {
				tn_process_free(&p);
				goto out;
			}
		}
	}
	ret = 0;
out:
	closedir(dir);
	if (ret == -ENOMEM)
		return tn_diag_error(d, ret, "out of memory");
	return ret;
}

int tn_process_rescan(const struct tn_sysroot *root, const struct tn_procsel *sels, int n_sels,
		      struct tn_state *s, struct tn_diag *d)
{
	int ret;

	for (int i = 0; i < s->n_processes; i++)
		tn_process_free(&s->processes[i]);
	free(s->processes);
	s->processes = NULL;
	s->n_processes = 0;
	ret = tn_process_scan(root, sels, n_sels, s, d);
	if (ret == 0)
		tn_state_sort(s);
	return ret;
}
