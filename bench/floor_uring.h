/* SPDX-License-Identifier: MIT */
#ifndef TUNER_BENCH_FLOOR_URING_H
#define TUNER_BENCH_FLOOR_URING_H

/* the cost of one system call here (getppid), in microseconds */
double tn_bench_syscall_us(void);

/*
 * Read proc/irq/N/smp_affinity_list of the n IRQs below root_dir iters times
 * through io_uring (batched opens, reads and closes); ms[i] is each run's
 * time. 0, or a negative errno (io_uring unavailable, a file not read).
 */
int tn_bench_floor_uring(const char *root_dir, const int *irqs, int n, int iters, double *ms);

#endif
