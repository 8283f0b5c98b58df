/* SPDX-License-Identifier: MIT */
/*
 * Benchmarks of discovery + JSON output and of planning, on a sysroot tree
 * (bench/run.sh builds the hosts). Prints figures; asserts nothing (targets
 * are checked by reading the figures).
 *
 *   tuner-bench SYSROOT TOPOLOGY.xml [ITERATIONS]
 *   tuner-bench --run N COMMAND [ARG...]
 *   tuner-bench --floor SYSROOT TOPOLOGY.xml [ITERATIONS]
 *
 * --run runs COMMAND N times, each a whole process with its output to
 * /dev/null, and prints "wall_ms cpu_ms peak_rss_kib exit" (medians of wall
 * and CPU time, the largest peak RSS): from this small process, a fork copies
 * little, so the peak is the command's own (a Python parent's would count).
 *
 * --floor prints what reading each NIC IRQ's smp_affinity_list costs alone,
 * through tuner's own reader (tn_sysroot_read_line): the current values a
 * plan diffs against and an apply reads before and after each write, the
 * part of their time no change to tuner's own code removes. Then what one
 * system call costs here, and the same files read through io_uring in
 * batches (bench/floor_uring.c): what batching the opens would leave.
 */
#include <fcntl.h>
#include <malloc.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "discover.h"
#include "floor_uring.h"
#include "plan.h"
#include "counters_read.h"
#include "profile.h"
#include "state_json.h"
#include "sysroot.h"

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static void report(const char *what, double *t, int n)
{
	qsort(t, (size_t)n, sizeof(double), cmp_double);
	printf("%-34s median %7.2f ms   min %7.2f ms   max %7.2f ms   (%d runs)\n", what,
	       t[n / 2], t[0], t[n - 1], n);
}

static int discover(const char *root_dir, const char *xml, bool plan_only, struct tn_state *s)
{
	struct tn_discover_opts o = { .topology_xml = xml, .plan_only = plan_only };
	struct tn_sysroot root;
	struct tn_diag d;
	int ret;

	if (tn_sysroot_open(root_dir, &root) < 0)
		return -1;
	tn_diag_init(&d);
	ret = tn_discover(&root, &o, s, &d);
	if (ret < 0)
		fprintf(stderr, "discovery: %s\n", d.error);
	tn_diag_free(&d);
	tn_sysroot_close(&root);
	return ret;
}

/* discovery + JSON text, as `tuner show --json` does */
static size_t show_json(const char *root_dir, const char *xml)
{
	struct tn_state s;
	cJSON *j;
	char *text;
	size_t n;

	if (discover(root_dir, xml, false, &s) < 0)
		exit(1);
	j = tn_state_to_json(&s);
	text = cJSON_Print(j);
	n = strlen(text);
	free(text);
	cJSON_Delete(j);
	tn_state_free(&s);
	return n;
}

/* One run of argv: wall and CPU time in ms, peak RSS in KiB; returns the exit status. */
static int run_once(char **argv, double *wall, double *cpu, long *rss)
{
	struct rusage ru;
	double t0 = now_ms();
	int status;
	pid_t pid = fork();

	if (pid < 0)
		return -1;
	if (pid == 0) {
		int fd = open("/dev/null", O_WRONLY);

		if (fd >= 0) {
			dup2(fd, 1);
			dup2(fd, 2);
		}
		execv(argv[0], argv);
		_exit(127);
	}
	if (wait4(pid, &status, 0, &ru) < 0)
		return -1;
	*wall = now_ms() - t0;
	*cpu = ru.ru_utime.tv_sec * 1e3 + ru.ru_utime.tv_usec / 1e3 + ru.ru_stime.tv_sec * 1e3 +
	       ru.ru_stime.tv_usec / 1e3;
	*rss = ru.ru_maxrss;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

static int run_mode(int n, char **argv)
{
	double *wall = calloc((size_t)n, sizeof(double)), *cpu = calloc((size_t)n, sizeof(double));
	long rss = 0, r;
	int rc = 0;

	if (!wall || !cpu || n < 1)
		return 64;
	for (int i = 0; i < n; i++) {
		rc = run_once(argv, &wall[i], &cpu[i], &r);
		if (rc < 0)
			return 1;
		if (r > rss)
			rss = r;
	}
	qsort(wall, (size_t)n, sizeof(double), cmp_double);
	qsort(cpu, (size_t)n, sizeof(double), cmp_double);
	printf("%.2f %.2f %ld %d\n", wall[n / 2], cpu[n / 2], rss, rc);
	free(wall);
	free(cpu);
	return 0;
}

/* Bytes in use from malloc: the arena's and the large blocks it mmaps. */
static size_t heap_used(void)
{
	struct mallinfo2 m = mallinfo2();

	return m.uordblks + m.hblkhd;
}

/* discovery + JSON, and the peak RSS of one show --json in a fresh process */
static void bench_show(char **argv, double *t, int iters)
{
	struct rusage ru;
	size_t bytes = 0;
	int status;
	pid_t pid = fork();

	if (pid == 0) {
		show_json(argv[1], argv[2]);
		_exit(0);
	}
	waitpid(pid, &status, 0);
	getrusage(RUSAGE_CHILDREN, &ru);
	for (int i = 0; i < iters; i++) {
		double t0 = now_ms();

		bytes = show_json(argv[1], argv[2]);
		t[i] = now_ms() - t0;
	}
	printf("show --json: %zu bytes of JSON\n", bytes);
	report("discovery + show --json", t, iters);
	printf("%-34s %ld KiB (one show --json in a fresh process)\n", "peak RSS", ru.ru_maxrss);
}

static double cpu_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* Discovery as plan and apply run it (no counts, names from sys/kernel/irq),
 * and what the snapshot holds per NIC IRQ on the heap. */
static int bench_discover(char **argv, double *t, int iters, struct tn_state *s)
{
	size_t before;
	double c0 = cpu_ms();
	int irqs = 0;

	for (int i = 0; i < iters; i++) {
		struct tn_state x;
		double t0 = now_ms();

		if (discover(argv[1], argv[2], true, &x) < 0)
			return -1;
		t[i] = now_ms() - t0;
		tn_state_free(&x);
	}
	printf("%-34s %.2f ms of CPU per run (mean of %d)\n", "discovery for plan/apply",
	       (cpu_ms() - c0) / iters, iters);
	before = heap_used();
	if (discover(argv[1], argv[2], true, s) < 0)
		return -1;
	for (int i = 0; i < s->n_nics; i++)
		irqs += s->nics[i].n_irqs;
	printf("host: %d CPUs, %d NUMA nodes, %d NICs, %d NIC IRQs\n",
	       tn_cpuset_count(&s->topo.cpus), s->topo.n_nodes, s->n_nics, irqs);
	report("discovery for plan/apply", t, iters);
	printf("%-34s %zu bytes per NIC IRQ (the whole snapshot on the heap)\n", "snapshot",
	       irqs ? (heap_used() - before) / (size_t)irqs : 0);
	return 0;
}

static int bench_plan(const struct tn_state *s, double *t, int iters)
{
	struct tn_profile prof;
	struct tn_diag d;

	tn_diag_init(&d);
	if (tn_profile_parse(tn_default_profile_json, "default", NULL, NULL, &prof, &d) < 0) {
		fprintf(stderr, "%s\n", d.error);
		tn_diag_free(&d);
		return -1;
	}
	for (int i = 0; i < iters; i++) {
		struct tn_plan plan;
		struct tn_diag pd;
		size_t before = heap_used();
		double t0 = now_ms();

		tn_diag_init(&pd);
		if (tn_plan_compute(s, &prof, &plan, &pd) < 0) {
			fprintf(stderr, "plan: %s\n", pd.error);
			return -1;
		}
		t[i] = now_ms() - t0;
		if (i == 0)
			printf("plan: %d changes, %zu bytes each on the heap\n", plan.n,
			       plan.n ? (heap_used() - before) / (size_t)plan.n : 0);
		tn_plan_free(&plan);
		tn_diag_free(&pd);
	}
	report("plan (default profile)", t, iters);
	tn_profile_free(&prof);
	tn_diag_free(&d);
	return 0;
}

/* diagnose: one counter sample (softnet_stat, netstat, snmp, snmp6, each NIC's
 * link statistics, RPS masks, the interfaces), snapshot excluded */
static int bench_counters(const char *root_dir, struct tn_state *s, double *t, int iters)
{
	struct tn_counters_opts co = { 0 };
	struct tn_sysroot root;

	if (tn_sysroot_open(root_dir, &root) < 0)
		return -1;
	for (int i = 0; i < iters; i++) {
		struct tn_sample smp;
		struct tn_diag cd;
		double t0 = now_ms();

		tn_diag_init(&cd);
		if (tn_counters_read(&root, s, &co, &smp, &cd) < 0) {
			fprintf(stderr, "counters: %s\n", cd.error);
			tn_sysroot_close(&root);
			return -1;
		}
		t[i] = now_ms() - t0;
		tn_sample_free(&smp);
		tn_diag_free(&cd);
	}
	tn_sysroot_close(&root);
	report("diagnose: one counter sample", t, iters);
	return 0;
}

/* the same files through io_uring, batched; and what one system call costs */
static void floor_batched(const char *root_dir, const struct tn_state *s, int iters, double *t)
{
	int n = 0, *irqs, ret;

	for (int i = 0; i < s->n_nics; i++)
		n += s->nics[i].n_irqs;
	if (!(irqs = calloc((size_t)(n ? n : 1), sizeof(int))))
		return;
	n = 0;
	for (int i = 0; i < s->n_nics; i++)
		for (int k = 0; k < s->nics[i].n_irqs; k++)
			irqs[n++] = s->nics[i].irqs[k].irq;
	printf("one system call (getppid): %.2f us\n", tn_bench_syscall_us());
	ret = tn_bench_floor_uring(root_dir, irqs, n, iters, t);
	if (ret < 0) {
		printf("floor batched (io_uring): not measured: %s\n", strerror(-ret));
	} else {
		qsort(t, (size_t)iters, sizeof(double), cmp_double);
		printf("floor batched (io_uring, 256 files a submit): median %.2f ms, "
		       "%.2f us a file (%d runs)\n", t[iters / 2],
		       n ? t[iters / 2] * 1000 / n : 0.0, iters);
	}
	free(irqs);
}

static int floor_mode(int argc, char **argv)
{
	int iters = argc > 4 ? atoi(argv[4]) : 20, files = 0;
	struct tn_sysroot root;
	struct tn_state s;
	double *t;

	if (argc < 4 || iters < 1 || !(t = calloc((size_t)iters, sizeof(double))))
		return 64;
	if (discover(argv[2], argv[3], true, &s) < 0 || tn_sysroot_open(argv[2], &root) < 0) {
		free(t);
		return 1;
	}
	for (int i = 0; i < iters; i++) {
		double t0 = now_ms();

		files = 0;
		for (int n = 0; n < s.n_nics; n++) {
			for (int k = 0; k < s.nics[n].n_irqs; k++) {
				char rel[64], buf[TN_CPULIST_MAX];

				snprintf(rel, sizeof(rel), "proc/irq/%d/smp_affinity_list",
					 s.nics[n].irqs[k].irq);
				if (tn_sysroot_read_line(&root, rel, buf, sizeof(buf)) == 0)
					files++;
			}
		}
		t[i] = now_ms() - t0;
	}
	qsort(t, (size_t)iters, sizeof(double), cmp_double);
	printf("floor: the %d NIC IRQs' smp_affinity_list read alone: median %.2f ms, "
	       "%.2f us a file (%d runs)\n", files, t[iters / 2],
	       files ? t[iters / 2] * 1000 / files : 0.0, iters);
	floor_batched(argv[2], &s, iters, t);
	tn_sysroot_close(&root);
	tn_state_free(&s);
	free(t);
	return 0;
}

int main(int argc, char **argv)
{
	int iters = argc > 3 ? atoi(argv[3]) : 20, ret;
	double *t;
	struct tn_state s;

	if (argc > 3 && strcmp(argv[1], "--run") == 0)
		return run_mode(atoi(argv[2]), argv + 3);
	if (argc > 1 && strcmp(argv[1], "--floor") == 0)
		return floor_mode(argc, argv);
	if (argc < 3 || iters < 1) {
		fprintf(stderr, "usage: %s SYSROOT TOPOLOGY.xml [ITERATIONS]\n"
				"       %s --run N COMMAND [ARG...]\n"
				"       %s --floor SYSROOT TOPOLOGY.xml [ITERATIONS]\n",
			argv[0], argv[0], argv[0]);
		return 64;
	}
	t = calloc((size_t)iters, sizeof(double));
	if (!t)
		return 1;
	bench_show(argv, t, iters);
	ret = bench_discover(argv, t, iters, &s);
	if (ret == 0) {
		ret = bench_plan(&s, t, iters);
		if (ret == 0)
			ret = bench_counters(argv[1], &s, t, iters);
		tn_state_free(&s);
	}
	free(t);
	return ret < 0 ? 1 : 0;
}
