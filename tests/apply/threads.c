/* SPDX-License-Identifier: MIT */
/*
 * A target process for tests/apply/pin_process.sh: nothing but threads that
 * sleep, so a test can pin them and look at each one's affinity.
 *
 *   threads N [LIFETIME [DELAY]]
 *
 * Starts N threads besides the main one and prints its pid (one line,
 * flushed) once all are running. Then:
 *   SIGUSR1      starts one more thread (prints "started TID");
 *   SIGUSR2      stops the newest running thread and waits for it (prints
 *                "stopped TID");
 *   DELAY > 0    one more thread is started after DELAY seconds, as SIGUSR1;
 *   LIFETIME     exits by itself after that many seconds (default 60), so a
 *                test that dies never leaves it behind for long.
 * SIGTERM and SIGINT end it at once, as usual.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define MAX_THREADS 64

struct worker {
	pthread_t th;
	atomic_int stop;
	atomic_int tid;
	int running;
};

static struct worker workers[MAX_THREADS];
static int n_workers;

static void *work(void *arg)
{
	struct worker *w = arg;
	struct timespec ts = { 0, 20 * 1000 * 1000 };

	atomic_store(&w->tid, (int)syscall(SYS_gettid));
	while (!atomic_load(&w->stop))
		nanosleep(&ts, NULL);
	return NULL;
}

static int start_one(void)
{
	struct worker *w;
	struct timespec ts = { 0, 1000 * 1000 };
	int err;

	if (n_workers == MAX_THREADS) {
		fprintf(stderr, "threads: at most %d threads\n", MAX_THREADS);
		return -1;
	}
	w = &workers[n_workers];
	atomic_store(&w->stop, 0);
	atomic_store(&w->tid, 0);
	err = pthread_create(&w->th, NULL, work, w);
	if (err) {
		fprintf(stderr, "threads: pthread_create: %d\n", err);
		return -1;
	}
	w->running = 1;
	n_workers++;
	/* running means it has a tid: it shows in /proc/PID/task */
	while (!atomic_load(&w->tid))
		nanosleep(&ts, NULL);
	return atomic_load(&w->tid);
}

static void stop_newest(void)
{
	for (int i = n_workers - 1; i >= 0; i--) {
		if (!workers[i].running)
			continue;
		atomic_store(&workers[i].stop, 1);
		pthread_join(workers[i].th, NULL);
		workers[i].running = 0;
		printf("stopped %d\n", atomic_load(&workers[i].tid));
		fflush(stdout);
		return;
	}
	printf("stopped none\n");
	fflush(stdout);
}

static long parse_arg(const char *s, long lo, long hi, const char *what)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || *end || end == s || v < lo || v > hi) {
		fprintf(stderr, "threads: %s: \"%s\" is not a number from %ld to %ld\n", what, s,
			lo, hi);
		exit(64);
	}
	return v;
}

int main(int argc, char **argv)
{
	long n, lifetime = 60, delay = 0;
	struct timespec start, now;
	sigset_t set;

	if (argc < 2 || argc > 4) {
		fprintf(stderr, "usage: threads N [LIFETIME [DELAY]]\n");
		return 64;
	}
	n = parse_arg(argv[1], 0, MAX_THREADS - 1, "N");
	if (argc > 2)
		lifetime = parse_arg(argv[2], 1, 3600, "LIFETIME");
	if (argc > 3)
		delay = parse_arg(argv[3], 0, 3600, "DELAY");

	/* every thread inherits this mask: only the main thread takes them */
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	sigaddset(&set, SIGUSR2);
	if (pthread_sigmask(SIG_BLOCK, &set, NULL) != 0) {
		perror("threads: pthread_sigmask");
		return 1;
	}
	for (long i = 0; i < n; i++)
		if (start_one() < 0)
			return 1;
	printf("%d\n", (int)getpid());
	fflush(stdout);

	clock_gettime(CLOCK_MONOTONIC, &start);
	for (;;) {
		struct timespec ts = { 0, 100 * 1000 * 1000 };
		long elapsed;
		int sig;

		sig = sigtimedwait(&set, NULL, &ts);
		if (sig == SIGUSR1) {
			int tid = start_one();

			if (tid < 0)
				return 1;
			printf("started %d\n", tid);
			fflush(stdout);
		} else if (sig == SIGUSR2) {
			stop_newest();
		}
		clock_gettime(CLOCK_MONOTONIC, &now);
		elapsed = (long)(now.tv_sec - start.tv_sec);
		if (delay > 0 && elapsed >= delay) {
			int tid = start_one();

			delay = 0;
			if (tid < 0)
				return 1;
			printf("started %d\n", tid);
			fflush(stdout);
		}
		if (elapsed >= lifetime)
			break;
	}
	/* exit() ends every thread */
	return 0;
}
