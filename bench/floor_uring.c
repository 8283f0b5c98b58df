/* SPDX-License-Identifier: MIT */
/*
 * What the per-file floor of `tuner-bench --floor` would be if the opens,
 * reads and closes were batched (io_uring: an openat2 in the tree, a read
 * and a close per file, linked, thousands submitted by one system call), and
 * what one system call costs on this machine. Figures only: tuner itself
 * does not use io_uring (see the README's benchmark rounds for why).
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/io_uring.h>
#include <linux/openat2.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "floor_uring.h"

#define BATCH 256 /* files in flight: three entries each */

struct ring {
	int fd;
	unsigned *sq_tail, *sq_mask, *sq_array, *cq_head, *cq_tail, *cq_mask;
	struct io_uring_sqe *sqes;
	struct io_uring_cqe *cqes;
	void *map;
	size_t map_len;
	size_t sqes_len;
};

static double now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

double tn_bench_syscall_us(void)
{
	double best = 1e9;

	for (int r = 0; r < 5; r++) {
		double t0 = now_us();

		for (int i = 0; i < 20000; i++)
			syscall(SYS_getppid);
		if ((now_us() - t0) / 20000 < best)
			best = (now_us() - t0) / 20000;
	}
	return best;
}

static void ring_close(struct ring *q)
{
	if (q->map && q->map != MAP_FAILED)
		munmap(q->map, q->map_len);
	if (q->sqes && (void *)q->sqes != MAP_FAILED)
		munmap(q->sqes, q->sqes_len);
	if (q->fd >= 0)
		close(q->fd);
}

static int ring_open(struct ring *q)
{
	struct io_uring_params p = { 0 };
	int files[BATCH];
	char *m;

	memset(q, 0, sizeof(*q));
	q->fd = (int)syscall(SYS_io_uring_setup, BATCH * 3, &p);
	if (q->fd < 0)
		return -errno;
	if (!(p.features & IORING_FEAT_SINGLE_MMAP)) {
		close(q->fd);
		return -ENOSYS;
	}
	q->map_len = p.sq_off.array + p.sq_entries * sizeof(unsigned);
	if (p.cq_off.cqes + p.cq_entries * sizeof(struct io_uring_cqe) > q->map_len)
		q->map_len = p.cq_off.cqes + p.cq_entries * sizeof(struct io_uring_cqe);
	q->sqes_len = p.sq_entries * sizeof(struct io_uring_sqe);
	m = q->map = mmap(NULL, q->map_len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE,
			  q->fd, IORING_OFF_SQ_RING);
	q->sqes = mmap(NULL, q->sqes_len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE,
		       q->fd, IORING_OFF_SQES);
	if (q->map == MAP_FAILED || (void *)q->sqes == MAP_FAILED) {
		ring_close(q);
		return -ENOMEM;
	}
	q->sq_tail = (unsigned *)(m + p.sq_off.tail);
	q->sq_mask = (unsigned *)(m + p.sq_off.ring_mask);
	q->sq_array = (unsigned *)(m + p.sq_off.array);
	q->cq_head = (unsigned *)(m + p.cq_off.head);
	q->cq_tail = (unsigned *)(m + p.cq_off.tail);
	q->cq_mask = (unsigned *)(m + p.cq_off.ring_mask);
	q->cqes = (struct io_uring_cqe *)(m + p.cq_off.cqes);
	for (int i = 0; i < BATCH; i++)
		files[i] = -1; /* empty slots for the direct descriptors */
	if (syscall(SYS_io_uring_register, q->fd, IORING_REGISTER_FILES, files, BATCH) < 0) {
		int e = -errno;

		ring_close(q);
		return e;
	}
	return 0;
}

static struct io_uring_sqe *sqe(struct ring *q, unsigned *tail, uint8_t op, uint8_t flags)
{
	unsigned i = *tail & *q->sq_mask;
	struct io_uring_sqe *s = &q->sqes[i];

	memset(s, 0, sizeof(*s));
	s->opcode = op;
	s->flags = flags;
	q->sq_array[i] = i;
	(*tail)++;
	return s;
}

/* one batch of m files: 0 when each gave a line, else a negative errno */
static int batch(struct ring *q, int root, char (*paths)[64], int m, const struct open_how *how)
{
	char buf[BATCH][64];
	unsigned tail = *q->sq_tail, head, got = 0;
	int bad = 0;

	for (int i = 0; i < m; i++) {
		struct io_uring_sqe *s;

		/* a hard link: a short read (every read here) would cut a soft one */
		s = sqe(q, &tail, IORING_OP_OPENAT2, IOSQE_IO_HARDLINK | IOSQE_CQE_SKIP_SUCCESS);
		s->fd = root;
		s->addr = (uintptr_t)paths[i];
		s->len = sizeof(*how);
		s->off = (uintptr_t)how;
		s->file_index = (unsigned)i + 1;
		s = sqe(q, &tail, IORING_OP_READ, IOSQE_FIXED_FILE | IOSQE_IO_HARDLINK);
		s->fd = i;
		s->addr = (uintptr_t)buf[i];
		s->len = sizeof(buf[i]);
		s->user_data = 1;
		s = sqe(q, &tail, IORING_OP_CLOSE, IOSQE_CQE_SKIP_SUCCESS);
		s->file_index = (unsigned)i + 1;
		s->user_data = 2;
	}
	__atomic_store_n(q->sq_tail, tail, __ATOMIC_RELEASE);
	if (syscall(SYS_io_uring_enter, q->fd, 3 * m, m, IORING_ENTER_GETEVENTS, NULL, 0) < 0)
		return -errno;
	head = *q->cq_head;
	while (got < (unsigned)m) {
		unsigned t = __atomic_load_n(q->cq_tail, __ATOMIC_ACQUIRE);

		for (; head != t; head++, got++) {
			const struct io_uring_cqe *c = &q->cqes[head & *q->cq_mask];

			if (c->res <= 0 && !bad)
				bad = c->res < 0 ? c->res : -ENODATA;
		}
		__atomic_store_n(q->cq_head, head, __ATOMIC_RELEASE);
		if (got < (unsigned)m &&
		    syscall(SYS_io_uring_enter, q->fd, 0, m - got, IORING_ENTER_GETEVENTS, NULL, 0) < 0)
			return -errno;
	}
	return bad;
}

int tn_bench_floor_uring(const char *root_dir, const int *irqs, int n, int iters, double *ms)
{
	/* as tuner opens a tree's files, but O_CLOEXEC: direct descriptors refuse it */
	struct open_how how = { .flags = O_RDONLY | O_NONBLOCK | O_NOCTTY | O_NOFOLLOW,
				.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS };
	char (*paths)[64] = calloc((size_t)(n ? n : 1), 64);
	int root = open(root_dir, O_PATH | O_DIRECTORY | O_CLOEXEC), ret;
	bool opened;
	struct ring q;

	if (!paths || root < 0) {
		free(paths);
		if (root >= 0)
			close(root);
		return -ENOMEM;
	}
	for (int i = 0; i < n; i++)
		snprintf(paths[i], 64, "proc/irq/%d/smp_affinity_list", irqs[i]);
	ret = ring_open(&q);
	opened = ret == 0;
	for (int it = 0; ret == 0 && it < iters; it++) {
		double t0 = now_us();

		for (int b = 0; ret == 0 && b < n; b += BATCH)
			ret = batch(&q, root, paths + b, n - b < BATCH ? n - b : BATCH, &how);
		ms[it] = (now_us() - t0) / 1e3;
	}
	if (opened)
		ring_close(&q);
	close(root);
	free(paths);
	return ret;
}
