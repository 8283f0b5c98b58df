#!/usr/bin/env python3
"""tuner watch --check-every 1 with one value whose repair keeps failing, in a
private network and mount namespace (unshare -n -m; the host's links and
settings are not touched), on the 24em64t tree.

A repair is one transaction, undone when a write fails: a value the kernel
keeps refusing (an IRQ whose vector space is exhausted, ENOSPC; a sysctl a
module no longer takes) made every check undo the other repairs with it, so
nothing drifted was ever repaired again. The failing value is now left alone
for a back-off (5 s, longer each time it fails again), said once a failure,
and the others are repaired by the next check; after its back-off it is tried
again, and repaired once it can be.

The failure is TUNER_FAULT=1:EINVAL (a test build's hook: the change of
journal seq 1 of every transaction fails with EINVAL), given to a watch
started on a tree where 'tuner apply' already made the profile (its first
apply has nothing to do). netdev_budget (a sysctl, seq 0) and IRQ 58's
affinity (seq 1) are then written behind its back.

  failing.py TUNER SRCDIR WORKDIR
"""
import os, subprocess, sys, time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "apply"))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import tnlib
from tnlib import check, finish
from watchlib import into_namespaces, read_text, stop, wait_for

into_namespaces("-n", "-m")

fx = tnlib.Setup()
tuner, tree, state, g, work = fx.tuner, fx.tree, fx.state, fx.g, fx.work
errpath = os.path.join(work, "failing.err")
profile = fx.profile("redis-numa-split")
IRQ, BUDGET = "proc/irq/58/smp_affinity_list", "proc/sys/net/core/netdev_budget"


def log():
    return read_text(errpath)


put, get = fx.put, fx.get


r = tnlib.run(tuner, ["apply", "-q", "--profile", profile, "--state-dir", state] + g)
check(r.returncode == 0, f"apply: exit {r.returncode} {r.stderr[-200:]}")
want_irq, want_budget = get(IRQ), get(BUDGET)
env = dict(os.environ, TUNER_FAULT="1:EINVAL")
w = subprocess.Popen([tuner, "watch", "--profile", profile, "--state-dir", state,
                      "--check-every", "1"] + g,
                     stderr=open(errpath, "w"), stdout=subprocess.DEVNULL, env=env)
try:
    check(wait_for(lambda: "watching 3 NICs" in log(), 10), "the watch starts")
    put(BUDGET, "300")
    put(IRQ, "0-23")
    t0 = time.monotonic()
    said = wait_for(lambda: "its repair failed" in log(), 4)
    check(said and "irq 58 eth1-TxRx-0: its repair failed; left alone for 5 s (longer each time "
          "it fails again), the other repairs go on" in log(),
          f"the failed repair of IRQ 58 is said with its back-off: {log().strip()[-300:]}")
    fixed = wait_for(lambda: get(BUDGET) == want_budget, 3)
    check(fixed and get(IRQ) == "0-23",
          f"the next check repairs netdev_budget without IRQ 58 (budget {get(BUDGET)}, "
          f"IRQ 58 {get(IRQ)})")
    later = wait_for(lambda: get(IRQ) == want_irq, 9)
    check(later and time.monotonic() - t0 >= 4.5,
          f"IRQ 58 tried again after its back-off, and repaired: {get(IRQ)} after "
          f"{time.monotonic() - t0:.1f} s")
    check(log().count("its repair failed") == 1 and "fighting" not in log(),
          "one failure said, and no fight")
finally:
    rc = stop(w)
check(rc == 0, f"SIGTERM: exit {rc}")
check("AddressSanitizer" not in log() and "runtime error" not in log(), "no sanitizer report")
finish()
