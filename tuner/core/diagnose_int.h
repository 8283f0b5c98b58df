/* SPDX-License-Identifier: MIT */
/*
 * Internal to diagnose*.c: the context of one comparison and the helpers the
 * stages share. diagnose.c holds the softnet and socket stages and the
 * ordering, diagnose_nic.c the driver table and the NIC stages.
 */
#ifndef TN_DIAGNOSE_INT_H
#define TN_DIAGNOSE_INT_H

#include "diagnose.h"

struct dctx {
	const struct tn_sample *a, *b;
	const struct tn_state *s;
	const struct tn_profile *prof;
	struct tn_diagnosis *out;
	struct tn_diag *d;
	int cap;
	int64_t usecs_cap;	   /* netdev_budget_usecs: recommend at most this */
	struct tn_cpuset squeezed; /* CPUs whose time_squeeze grew */
	struct tn_cpuset targets;  /* CPUs the --process targets may run on */
};

/* Counts of hostile samples never wrap: they stop at UINT64_MAX. */
static inline uint64_t sat_add(uint64_t a, uint64_t b)
{
	return a > UINT64_MAX - b ? UINT64_MAX : a + b;
}

/* Append to a NUL-terminated buffer; what does not fit whole is left out,
 * and " ..." says so (once). */
void tn_diagnose_appendf(char *buf, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* A new, zeroed finding of stage st at the end of c->out; NULL: out of memory. */
struct tn_finding *tn_diagnose_new_finding(struct dctx *c, enum tn_stage st);
void tn_diagnose_set_rate(struct dctx *c, struct tn_finding *f, uint64_t count);
/* A CPU list as text: "none", or "(N CPUs, ...)" when it does not fit. */
void tn_diagnose_cpus_text(const struct tn_cpuset *s, char *buf, size_t len);
/* The NIC stages: ring (with the queues that dropped), port, allowance, rx_dropped. */
int tn_diagnose_nics(struct dctx *c);
/* The socket stages (diagnose_sock.c): TCP pruning, listen overflows, UDP. */
int tn_diagnose_sockets(struct dctx *c);
/* A numeric sysctl of the snapshot: 1 to 3 fields; 0 when not present or not numeric. */
int tn_diagnose_sysctl_fields(const struct tn_state *s, const char *name, int64_t *f);
/* Twice cur, at least floor_, at most cap. */
int64_t tn_diagnose_twice_capped(int64_t cur, int64_t floor_, int64_t cap);
/* Raise a one-field sysctl to tn_diagnose_twice_capped() of it (its value into
 * *cur_out); false (no knob) when it is unknown or already there. */
bool tn_diagnose_knob_sysctl(struct tn_finding *f, const struct tn_state *s, const char *name,
			     int64_t floor_, int64_t cap, int64_t *cur_out);

#endif
