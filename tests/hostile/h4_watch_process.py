#!/usr/bin/env python3
"""tuner watch --check-every 1 whose repair of a process's CPUs keeps failing
(h4 review of watch/failing), in a private network and mount namespace, on
the 24em64t tree (redis-server 1187 of the tree, one thread).

A process change is made on each of its threads: the journal's entry names
the thread ("1187@START/1187@START"), the plan's change the process. The
failed value was backed off under the thread's id, which holds back no change
of the plan: every check tried the process again, failed, and undid the
other repairs with it (netdev_budget stayed drifted), each time saying 'left
alone for 5 s', then 10, 20, ... 320 s, one second apart. Now the process is
left alone for its back-off, netdev_budget is repaired by the next check, and
the process after the back-off.

The failure is TUNER_FAULT=1:EINVAL (a test build's hook): netdev_budget is
seq 0, the process's thread seq 1 of each repair with both.

  h4_watch_process.py TUNER SRCDIR WORKDIR
"""
import os, re, subprocess, sys, time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "apply"))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "watch"))
import tnlib  # noqa: E402
from tnlib import check, finish  # noqa: E402
from watchlib import into_namespaces, read_text, stop, wait_for  # noqa: E402

into_namespaces("-n", "-m")

fx = tnlib.Setup()
tuner, tree, state, g, work = fx.tuner, fx.tree, fx.state, fx.g, fx.work
errpath = os.path.join(work, "watch.err")
profile = fx.profile("redis-numa-split")
STATUS, BUDGET = "proc/1187/task/1187/status", "proc/sys/net/core/netdev_budget"


def log():
    return read_text(errpath)


def put(rel, text):
    path = os.path.join(tree, rel)
    with open(path + ".new", "w") as f:
        f.write(text)
    os.rename(path + ".new", path)


def get(rel):
    with open(os.path.join(tree, rel)) as f:
        return f.read()


def cpus():
    m = re.search(r"(?m)^Cpus_allowed_list:\s*(\S+)$", get(STATUS))
    return m.group(1) if m else None


r = tnlib.run(tuner, ["apply", "-q", "--profile", profile, "--state-dir", state] + g)
check(r.returncode == 0, f"apply: exit {r.returncode} {r.stderr[-200:]}")
want_cpus, want_budget = cpus(), get(BUDGET)
check(want_cpus not in (None, "0-23"), f"the apply placed redis-server 1187: {want_cpus}")
env = dict(os.environ, TUNER_FAULT="1:EINVAL")
w = subprocess.Popen([tuner, "watch", "--profile", profile, "--state-dir", state,
                      "--check-every", "1"] + g,
                     stderr=open(errpath, "w"), stdout=subprocess.DEVNULL, env=env)
try:
    check(wait_for(lambda: "watching 3 NICs, 1 process" in log(), 10), "the watch starts")
    put(BUDGET, "300\n")
    put(STATUS, re.sub(r"(?m)^Cpus_allowed_list:.*$", "Cpus_allowed_list:\t0-23", get(STATUS)))
    t0 = time.monotonic()
    said = wait_for(lambda: "its repair failed" in log(), 4)
    check(said and "redis-server 1187/1187 CPUs: its repair failed; left alone for 5 s" in log(),
          f"the failed repair of the process is said with its back-off: {log().strip()[-300:]}")
    fixed = wait_for(lambda: get(BUDGET) == want_budget, 3)
    check(fixed and cpus() == "0-23",
          f"the next check repairs netdev_budget without the process (budget "
          f"{get(BUDGET).strip()}, CPUs {cpus()})")
    later = wait_for(lambda: cpus() == want_cpus, 9)
    check(later and time.monotonic() - t0 >= 4.5,
          f"the process tried again after its back-off, and repaired: {cpus()} after "
          f"{time.monotonic() - t0:.1f} s")
    check(log().count("its repair failed") == 1 and "fighting" not in log(),
          f"one failure said, and no fight: {log().count('its repair failed')}")
finally:
    rc = stop(w)
check(rc == 0, f"SIGTERM: exit {rc}")
check("AddressSanitizer" not in log() and "runtime error" not in log(), "no sanitizer report")
finish()
