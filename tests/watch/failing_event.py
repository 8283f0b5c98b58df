#!/usr/bin/env python3
"""tuner watch without --check-every (as tuner-watch.service runs it) whose
repair after a link event fails, in a private network namespace (unshare -n;
a veth named eth1 like the tree's igb NIC gives the events), on the 24em64t
tree.

A repair is one transaction, undone when a write fails; the value that
failed is backed off and the watch said "the other repairs go on". Without
--check-every nothing made them go on: no recheck followed a failed repair
(rechecks follow repairs that changed something), so the others stayed
drifted, and the failed value was not tried again after its back-off, until
some later event concerning that NIC. Now a failed repair that backed a
value off is looked at again as a repair is (1 s later, and when the
back-off ends): the others are repaired without it, then it.

The failure is TUNER_FAULT=1:EINVAL (a test build's hook: the change of
journal seq 1 of every transaction fails with EINVAL). IRQs 58 and 59 (eth1,
seq 0 and 1 of the repair) are written behind the watch's back, then eth1
comes up.

  failing_event.py TUNER SRCDIR WORKDIR
"""
import os, subprocess, sys, time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "apply"))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import tnlib  # noqa: E402
from tnlib import check, finish  # noqa: E402
from watchlib import into_namespaces, read_text, stop, wait_for  # noqa: E402

into_namespaces("-n")

fx = tnlib.Setup()
tuner, tree, state, g, work = fx.tuner, fx.tree, fx.state, fx.g, fx.work
errpath = os.path.join(work, "failing_event.err")
profile = fx.profile("redis-numa-split")
A, B = "proc/irq/58/smp_affinity_list", "proc/irq/59/smp_affinity_list"


def log():
    return read_text(errpath)


put, get = fx.put, fx.get


subprocess.run(["ip", "link", "add", "eth1", "type", "veth", "peer", "name", "wpeer"],
               check=True)
r = tnlib.run(tuner, ["apply", "-q", "--profile", profile, "--state-dir", state] + g)
check(r.returncode == 0, f"apply: exit {r.returncode} {r.stderr[-200:]}")
want_a, want_b = get(A), get(B)
check("0-23" not in (want_a, want_b), f"the apply placed IRQs 58 ({want_a}) and 59 ({want_b})")
env = dict(os.environ, TUNER_FAULT="1:EINVAL")
w = subprocess.Popen([tuner, "watch", "--profile", profile, "--state-dir", state] + g,
                     stderr=open(errpath, "w"), stdout=subprocess.DEVNULL, env=env)
try:
    check(wait_for(lambda: "watching 3 NICs" in log(), 30), "the watch starts")
    put(A, "0-23")
    put(B, "0-23")
    subprocess.run(["ip", "link", "set", "eth1", "up"], check=True)
    t0 = time.monotonic()
    said = wait_for(lambda: "its repair failed" in log(), 4)
    check(said and "eth1 came up: irq 59 eth1-TxRx-1: set " in log() and
          "irq 59 eth1-TxRx-1: its repair failed; left alone for 5 s" in log(),
          f"the failed repair of IRQ 59 is said with its back-off: {log().strip()[-300:]}")
    fixed = wait_for(lambda: get(A) == want_a, 3)
    check(fixed and get(B) == "0-23",
          f"IRQ 58 repaired within 3 s without another event, IRQ 59 left alone "
          f"(58: {get(A)}, 59: {get(B)}; log: {log().strip()[-300:]})")
    later = wait_for(lambda: get(B) == want_b, 9)
    check(later and time.monotonic() - t0 >= 4.5,
          f"IRQ 59 tried again after its back-off, without another event, and repaired: "
          f"{get(B)} after {time.monotonic() - t0:.1f} s")
    check(log().count("its repair failed") == 1 and "fighting" not in log(),
          "one failure said, and no fight")
finally:
    rc = stop(w)
check(rc == 0, f"SIGTERM: exit {rc}")
check("AddressSanitizer" not in log() and "runtime error" not in log(), "no sanitizer report")
finish()
