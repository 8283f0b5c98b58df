#!/usr/bin/env python3
"""apply --boot on a sysroot tree (24em64t): with the links there it applies
(exit 0) and then has nothing to do (exit 5); a required interface that never
appears times out after --wait-links with exit 4, changing nothing; a
required interface that is down is waited for and applied once it is up
(IFF_UP in sys/class/net/NAME/flags). The tree has no netlink: tuner looks at
it again every 200 ms (on a host, rtnetlink events wake it; the VM tier tests
that). --wait-links without --boot is a usage error (64), changing nothing.

  boot.py TUNER SRCDIR WORKDIR
"""
import json, os, threading, time
from tnlib import check, finish, tree_sums, Setup
import tnlib

fx = Setup()
tuner, work, tree, state = fx.tuner, fx.work, fx.tree, fx.state
g = fx.g + ["--state-dir", state]
before = tree_sums(tree)


def profile(name, required):
    path = os.path.join(work, name + ".json")
    with open(path, "w") as f:
        json.dump({"name": name, "extends": "default", "interfaces": [
            {"match": {"name": required}, "required": True, "irq": {"cpus": "local"}},
            {"match": "all"}]}, f)
    return path


def boot(*args):
    t = time.monotonic()
    r = tnlib.run(tuner, ["apply", "--boot"] + list(args) + g)
    return r, time.monotonic() - t


r, _ = boot()
check(r.returncode == 0 and "applied:" in r.stderr, f"links there: applied, exit {r.returncode}")
r, _ = boot()
check(r.returncode == 5 and "nothing to change" in r.stderr,
      f"again: nothing to do, exit {r.returncode} (want 5)")
rb = tnlib.run(tuner, ["rollback", "-q", "--last"] + g)
check(rb.returncode == 0 and tree_sums(tree) == before, "rollback restores the tree")

journals = sorted(os.listdir(state))
r, secs = boot("--wait-links", "1", "-p", profile("never", "eth9"))
check(r.returncode == 4, f"a required eth9 never appears: exit {r.returncode} (want 4)")
check("timed out after 1 s waiting for links" in r.stderr and "eth9" in r.stderr,
      f"and says so: {r.stderr.strip().splitlines()[-1:]}")
check(0.9 <= secs < 5, f"it waited the --wait-links second, not more: {secs:.2f} s")
check(tree_sums(tree) == before and sorted(os.listdir(state)) == journals,
      "nothing was changed, no journal made")

# eth0 down (flags without IFF_UP), brought up 0.7 s after tuner starts
flags = os.path.join(tree, "sys/class/net/eth0/flags")
with open(flags, "w") as f:
    f.write("0x1002\n")
timer = threading.Timer(0.7, lambda: open(flags, "w").write("0x1003\n"))
timer.start()
r, secs = boot("--wait-links", "10", "-p", profile("later", "eth0"))
timer.join()
check(r.returncode == 0 and "eth0 is down" in r.stderr and "links ready after" in r.stderr,
      f"eth0 down, then up: waited and applied, exit {r.returncode}: "
      f"{r.stderr.strip().splitlines()[-1:]}")
check(0.6 < secs < 5, f"it applied once eth0 was up: after {secs:.2f} s")
irqs = [c for c in json.loads(tnlib.run(tuner, ["history", "--json", "--state-dir",
                                               state]).stdout)]
check(irqs and irqs[-1]["profile"] == "later" and irqs[-1]["status"] == "applied",
      "history shows the boot apply")

# --wait-links without --boot: a usage error, nothing done (it was ignored: the
# apply ran at once, as if the links had been waited for)
sums, journals = tree_sums(tree), sorted(os.listdir(state))
r = tnlib.run(tuner, ["apply", "--wait-links", "5", "-p", profile("nolinks", "eth9")] + g)
check(r.returncode == 64 and "--wait-links is how long --boot waits" in r.stderr,
      f"apply --wait-links without --boot: exit {r.returncode} (want 64): "
      f"{r.stderr.strip().splitlines()[:1]}")
check(tree_sums(tree) == sums and sorted(os.listdir(state)) == journals,
      "and nothing was changed, no journal made")
finish()
