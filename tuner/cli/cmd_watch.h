/* SPDX-License-Identifier: MIT */
/* tuner watch: the loop (cmd_watch.c) and its repairs (watch_repair.c). */
#ifndef TN_CMD_WATCH_H
#define TN_CMD_WATCH_H

#include <stdint.h>
#include <time.h>

#include "cmd_txn.h"
#include "watch.h"
#include "watchsrc.h"

/* A repair runs this long after the last event of a burst, at most this long
 * after its first. */
#define TN_WATCH_QUIET_MS 100
#define TN_WATCH_MAX_DELAY_MS 1000
/* After a repair, what it covered is checked again this long after it (a
 * writer undoing it is found so: no event says an IRQ's affinity changed). */
#define TN_WATCH_RECHECKS         \
	{                         \
		1000, 4000, 15000 \
	}
#define TN_WATCH_N_RECHECKS 3
/* Waiting for the state directory's lock (another apply or rollback): 1 s,
 * then the repair is tried again a second later; said every 10th try. */
#define TN_WATCH_LOCK_WAIT 1
#define TN_WATCH_BUSY_SAY 10
/* In the state directory: held by the one watch that uses it. */
#define TN_WATCH_LOCK_FILE "watch.lock"

struct tn_watch_ctx {
	struct tn_cli *cli;
	struct tn_txn_cli_opts to; /* --profile, --state-dir; the lock's wait */
	const char *prometheus;	   /* --prometheus FILE, or NULL */
	struct tn_sysroot root;
	struct tn_profile prof;
	bool have_prof;
	struct tn_state state; /* the last snapshot */
	bool have_state;
	struct tn_watchsrc *src;
	struct tn_debounce deb;
	struct tn_watch_dirty dirty;   /* what the next repair covers */
	struct tn_watch_dirty recheck; /* what the last repairs covered */
	int recheck_stage;	       /* the next of TN_WATCH_RECHECKS; N: none */
	int64_t recheck_from;	       /* the last repair's time */
	int64_t last_check;	       /* the last repair or recheck's time */
	struct tn_fights *fights;
	long repairs;	     /* transactions made after events */
	long failures;	     /* values backed off because their repair failed */
	int drift;	     /* changes left drifted at the last check */
	time_t last_apply;   /* 0: never */
	int busy;	     /* repairs in a row that found the lock held */
	bool reload_pending; /* a SIGHUP's reload found the lock held: */
	int64_t reload_at;   /* tried again then */
	int watch_lock;	     /* fd of TN_WATCH_LOCK_FILE, locked; -1 */
	int keep_journals;   /* --keep-journals: the repairs' journals kept; 0: all */
	int64_t check_ms;    /* --check-every, in ms; 0: no periodic check */
	int64_t next_check;  /* when the next periodic check is due */
	char (*kept)[64];    /* the ids of those kept, oldest first */
	int n_kept;
};

/* --keep-journals: the default and the most */
#define TN_WATCH_KEEP_JOURNALS 100
#define TN_WATCH_KEEP_JOURNALS_MAX 1000000
/* --check-every: at most a day */
#define TN_WATCH_CHECK_EVERY_MAX 86400

int64_t tn_watch_now_ms(void);
/* The whole profile applied (at start, after SIGHUP). 0, or -errno (said). */
int tn_watch_apply_all(struct tn_watch_ctx *w, struct tn_profile *prof);
/* What w->dirty (or, for a recheck, w->recheck) covers, repaired. 0 or -errno (said). */
int tn_watch_repair(struct tn_watch_ctx *w, const struct tn_watch_dirty *dirty, bool recheck);
/* The --prometheus textfile, written atomically (errors said, not fatal). */
void tn_watch_prometheus(struct tn_watch_ctx *w);
/* "watching 3 NICs, 2 processes; 5 repairs" */
void tn_watch_status(const struct tn_watch_ctx *w, char *buf, size_t len);

#endif
