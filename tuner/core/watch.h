/* SPDX-License-Identifier: MIT */
/*
 * tuner watch, the pure part: which NIC or process an event concerns, the
 * debounce of a burst of events, which change of a plan a repair covers, the
 * detection of a repair that something keeps undoing (a fight) with its
 * exponential back-off, and the naming of the likely fighter. No I/O: the
 * event sources are in sys/watchsrc.c, the loop in cli/cmd_watch.c. Times are
 * milliseconds of a monotonic clock, given by the caller.
 */
#ifndef TN_WATCH_H
#define TN_WATCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "plan.h"
#include "profile.h"
#include "state.h"

enum tn_wev_kind {
	TN_WEV_LINK,	  /* a link appeared, changed flags (rtnetlink) */
	TN_WEV_LINK_GONE, /* a link was removed (rtnetlink) */
	TN_WEV_ETHTOOL,	  /* channels or rings changed (ethtool monitor) */
	TN_WEV_EXEC,	  /* a process ran a new program (proc connector) */
	TN_WEV_COMM,	  /* a process changed its name (proc connector) */
	TN_WEV_RESCAN,	  /* no proc connector: the periodic rescan is due */
	TN_WEV_LOST,	  /* a socket overflowed: events were lost */
};

struct tn_wevent {
	enum tn_wev_kind kind;
	int ifindex;		    /* link events; 0 when unknown */
	char ifname[TN_IFNAME_MAX]; /* link events; "" when unknown */
	bool up;		    /* TN_WEV_LINK: IFF_UP */
	int pid;		    /* process events */
	char comm[TN_IFNAME_MAX];   /* process events: its comm, "" when unreadable */
};

/* At most this many NICs are named in one repair; more: all NICs. */
#define TN_WATCH_MAX_DIRTY 32

/* What the next repair covers. */
struct tn_watch_dirty {
	int n_nics;
	char nics[TN_WATCH_MAX_DIRTY][TN_IFNAME_MAX];
	bool all_nics;
	bool procs;
	bool rediscover; /* a NIC not in the snapshot: discover everything again */
	bool everything; /* a periodic check (--check-every): every change of the
				 * plan, the host's sysctls and irqbalance included */
	char why[128];	 /* the last NIC or process event's words: "eth1 came up";
				 * "rescan", "events were lost" only without one */
};

void tn_watch_dirty_clear(struct tn_watch_dirty *w);
bool tn_watch_dirty_any(const struct tn_watch_dirty *w);
/* dst covers what src covers too (dst's words are kept when it has some). */
void tn_watch_dirty_merge(struct tn_watch_dirty *dst, const struct tn_watch_dirty *src);

/*
 * Record in w what event e concerns under profile p, s being the last
 * snapshot: a NIC some interface rule matches (by name, index, driver, PCI
 * address; a NIC not in s when a rule could match its name), or a process
 * some process rule could match (its comm; a selector that needs more than
 * the comm is taken as matching; a process whose comm could not be read has
 * exited already and concerns nothing). A NIC of s that a rule matches,
 * removed or renamed (same index) to a name no rule matches, asks for the
 * host to be discovered again (nothing of it to place). Returns true when e
 * concerns something.
 */
bool tn_watch_note_event(const struct tn_state *s, const struct tn_profile *p,
			 const struct tn_wevent *e, struct tn_watch_dirty *w);

/*
 * Whether change c of a plan of s is covered by w, by its kind's scope
 * (kind.h): a change of a dirty NIC (rings, channels, coalescing, its
 * queues' RPS and XPS files) or of an IRQ of a dirty NIC, a process change
 * when processes are dirty. The host's sysctls and irqbalance have no event:
 * covered by a periodic check (w->everything) only.
 */
bool tn_watch_covers(const struct tn_state *s, const struct tn_watch_dirty *w,
		     const struct tn_change *c);

/* The NIC a change is of (a NIC-scoped change, or one of its IRQs), or NULL. */
const struct tn_nic *tn_watch_change_nic(const struct tn_state *s, const struct tn_change *c);
/* How many NICs of s some interface rule of p matches. */
int tn_watch_count_nics(const struct tn_state *s, const struct tn_profile *p);

/*
 * Debounce: drivers bring queues up over tens of ms, a driver load sends a
 * burst of events. The repair runs quiet_ms after the last event, but never
 * later than max_ms after the first.
 */
struct tn_debounce {
	int quiet_ms, max_ms;
	bool armed;
	int64_t first, last;
};

void tn_debounce_init(struct tn_debounce *b, int quiet_ms, int max_ms);
void tn_debounce_kick(struct tn_debounce *b, int64_t now);
/* When the repair is due; -1 when nothing is pending. */
int64_t tn_debounce_deadline(const struct tn_debounce *b);
/* Whether it is due at now; if so, it is disarmed. */
bool tn_debounce_take(struct tn_debounce *b, int64_t now);

/*
 * Fights. Each repaired value is tracked by its id (kind/target/key). A value
 * repaired TN_FIGHT_REPAIRS times within TN_FIGHT_WINDOW_MS is being undone by
 * someone: it is left alone for a back-off that starts at TN_FIGHT_BACKOFF_MS
 * and doubles each time it is undone again after one, to
 * TN_FIGHT_BACKOFF_MAX_MS; the fight is reported once. A value found holding
 * TN_FIGHT_HOLD_MS after its last repair ends the fight.
 */
#define TN_FIGHT_REPAIRS 3
#define TN_FIGHT_WINDOW_MS 30000
#define TN_FIGHT_BACKOFF_MS 5000
#define TN_FIGHT_BACKOFF_MAX_MS (30 * 60 * 1000)
#define TN_FIGHT_HOLD_MS 10000 /* held that long after its last repair: fight over */
/*
 * The values tracked. Beyond TN_FIGHT_MAX the oldest quiet one (not backing
 * off) is reused. None quiet: a value fought is not tracked (tuner keeps
 * repairing it, which costs the others nothing), but a value that failed is,
 * to TN_FIGHT_FAILED_MAX: a failure not backed off would undo every other
 * repair of each check. At that, it takes the place of the value nearest the
 * end of its back-off.
 */
#define TN_FIGHT_MAX 256
#define TN_FIGHT_FAILED_MAX 4096
#define TN_FIGHT_ID_MAX 160

struct tn_fight {
	char id[TN_FIGHT_ID_MAX];
	int n; /* repairs in the current window */
	int64_t window_start;
	int64_t last_repair;
	int64_t backoff_ms; /* 0: not fighting */
	int64_t until;	    /* left alone until then */
	bool reported;
	bool failing; /* backing off because its repair failed, not a fight */
	int fights;   /* back-offs so far */
};

/* Zeroed: empty. */
struct tn_fights {
	int n, cap;
	struct tn_fight *e; /* malloc'ed, n of cap used */
};

/* Forget every value (f stays usable, empty); NULL is fine. */
void tn_fights_clear(struct tn_fights *f);

enum tn_fight_verdict {
	TN_FIGHT_NONE,	  /* repair it */
	TN_FIGHT_STARTED, /* a fight was just found: back off, report it (once) */
	TN_FIGHT_AGAIN,	  /* a fight already reported goes on: back off longer */
};

/* The id of a change: "irq_affinity/38/smp_affinity_list"; process targets
 * without start times, and a thread's change ("PID@START/TID@START", as the
 * journal names it) the id of its process's ("process_affinity/1187/cpus"),
 * as the plan names it: the threads of a process are one value. */
void tn_fight_id(const struct tn_change *c, char *buf, size_t len);
/* Whether id is left alone at now (backing off). */
bool tn_fight_blocked(const struct tn_fights *f, const char *id, int64_t now);
/* A repair of id at now. */
enum tn_fight_verdict tn_fight_repaired(struct tn_fights *f, const char *id, int64_t now);
/* The back-off in force for id (0: none). */
int64_t tn_fight_backoff(const struct tn_fights *f, const char *id);
/* id was found holding its value at now (see above). */
void tn_fight_held(struct tn_fights *f, const char *id, int64_t now);
/*
 * A repair of id failed at now (the kernel refused its value): id is left
 * alone for a back-off as a fight's (TN_FIGHT_BACKOFF_MS, doubling while it
 * keeps failing, to TN_FIGHT_BACKOFF_MAX_MS), so that the repairs of other
 * values, made in the same transaction and undone with it, go on without it.
 * A later repair of id that succeeds starts anew. Returns the back-off (0:
 * not tracked: out of memory).
 */
int64_t tn_fight_failed(struct tn_fights *f, const char *id, int64_t now);

/* What the sys layer found that may undo tuner's work. */
struct tn_fighter_facts {
	bool irqbalance; /* running */
	int irqbalance_pid;
	bool link_file; /* a systemd .link file sets this NIC's channels/rings */
	char link_file_path[128];
	char link_file_keys[96]; /* "CombinedChannels=" ... */
	bool tuned;		 /* the tuned daemon runs */
};

/* "irqbalance (pid 412) is running" and so on; "" facts: "an unknown writer". */
void tn_fighter_describe(const struct tn_fighter_facts *f, char *buf, size_t len);

/*
 * Whether a systemd .link file's text (at most a few KiB, read by the caller)
 * applies to ifname/driver ([Match] OriginalName=, Name= or Driver= globs, or
 * no such key) and sets channels or rings ([Link] *Channels=, *BufferSize=).
 * Those make the driver re-spread its IRQs on every "add" event. keys gets
 * the keys found. Lines longer than the buffer are cut, never overrun.
 */
bool tn_linkfile_fights(const char *text, const char *ifname, const char *driver, char *keys,
			size_t keys_len);

#endif
