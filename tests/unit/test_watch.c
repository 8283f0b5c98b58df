/* SPDX-License-Identifier: MIT */
/*
 * tuner watch, the pure part: events to affected NICs and processes on the
 * golden snapshot of a fixture, the debounce driven by a fake event source (a
 * script of timed events), the plan filter, fights and their back-off, the
 * likely fighter and .link files.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "plan.h"
#include "state_json.h"
#include "watch.h"
#include "unit_util.h"

/* eth1 (igb) and anything named ens*: IRQs on node 0; redis-server opposite. */
static const char profile_text[] =
	"{\"name\": \"w\", \"interfaces\": ["
	"{\"match\": {\"name\": \"eth1\"}, \"irq\": {\"cpus\": \"local\"}},"
	"{\"match\": {\"name\": \"ens*\"}, \"irq\": {\"cpus\": \"local\"}}],"
	"\"processes\": [{\"match\": {\"comm\": \"redis-server\"}, \"placement\": \"opposite\"}]}";

static void load_profile(struct tn_profile *p)
{
	struct tn_diag d;

	tn_diag_init(&d);
	if (tn_profile_parse(profile_text, "w.json", NULL, NULL, p, &d) < 0)
		fail_msg("%s", d.error);
	tn_diag_free(&d);
}

static struct tn_wevent link_ev(const char *name, int ifindex, bool up)
{
	struct tn_wevent e = { .kind = TN_WEV_LINK, .ifindex = ifindex, .up = up };

	snprintf(e.ifname, sizeof(e.ifname), "%s", name);
	return e;
}

static void test_event_mapping(void **unused)
{
	struct tn_state s;
	struct tn_profile p;
	struct tn_watch_dirty w;
	struct tn_wevent e;

	(void)unused;
	tn_test_load_golden("24em64t", &s);
	load_profile(&p);
	tn_watch_dirty_clear(&w);
	/* eth0 and eth2 are not the profile's */
	e = link_ev("eth0", 2, true);
	assert_false(tn_watch_note_event(&s, &p, &e, &w));
	e = link_ev("", 4, true); /* by index only: eth2 */
	assert_false(tn_watch_note_event(&s, &p, &e, &w));
	assert_false(tn_watch_dirty_any(&w));
	/* eth1 by index only (an ethtool notification with the index) */
	e = link_ev("", 3, true);
	e.kind = TN_WEV_ETHTOOL;
	assert_true(tn_watch_note_event(&s, &p, &e, &w));
	assert_int_equal(w.n_nics, 1);
	assert_string_equal(w.nics[0], "eth1");
	assert_false(w.rediscover);
	assert_string_equal(w.why, "eth1 changed channels or rings");
	/* the same NIC again is one entry; the last event's words (a flap: down, up) */
	e = link_ev("eth1", 3, false);
	assert_true(tn_watch_note_event(&s, &p, &e, &w));
	assert_string_equal(w.why, "eth1 changed");
	e = link_ev("eth1", 3, true);
	assert_true(tn_watch_note_event(&s, &p, &e, &w));
	assert_int_equal(w.n_nics, 1);
	assert_string_equal(w.why, "eth1 came up");
	/* a rescan does not replace them */
	e = (struct tn_wevent){ .kind = TN_WEV_RESCAN };
	assert_true(tn_watch_note_event(&s, &p, &e, &w));
	assert_string_equal(w.why, "eth1 came up");
	/* a NIC not in the snapshot that a rule's name matches: discover again */
	e = link_ev("ens5", 9, true);
	assert_true(tn_watch_note_event(&s, &p, &e, &w));
	assert_true(w.rediscover);
	assert_int_equal(w.n_nics, 2);
	/* one no rule could match is not */
	e = link_ev("wlan0", 10, true);
	assert_false(tn_watch_note_event(&s, &p, &e, &w));
	assert_int_equal(w.n_nics, 2);
	/* a removed link has nothing to place; one of the snapshot's NICs a rule
	 * matches is discovered away (later plans must not see it), others not */
	tn_watch_dirty_clear(&w);
	e = link_ev("eth0", 2, false);
	e.kind = TN_WEV_LINK_GONE;
	assert_false(tn_watch_note_event(&s, &p, &e, &w));
	e = link_ev("ens5", 9, false);
	e.kind = TN_WEV_LINK_GONE;
	assert_false(tn_watch_note_event(&s, &p, &e, &w));
	assert_false(tn_watch_dirty_any(&w));
	e = link_ev("eth1", 3, false);
	e.kind = TN_WEV_LINK_GONE;
	assert_true(tn_watch_note_event(&s, &p, &e, &w));
	assert_true(w.rediscover);
	assert_int_equal(w.n_nics, 0);
	assert_string_equal(w.why, "eth1 went away");
	/* eth1 (index 3) renamed out of the profile: gone under its old name;
	 * eth0 (not the profile's) renamed: nothing */
	tn_watch_dirty_clear(&w);
	e = link_ev("lan0", 2, true);
	assert_false(tn_watch_note_event(&s, &p, &e, &w));
	e = link_ev("lan1", 3, true);
	assert_true(tn_watch_note_event(&s, &p, &e, &w));
	assert_true(w.rediscover);
	assert_int_equal(w.n_nics, 0);
	assert_string_equal(w.why, "eth1 was renamed lan1");
	/* processes: by comm */
	tn_watch_dirty_clear(&w);
	e = (struct tn_wevent){ .kind = TN_WEV_EXEC, .pid = 4242 };
	/* its comm unreadable: gone already, nothing to place */
	assert_false(tn_watch_note_event(&s, &p, &e, &w));
	snprintf(e.comm, sizeof(e.comm), "bash");
	assert_false(tn_watch_note_event(&s, &p, &e, &w));
	assert_false(w.procs);
	snprintf(e.comm, sizeof(e.comm), "redis-server");
	assert_true(tn_watch_note_event(&s, &p, &e, &w));
	assert_true(w.procs);
	/* first words of a fresh set */
	tn_watch_dirty_clear(&w);
	e.kind = TN_WEV_COMM;
	assert_true(tn_watch_note_event(&s, &p, &e, &w));
	assert_string_equal(w.why, "process 4242 (redis-server) started");
	/* lost events: everything again */
	tn_watch_dirty_clear(&w);
	e = (struct tn_wevent){ .kind = TN_WEV_LOST };
	assert_true(tn_watch_note_event(&s, &p, &e, &w));
	assert_true(w.all_nics && w.rediscover && w.procs);
	assert_string_equal(w.why, "events were lost");
	/* a NIC's words replace a rescan's */
	e = link_ev("eth1", 3, true);
	assert_true(tn_watch_note_event(&s, &p, &e, &w));
	assert_string_equal(w.why, "eth1 came up");
	tn_profile_free(&p);
	tn_state_free(&s);
}

/* More NICs than a set names: all of them. */
static void test_dirty_overflow(void **unused)
{
	struct tn_state s;
	struct tn_profile p;
	struct tn_watch_dirty w;

	(void)unused;
	tn_test_load_golden("24em64t", &s);
	load_profile(&p);
	tn_watch_dirty_clear(&w);
	for (int i = 0; i < TN_WATCH_MAX_DIRTY + 3; i++) {
		char name[16];
		struct tn_wevent e;

		snprintf(name, sizeof(name), "ens%d", i);
		e = link_ev(name, 100 + i, true);
		assert_true(tn_watch_note_event(&s, &p, &e, &w));
	}
	assert_int_equal(w.n_nics, TN_WATCH_MAX_DIRTY);
	assert_true(w.all_nics);
	tn_profile_free(&p);
	tn_state_free(&s);
}

/* The plan of the fixture, filtered: an event on eth1 covers eth1's IRQs only. */
static void test_covers_plan(void **unused)
{
	struct tn_state s;
	struct tn_profile p;
	struct tn_plan plan;
	struct tn_watch_dirty w;
	struct tn_wevent e = link_ev("eth1", 3, true);
	struct tn_diag d;
	int irq_changes = 0, covered = 0, procs = 0;

	(void)unused;
	tn_test_load_golden("24em64t", &s);
	/* every NIC's IRQs placed: an event on eth1 must cover eth1's only */
	tn_diag_init(&d);
	if (tn_profile_parse("{\"name\": \"all\", \"interfaces\": [{\"match\": \"all\", "
			     "\"irq\": {\"cpus\": \"local\"}}], \"processes\": [{\"match\": "
			     "{\"comm\": \"redis-server\"}, \"placement\": \"opposite\"}]}",
			     "all.json", NULL, NULL, &p, &d) < 0)
		fail_msg("%s", d.error);
	if (tn_plan_compute(&s, &p, &plan, &d) < 0)
		fail_msg("%s", d.error);
	tn_watch_dirty_clear(&w);
	assert_true(tn_watch_note_event(&s, &p, &e, &w));
	for (int i = 0; i < plan.n; i++) {
		const struct tn_change *c = &plan.changes[i];
		int irq = atoi(c->target);

		if (c->kind == TN_CHANGE_IRQ_AFFINITY)
			irq_changes++;
		if (c->kind == TN_CHANGE_PROCESS_AFFINITY)
			procs++;
		if (!tn_watch_covers(&s, &w, c))
			continue;
		covered++;
		/* eth1's vectors are 57..65 in this fixture */
		assert_int_equal(c->kind, TN_CHANGE_IRQ_AFFINITY);
		assert_true(irq >= 57 && irq <= 65);
	}
	assert_true(irq_changes > 0 && procs > 0);
	assert_true(covered > 0 && covered < irq_changes); /* others' IRQs are planned too */
	/* processes dirty: the process changes too, still no sysctl */
	w.procs = true;
	for (int i = 0; i < plan.n; i++)
		if (plan.changes[i].kind == TN_CHANGE_PROCESS_AFFINITY)
			assert_true(tn_watch_covers(&s, &w, &plan.changes[i]));
		else if (plan.changes[i].kind == TN_CHANGE_SYSCTL)
			assert_false(tn_watch_covers(&s, &w, &plan.changes[i]));
	tn_plan_free(&plan);
	tn_diag_free(&d);
	tn_profile_free(&p);
	tn_state_free(&s);
}

/* Every kind has a scope the watch follows: a NIC's changes (whatever the
 * kind: rings, coalescing, its queues' RPS and XPS files) follow its events;
 * the host's only a periodic check (everything). */
static void test_covers_kinds(void **unused)
{
	static const struct {
		enum tn_change_kind kind;
		const char *target;
		bool eth1;		/* covered by an event on eth1 */
	} cases[] = {
		{ TN_CHANGE_CHANNELS, "eth1", true },	{ TN_CHANGE_RING, "eth1", true },
		{ TN_CHANGE_COALESCE, "eth1", true },	{ TN_CHANGE_RPS_CPUS, "eth1/rx-0", true },
		{ TN_CHANGE_RPS_FLOW_CNT, "eth1/rx-3", true },
		{ TN_CHANGE_XPS_CPUS, "eth1/tx-1", true },
		{ TN_CHANGE_IRQ_AFFINITY, "57", true }, /* eth1's vector */
		{ TN_CHANGE_COALESCE, "eth0", false },	{ TN_CHANGE_RPS_CPUS, "eth0/rx-0", false },
		{ TN_CHANGE_XPS_CPUS, "eth10/tx-0", false }, /* a longer name, not eth1 */
		{ TN_CHANGE_RPS_CPUS, "eth/rx-0", false },
		{ TN_CHANGE_IRQ_AFFINITY, "49", false }, /* eth0's */
		{ TN_CHANGE_SYSCTL, "net.core.netdev_budget", false },
		{ TN_CHANGE_IRQBALANCE, "irqbalance", false },
		{ TN_CHANGE_PROCESS_AFFINITY, "1187@5/1187@5", false },
	};
	struct tn_wevent e = link_ev("eth1", 3, true);
	struct tn_watch_dirty w;
	struct tn_profile p;
	struct tn_state s;

	(void)unused;
	tn_test_load_golden("24em64t", &s);
	load_profile(&p);
	tn_watch_dirty_clear(&w);
	assert_true(tn_watch_note_event(&s, &p, &e, &w));
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct tn_change c = { .kind = cases[i].kind };

		snprintf(c.target, sizeof(c.target), "%s", cases[i].target);
		if (tn_watch_covers(&s, &w, &c) != cases[i].eth1)
			fail_msg("%s %s: covered %d by an eth1 event, want %d",
				 tn_change_kind_name(c.kind), c.target, !cases[i].eth1,
				 cases[i].eth1);
	}
	/* a periodic check covers every kind, the host's too */
	tn_watch_dirty_clear(&w);
	assert_false(tn_watch_dirty_any(&w));
	w.everything = true;
	assert_true(tn_watch_dirty_any(&w));
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct tn_change c = { .kind = cases[i].kind };

		snprintf(c.target, sizeof(c.target), "%s", cases[i].target);
		assert_true(tn_watch_covers(&s, &w, &c));
	}
	{
		struct tn_watch_dirty a;

		tn_watch_dirty_clear(&a);
		tn_watch_dirty_merge(&a, &w);
		assert_true(a.everything);
	}
	tn_profile_free(&p);
	tn_state_free(&s);
}

/*
 * The fake event source: a script of (time, event) fed to the debounce the
 * way cmd_watch's loop does (an event kicks it; at its deadline the repair
 * runs). Records when repairs ran.
 */
struct timed {
	int64_t t;
	const char *ifname;
};

static int run_script(const struct timed *script, int n, int64_t end, int64_t *repairs, int max)
{
	struct tn_debounce b;
	int nrep = 0, i = 0;

	tn_debounce_init(&b, 50, 500);
	for (int64_t now = 0; now <= end; now++) {
		while (i < n && script[i].t == now)
			tn_debounce_kick(&b, script[i++].t);
		if (tn_debounce_take(&b, now)) {
			assert_true(nrep < max);
			repairs[nrep++] = now;
		}
	}
	return nrep;
}

static void test_debounce(void **unused)
{
	/* a driver load: a burst over 30 ms, then one more at 400 ms */
	static const struct timed burst[] = {
		{ 0, "eth1" }, { 10, "eth1" }, { 25, "eth1" }, { 30, "eth1" }, { 400, "eth1" },
	};
	/* events every 40 ms for a second: the cap (500 ms after the first) */
	struct timed storm[25];
	int64_t rep[8];
	struct tn_debounce b;
	int n;

	(void)unused;
	n = run_script(burst, 5, 2000, rep, 8);
	assert_int_equal(n, 2);
	assert_int_equal(rep[0], 80);	/* 50 ms after the last of the burst */
	assert_int_equal(rep[1], 450);
	for (int i = 0; i < 25; i++)
		storm[i] = (struct timed){ i * 40, "eth1" };
	n = run_script(storm, 25, 3000, rep, 8);
	assert_int_equal(n, 2);
	assert_int_equal(rep[0], 500);	/* never later than max after the first */
	assert_int_equal(rep[1], 1010);	/* the next starts at 520, quiet after 960 */
	/* nothing pending: no deadline, nothing taken */
	tn_debounce_init(&b, 50, 10);
	assert_int_equal(b.max_ms, 50);	/* max below quiet is quiet */
	assert_int_equal(tn_debounce_deadline(&b), -1);
	assert_false(tn_debounce_take(&b, 1000));
}

static void test_fight_backoff(void **unused)
{
	struct tn_fights *f = calloc(1, sizeof(*f));
	const char *id = "irq_affinity/58/smp_affinity_list";
	int64_t t = 1000;

	(void)unused;
	assert_non_null(f);
	/* two repairs within the window: not yet a fight */
	assert_int_equal(tn_fight_repaired(f, id, t), TN_FIGHT_NONE);
	assert_int_equal(tn_fight_repaired(f, id, t + 1000), TN_FIGHT_NONE);
	assert_false(tn_fight_blocked(f, id, t + 1000));
	/* the third: a fight, reported once, backed off */
	assert_int_equal(tn_fight_repaired(f, id, t + 2000), TN_FIGHT_STARTED);
	assert_int_equal(tn_fight_backoff(f, id), TN_FIGHT_BACKOFF_MS);
	assert_true(tn_fight_blocked(f, id, t + 2000 + TN_FIGHT_BACKOFF_MS - 1));
	assert_false(tn_fight_blocked(f, id, t + 2000 + TN_FIGHT_BACKOFF_MS));
	/* other values are not blocked */
	assert_false(tn_fight_blocked(f, "irq_affinity/59/smp_affinity_list", t + 2000));
	/* undone again after each back-off: doubles, never reported again */
	t += 2000;
	for (int64_t want = 2 * TN_FIGHT_BACKOFF_MS; want <= TN_FIGHT_BACKOFF_MAX_MS; want *= 2) {
		t += tn_fight_backoff(f, id);
		assert_int_equal(tn_fight_repaired(f, id, t), TN_FIGHT_AGAIN);
		assert_int_equal(tn_fight_backoff(f, id), want);
	}
	/* capped */
	for (int i = 0; i < 3; i++) {
		t += tn_fight_backoff(f, id);
		assert_int_equal(tn_fight_repaired(f, id, t), TN_FIGHT_AGAIN);
		assert_int_equal(tn_fight_backoff(f, id), TN_FIGHT_BACKOFF_MAX_MS);
	}
	/* held, but too soon after the repair (or within the back-off): still a fight */
	tn_fight_held(f, id, t + 1);
	assert_int_equal(tn_fight_backoff(f, id), TN_FIGHT_BACKOFF_MAX_MS);
	/* held after the back-off: forgotten; a later fight is new and reported */
	t += TN_FIGHT_BACKOFF_MAX_MS;
	tn_fight_held(f, id, t);
	assert_int_equal(tn_fight_backoff(f, id), 0);
	assert_int_equal(tn_fight_repaired(f, id, t), TN_FIGHT_NONE);
	/* repairs further apart than the window are no fight */
	assert_int_equal(tn_fight_repaired(f, id, t + TN_FIGHT_WINDOW_MS + 1), TN_FIGHT_NONE);
	assert_int_equal(tn_fight_repaired(f, id, t + 2 * TN_FIGHT_WINDOW_MS + 2), TN_FIGHT_NONE);
	assert_int_equal(tn_fight_backoff(f, id), 0);
	tn_fights_clear(f);
	free(f);
}

/* A repair that failed: backed off at once, longer each failure, to the cap;
 * its first repair that succeeds starts anew (no fight); a fight's back-off
 * gives way to the failure's. */
static void test_fight_failed(void **unused)
{
	struct tn_fights *f = calloc(1, sizeof(*f));
	const char *id = "sysctl/net.core.netdev_budget/value";
	int64_t t = 1000, want;

	(void)unused;
	assert_non_null(f);
	assert_int_equal(tn_fight_failed(f, id, t), TN_FIGHT_BACKOFF_MS);
	assert_true(tn_fight_blocked(f, id, t + TN_FIGHT_BACKOFF_MS - 1));
	assert_false(tn_fight_blocked(f, id, t + TN_FIGHT_BACKOFF_MS));
	for (want = 2 * TN_FIGHT_BACKOFF_MS; want <= TN_FIGHT_BACKOFF_MAX_MS; want *= 2) {
		t += tn_fight_backoff(f, id);
		assert_int_equal(tn_fight_failed(f, id, t), want);
	}
	t += tn_fight_backoff(f, id);
	assert_int_equal(tn_fight_failed(f, id, t), TN_FIGHT_BACKOFF_MAX_MS);
	/* made at last: no fight, nothing blocked, and the next two repairs are
	 * no fight either (a new window) */
	t += TN_FIGHT_BACKOFF_MAX_MS;
	assert_int_equal(tn_fight_repaired(f, id, t), TN_FIGHT_NONE);
	assert_int_equal(tn_fight_backoff(f, id), 0);
	assert_false(tn_fight_blocked(f, id, t));
	assert_int_equal(tn_fight_repaired(f, id, t + 1), TN_FIGHT_NONE);
	assert_int_equal(tn_fight_repaired(f, id, t + 2), TN_FIGHT_STARTED);
	/* a fight that then fails: the failure's back-off, from its start */
	assert_int_equal(tn_fight_failed(f, id, t + 3), TN_FIGHT_BACKOFF_MS);
	tn_fights_clear(f);
	free(f);
}

/* The table is bounded: more values than it holds reuse quiet entries, and a
 * fight in back-off is kept. */
static void test_fight_table_full(void **unused)
{
	struct tn_fights *f = calloc(1, sizeof(*f));
	char id[64];

	(void)unused;
	assert_non_null(f);
	for (int i = 0; i < 3; i++)
		tn_fight_repaired(f, "fought", i);
	assert_true(tn_fight_blocked(f, "fought", 3));
	for (int i = 0; i < 3 * TN_FIGHT_MAX; i++) {
		snprintf(id, sizeof(id), "irq_affinity/%d/smp_affinity_list", i);
		assert_int_equal(tn_fight_repaired(f, id, 10 + i), TN_FIGHT_NONE);
	}
	assert_int_equal(f->n, TN_FIGHT_MAX);
	assert_true(tn_fight_blocked(f, "fought", 3));
	tn_fights_clear(f);
	free(f);
}

/* Every entry backing off: a new value fought is not tracked, and no fight in
 * back-off is forgotten for it (the first one was, again and again). */
static void test_fight_table_all_fighting(void **unused)
{
	struct tn_fights *f = calloc(1, sizeof(*f));
	char id[64];

	(void)unused;
	assert_non_null(f);
	for (int i = 0; i < TN_FIGHT_MAX; i++) {
		snprintf(id, sizeof(id), "irq_affinity/%d/smp_affinity_list", i);
		for (int k = 0; k < TN_FIGHT_REPAIRS; k++)
			tn_fight_repaired(f, id, k);
		assert_true(tn_fight_blocked(f, id, TN_FIGHT_REPAIRS));
	}
	for (int k = 0; k < 2 * TN_FIGHT_REPAIRS; k++)
		assert_int_equal(tn_fight_repaired(f, "sysctl/net.core.netdev_budget/value", 10 + k),
				 TN_FIGHT_NONE);
	assert_false(tn_fight_blocked(f, "sysctl/net.core.netdev_budget/value", 20));
	assert_int_equal(f->n, TN_FIGHT_MAX);
	for (int i = 0; i < TN_FIGHT_MAX; i++) {
		snprintf(id, sizeof(id), "irq_affinity/%d/smp_affinity_list", i);
		assert_true(tn_fight_blocked(f, id, 20));
	}
	tn_fights_clear(f);
	free(f);
}

/*
 * Every entry backing off from a fight: a value whose repair fails is still
 * backed off (else it would undo every other repair of each check), and no
 * fight is forgotten for it; failures are tracked to TN_FIGHT_FAILED_MAX, and
 * past that one takes the place of the value nearest the end of its back-off.
 */
static void test_fight_table_full_failed(void **unused)
{
	struct tn_fights *f = calloc(1, sizeof(*f));
	const char *budget = "sysctl/net.core.netdev_budget/value";
	char id[64];
	int64_t t = 100;
	int n;

	(void)unused;
	assert_non_null(f);
	for (int i = 0; i < TN_FIGHT_MAX; i++) {
		snprintf(id, sizeof(id), "irq_affinity/%d/smp_affinity_list", i);
		for (int k = 0; k < TN_FIGHT_REPAIRS; k++)
			tn_fight_repaired(f, id, k);
	}
	assert_int_equal(tn_fight_failed(f, budget, t), TN_FIGHT_BACKOFF_MS);
	assert_true(tn_fight_blocked(f, budget, t + TN_FIGHT_BACKOFF_MS - 1));
	/* it keeps failing: its back-off doubles, as with room */
	t += TN_FIGHT_BACKOFF_MS;
	assert_int_equal(tn_fight_failed(f, budget, t), 2 * TN_FIGHT_BACKOFF_MS);
	for (int i = 0; i < TN_FIGHT_MAX; i++) {
		snprintf(id, sizeof(id), "irq_affinity/%d/smp_affinity_list", i);
		assert_true(tn_fight_blocked(f, id, TN_FIGHT_REPAIRS));
	}
	/* a fought value still finds no room (it costs the others nothing) */
	for (int k = 0; k < 2 * TN_FIGHT_REPAIRS; k++)
		assert_int_equal(tn_fight_repaired(f, "sysctl/net.core.somaxconn/value", k),
				 TN_FIGHT_NONE);
	/* failures to TN_FIGHT_FAILED_MAX, each backed off; the first of them
	 * (budget) ends its back-off first */
	for (int i = f->n; i < TN_FIGHT_FAILED_MAX; i++) {
		snprintf(id, sizeof(id), "rps_cpus/eth%d/rx-0/rps_cpus", i);
		assert_int_equal(tn_fight_failed(f, id, t + i), TN_FIGHT_BACKOFF_MS);
	}
	assert_int_equal(f->n, TN_FIGHT_FAILED_MAX);
	/* one more: it takes the place of one nearest its end (a fight: backing
	 * off since 2 ms, they end first) */
	assert_int_equal(tn_fight_failed(f, "xps_cpus/eth0/tx-0/xps_cpus", t + TN_FIGHT_FAILED_MAX),
			 TN_FIGHT_BACKOFF_MS);
	assert_int_equal(f->n, TN_FIGHT_FAILED_MAX);
	assert_true(tn_fight_blocked(f, "xps_cpus/eth0/tx-0/xps_cpus", t + TN_FIGHT_FAILED_MAX));
	assert_true(tn_fight_blocked(f, budget, t + TN_FIGHT_FAILED_MAX));
	snprintf(id, sizeof(id), "rps_cpus/eth%d/rx-0/rps_cpus", TN_FIGHT_MAX + 1);
	assert_true(tn_fight_blocked(f, id, t + TN_FIGHT_FAILED_MAX));
	n = 0;
	for (int i = 0; i < TN_FIGHT_MAX; i++) {
		snprintf(id, sizeof(id), "irq_affinity/%d/smp_affinity_list", i);
		n += tn_fight_blocked(f, id, TN_FIGHT_REPAIRS);
	}
	assert_int_equal(n, TN_FIGHT_MAX - 1);
	tn_fights_clear(f);
	assert_int_equal(f->n, 0);
	assert_false(tn_fight_blocked(f, budget, t));
	free(f);
}

static void test_fight_id(void **unused)
{
	struct tn_change c = { .kind = TN_CHANGE_PROCESS_AFFINITY };
	char id[TN_FIGHT_ID_MAX], id2[TN_FIGHT_ID_MAX];

	(void)unused;
	/* a thread's change (the journal's) is its process's value */
	snprintf(c.target, sizeof(c.target), "1187@58070/1190@58072");
	snprintf(c.key, sizeof(c.key), "cpus");
	tn_fight_id(&c, id, sizeof(id));
	assert_string_equal(id, "process_affinity/1187/cpus");
	/* two threads of one process, and the process (the plan's change): one id */
	snprintf(c.target, sizeof(c.target), "1187@58070/1187@58070");
	tn_fight_id(&c, id2, sizeof(id2));
	assert_string_equal(id2, id);
	snprintf(c.target, sizeof(c.target), "1187@58070");
	tn_fight_id(&c, id2, sizeof(id2));
	assert_string_equal(id2, id);
	/* another process: another id */
	snprintf(c.target, sizeof(c.target), "1190@58072/1190@58072");
	tn_fight_id(&c, id2, sizeof(id2));
	assert_string_equal(id2, "process_affinity/1190/cpus");
	/* its memory too (a process-wide kind, not per thread) */
	c.kind = TN_CHANGE_PROCESS_MEMORY;
	snprintf(c.target, sizeof(c.target), "1187@58070");
	snprintf(c.key, sizeof(c.key), "nodes");
	tn_fight_id(&c, id2, sizeof(id2));
	assert_string_equal(id2, "process_memory/1187/nodes");
	c.kind = TN_CHANGE_IRQ_AFFINITY;
	snprintf(c.target, sizeof(c.target), "58");
	snprintf(c.key, sizeof(c.key), "smp_affinity_list");
	tn_fight_id(&c, id, sizeof(id));
	assert_string_equal(id, "irq_affinity/58/smp_affinity_list");
}

static void test_fighter(void **unused)
{
	struct tn_fighter_facts f = { 0 };
	char buf[512];

	(void)unused;
	tn_fighter_describe(&f, buf, sizeof(buf));
	assert_string_equal(buf, "an unknown writer (no irqbalance, tuned or .link file found)");
	f.irqbalance = true;
	f.irqbalance_pid = 412;
	tn_fighter_describe(&f, buf, sizeof(buf));
	assert_string_equal(buf, "irqbalance (pid 412) is running");
	f.link_file = true;
	snprintf(f.link_file_path, sizeof(f.link_file_path), "/etc/systemd/network/10-eth1.link");
	snprintf(f.link_file_keys, sizeof(f.link_file_keys), "CombinedChannels=");
	tn_fighter_describe(&f, buf, sizeof(buf));
	assert_string_equal(buf, "irqbalance (pid 412) is running; /etc/systemd/network/"
				 "10-eth1.link sets CombinedChannels= (the driver re-spreads its "
				 "IRQs when it is applied)");
	/* a short buffer is cut, terminated */
	tn_fighter_describe(&f, buf, 10);
	assert_int_equal(strlen(buf), 9);
}

static void test_linkfile(void **unused)
{
	char keys[96];
	static const char ours[] = "# eth1\n[Match]\nOriginalName=eth1 eth2\n\n[Link]\n"
				   "NamePolicy=kernel\nCombinedChannels = 4\nRxBufferSize=4096\n";
	static const char by_driver[] = "[Match]\nDriver=igb\n[Link]\nRxChannels=2\n";
	static const char negated[] = "[Match]\nOriginalName=!eth1\n[Link]\nRxChannels=2\n";
	static const char no_keys[] = "[Match]\nOriginalName=eth1\n[Link]\nMTUBytes=9000\n";
	static const char all[] = "[Link]\nTxChannels=1\n";
	/* keys outside [Link] do nothing */
	static const char wrong_section[] = "[Match]\nOriginalName=eth1\nRxChannels=2\n";
	char huge[8192];

	(void)unused;
	assert_true(tn_linkfile_fights(ours, "eth1", "igb", keys, sizeof(keys)));
	assert_string_equal(keys, "CombinedChannels= RxBufferSize=");
	assert_false(tn_linkfile_fights(ours, "eth0", "igb", keys, sizeof(keys)));
	assert_true(tn_linkfile_fights(by_driver, "eth7", "igb", keys, sizeof(keys)));
	assert_false(tn_linkfile_fights(by_driver, "eth7", "e1000e", keys, sizeof(keys)));
	assert_false(tn_linkfile_fights(negated, "eth1", "igb", keys, sizeof(keys)));
	assert_true(tn_linkfile_fights(negated, "eth0", "igb", keys, sizeof(keys)));
	assert_false(tn_linkfile_fights(no_keys, "eth1", "igb", keys, sizeof(keys)));
	assert_true(tn_linkfile_fights(all, "eth1", "igb", keys, sizeof(keys)));
	assert_false(tn_linkfile_fights(wrong_section, "eth1", "igb", keys, sizeof(keys)));
	/* a line longer than the parser's buffer, and a tiny keys buffer */
	memset(huge, 'A', sizeof(huge) - 1);
	huge[sizeof(huge) - 1] = '\0';
	memcpy(huge, "[Link]\nRxChannels", 17);
	assert_false(tn_linkfile_fights(huge, "eth1", "igb", keys, sizeof(keys)));
	assert_true(tn_linkfile_fights(ours, "eth1", "igb", keys, 8));
	assert_int_equal(strlen(keys), 7);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_event_mapping),
		cmocka_unit_test(test_dirty_overflow),
		cmocka_unit_test(test_covers_plan),
		cmocka_unit_test(test_covers_kinds),
		cmocka_unit_test(test_debounce),
		cmocka_unit_test(test_fight_backoff),
		cmocka_unit_test(test_fight_failed),
		cmocka_unit_test(test_fight_table_full),
		cmocka_unit_test(test_fight_table_all_fighting),
		cmocka_unit_test(test_fight_table_full_failed),
		cmocka_unit_test(test_fight_id),
		cmocka_unit_test(test_fighter),
		cmocka_unit_test(test_linkfile),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
