#!/usr/bin/env python3
"""tuner watch --check-every 1 with one value that cannot be read, in a
private network and mount namespace (unshare -n -m; the host's links and
settings are not touched), on the 24em64t tree.

A repair reads each value again before it records it (someone may have
changed it since the plan). A value whose read failed there stopped the
transaction before anything of it was recorded, so the back-off of a failed
repair (watch/failing: a write that fails) never saw it: every check failed
at it and undid the other repairs, and nothing drifted was ever repaired
again ('check: irq 58 eth1-TxRx-0: read: Is a directory; undone' each
second). The value is now left alone for a back-off like a write that
fails, and the others are repaired by the next check; once it can be read
again it is repaired after its back-off.

The failure is real, not injected: IRQ 58's smp_affinity_list is made a
directory after the watch started (discovery takes its affinity as unknown,
and the plan sets it; the transaction's read fails with EISDIR), with
netdev_budget (a sysctl, made before the IRQs) written behind its back.

  read_failing.py TUNER SRCDIR WORKDIR
"""
import os, shutil, subprocess, sys, time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "apply"))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import tnlib  # noqa: E402
from tnlib import check, finish  # noqa: E402
from watchlib import into_namespaces, read_text, stop, wait_for  # noqa: E402

into_namespaces("-n", "-m")

fx = tnlib.Setup()
tuner, tree, state, g, work = fx.tuner, fx.tree, fx.state, fx.g, fx.work
errpath = os.path.join(work, "read_failing.err")
profile = fx.profile("redis-numa-split")
IRQ, BUDGET = "proc/irq/58/smp_affinity_list", "proc/sys/net/core/netdev_budget"
irq_path = os.path.join(tree, IRQ)


def log():
    return read_text(errpath)


put, get = fx.put, fx.get


def unreadable():
    """IRQ 58's file made a directory (its value kept aside)."""
    os.rename(irq_path, irq_path + ".saved")
    os.mkdir(irq_path)


def readable(value):
    """IRQ 58's file back, holding value."""
    if os.path.isdir(irq_path):
        shutil.rmtree(irq_path)
    if os.path.exists(irq_path + ".saved"):
        os.unlink(irq_path + ".saved")
    put(IRQ, value)


r = tnlib.run(tuner, ["apply", "-q", "--profile", profile, "--state-dir", state] + g)
check(r.returncode == 0, f"apply: exit {r.returncode} {r.stderr[-200:]}")
want_irq, want_budget = get(IRQ), get(BUDGET)
check(want_irq != "0-23" and want_budget != "300",
      f"the apply set IRQ 58 ({want_irq}) and netdev_budget ({want_budget})")
w = subprocess.Popen([tuner, "watch", "--profile", profile, "--state-dir", state,
                      "--check-every", "1"] + g,
                     stderr=open(errpath, "w"), stdout=subprocess.DEVNULL)
try:
    check(wait_for(lambda: "watching 3 NICs" in log(), 30), "the watch starts")
    unreadable()
    put(BUDGET, "300")
    t0 = time.monotonic()
    said = wait_for(lambda: "its repair failed" in log(), 4)
    check(said and "irq 58 eth1-TxRx-0: read: Is a directory; undone" in log() and
          "irq 58 eth1-TxRx-0: its repair failed; left alone for 5 s (longer each time it "
          "fails again), the other repairs go on" in log(),
          f"the failed read of IRQ 58 is said with its back-off: {log().strip()[-400:]}")
    fixed = wait_for(lambda: get(BUDGET) == want_budget, 3)
    check(fixed, f"a next check repairs netdev_budget without IRQ 58 (budget {get(BUDGET)}; "
          f"log: {log().strip()[-300:]})")
    check(log().count("read: Is a directory") == 1,
          f"the unreadable IRQ is not tried again within its back-off: "
          f"{log().count('read: Is a directory')} failures")
    # readable again, drifted: repaired once its back-off is over
    readable("0-23")
    later = wait_for(lambda: get(IRQ) == want_irq, 9)
    check(later and time.monotonic() - t0 >= 4.5,
          f"IRQ 58 tried again after its back-off, and repaired: {get(IRQ)} after "
          f"{time.monotonic() - t0:.1f} s")
    check("fighting" not in log(), "no fight")
finally:
    rc = stop(w)
    if os.path.isdir(irq_path):
        readable(want_irq)
check(rc == 0, f"SIGTERM: exit {rc}")
check("AddressSanitizer" not in log() and "runtime error" not in log(), "no sanitizer report")
finish()
