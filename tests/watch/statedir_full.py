#!/usr/bin/env python3
"""tuner watch --check-every 1 with its state directory full (a 1 MiB tmpfs
filled up), in a private network and mount namespace (unshare -n -m; the
host's links, mounts and settings are not touched), on the 24em64t tree:

- an IRQ and a sysctl written meanwhile cannot be repaired (no journal can be
  begun): each check says so, and --prometheus's tuner_drift counts the two
  changes left drifted (it said 0)
- no empty journal is left behind by a journal that could not be begun (one
  per check was, never deleted by --keep-journals, and 'tuner rollback --last'
  then refused the newest, "empty: not a journal")
- 'rollback --last --dry-run' meanwhile finds the first apply's journal
- a stale PROM.tmp.PID (a crash of an earlier process of the same pid) does
  not stop the textfile's writes (each failed, "File exists")
- room made: the next check repairs both, tuner_drift back to 0, history
  lists no damaged journal

  statedir_full.py TUNER SRCDIR WORKDIR
"""
import os, re, subprocess, sys, time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "apply"))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import tnlib
from tnlib import check, finish
from watchlib import into_namespaces, read_text, stop, wait_for

into_namespaces("-n", "-m")

fx = tnlib.Setup()
tuner, tree, state, g, work = fx.tuner, fx.tree, fx.state, fx.g, fx.work
# this namespace's mounts are its own: the tmpfs is gone when the test ends
subprocess.run(["mount", "--make-rprivate", "/"], check=True)
os.makedirs(state, mode=0o700, exist_ok=True)
subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m,mode=0700", "tmpfs", state], check=True)
prom = os.path.join(work, "prom")
errpath = os.path.join(work, "full.err")
fill = os.path.join(state, "fill")
for f in (prom, errpath):
    if os.path.exists(f):
        os.unlink(f)


def log():
    return read_text(errpath)


put, get = fx.put, fx.get


def drift():
    try:
        m = re.search(r"(?m)^tuner_drift (\d+)$", open(prom).read())
    except OSError:
        return None
    return m and int(m.group(1))


def empty_journals():
    return [f for f in os.listdir(state)
            if f.endswith(".journal") and os.path.getsize(os.path.join(state, f)) == 0]


IRQ, BUDGET = "proc/irq/58/smp_affinity_list", "proc/sys/net/core/netdev_budget"
w = subprocess.Popen([tuner, "watch", "--profile", fx.profile("redis-numa-split"),
                      "--state-dir", state, "--check-every", "1", "--prometheus", prom] + g,
                     stderr=open(errpath, "w"), stdout=subprocess.DEVNULL)
try:
    check(wait_for(lambda: "watching 3 NICs" in log(), 10), "the watch starts")
    # a PROM.tmp.PID left by an earlier process of the same pid (a crash, a
    # reboot): replaced, not an error at every write from then on
    stale = f"{prom}.tmp.{w.pid}"
    with open(stale, "w") as f:
        f.write("stale\n")
    before = os.stat(prom).st_mtime_ns
    check(wait_for(lambda: os.stat(prom).st_mtime_ns != before, 3) and
          "File exists" not in log() and not os.path.exists(stale),
          f"a stale {os.path.basename(stale)} is replaced: the textfile written again "
          f"({log().strip().splitlines()[-1][-100:]})")
    want_irq, want_budget = get(IRQ), get(BUDGET)
    # the state directory full: dd stops at ENOSPC
    subprocess.run(["dd", "if=/dev/zero", "of=" + fill, "bs=64k"], capture_output=True)
    put(IRQ, "0-23")
    put(BUDGET, "300")
    said = wait_for(lambda: "No space left on device" in log(), 4)
    time.sleep(2.5)  # two more checks
    check(said and get(IRQ) == "0-23" and get(BUDGET) == "300",
          f"the state directory full: not repaired, said: {said}")
    check(drift() == 2, f"tuner_drift counts the 2 changes left drifted: {drift()}")
    check(not empty_journals(), f"no empty journal left behind: {empty_journals()}")
    r = tnlib.run(tuner, ["rollback", "--last", "--dry-run", "--state-dir", state] + g)
    check(r.returncode == 0,
          f"rollback --last --dry-run finds the first apply's journal: exit {r.returncode} "
          f"{r.stderr.strip()[-160:]}")

    os.unlink(fill)
    fixed = wait_for(lambda: get(IRQ) == want_irq and get(BUDGET) == want_budget, 4)
    check(fixed, "room made: the next check repairs the IRQ and the sysctl")
    check(wait_for(lambda: drift() == 0, 2), f"tuner_drift back to 0: {drift()}")
    r = tnlib.run(tuner, ["history", "--state-dir", state] + g)
    check(r.returncode == 0 and "damaged" not in r.stdout,
          f"history lists no damaged journal: exit {r.returncode}")
finally:
    rc = stop(w)
check(rc == 0, f"SIGTERM: exit {rc}")
check("AddressSanitizer" not in log() and "runtime error" not in log(), "no sanitizer report")
finish()
